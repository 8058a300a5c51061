/**
 * Event: a one-shot value (or error) that many greenthreads can wait for.
 *
 * @module
 */

import { checkSeconds } from "../hub/checks.ts";
import {
  completed,
  currentGreenlet,
  deliverPending,
  failed,
  hasPendingError,
  ParkingLot,
  resolveAfter,
} from "../hub/lowlevel.ts";

const FRESH = 0;
const HAS_VALUE = 1;
const HAS_ERROR = 2;

/**
 * An event: `send` a value once, and every greenthread in `wait()` gets it.
 *
 * - Waiters are woken in the order they began to wait (FIFO), through the
 *   hub's run queue; `send` itself never switches.
 * - A second `send` throws `Trying to re-send() an already-triggered
 *   event.` (eventlet's message); `reset()` makes it fresh again.
 * - `wait(timeout)` resolves `undefined` when the timeout expires (it does
 *   not throw), as eventlet's does.
 * - A waiter killed or timed out while waiting just leaves the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Event, spawn } from "@eventlet/eventlet";
 * const evt = new Event<string>();
 * const waiter = spawn(() => evt.wait());
 * evt.send("ready");
 * assert.equal(await waiter.wait(), "ready");
 * ```
 */
export class Event<T = void> {
  #state = FRESH;
  #value: unknown = undefined;
  #waiters = new ParkingLot();

  /**
   * Sets the value and wakes every waiter. Throws if already sent.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Event } from "@eventlet/eventlet";
   * const evt = new Event<number>();
   * evt.send(1);
   * assert.equal(await evt.wait(), 1);
   * ```
   */
  send(value?: T): void {
    this.#settle(HAS_VALUE, value);
  }

  /**
   * Sets an error instead of a value: every `wait()` rejects with it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Event } from "@eventlet/eventlet";
   * const evt = new Event();
   * evt.sendException(new Error("failed"));
   * await assert.rejects(evt.wait(), { message: "failed" });
   * ```
   */
  sendException(error: unknown): void {
    this.#settle(HAS_ERROR, error);
  }

  #settle(state: number, value: unknown): void {
    if (this.#state !== FRESH) {
      throw new Error("Trying to re-send() an already-triggered event.");
    }
    this.#state = state;
    this.#value = value;
    if (state === HAS_VALUE) this.#waiters.wakeAll(value);
    else this.#waiters.failAll(value);
  }

  /**
   * Waits until it is sent; resolves the value (rejects with a sent
   * error). With `timeout` (seconds; negative means 0, NaN a `RangeError`),
   * resolves `undefined` if it expires first. A switch point.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Event } from "@eventlet/eventlet";
   * const evt = new Event<string>();
   * assert.equal(await evt.wait(0.01), undefined); // nobody sent
   * ```
   */
  wait(timeout?: number | null): Promise<T> {
    const seconds = timeout === undefined || timeout === null
      ? Infinity
      : checkSeconds("wait for Event", timeout);
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#state === HAS_VALUE) return completed(g, this.#value as T);
    if (this.#state === HAS_ERROR) return failed(g, this.#value);
    return this.#waiters.parkFor(g, "Event.wait", resolveAfter(seconds));
  }

  /** True once sent (a value or an error). */
  ready(): boolean {
    return this.#state !== FRESH;
  }

  /** True if sent with a value. */
  hasResult(): boolean {
    return this.#state === HAS_VALUE;
  }

  /** True if sent with an error. */
  hasException(): boolean {
    return this.#state === HAS_ERROR;
  }

  /**
   * The value if sent, else `notReady`; throws the error if one was sent.
   * Never switches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Event } from "@eventlet/eventlet";
   * const evt = new Event<number>();
   * assert.equal(evt.poll("not yet"), "not yet");
   * ```
   */
  poll<N = undefined>(notReady?: N): T | N {
    if (this.#state === HAS_ERROR) throw this.#value;
    if (this.#state === HAS_VALUE) return this.#value as T;
    return notReady as N;
  }

  /**
   * Makes it fresh again so it can be sent once more. Throws on a fresh
   * event (`Trying to reset() a fresh event.`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Event } from "@eventlet/eventlet";
   * const evt = new Event<number>();
   * evt.send(1);
   * evt.reset();
   * assert.equal(evt.ready(), false);
   * ```
   */
  reset(): void {
    if (this.#state === FRESH) throw new Error("Trying to reset() a fresh event.");
    this.#state = FRESH;
    this.#value = undefined;
  }
}
