/**
 * Pool: a bounded set of reusable items — connections, clients, tokens —
 * handed out to greenthreads one at a time (eventlet's `eventlet.pools.Pool`,
 * with the `max_idle`/`max_age` lifetimes of its `db_pool`).
 *
 * Capacity is a `Semaphore` of `maxSize` slots: a `get` takes a slot (that
 * await is its switch point), then a free item or a new one; `put` gives the
 * slot back. The Semaphore already guarantees that a waiter killed in line
 * takes nothing and that a slot handed over stays handed over, so capacity
 * is lost neither there nor in `create`, whose failure frees the slot.
 *
 * @module
 */

import { Semaphore } from "../green/semaphore.ts";
import { checkPositiveInteger, typeName } from "../hub/checks.ts";
import { isThenable } from "../hub/greenthread_start.ts";
import { reportError } from "../hub/lowlevel.ts";
import { Entry, FreeItems } from "./free_items.ts";
import { Lease, type PoolLease } from "./lease.ts";
import { parsePoolOptions, type PoolOptions } from "./pool_options.ts";

export type { PoolOptions };

/**
 * A pool of at most `maxSize` items, made on demand by `create`.
 *
 * - `get()` hands out a free item, else creates one while fewer than
 *   `maxSize` are out, else waits (a switch point) until a `put`. Waiters are
 *   served first-come first-served; free items go oldest first unless
 *   `orderAsFifo: false` (eventlet's `order_as_stack`).
 * - A `get` killed or timed out while waiting takes nothing. One whose slot
 *   was already handed over completes (the kill lands at the next switch
 *   point). A `create` or `validate` that throws, or is interrupted by a
 *   kill or `Timeout`, frees the slot at once: capacity is never lost.
 * - `put(item)` never switches. It throws a `RangeError` for an item that
 *   is not out of this pool (a double put).
 * - Stale items (`maxIdle`, `maxAge`, seconds) are disposed of through
 *   `dispose`: free ones by one hub timer even when the pool sees no other
 *   activity, others when put back. `maxIdle: 0` or `maxAge: 0` disposes of
 *   every item put back (db_pool: a mere concurrency limiter). While a free
 *   item can go stale that timer is pending and keeps the process alive, as
 *   any hub timer: `close()` the pool (or `using pool = new Pool(…)`).
 * - `resize(n)` never switches; items out beyond the new size are disposed
 *   of as they come back.
 * - `close()` disposes of the free items and rejects waiters and later
 *   `get`s; items still out are disposed of when put back.
 * - Errors of `dispose` go to `hub.onError`.
 * - Deviation: a shrinking `resize` disposes of excess free items at once
 *   (eventlet keeps them until they are put back again).
 *
 * @example
 * ```ts
 * import { Pool } from "@eventlet/eventlet/pools";
 * import { sleep, spawn } from "@eventlet/eventlet";
 * let made = 0;
 * using pool = new Pool({ create: () => ({ id: ++made }), maxSize: 2 });
 * const users = [1, 2, 3, 4].map(() =>
 *   spawn(async () => {
 *     using conn = await pool.item();
 *     await sleep(0.01);
 *     return conn.value.id;
 *   })
 * );
 * for (const gt of users) console.log(await gt.wait()); // 1 2 1 2
 * console.log(made); // 2
 * ```
 */
export class Pool<T> implements Disposable {
  #create: () => T | PromiseLike<T>;
  #dispose: ((item: T) => unknown) | undefined;
  #validate: ((item: T) => boolean | PromiseLike<boolean>) | undefined;
  #maxSize: number;
  // Slots not taken. Holders (gets that took one) + async warm-ups in flight
  // + #slots.counter - #debt === #maxSize, always.
  #slots: Semaphore;
  #holders = 0;
  #warming = 0;
  // Slots to destroy (a shrinking resize): paid by puts and by gets.
  #debt = 0;
  #free: FreeItems<T>;
  // Items out, by value; equal values chain through Entry.twin.
  #out = new Map<T, Entry<T>>();
  #closed = false;

