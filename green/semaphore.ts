/**
 * Semaphore and BoundedSemaphore: counted permits with a fair line of
 * waiters (eventlet's `eventlet.semaphore`).
 *
 * @module
 */

import { checkCount, checkSeconds, typeName } from "../hub/checks.ts";
import {
  completed,
  currentGreenlet,
  deliverPending,
  type GreenThread,
  hasPendingError,
  ParkingLot,
  resolveAfter,
  wake,
} from "../hub/lowlevel.ts";

/** Options of `Semaphore.acquire`. */
export interface AcquireOptions {
  /** Wait while no permit is free (default true); false: resolve `false` at once. */
  blocking?: boolean;
  /**
   * Give up after this many seconds and resolve `false` (negative means 0,
   * NaN is a `RangeError`); undefined or null waits forever. Not allowed
   * with `blocking: false` (a `TypeError`).
   */
  timeout?: number | null;
}

/**
 * A held permit: disposing of it releases the permit, once (a second
 * dispose does nothing).
 */
class Permit implements Disposable {
  #sem: Semaphore | null;

  constructor(sem: Semaphore) {
    this.#sem = sem;
  }

  [Symbol.dispose](): void {
    const sem = this.#sem;
    if (sem === null) return;
    this.#sem = null;
    sem.release();
  }
}

/**
 * A counting semaphore: `acquire` takes a permit (waiting while none is
 * free), `release` gives one back. Unbounded: `release` may raise the count
 * above its initial value (see `BoundedSemaphore`).
 *
 * - Waiters are served first-come first-served; a new blocking `acquire`
 *   queues behind the waiters already there.
 * - `release` never switches. With a waiter it hands the permit straight
 *   to the first one (the count stays 0), so nobody can take it from under
 *   the woken waiter. A waiter killed after that point still holds the
 *   permit (the error reaches it at its next switch point).
 * - A waiter killed or timed out while waiting leaves the line and takes no
 *   permit. `acquire({ timeout })` resolves `false` when it expires.
 * - `guard()` acquires and hands back a `Disposable`, so
 *   `using _ = await sem.guard()` releases at the end of the block.
 * - `value` must be a non-negative integer: a `RangeError` for a negative,
 *   NaN or fractional one, a `TypeError` for a non-number.
 * - Deviation: eventlet lets a non-blocking `acquire` "barge" in between a
 *   `release` and the waiter it woke; here the permit is already that
 *   waiter's, so `counter`/`locked()` say 0/true in that window (`balance`
 *   is the same as eventlet's throughout).
 *
 * @example
 * ```ts
 * import { Semaphore, sleep, spawn } from "@eventlet/eventlet";
 * const sem = new Semaphore(2); // at most two at a time
 * const gts = [1, 2, 3].map((n) =>
 *   spawn(async () => {
 *     using _ = await sem.guard();
 *     await sleep(0.01);
 *     return n;
 *   })
 * );
 * for (const gt of gts) console.log(await gt.wait());
 * ```
 */
export class Semaphore {
  #counter: number;
  // Parked acquirers; park.data is what each resolves with (true or a Permit).
  // Invariant: the line is empty whenever #counter > 0 (release hands over).
  #waiters = new ParkingLot<unknown>();

  /**
   * Makes a semaphore with `value` free permits (default 1).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Semaphore } from "@eventlet/eventlet";
   * assert.equal(new Semaphore(3).counter, 3);
   * ```
   */
  constructor(value: number = 1) {
    this.#counter = checkCount(`create ${new.target.name}`, "value", value);
  }

  /**
   * The number of free permits.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Semaphore } from "@eventlet/eventlet";
   * const sem = new Semaphore(2);
   * await sem.acquire();
   * assert.equal(sem.counter, 1);
   * ```
   */
  get counter(): number {
    return this.#counter;
  }

  /**
   * Free permits minus waiting acquirers, as eventlet: positive, the number
   * of `acquire`s that would not wait; negative, the number of `release`s
   * needed before the count is 0 again.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Semaphore, sleep, spawn } from "@eventlet/eventlet";
   * const sem = new Semaphore(0);
   * const gt = spawn(() => sem.acquire());
   * await sleep(0);
   * assert.equal(sem.balance, -1);
   * sem.release();
   * await gt.wait();
   * ```
   */
  get balance(): number {
    return this.#counter - this.#waiters.length;
  }

