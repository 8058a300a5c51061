/**
 * The engine of the queue family: buffer, waiter lines, hand-off, close.
 * `LightQueue` (light_queue.ts) is its documented face: it checks the
 * arguments and calls in here; `Queue`, `LifoQueue`, `PriorityQueue` only
 * add task tracking and change the buffer. Internal: not exported from the
 * package.
 *
 * Invariants:
 * - Getters park only when the buffer is empty, putters only when it is
 *   full, so at most one of the two waiter lines is non-empty.
 * - A put while getters wait hands the item straight to the first getter
 *   (`wakeFirst`): from then on it is that getter's, even if a kill or
 *   Timeout reaches the getter before it resumes (the error surfaces at its
 *   next switch point).
 * - A get that frees a slot while putters wait moves the first putter's
 *   item into the buffer at once and wakes that putter: its put has
 *   succeeded. A putter taken out by a kill or timeout never added its item.
 * - Every outcome is decided when the operation is called or woken, never
 *   when it resumes, so nothing is lost or duplicated.
 * - Ordering: when an operation completes at once and also wakes another
 *   greenthread, it takes its own result (`completed`) before waking the
 *   other, so that, if the loop budget makes it yield, it is queued ahead
 *   of the one it woke, exactly as when it resumes at once.
 *
 * @module
 */

import {
  completed,
  completedHere,
  currentGreenlet,
  deliverPending,
  failed,
  type GreenThread,
  hasPendingError,
  type Park,
  ParkingLot,
  pendingErrorCount,
  rejectAfter,
  wake,
  wakeWithError,
  yieldShielded,
} from "../hub/lowlevel.ts";
import { Fifo } from "../hub/fifo.ts";
import { checkSeconds, typeName } from "../hub/checks.ts";
import { QueueClosed, QueueEmpty, QueueFull } from "./queue_errors.ts";
import type { ItemBuffer } from "./queue_buffers.ts";
import { DONE } from "./result_line.ts";

/** `wait` of a non-blocking put/get; otherwise seconds, `Infinity` for no limit. */
const NO_WAIT = -1;
/** `park.data` of a getter parked by the async iterator (it resumes with an IteratorResult). */
const ITERATING = 1;

/** `maxsize` → the capacity: `Infinity` when unbounded, 0 for a channel. */
export function checkMaxsize(action: string, maxsize: unknown): number {
  if (maxsize === undefined || maxsize === null) return Infinity;
  if (typeof maxsize !== "number") {
    throw new TypeError(`Cannot ${action}: maxsize must be a number, received ${typeof maxsize}`);
  }
  if (maxsize < 0 || maxsize === Infinity) return Infinity;
  if (!Number.isInteger(maxsize)) {
    throw new RangeError(`Cannot ${action}: maxsize must be an integer, received ${maxsize}`);
  }
  return maxsize;
}

/** Put/get options → `NO_WAIT`, seconds, or `Infinity`; throws for bad ones. */
export function waitOf(action: string, options: unknown): number {
  if (options === undefined || options === null) return Infinity;
  if (typeof options !== "object") {
    throw new TypeError(
      `Cannot ${action}: options must be an object, received ${typeName(options)}`,
    );
  }
  const { block, timeout } = options as { block?: unknown; timeout?: unknown };
  if (block !== undefined && typeof block !== "boolean") {
    throw new TypeError(`Cannot ${action}: block must be a boolean, received ${typeName(block)}`);
  }
  if (block === false) return NO_WAIT; // eventlet: the timeout is ignored
  if (timeout === undefined || timeout === null) return Infinity;
  return checkSeconds(action, timeout, "timeout");
}

function seconds(n: number): string {
  return `${n} second${n === 1 ? "" : "s"}`;
}

/** What a getter parked in `park` resumes with when handed `item`. */
function forGetter(park: Park<number>, item: unknown): unknown {
  return park.data === ITERATING ? { value: item, done: false } : item;
}

function drained(): QueueClosed {
  return new QueueClosed("Cannot get: the queue is closed and drained");
}

/** The state and operations of one queue; see the module comment. */
export class QueueCore<T> {
  /** Capacity: `Infinity` when unbounded, 0 for a channel. */
  maxsize: number;
  /** The buffered items, in the order they come out. */
  readonly buf: ItemBuffer<T>;
  /** Parked getters (their `data` is ITERATING for the async iterator). */
  readonly getters: ParkingLot<number> = new ParkingLot();
  /** Parked putters (their `data` is the item they offer). */
  readonly putters: ParkingLot<T> = new ParkingLot();
  closed = false;
  /** Items added and not yet marked done (for `Queue`). */
  unfinished = 0;
  /** A channel putter whose item `#take` gave out: `#settleTake` wakes it. */
  #owed: Park<T> | null = null;

  constructor(maxsize: number, buf: ItemBuffer<T> = new Fifo<T>()) {
    this.maxsize = maxsize;
    this.buf = buf;
  }

