/**
 * GreenPool: a bounded set of greenthreads (eventlet's `eventlet.greenpool`).
 *
 * @module
 */

import {
  addExitHook,
  captureContext,
  completed,
  currentGreenlet,
  deliverPending,
  failed,
  GreenThread,
  hasPendingError,
  outcomeOf,
  ParkingLot,
  register,
  runInline,
  scheduleStart,
} from "../hub/lowlevel.ts";
import { checkCount, checkFunction } from "../hub/checks.ts";
import { GreenMap } from "./greenmap.ts";

// What a spawn resolves with, and what a reentrant (inline) run does with an error.
/** Resolves the GreenThread; an inline run's error rejects. */
const SPAWN = 0;
/** Resolves nothing; an inline run's error goes to hub.onError. */
const SPAWN_N = 1;
/** Resolves nothing, the GreenThread goes to a sink (GreenPile); an inline error rejects. */
const SPAWN_TO = 2;

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => unknown;
// deno-lint-ignore no-explicit-any
type Sink = ((gt: GreenThread<any>) => void) | null;

/** A spawn waiting for a free slot: the data of its park. */
interface SpawnRequest {
  fn: AnyFn;
  args: unknown[];
  kind: number;
  sink: Sink;
  /** The spawner's AsyncLocalStorage values (captureContext()). */
  context: unknown;
}

function noop(): void {}

/**
 * A pool of at most `size` greenthreads running at once.
 *
 * - `spawn`/`spawnN` wait (a switch point) while the pool is full; waiting
 *   spawners get slots first-come first-served. The slot is taken and the
 *   greenthread created when the spawner is woken, so a spawner killed or
 *   timed out while waiting takes no slot, and one killed after being woken
 *   has spawned.
 * - `running()` counts a greenthread from its spawn (before it starts)
 *   until it ends; `free()` is `size` minus that, negative after shrinking.
 * - A `spawn` from inside one of the pool's own greenthreads while the pool
 *   is full runs the function inline in the caller (as eventlet) instead of
 *   deadlocking: the spawn resolves an already-ended GreenThread, or
 *   rejects with the function's error.
 * - `waitall()` resolves once no greenthread of the pool is running,
 *   including ones spawned while it waits; failed ones count as ended.
 *   Called from inside one of the pool's greenthreads it rejects at once.
 * - A greenthread's error does not break the pool; it is kept for `wait()`
 *   and reported through `hub.onError` if nobody waits or links (the
 *   pool's bookkeeping does not count as waiting).
 * - `imap`/`starmap` run calls with at most `size` in flight.
 * - `size` must be a non-negative integer (`RangeError` for negative, NaN
 *   or fractional; `TypeError` for a non-number); 0 is legal and runs
 *   nothing until a `resize`.
 *
 * @example
 * ```ts
 * import { GreenPool, sleep } from "@eventlet/eventlet";
 * await using pool = new GreenPool(10);
 * for (let i = 0; i < 100; i++) {
 *   await pool.spawnN(async () => {
 *     await sleep(0.001);
 *   });
 * }
 * // leaving the block waits for all of them (waitall)
 * ```
 */
export class GreenPool {
  #size: number;
  #running = new Set<GreenThread>();
  // Spawners waiting for a slot (park.data: SpawnRequest). Invariant: the
  // line is empty whenever a slot is free (#admit hands slots over).
  #spawners = new ParkingLot<SpawnRequest>();
  // Greenthreads in waitall().
  #waitall = new ParkingLot();

  /**
   * Makes a pool of at most `size` concurrent greenthreads (default 1000).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool } from "@eventlet/eventlet";
   * const pool = new GreenPool(4);
   * assert.deepEqual([pool.size, pool.free()], [4, 4]);
   * ```
   */
  constructor(size: number = 1000) {
    this.#size = checkCount("create GreenPool", "size", size);
  }

  /**
   * The most greenthreads that may run at once (change it with `resize`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool } from "@eventlet/eventlet";
   * assert.equal(new GreenPool().size, 1000);
   * ```
   */
  get size(): number {
    return this.#size;
  }

  /**
   * The number of the pool's greenthreads that have not ended (counted from
   * their spawn, before they start).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool, sleep } from "@eventlet/eventlet";
   * const pool = new GreenPool();
   * await pool.spawn(sleep, 0.01);
   * assert.equal(pool.running(), 1);
   * await pool.waitall();
   * ```
   */
  running(): number {
    return this.#running.size;
  }

