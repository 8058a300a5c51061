/**
 * sleep and waitFor: the two plainest switch points.
 *
 * @module
 */

import { checkSeconds } from "../hub/checks.ts";
import {
  awaitForeign,
  currentGreenlet,
  deliverPending,
  hasPendingError,
  newPark,
  resolveAfter,
  setDeadline,
  suspend,
  yieldInterruptible,
} from "../hub/lowlevel.ts";

/**
 * Parks the current greenthread for `seconds` (default 0). `sleep(0)` lets
 * every other ready greenthread take a step, in FIFO order, and lets Deno
 * poll I/O and timers regularly, so a loop of `await sleep(0)` never starves
 * a socket or a timer. Negative seconds mean 0; `Infinity` sleeps until
 * killed; NaN is a `RangeError`, a non-number a `TypeError` (thrown at once).
 * A switch point: a `kill` or `Timeout` lands here.
 *
 * @example
 * ```ts
 * import { sleep } from "@eventlet/eventlet";
 * await sleep(0.01); // ten milliseconds
 * await sleep(); // just yield
 * ```
 */
export function sleep(seconds: number = 0): Promise<void> {
  const delay = checkSeconds("sleep", seconds);
  if (delay === 0) return yieldInterruptible("sleep"); // the whole switch point
  const g = currentGreenlet();
  if (hasPendingError(g)) return deliverPending(g);
  const park = newPark(g, "sleep");
  setDeadline(park, resolveAfter(delay));
  return suspend(park);
}

/**
 * Awaits a foreign promise as a switch point: a `kill` or `Timeout`
 * interrupts the wait at once (the promise itself goes on; pass
 * `getCurrent().signal` to the API that made it to cancel that too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitFor, withTimeout } from "@eventlet/eventlet";
 * const never = new Promise<string>(() => {});
 * const v = await withTimeout(0.01, () => waitFor(never), { timeoutValue: "gave up" });
 * assert.equal(v, "gave up");
 * ```
 */
export function waitFor<T>(promise: PromiseLike<T> | T): Promise<T> {
  const g = currentGreenlet();
  const foreign = Promise.resolve(promise);
  if (hasPendingError(g)) {
    foreign.catch(() => {}); // nobody will await it: no unhandled rejection
    return deliverPending(g);
  }
  return awaitForeign(g, "waitFor", () => foreign);
}
