/**
 * LightQueue: a queue of items between greenthreads (eventlet's
 * `LightQueue`), the base of `Queue`, `LifoQueue` and `PriorityQueue`.
 *
 * This file is the public face: argument checks and documentation. The
 * engine (buffer, waiter lines, hand-off, close) is queue_core.ts.
 *
 * @module
 */

import { checkMaxsize, QueueCore, waitOf } from "./queue_core.ts";
import type { ItemBuffer } from "./queue_buffers.ts";

/**
 * Options of `put`.
 *
 * @example
 * ```ts
 * import { Queue, type QueuePutOptions } from "@eventlet/eventlet/green";
 * const opts: QueuePutOptions = { timeout: 0.5 };
 * await new Queue<number>(1).put(1, opts);
 * ```
 */
export interface QueuePutOptions {
  /** Wait while the queue is full (default `true`); `false` rejects with `QueueFull` instead. */
  block?: boolean;
  /**
   * With `block`, wait at most this many seconds, then reject with
   * `QueueFull` (the item is not added). `undefined`/`null`/`Infinity`:
   * no limit; negative means 0; NaN is a `RangeError`. Ignored without `block`.
   */
  timeout?: number | null;
}

/**
 * Options of `get`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Queue, type QueueGetOptions } from "@eventlet/eventlet/green";
 * const opts: QueueGetOptions = { timeout: 0.01 };
 * await assert.rejects(new Queue<number>().get(opts), { name: "QueueEmpty" });
 * ```
 */
export interface QueueGetOptions {
  /** Wait while the queue is empty (default `true`); `false` rejects with `QueueEmpty` instead. */
  block?: boolean;
  /**
   * With `block`, wait at most this many seconds, then reject with
   * `QueueEmpty` (no item is taken). `undefined`/`null`/`Infinity`: no
   * limit; negative means 0; NaN is a `RangeError`. Ignored without `block`.
   */
  timeout?: number | null;
}

/**
 * A queue of items between greenthreads, without `taskDone()`/`join()`
 * (use `Queue` for those). eventlet's `LightQueue`.
 *
 * - `maxsize`: `undefined`/`null`, negative or `Infinity` = unbounded; `0` = a
 *   rendezvous channel; a positive integer = bounded; NaN or fractional:
 *   `RangeError`; not a number: `TypeError`.
 * - Order: items come out first in, first out. Parked getters and parked
 *   putters are each served first-come first-served (eventlet leaves the
 *   order unspecified).
 * - Backpressure: `put` parks while the queue is full, `get` while it is
 *   empty. Both are switch points, but `put` into a queue with room (even
 *   with getters waiting: the first one is handed the item) and `get` with
 *   an item present complete at once without parking; they only yield for
 *   the hub's ~1 ms loop budget.
 * - Channel (`maxsize` 0): a `put` parks until a getter takes the item, and
 *   the two hand over in lockstep: the getter runs before the putter resumes.
 *   It is always both `empty()` and `full()`. `putNowait` succeeds only if a
 *   getter is parked; `getNowait` (and `get({ block: false })`) takes a
 *   parked putter's item (deviation: eventlet does that only from its hub
 *   greenlet and raises `Empty` elsewhere; here both directions match).
 * - Kill or timeout: a getter interrupted while parked takes no item (the
 *   next getter gets it); a putter interrupted while parked adds nothing (a
 *   put timeout rejects with `QueueFull`, a get timeout with `QueueEmpty`).
 *   Once an item was handed over the operation has succeeded; the error
 *   then waits for the greenthread's next switch point.
 * - `close()` (beyond eventlet): later puts and parked putters reject with
 *   `QueueClosed` (their items are not added); getters drain the items left,
 *   then reject with `QueueClosed`; async iteration ends.
 *
 * @example
 * ```ts
 * import { LightQueue, spawn } from "@eventlet/eventlet/green";
 * const q = new LightQueue<string>(1);
 * const producer = spawn(async () => {
 *   for (const word of ["a", "b", "c"]) await q.put(word);
 *   q.close();
 * });
 * for await (const word of q) console.log(word); // "a", "b", "c"
 * await producer.wait();
 * ```
 */
export class LightQueue<T> implements AsyncIterable<T> {
  /**
   * The engine (buffer, waiter lines, hand-off, close). Protected so that
   * `Queue` can read and update its count of unfinished tasks; not part of
   * the public API.
   * @ignore
   */
  protected readonly core: QueueCore<T>;

  /**
   * Makes a queue holding at most `maxsize` items (see the class comment).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const unbounded = new LightQueue<number>();
   * const channel = new LightQueue<number>(0);
   * assert.deepEqual([unbounded.maxsize, channel.maxsize], [null, 0]);
   * ```
   */
  constructor(maxsize?: number | null);
  /**
   * For the subclasses in queue.ts: the buffer that decides the order items
   * come out in (a `Stack`, a `PriorityHeap`); the default is FIFO.
   * @ignore
   */
  constructor(maxsize: number | null | undefined, buffer: ItemBuffer<T>);
  constructor(maxsize?: number | null, buffer?: ItemBuffer<T>) {
    const capacity = checkMaxsize(`create ${new.target.name}`, maxsize);
    this.core = new QueueCore(capacity, buffer);
  }

  /**
   * The capacity: `null` when unbounded, `0` for a channel.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * assert.equal(new LightQueue(-1).maxsize, null);
   * ```
   */
  get maxsize(): number | null {
    const maxsize = this.core.maxsize;
    return maxsize === Infinity ? null : maxsize;
  }