  /**
   * Free slots: `size` minus `running()`; negative after a shrinking
   * `resize` while more were running.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool } from "@eventlet/eventlet";
   * const pool = new GreenPool(2);
   * await pool.spawn(() => {});
   * assert.equal(pool.free(), 1);
   * await pool.waitall();
   * ```
   */
  free(): number {
    return this.#free();
  }

  /**
   * The number of greenthreads waiting in `spawn`/`spawnN` for a slot.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool } from "@eventlet/eventlet";
   * assert.equal(new GreenPool(1).waiting(), 0);
   * ```
   */
  waiting(): number {
    return this.#spawners.length;
  }

  /**
   * Changes the size. Growing lets waiting spawners in at once; shrinking
   * lets the running greenthreads finish (`free()` may go negative) and
   * admits new ones only once below the new size. `size` must be a
   * non-negative integer (`RangeError`/`TypeError`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool } from "@eventlet/eventlet";
   * const pool = new GreenPool(0); // runs nothing yet
   * const spawned = pool.spawn(() => "ran");
   * pool.resize(1);
   * assert.equal(await (await spawned).wait(), "ran");
   * ```
   */
  resize(size: number): void {
    checkCount("resize GreenPool", "size", size);
    this.#size = size;
    this.#admit();
  }

  /**
   * Runs `fn(...args)` in a new greenthread of the pool, waiting (a switch
   * point) while the pool is full; resolves the GreenThread. From inside
   * one of the pool's greenthreads while full, runs `fn` inline instead.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool } from "@eventlet/eventlet";
   * const pool = new GreenPool(4);
   * const gt = await pool.spawn((a: number, b: number) => a + b, 2, 3);
   * assert.equal(await gt.wait(), 5);
   * ```
   */
  spawn<A extends unknown[], T>(
    fn: (...args: A) => T,
    ...args: A
  ): Promise<GreenThread<Awaited<T>>> {
    return this.#spawn(fn as AnyFn, args, SPAWN, null) as Promise<GreenThread<Awaited<T>>>;
  }

