/**
 * CappedSemaphore: a semaphore whose count stays between 0 and a limit —
 * `acquire` waits at 0 and `release` waits at the limit (eventlet's
 * `eventlet.semaphore.CappedSemaphore`).
 *
 * @module
 */

import {
  completed,
  currentGreenlet,
  deliverPending,
  type GreenThread,
  hasPendingError,
  ParkingLot,
} from "../hub/lowlevel.ts";
import { checkCount, typeName } from "../hub/checks.ts";

/** Options of `CappedSemaphore.acquire` and `CappedSemaphore.release`. */
export interface CappedOptions {
  /** Wait when the operation cannot happen now (default true); false: resolve `false`. */
  blocking?: boolean;
}

/** A held permit of a CappedSemaphore: disposing of it releases it, once. */
class CappedPermit implements AsyncDisposable {
  #sem: CappedSemaphore | null;

  constructor(sem: CappedSemaphore) {
    this.#sem = sem;
  }

  [Symbol.asyncDispose](): Promise<void> {
    const sem = this.#sem;
    if (sem === null) return Promise.resolve();
    this.#sem = null;
    return sem.release().then(() => {});
  }
}

function blockingOption(what: string, options: CappedOptions | undefined): boolean {
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${what}: options must be an object, received ${typeName(options)}`,
    );
  }
  return options.blocking ?? true;
}

/**
 * A semaphore with a ceiling: the count starts at `count` and stays within
 * `0..limit`. `acquire` waits while it is 0; `release` returns a promise
 * that waits while it is at `limit`.
 *
 * - Acquirers and releasers are each served first-come first-served.
 * - An `acquire` meeting a waiting releaser (or a `release` meeting a
 *   waiting acquirer) hands the unit over directly, so `CappedSemaphore(0, 0)`
 *   is a rendezvous: an `acquire` and a `release` complete each other.
 * - A waiter killed while waiting leaves its line and changes no count;
 *   once woken, its operation has happened (the error comes at its next
 *   switch point).
 * - A `release` that can complete at once always does, even if a kill or
 *   Timeout is pending for the caller (that error comes at the next switch
 *   point), so a release in a `finally` block is never lost.
 * - `balance` is eventlet's `lower.balance - upper.balance`
 *   (`new CappedSemaphore(1, 2).balance === 0`).
 * - No `timeout` option, as eventlet. `count` and `limit` must be
 *   non-negative integers (`RangeError`; `TypeError` for non-numbers), and
 *   `count <= limit` (`RangeError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CappedSemaphore } from "@eventlet/eventlet/green";
 * const sem = new CappedSemaphore(1, 2);
 * await sem.release(); // count 2, the limit
 * assert.equal(await sem.release({ blocking: false }), false); // at the limit
 * await sem.acquire();
 * assert.equal(sem.balance, 0);
 * ```
 */
export class CappedSemaphore {
  /** The highest the count can go. */
  readonly limit: number;
  #count: number;
  // Invariant: acquirers wait only while #count is 0, releasers only while
  // #count is `limit`, and never both at once (each side hands over to the other).
  #acquirers = new ParkingLot<unknown>();
  #releasers = new ParkingLot();

  /**
   * Makes a capped semaphore holding `count` of at most `limit`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CappedSemaphore } from "@eventlet/eventlet/green";
   * const sem = new CappedSemaphore(0, 1);
   * assert.deepEqual([sem.locked(), sem.bounded()], [true, false]);
   * ```
   */
  constructor(count: number, limit: number) {
    checkCount("create CappedSemaphore", "count", count);
    checkCount("create CappedSemaphore", "limit", limit);
    if (count > limit) {
      throw new RangeError(
        `Cannot create CappedSemaphore: count must not exceed limit, received count ${count} and limit ${limit}`,
      );
    }
    this.#count = count;
    this.limit = limit;
  }

  /**
   * eventlet's balance, `lower.balance - upper.balance` of its two inner
   * semaphores: `2 × count − limit`, minus two per waiting acquirer, plus
   * two per waiting releaser.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CappedSemaphore } from "@eventlet/eventlet/green";
   * assert.equal(new CappedSemaphore(2, 3).balance, 1);
   * ```
   */
  get balance(): number {
    return 2 * (this.#count - this.#acquirers.length + this.#releasers.length) - this.limit;
  }

  /**
   * True if `acquire` would wait.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CappedSemaphore } from "@eventlet/eventlet/green";
   * assert.equal(new CappedSemaphore(0, 1).locked(), true);
   * ```
   */
  locked(): boolean {
    return this.#count === 0 && this.#releasers.length === 0;
  }

  /**
   * True if `release` would wait.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CappedSemaphore } from "@eventlet/eventlet/green";
   * assert.equal(new CappedSemaphore(1, 1).bounded(), true);
   * ```
   */
  bounded(): boolean {
    return this.#count === this.limit && this.#acquirers.length === 0;
  }

  /**
   * Takes one, waiting (a switch point) while the count is 0; resolves
   * `true`. With `blocking: false` resolves `false` instead of waiting.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CappedSemaphore } from "@eventlet/eventlet/green";
   * const sem = new CappedSemaphore(1, 1);
   * assert.equal(await sem.acquire(), true);
   * assert.equal(await sem.acquire({ blocking: false }), false);
   * ```
   */
  acquire(options?: CappedOptions): Promise<boolean> {
    const blocking = blockingOption("acquire CappedSemaphore", options);
    return this.#acquire(currentGreenlet(), true, blocking);
  }

  /**
   * Acquires (waiting as `acquire()` does) and resolves an `AsyncDisposable`
   * that releases: `await using _ = await sem.guard()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CappedSemaphore } from "@eventlet/eventlet/green";
   * const sem = new CappedSemaphore(1, 1);
   * {
   *   await using _ = await sem.guard();
   *   assert.equal(sem.locked(), true);
   * }
   * assert.equal(sem.locked(), false);
   * ```
   */
  guard(): Promise<AsyncDisposable> {
    // Blocking, it never resolves `false`.
    return this.#acquire(currentGreenlet(), new CappedPermit(this), true) as Promise<
      CappedPermit
    >;
  }

  #acquire<V>(g: GreenThread, value: V, blocking: boolean): Promise<V | false> {
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#releasers.length > 0) {
      // The count is at the limit: take the waiting releaser's unit directly.
      // Our own result first, then the wake: under a spent loop budget we are
      // then queued ahead of the releaser, as when we resume at once.
      const done = completed(g, value);
      this.#releasers.wakeFirst(true);
      return done;
    }
    if (this.#count > 0) {
      this.#count--;
      return completed(g, value);
    }
    if (!blocking) return completed(g, false);
    return this.#acquirers.park(g, "CappedSemaphore.acquire", value);
  }

  /**
   * Gives one back, waiting (a switch point) while the count is at `limit`;
   * resolves `true`. With `blocking: false` resolves `false` instead of
   * waiting.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CappedSemaphore } from "@eventlet/eventlet/green";
   * const sem = new CappedSemaphore(0, 1);
   * assert.equal(await sem.release(), true);
   * assert.equal(await sem.release({ blocking: false }), false);
   * ```
   */
  release(options?: CappedOptions): Promise<boolean> {
    const blocking = blockingOption("release CappedSemaphore", options);
    const g = currentGreenlet();
    const acquirer = this.#acquirers.head;
    if (acquirer !== null) {
      // The count is 0: hand the unit to the first waiting acquirer (after
      // taking our own result, as in #acquire).
      const done = completed(g, true);
      this.#acquirers.wakeFirst(acquirer.data);
      return done;
    }
    if (this.#count < this.limit) {
      this.#count++;
      return completed(g, true);
    }
    if (!blocking) return completed(g, false);
    if (hasPendingError(g)) return deliverPending(g);
    return this.#releasers.park(g, "CappedSemaphore.release");
  }
}