  /**
   * Makes a pool, creating `minSize` items at once (async ones join the
   * free items as they resolve). Bad options: `TypeError`/`RangeError`.
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * using pool = new Pool({ create: () => new Map(), minSize: 1, maxSize: 8 });
   * console.log(pool.free()); // 8
   * ```
   */
  constructor(options: PoolOptions<T>) {
    const o = parsePoolOptions(`create ${new.target.name}`, options);
    this.#create = o.create;
    this.#dispose = o.dispose;
    this.#validate = o.validate;
    this.#maxSize = o.maxSize;
    this.#free = new FreeItems<T>({
      fifo: o.orderAsFifo,
      maxIdleMs: o.maxIdleMs,
      maxAgeMs: o.maxAgeMs,
      discard: (entry) => this.#drop(entry.value),
    });
    for (let i = 0; i < o.minSize; i++) this.#warmUp();
    this.#slots = new Semaphore(o.maxSize - this.#warming);
  }
  /** Creates one item for the free list (eventlet pre-creates `min_size`). */
  #warmUp(): void {
    let made: T | PromiseLike<T>;
    try {
      made = this.#create();
    } catch (error) {
      for (const entry of this.#free.drain()) this.#drop(entry.value);
      throw error;
    }
    if (!isThenable(made)) {
      const now = this.#free.now();
      this.#free.add(new Entry(made, now), now);
      return;
    }
    this.#warming++;
    Promise.resolve(made).then(
      (value) => {
        this.#warming--;
        const entry = new Entry(value, this.#free.now());
        if (this.#closed || this.#debt > 0) this.#drop(value);
        else this.#free.add(entry, entry.createdAt);
        this.#giveSlotBack();
      },
      (error) => {
        this.#warming--;
        this.#giveSlotBack();
        reportError(error);
      },
    );
  }

  /**
   * The most items out at once (change it with `resize`).
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * using pool = new Pool({ create: () => ({}) });
   * console.log(pool.maxSize); // 4
   * ```
   */
  get maxSize(): number {
    return this.#maxSize;
  }

  /**
   * How many `get`s would not wait: free items plus items that may still be
   * created (eventlet's `free()`).
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * using pool = new Pool({ create: () => ({}), maxSize: 4 });
   * const item = await pool.get();
   * console.log(pool.free()); // 3
   * pool.put(item);
   * ```
   */
  free(): number {
    return Math.max(0, this.#maxSize - this.#holders);
  }

  /**
   * How many greenthreads wait in `get` for an item.
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * using pool = new Pool({ create: () => ({}) });
   * console.log(pool.waiting()); // 0
   * ```
   */
  waiting(): number {
    return Math.max(0, -this.#slots.balance);
  }

  /**
   * Takes an item: a free one (checked by `validate`), else a new one from
   * `create`, else waits for a `put`. A switch point. Rejects once the pool
   * is closed.
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * let n = 0;
   * using pool = new Pool({ create: () => ++n });
   * const a = await pool.get();
   * pool.put(a);
   * console.log(await pool.get() === a); // true: reused, not created
   * ```
   */
  async get(): Promise<T> {
    if (this.#closed) throw closedError();
    await this.#slots.acquire();
    while (this.#debt > 0 && !this.#closed) {
      this.#debt--; // the slot just taken is destroyed: the pool shrank
      await this.#slots.acquire();
    }
    if (this.#closed) throw closedError();
    this.#holders++;
    const entry = this.#free.take(this.#free.now());
    if (entry !== null && this.#validate === undefined) return this.#lend(entry);
    try {
      return await this.#fill(entry);
    } catch (error) {
      this.#holders--;
      this.#giveSlotBack();
      throw error;
    }
  }

  /** The slow path of `get`: validate free items, else create one. */
  async #fill(entry: Entry<T> | null): Promise<T> {
    for (; entry !== null; entry = this.#free.take(this.#free.now())) {
      let ok: boolean | PromiseLike<boolean>;
      try {
        ok = this.#validate!(entry.value);
        if (isThenable(ok)) ok = await ok;
      } catch (error) {
        this.#drop(entry.value);
        throw error;
      }
      if (ok === true) return this.#lend(entry);
      this.#drop(entry.value);
    }
    let made = this.#create();
    if (isThenable(made)) made = await made;
    return this.#lend(new Entry(made as T, this.#free.now()));
  }

  #lend(entry: Entry<T>): T {
    const value = entry.value;
    const out = this.#out.get(value);
    if (out !== undefined) entry.twin = out;
    this.#out.set(value, entry);
    return value;
  }

  /**
   * Gives back an item that `get` handed out; never switches. A waiting
   * `get` is served; a stale item, one beyond a shrunk size, or any item
   * of a closed pool is disposed of instead of kept. An item that is not
   * out of this pool: `RangeError`.
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * using pool = new Pool({ create: () => ({}) });
   * const item = await pool.get();
   * pool.put(item);
   * console.log(pool.free()); // 4
   * ```
   */
  put(item: T): void {
    const entry = this.#out.get(item);
    if (entry === undefined) {
      throw new RangeError(
        `Cannot put into Pool: the item is not out of this pool, received ${describeItem(item)}`,
      );
    }
    if (entry.twin === null) this.#out.delete(item);
    else this.#out.set(item, entry.twin);
    entry.twin = null;
    this.#holders--;
    const now = this.#free.now();
    if (this.#closed || this.#debt > 0 || this.#free.staleOnReturn(entry, now)) {
      this.#drop(item);
    } else {
      this.#free.add(entry, now);
    }
    this.#giveSlotBack();
  }

  /**
   * Takes an item as a `Disposable` lease: `using lease = await pool.item()`
   * puts `lease.value` back at the end of the block, however it ends
   * (eventlet's `with pool.item() as x`). A switch point, as `get`.
   *
   * @example
   * ```ts
   * import { TokenPool } from "@eventlet/eventlet/pools";
   * using pool = new TokenPool(4);
   * {
   *   using _token = await pool.item();
   *   console.log(pool.free()); // 3
   * }
   * console.log(pool.free()); // 4
   * ```
   */
  async item(): Promise<PoolLease<T>> {
    return new Lease(this, await this.get());
  }

  /**
   * Changes `maxSize` (a positive integer); never switches. Growing serves
   * waiting `get`s at once; shrinking disposes of excess free items now
   * and of excess items out as they are put back.
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * using pool = new Pool({ create: () => ({}), maxSize: 2 });
   * pool.resize(5);
   * console.log(pool.free()); // 5
   * ```
   */
  resize(maxSize: number): void {
    const n = checkPositiveInteger("resize Pool", "maxSize", maxSize);
    let grow = n - this.#maxSize;
    this.#maxSize = n;
    if (grow < 0) {
      this.#debt -= grow;
      const excess = this.#free.length + this.#holders + this.#warming - n;
      for (const entry of this.#free.trim(excess)) this.#drop(entry.value);
      return;
    }
    const paid = Math.min(grow, this.#debt);
    this.#debt -= paid;
    grow -= paid;
    while (grow-- > 0) this.#slots.release();
  }

  /**
   * Closes the pool; never switches. Free items are disposed of, waiting
   * and later `get`s reject, items still out are disposed of when put back.
   * Closing again does nothing.
   *
   * @example
   * ```ts
   * import { Pool } from "@eventlet/eventlet/pools";
   * const pool = new Pool({ create: () => ({}), dispose: () => console.log("disposed") });
   * pool.put(await pool.get());
   * pool.close(); // "disposed"
   * await pool.get().catch((e) => console.log(e.message)); // Cannot get from Pool: it is closed
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#debt = 0;
    for (const entry of this.#free.drain()) this.#drop(entry.value);
    for (let n = this.waiting(); n > 0; n--) this.#slots.release();
  }

  /** Same as `close()`, for `using pool = new Pool(…)`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** A slot comes back: to a waiter or the count, or it pays the debt. */
  #giveSlotBack(): void {
    if (this.#debt > 0) this.#debt--;
    else this.#slots.release();
  }

  /** Drops an item for good, through `dispose`. */
  #drop(item: T): void {
    const dispose = this.#dispose;
    if (dispose === undefined) return;
    try {
      const done = dispose(item);
      if (isThenable(done)) Promise.resolve(done).catch(reportError);
    } catch (error) {
      reportError(error);
    }
  }
}

function closedError(): Error {
  return new Error("Cannot get from Pool: it is closed");
}

/** An item in a message: a number or string as it is, anything else by its type. */
function describeItem(item: unknown): string {
  if (typeof item === "number") return String(item);
  if (typeof item === "string") return JSON.stringify(item);
  return typeName(item);
}