  /**
   * As `spawn`, resolving nothing; an error of the function goes to
   * `hub.onError` (an inline run's too).
   *
   * @example
   * ```ts
   * import { GreenPool } from "@eventlet/eventlet";
   * const pool = new GreenPool(4);
   * await pool.spawnN(console.log, "hello");
   * await pool.waitall();
   * ```
   */
  spawnN<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): Promise<void> {
    return this.#spawn(fn as AnyFn, args, SPAWN_N, null) as Promise<void>;
  }

  /**
   * As `spawn`, but the new GreenThread goes to `sink` the moment it is
   * made (so concurrent spawners keep their order) and nothing is resolved.
   * Used by GreenPile.
   * @ignore
   */
  spawnTo(fn: AnyFn, args: unknown[], sink: Sink): Promise<void> {
    return this.#spawn(fn, args, SPAWN_TO, sink) as Promise<void>;
  }

  #spawn(fn: AnyFn, args: unknown[], kind: number, sink: Sink): Promise<unknown> {
    checkFunction("spawn in GreenPool", fn);
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#free() > 0) {
      const gt = this.#create(fn, args, sink, captureContext());
      // Our own result before the start: if the loop budget makes us yield,
      // we are queued ahead of the new greenthread and still resume first.
      const done = completed(g, kind === SPAWN ? gt : undefined);
      scheduleStart(gt);
      return done;
    }
    if (this.#running.has(g)) return this.#runInline(fn, args, kind, sink);
    const request: SpawnRequest = { fn, args, kind, sink, context: captureContext() };
    return this.#spawners.park(g, "GreenPool.spawn", request);
  }

  /** Slots free: `size` minus the greenthreads running (negative after shrinking). */
  #free(): number {
    return this.#size - this.#running.size;
  }

  /** A new greenthread of the pool, registered but not yet scheduled. */
  #create(fn: AnyFn, args: unknown[], sink: Sink, context: unknown): GreenThread<unknown> {
    const gt = new GreenThread(fn, args, context);
    register(gt);
    this.#running.add(gt);
    addExitHook(gt, this.#onExit);
    sink?.(gt);
    return gt;
  }

  /** Hands free slots to waiting spawners, first come first served. */
  #admit(): void {
    while (this.#free() > 0 && this.#spawners.length > 0) {
      const request = this.#spawners.head!.data!;
      const gt = this.#create(request.fn, request.args, request.sink, request.context);
      // The spawner resumes before the new greenthread starts, as in eventlet.
      this.#spawners.wakeFirst(request.kind === SPAWN ? gt : undefined);
      scheduleStart(gt);
    }
  }

  // The pool's bookkeeping (an exit hook: it does not count as observing
  // the greenthread's error). Runs inside GreenThread's end: must not throw.
  #onExit = (gt: GreenThread<unknown>): void => {
    this.#running.delete(gt);
    this.#admit();
    if (this.#running.size === 0) this.#waitall.wakeAll(undefined);
  };

  /**
   * eventlet's reentrancy rule: a pool greenthread spawning into its own
   * full pool would wait for itself, so the function runs in the caller.
   */
  #runInline(fn: AnyFn, args: unknown[], kind: number, sink: Sink): Promise<unknown> {
    const gt = new GreenThread(fn, args, undefined); // runs in the caller's context
    // spawn rethrows the error to the caller, which thereby observes it.
    if (kind !== SPAWN_N) gt.link(noop);
    return runInline(gt).then(() => {
      if (kind === SPAWN_N) return undefined;
      const outcome = outcomeOf(gt)!;
      if (!outcome.ok) throw outcome.error;
      sink?.(gt);
      return kind === SPAWN ? gt : undefined;
    });
  }

  /**
   * Waits (a switch point) until none of the pool's greenthreads is
   * running, including ones spawned meanwhile; resolves even if some
   * failed. From inside one of the pool's greenthreads it rejects at once
   * with eventlet's message (it could never end).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { GreenPool, sleep } from "@eventlet/eventlet";
   * const pool = new GreenPool();
   * for (const s of [0.01, 0.02]) await pool.spawn(sleep, s);
   * await pool.waitall();
   * assert.equal(pool.running(), 0);
   * ```
   */
  waitall(): Promise<void> {
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#running.has(g)) {
      return failed(
        g,
        new Error(
          "Calling waitall() from within one of the GreenPool's greenthreads will never terminate.",
        ),
      );
    }
    if (this.#running.size === 0) return completed(g, undefined);
    return this.#waitall.park(g, "GreenPool.waitall");
  }

  /**
   * Calls `fn` on each item of `iterables` (zipped: `fn(a[i], b[i], …)`,
   * stopping at the shortest), each call in its own greenthread with at
   * most `size` in flight (started and not yet read; refilled once half of
   * them are read), and yields the results in input order. The iterables
   * may be sync or async.
   *
   * - The first error (of a call or of an input) is thrown by the iterator
   *   and ends it: nothing more is spawned, calls still in flight are
   *   killed. Deviation: eventlet's imap goes on after an error; a
   *   JavaScript iteration ends at a throw.
   * - Stopping early (`break` in `for await`, or `return()`) kills the calls
   *   in flight and closes the inputs; `return()` resolves once they ended.
   * - As eventlet, the calls take no slots of this pool (`running()` does
   *   not count them): each imap has its own limit of `size`, read when
   *   imap is called. A pool of size 0 makes imap throw a `RangeError`.
   * - Nothing starts until the first `next()`.
   *
   * @example
   * ```ts
   * import { GreenPool, sleep } from "@eventlet/eventlet";
   * const pool = new GreenPool(4);
   * const slowDouble = async (n: number) => { await sleep(0.001 * (5 - n)); return 2 * n; };
   * for await (const r of pool.imap(slowDouble, [1, 2, 3, 4])) console.log(r); // 2 4 6 8
   * ```
   */
  imap<A extends unknown[], T>(
    fn: (...args: A) => T,
    ...iterables: { [K in keyof A]: Iterable<A[K]> | AsyncIterable<A[K]> }
  ): AsyncIterableIterator<Awaited<T>> {
    return new GreenMap<Awaited<T>>("imap", fn as AnyFn, iterables, false, this.#size);
  }

  /**
   * As `imap`, with each item of `iterable` being the argument list of one
   * call: `fn(...item)`.
   *
   * @example
   * ```ts
   * import { GreenPool } from "@eventlet/eventlet";
   * const pool = new GreenPool(4);
   * const sums = pool.starmap((a: number, b: number) => a + b, [[1, 2], [3, 4]]);
   * for await (const s of sums) console.log(s); // 3 7
   * ```
   */
  starmap<A extends unknown[], T>(
    fn: (...args: A) => T,
    iterable: Iterable<A> | AsyncIterable<A>,
  ): AsyncIterableIterator<Awaited<T>> {
    return new GreenMap<Awaited<T>>("starmap", fn as AnyFn, [iterable], true, this.#size);
  }

  /**
   * `waitall()`: `await using pool = new GreenPool()` leaves its block only
   * once the pool's greenthreads have ended.
   *
   * @example
   * ```ts
   * import { GreenPool, sleep } from "@eventlet/eventlet";
   * {
   *   await using pool = new GreenPool();
   *   await pool.spawn(sleep, 0.01);
   * }
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.waitall();
  }
}
