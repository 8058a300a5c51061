/**
 * Deadline: what a parked wait ends with when its time is up — a value to
 * resolve with (`sleep`, `Event.wait` with a timeout) or an error to reject
 * with (`Queue.get` with a timeout, a socket's `SocketTimeout`). park.ts
 * arms it (`setDeadline`, `ParkingLot.parkFor`).
 *
 * @module
 */

/** What a park resolves with, or rejects with, when its deadline passes. */
export interface Deadline {
  /** Seconds from now; `Infinity` means none. */
  readonly seconds: number;
  /** The value (or, when `rejects`, the error) the wait ends with. */
  readonly value: unknown;
  readonly rejects: boolean;
}

/** A deadline after which the wait resolves with `value`. */
export function resolveAfter(seconds: number, value?: unknown): Deadline {
  return { seconds, value, rejects: false };
}

/** A deadline after which the wait rejects with `error`. */
export function rejectAfter(seconds: number, error: unknown): Deadline {
  return { seconds, value: error, rejects: true };
}
