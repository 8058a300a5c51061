/**
 * GreenPile: results of a bunch of spawned calls, read back in spawn order
 * (eventlet's `eventlet.greenpool.GreenPile`).
 *
 * @module
 */

import {
  completed,
  currentGreenlet,
  deliverPending,
  failed,
  type GreenThread,
  hasPendingError,
  type Park,
  wake,
  wakeWithError,
} from "../hub/lowlevel.ts";
import { GreenPool } from "./greenpool.ts";
import { checkCount, checkFunction, typeName } from "../hub/checks.ts";
import { DONE, ResultLine } from "./result_line.ts";

function nothingUnread(): Error {
  return new Error("Cannot get the next GreenPile result: no spawned result is left unread");
}

/**
 * Spawns calls into a GreenPool and hands their results back in the order
 * they were spawned, whatever order they finish in.
 *
 * - `spawn` waits (a switch point) while the pool is full. A spawn that
 *   fails while waiting (killed, timed out) leaves no hole: the sequence
 *   goes on with the next spawn.
 * - `next()` resolves the next result in spawn order (waiting for it), or
 *   rejects with the call's error; reading may go on after an error. With
 *   nothing spawned and unread it rejects with an error saying so.
 * - `for await (const r of pile)` reads until every spawned result is read
 *   (a call's error is thrown from the loop).
 * - A reader killed while waiting takes no result; results go to waiting
 *   readers first-come first-served.
 * - `sizeOrPool`: a size (default 1000) for a pile with its own pool, or a
 *   GreenPool whose concurrency it shares (many piles may share one pool).
 *   A size must be a non-negative integer (`RangeError`/`TypeError`).
 * - An error of a call nobody is reading when it ends is reported through
 *   `hub.onError`, and still thrown to whoever reads it later.
 *
 * @example
 * ```ts
 * import { GreenPile, sleep } from "@eventlet/eventlet";
 * const pile = new GreenPile<number>(4);
 * for (const n of [3, 1, 2]) {
 *   await pile.spawn(async () => {
 *     await sleep(n / 1000);
 *     return n;
 *   });
 * }
 * for await (const n of pile) console.log(n); // 3 1 2
 * ```
 */
export class GreenPile<T = unknown> implements AsyncIterable<T> {
  /** The pool the calls run in. */
  readonly pool: GreenPool;
  #line = new ResultLine<T, GreenPile<T>>(this, GreenPile.#took);
  // Spawns begun (including those waiting for a slot) whose result has not
  // been handed to a reader.
  #unread = 0;

  /** A result was handed to a reader: ResultLine's onTake, one function for every pile. */
  static #took(pile: GreenPile<unknown>): void {
    pile.#unread--;
  }

  /**
   * Makes a pile with its own pool of `sizeOrPool` (default 1000), or
   * spawning into the given GreenPool.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPile, GreenPool } from "@eventlet/eventlet";
   * const pool = new GreenPool(2);
   * assert.equal(new GreenPile(pool).pool === pool, true);
   * ```
   */
  constructor(sizeOrPool: number | GreenPool = 1000) {
    if (sizeOrPool instanceof GreenPool) this.pool = sizeOrPool;
    else {
      if (typeof sizeOrPool !== "number") {
        throw new TypeError(
          `Cannot create GreenPile: sizeOrPool must be a number or a GreenPool, received ${
            typeName(sizeOrPool)
          }`,
        );
      }
      this.pool = new GreenPool(checkCount("create GreenPile", "size", sizeOrPool));
    }
  }

  /**
   * Runs `fn(...args)` in a greenthread of the pool, waiting (a switch
   * point) while the pool is full; its result joins the pile in spawn
   * order.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPile } from "@eventlet/eventlet";
   * const pile = new GreenPile<string>();
   * await pile.spawn((s: string) => s.toUpperCase(), "a");
   * assert.equal(await pile.next(), "A");
   * ```
   */
  spawn<A extends unknown[]>(fn: (...args: A) => T | PromiseLike<T>, ...args: A): Promise<void> {
    checkFunction("spawn in GreenPile", fn);
    this.#unread++;
    // deno-lint-ignore no-explicit-any
    const spawned = this.pool.spawnTo(fn as (...a: any[]) => unknown, args, this.#push);
    // A side branch for the bookkeeping: the caller awaits `spawned` itself,
    // so it resumes exactly as it would from GreenPool.spawn.
    spawned.then(undefined, this.#spawnFailed);
    return spawned;
  }

  #push = (gt: GreenThread<T>): void => {
    this.#line.push(gt);
  };

  #spawnFailed = (): void => {
    this.#unread--;
    // Readers beyond the results still to come will get none.
    for (const park of this.#line.readersAfter(this.#unread)) endReader(park);
  };

  /**
   * The next result in spawn order, waiting for it (a switch point);
   * rejects with the call's error, or, with nothing spawned and unread, an
   * error saying so.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPile } from "@eventlet/eventlet";
   * const pile = new GreenPile<number>();
   * await pile.spawn(() => 1);
   * await pile.spawn(() => 2);
   * assert.deepEqual([await pile.next(), await pile.next()], [1, 2]);
   * await pile.next().catch((e) => console.log(e.message)); // Cannot get the next GreenPile result: ...
   * ```
   */
  next(): Promise<T> {
    return this.#read(false) as Promise<T>;
  }

  /**
   * Iterates the results in spawn order until every spawned result is read.
   *
   * @example
   * ```ts
   * import { GreenPile } from "@eventlet/eventlet";
   * const pile = new GreenPile<number>(2);
   * for (const n of [1, 2, 3]) await pile.spawn(() => n * 10);
   * for await (const r of pile) console.log(r); // 10 20 30
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const iterator: AsyncIterableIterator<T> = {
      next: () => this.#read(true) as Promise<IteratorResult<T>>,
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * `next()` (`iter` false) or a step of the iteration (`iter` true: an
   * IteratorResult, and the end instead of an error once all is read).
   */
  #read(iter: boolean): Promise<unknown> {
    const g = currentGreenlet();
    if (this.#unread > this.#line.readers) return this.#line.read(g, iter, "GreenPile.next");
    if (hasPendingError(g)) return deliverPending(g);
    return iter ? completed(g, DONE) : failed(g, nothingUnread());
  }
}

/** A waiting reader no result will reach: iteration ends, next() rejects. */
function endReader(park: Park<boolean>): void {
  if (park.data) wake(park, DONE);
  else wakeWithError(park, nothingUnread());
}