  /**
   * True once `close()` was called.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue();
   * q.close();
   * assert.equal(q.closed, true);
   * ```
   */
  get closed(): boolean {
    return this.core.closed;
  }

  /**
   * Adds `item`, parking while the queue is full. Into a queue with room it
   * completes at once without parking (if getters wait, the first one is
   * handed the item). On a channel it parks until a getter has the item.
   * Rejects with `QueueFull` when full and `block` is false or `timeout`
   * expires, with `QueueClosed` once closed. Bad options throw at once. A
   * switch point.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>(1);
   * await q.put(1);
   * await assert.rejects(q.put(2, { timeout: 0.01 }), { name: "QueueFull" });
   * ```
   */
  put(item: T, options?: QueuePutOptions): Promise<void> {
    return this.core.put(item, options === undefined ? Infinity : waitOf("put", options));
  }

  /**
   * Adds `item` if that needs no waiting, else throws `QueueFull`
   * (`QueueClosed` once closed). On a channel it succeeds only if a getter
   * is parked, and hands the item to it. Never switches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>(0);
   * try {
   *   q.putNowait(1); // no getter waits on the channel
   * } catch (e) {
   *   assert.equal((e as Error).name, "QueueFull");
   * }
   * ```
   */
  putNowait(item: T): void {
    this.core.putNowait(item);
  }

  /**
   * Takes the next item, parking while the queue is empty. With an item
   * present it completes at once without parking (freeing a slot lets the
   * first parked putter in). Rejects with `QueueEmpty` when empty and
   * `block` is false or `timeout` expires, with `QueueClosed` once closed
   * and drained. Bad options throw at once. A switch point.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<string>();
   * await q.put("x");
   * assert.equal(await q.get(), "x");
   * await assert.rejects(q.get({ timeout: 0.01 }), { name: "QueueEmpty" });
   * ```
   */
  get(options?: QueueGetOptions): Promise<T> {
    return this.core.get(options === undefined ? Infinity : waitOf("get", options));
  }

  /**
   * Takes the next item if there is one (on a channel: a parked putter's),
   * else throws `QueueEmpty`, or `QueueClosed` once closed and drained.
   * Never switches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>();
   * q.putNowait(7);
   * assert.equal(q.getNowait(), 7);
   * ```
   */
  getNowait(): T {
    return this.core.getNowait();
  }

  /**
   * `for await (const item of q)`: each step waits for the next item (a
   * switch point, as `get()`, with no extra promise hop); the loop ends
   * when the queue is closed and drained. Several loops share the items.
   *
   * @example
   * ```ts
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>();
   * await q.put(1);
   * await q.put(2);
   * q.close();
   * for await (const n of q) console.log(n); // 1, 2
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const core = this.core;
    const iterator = {
      next: (): Promise<IteratorResult<T, undefined>> => core.next(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator as AsyncIterableIterator<T>;
  }

  /**
   * Closes it: later puts reject (`putNowait` throws) with `QueueClosed`,
   * parked putters reject with `QueueClosed` (their items are not added),
   * getters take the items left and then reject with `QueueClosed`; async
   * iteration ends after the last item. Closing twice does nothing.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>();
   * await q.put(1);
   * q.close();
   * assert.equal(await q.get(), 1); // drained first
   * await assert.rejects(q.get(), { name: "QueueClosed" });
   * ```
   */
  close(): void {
    this.core.close();
  }

  /**
   * Changes `maxsize` (same rules as the constructor). Growing lets parked
   * putters in, first come first served; shrinking keeps every item (the
   * queue is then `full()` until enough are taken). Never switches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>(2);
   * q.putNowait(1);
   * q.putNowait(2);
   * q.resize(1);
   * assert.deepEqual([q.qsize(), q.full()], [2, true]);
   * ```
   */
  resize(maxsize?: number | null): void {
    this.core.resize(checkMaxsize("resize queue", maxsize));
  }

  /**
   * How many items it holds (always 0 for a channel).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>();
   * q.putNowait(1);
   * assert.equal(q.qsize(), 1);
   * ```
   */
  qsize(): number {
    return this.core.buf.length;
  }

  /**
   * True when it holds no item (a channel always is).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * assert.equal(new LightQueue().empty(), true);
   * ```
   */
  empty(): boolean {
    return this.core.buf.length === 0;
  }

  /**
   * True when a `put` would park: it holds `maxsize` items or more (a
   * channel always is; an unbounded queue never).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue } from "@eventlet/eventlet/green";
   * assert.deepEqual([new LightQueue(0).full(), new LightQueue().full()], [true, false]);
   * ```
   */
  full(): boolean {
    return this.core.buf.length >= this.core.maxsize;
  }

  /**
   * How many greenthreads are parked in `get` (or in async iteration).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue, sleep, spawn } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>();
   * const gt = spawn(() => q.get());
   * await sleep(0);
   * assert.equal(q.getting(), 1);
   * q.putNowait(1);
   * await gt.wait();
   * ```
   */
  getting(): number {
    return this.core.getters.length;
  }

  /**
   * How many greenthreads are parked in `put`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LightQueue, sleep, spawn } from "@eventlet/eventlet/green";
   * const q = new LightQueue<number>(0);
   * const gt = spawn(() => q.put(1));
   * await sleep(0);
   * assert.equal(q.putting(), 1);
   * q.getNowait();
   * await gt.wait();
   * ```
   */
  putting(): number {
    return this.core.putters.length;
  }
}