  /**
   * True if `acquire` would wait (no free permit).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Semaphore } from "@eventlet/eventlet";
   * const sem = new Semaphore(1);
   * await sem.acquire();
   * assert.equal(sem.locked(), true);
   * ```
   */
  locked(): boolean {
    return this.#counter <= 0;
  }

  /**
   * Takes a permit, waiting (a switch point) while none is free; resolves
   * `true`. With `blocking: false` resolves `false` at once instead of
   * waiting; with `timeout` resolves `false` if it expires first.
   * `blocking: false` together with a `timeout` is a `TypeError` (eventlet's
   * ValueError).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Semaphore } from "@eventlet/eventlet";
   * const sem = new Semaphore(0);
   * assert.equal(await sem.acquire({ blocking: false }), false);
   * assert.equal(await sem.acquire({ timeout: 0.01 }), false);
   * ```
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    let blocking = true;
    let seconds = Infinity;
    if (options !== undefined) {
      if (typeof options !== "object" || options === null) {
        throw new TypeError(
          `Cannot acquire Semaphore: options must be an object, received ${typeName(options)}`,
        );
      }
      blocking = options.blocking ?? true;
      const timeout = options.timeout;
      if (timeout !== undefined && timeout !== null) {
        if (!blocking) {
          throw new TypeError(
            `Cannot acquire Semaphore: a timeout is not allowed with blocking: false, received timeout ${timeout}`,
          );
        }
        seconds = checkSeconds("acquire Semaphore", timeout);
      }
    }
    return this.#acquire(currentGreenlet(), true, blocking, seconds);
  }

  /**
   * Acquires a permit (waiting as `acquire()` does) and resolves a
   * `Disposable` that releases it: `using _ = await sem.guard()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Semaphore } from "@eventlet/eventlet";
   * const sem = new Semaphore();
   * {
   *   using _ = await sem.guard();
   *   assert.equal(sem.locked(), true);
   * }
   * assert.equal(sem.locked(), false);
   * ```
   */
  guard(): Promise<Disposable> {
    // Blocking and without a timeout, it never resolves `false`.
    return this.#acquire(currentGreenlet(), new Permit(this), true, Infinity) as Promise<Permit>;
  }

  // Hot path: no async wrapper, the park promise is returned as is.
  #acquire<V>(g: GreenThread, value: V, blocking: boolean, seconds: number): Promise<V | false> {
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#counter > 0) {
      this.#counter--;
      return completed(g, value);
    }
    if (!blocking) return completed(g, false);
    return this.#waiters.parkFor(g, "Semaphore.acquire", resolveAfter(seconds, false), value);
  }

  /**
   * Gives a permit back: to the first waiter if there is one (woken through
   * the hub's run queue), else to the count. Never switches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Semaphore } from "@eventlet/eventlet";
   * const sem = new Semaphore(0);
   * sem.release();
   * assert.equal(sem.counter, 1);
   * ```
   */
  release(): void {
    // The line is non-empty only while the count is 0: hand the permit over.
    const first = this.#waiters.head;
    if (first === null) this.#counter++;
    else wake(first, first.data);
  }
}

/**
 * A semaphore whose `release` throws a `RangeError` when the count is
 * already at its initial value (a release without a matching acquire is a
 * bug). Otherwise the same as `Semaphore`.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from "@eventlet/eventlet/green";
 * const sem = new BoundedSemaphore(1);
 * try {
 *   sem.release();
 * } catch (e) {
 *   console.log((e as Error).message); // Cannot release BoundedSemaphore: ...
 * }
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  readonly #initial: number;

  /**
   * Makes a bounded semaphore with `value` free permits (default 1), which
   * is also the most it can ever hold.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { BoundedSemaphore } from "@eventlet/eventlet/green";
   * assert.equal(new BoundedSemaphore(2).counter, 2);
   * ```
   */
  constructor(value: number = 1) {
    super(value);
    this.#initial = value;
  }

  /**
   * As `Semaphore.release`, but throws a `RangeError` if the count is
   * already at its initial value.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { BoundedSemaphore } from "@eventlet/eventlet/green";
   * const sem = new BoundedSemaphore(1);
   * await sem.acquire();
   * sem.release();
   * assert.equal(sem.counter, 1);
   * ```
   */
  override release(): void {
    if (this.counter >= this.#initial) {
      throw new RangeError(
        `Cannot release BoundedSemaphore: released too many times, received a release with the count already at its initial value ${this.#initial}`,
      );
    }
    super.release();
  }
}