  put(item: T, wait: number): Promise<void> {
    const buf = this.buf;
    if (
      pendingErrorCount === 0 && !this.closed && this.getters.length === 0 &&
      buf.length < this.maxsize
    ) {
      // Hot path: room in the buffer, and no greenlet has a pending error,
      // so ours has none: the greenlet is not looked up (see get).
      buf.push(item);
      this.unfinished++;
      return completedHere(undefined);
    }
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.closed) return failed(g, new QueueClosed("Cannot put: the queue is closed"));
    if (this.getters.length > 0) return this.#handOver(g, item);
    if (buf.length < this.maxsize) {
      buf.push(item);
      this.unfinished++;
      return completed(g, undefined);
    }
    if (wait === NO_WAIT) return failed(g, new QueueFull());
    if (wait === Infinity) return this.putters.park(g, "Queue.put", item);
    const error = new QueueFull(`Cannot put: the queue stayed full for ${seconds(wait)}`);
    return this.putters.parkFor(g, "Queue.put", rejectAfter(wait, error), item);
  }

  /** Gives `item` to the first parked getter (the buffer is empty). */
  #handOver(g: GreenThread, item: T): Promise<void> {
    const getter = this.getters.head!;
    this.unfinished++;
    if (this.maxsize === 0) {
      // Channel lockstep: the getter is queued to run first, then we resume.
      this.getters.wakeFirst(forGetter(getter, item));
      return yieldShielded(g, "Queue.put", undefined);
    }
    const done = completed(g, undefined);
    this.getters.wakeFirst(forGetter(getter, item));
    return done;
  }

  putNowait(item: T): void {
    if (this.closed) throw new QueueClosed("Cannot put: the queue is closed");
    const getter = this.getters.head;
    if (getter !== null) {
      this.unfinished++;
      this.getters.wakeFirst(forGetter(getter, item));
      return;
    }
    if (this.buf.length >= this.maxsize) throw new QueueFull();
    this.buf.push(item);
    this.unfinished++;
  }

  get(wait: number): Promise<T> {
    const buf = this.buf;
    if (buf.length > 0 && pendingErrorCount === 0) {
      // Hot path: a buffered item. Our result first, then the wake-ups.
      // Its own branch, not the shared #take/#settleTake pair the channel
      // uses: 1.06x Queue(100) throughput (in-process A/B, 21 rounds,
      // range 0.93-1.21). With no greenlet holding a pending error, the
      // greenlet is not looked up here or in put: 3M items through
      // Queue(100), taskset -c 1, 7 alternating runs, median 13.02M/s
      // looking it up, 14.13M/s not (the tree before issue 14: 13.19M/s).
      const done = completedHere(buf.shift() as T);
      if (this.putters.length > 0) this.#admitPutters();
      return done;
    }
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (buf.length > 0) {
      const done = completed(g, buf.shift() as T);
      if (this.putters.length > 0) this.#admitPutters();
      return done;
    }
    if (this.putters.length > 0) {
      // A channel putter's item (putters wait on an empty buffer only then).
      const done = completed(g, this.#take());
      this.#settleTake();
      return done;
    }
    if (this.closed) return failed(g, drained());
    if (wait === NO_WAIT) return failed(g, new QueueEmpty());
    if (wait === Infinity) return this.getters.park(g, "Queue.get");
    const error = new QueueEmpty(`Cannot get: the queue stayed empty for ${seconds(wait)}`);
    return this.getters.parkFor(g, "Queue.get", rejectAfter(wait, error));
  }

  getNowait(): T {
    if (!this.#canTake()) throw this.closed ? drained() : new QueueEmpty();
    const item = this.#take();
    this.#settleTake();
    return item;
  }

  /** The async iterator's step: as `get()`, resolving an IteratorResult. */
  next(): Promise<IteratorResult<T, undefined>> {
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#canTake()) {
      const done = completed(g, { value: this.#take(), done: false as const });
      this.#settleTake();
      return done;
    }
    if (this.closed) return completed(g, DONE);
    return this.getters.park(g, "Queue.get", ITERATING);
  }

  /** True when a get can take an item now (buffered, or a channel putter's). */
  #canTake(): boolean {
    return this.buf.length > 0 || this.putters.length > 0;
  }

  /**
   * Takes the next item: from the buffer, or (a channel: putters wait with
   * an empty buffer only when maxsize is 0) the first putter's. Call
   * `#settleTake` right after taking the caller's own result.
   */
  #take(): T {
    if (this.buf.length > 0) return this.buf.shift() as T;
    const putter = this.#owed = this.putters.head!;
    return putter.data as T;
  }

  /** Wakes the putter whose item was taken, or moves waiting putters' items in. */
  #settleTake(): void {
    const owed = this.#owed;
    if (owed !== null) {
      this.#owed = null;
      this.#releasePutter(owed);
    } else if (this.putters.length > 0) this.#admitPutters();
  }

  /** Moves parked putters' items into the buffer while it has room; their puts succeed. */
  #admitPutters(): void {
    const buf = this.buf, putters = this.putters;
    while (putters.length > 0 && buf.length < this.maxsize) {
      const putter = putters.head!;
      buf.push(putter.data as T);
      this.#releasePutter(putter);
    }
  }

  /** A putter whose item was taken: count the item and let the putter resume. */
  #releasePutter(putter: Park<T>): void {
    putter.data = undefined;
    this.unfinished++;
    wake(putter, undefined);
  }

  resize(maxsize: number): void {
    this.maxsize = maxsize;
    if (this.putters.length > 0) this.#admitPutters();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const putter of this.putters) putter.data = undefined;
    this.putters.failAll(new QueueClosed("Cannot put: the queue was closed while waiting"));
    // Getters park only on an empty buffer: nothing is left for them.
    for (let p = this.getters.head; p !== null; p = this.getters.head) {
      if (p.data === ITERATING) wake(p, DONE);
      else wakeWithError(p, drained());
    }
  }
}
