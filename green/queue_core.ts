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
 *   (`hub.wake`): from then on it is that getter's, even if a kill or
 *   Timeout reaches the getter before it resumes (the error surfaces at its
 *   next switch point).
 * - A get that frees a slot while putters wait moves the first putter's
 *   item into the buffer at once and wakes that putter: its put has
 *   succeeded. A putter taken out by a kill or timeout never added its item.
 * - Every outcome is decided when the operation is called or woken, never
 *   when it resumes, so nothing is lost or duplicated.
 * - Ordering: when an operation completes at once and also wakes another
 *   greenthread, it takes its own result (`hub.completed`) before calling
 *   `hub.wake`, so that, if the loop budget makes it yield, it is queued
 *   ahead of the one it woke, exactly as when it resumes at once.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import { currentGreenlet } from "../hub/current.ts";
import type { Greenlet } from "../hub/greenlet.ts";
import { type Park, WaiterList } from "../hub/park.ts";
import { Fifo } from "../hub/fifo.ts";
import { checkSeconds, typeName } from "../hub/checks.ts";
import { QueueClosed, QueueEmpty, QueueFull } from "./queue_errors.ts";
import type { ItemBuffer } from "./queue_buffers.ts";

const hub = getHub();

/** `wait` of a non-blocking put/get; otherwise seconds, `Infinity` for no limit. */
const NO_WAIT = -1;
/** `park.data` of a getter parked by the async iterator (it resumes with an IteratorResult). */
const ITERATING = 1;
/** The iterator's result once the queue is closed and drained. */
const END: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

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
function forGetter(park: Park, item: unknown): unknown {
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
  buf: ItemBuffer<T> = new Fifo<T>();
  /** Parked getters (their `data` is ITERATING for the async iterator). */
  readonly getters: WaiterList = new WaiterList();
  /** Parked putters (their `data` is the item they offer). */
  readonly putters: WaiterList = new WaiterList();
  closed = false;
  /** Items added and not yet marked done (for `Queue`). */
  unfinished = 0;

  constructor(maxsize: number) {
    this.maxsize = maxsize;
  }

  put(item: T, wait: number): Promise<void> {
    const g = currentGreenlet();
    if (g.hasPendingError) return hub.deliverPending(g);
    if (this.closed) return hub.failed(g, new QueueClosed("Cannot put: the queue is closed"));
    if (this.getters.length > 0) return this.#handOver(g, item);
    const buf = this.buf;
    if (buf.length < this.maxsize) {
      // Hot path: room in the buffer.
      buf.push(item);
      this.unfinished++;
      return hub.completed(g, undefined);
    }
    if (wait === NO_WAIT) return hub.failed(g, new QueueFull());
    const park = hub.newPark(g, "Queue.put");
    park.data = item;
    this.putters.push(park);
    if (wait !== Infinity) {
      const error = new QueueFull(`Cannot put: the queue stayed full for ${seconds(wait)}`);
      hub.setDeadline(park, wait, error, true);
    }
    return hub.suspend(park);
  }

  /** Gives `item` to the first parked getter (the buffer is empty). */
  #handOver(g: Greenlet, item: T): Promise<void> {
    const getter = this.getters.shift()!;
    this.unfinished++;
    if (this.maxsize === 0) {
      // Channel lockstep: the getter is queued to run first, then we resume.
      hub.wake(getter, forGetter(getter, item));
      return hub.yieldNow(g, "Queue.put");
    }
    const done = hub.completed(g, undefined);
    hub.wake(getter, forGetter(getter, item));
    return done;
  }

  putNowait(item: T): void {
    if (this.closed) throw new QueueClosed("Cannot put: the queue is closed");
    const getter = this.getters.shift();
    if (getter !== null) {
      this.unfinished++;
      hub.wake(getter, forGetter(getter, item));
      return;
    }
    if (this.buf.length >= this.maxsize) throw new QueueFull();
    this.buf.push(item);
    this.unfinished++;
  }

  get(wait: number): Promise<T> {
    const g = currentGreenlet();
    if (g.hasPendingError) return hub.deliverPending(g);
    const buf = this.buf;
    if (buf.length > 0) {
      // Hot path: an item is there.
      const done = hub.completed(g, buf.shift() as T);
      if (this.putters.length > 0) this.#admitPutters();
      return done;
    }
    if (this.putters.length > 0) {
      // A channel: take the first putter's item; we run before it resumes.
      const putter = this.putters.shift()!;
      const done = hub.completed(g, putter.data as T);
      this.#releasePutter(putter);
      return done;
    }
    if (this.closed) return hub.failed(g, drained());
    if (wait === NO_WAIT) return hub.failed(g, new QueueEmpty());
    const park = hub.newPark(g, "Queue.get");
    this.getters.push(park);
    if (wait !== Infinity) {
      const error = new QueueEmpty(`Cannot get: the queue stayed empty for ${seconds(wait)}`);
      hub.setDeadline(park, wait, error, true);
    }
    return hub.suspend(park);
  }

  getNowait(): T {
    const buf = this.buf;
    if (buf.length > 0) {
      const item = buf.shift() as T;
      if (this.putters.length > 0) this.#admitPutters();
      return item;
    }
    const putter = this.putters.shift();
    if (putter !== null) {
      const item = putter.data as T;
      this.#releasePutter(putter);
      return item;
    }
    throw this.closed ? drained() : new QueueEmpty();
  }

  /** The async iterator's step: as `get()`, resolving an IteratorResult. */
  next(): Promise<IteratorResult<T, undefined>> {
    const g = currentGreenlet();
    if (g.hasPendingError) return hub.deliverPending(g);
    const buf = this.buf;
    if (buf.length > 0) {
      const done = hub.completed(g, { value: buf.shift() as T, done: false as const });
      if (this.putters.length > 0) this.#admitPutters();
      return done;
    }
    if (this.putters.length > 0) {
      const putter = this.putters.shift()!;
      const done = hub.completed(g, { value: putter.data as T, done: false as const });
      this.#releasePutter(putter);
      return done;
    }
    if (this.closed) return hub.completed(g, END);
    const park = hub.newPark(g, "Queue.get");
    park.data = ITERATING;
    this.getters.push(park);
    return hub.suspend(park);
  }

  /** Moves parked putters' items into the buffer while it has room; their puts succeed. */
  #admitPutters(): void {
    const buf = this.buf, putters = this.putters;
    while (putters.length > 0 && buf.length < this.maxsize) {
      const putter = putters.shift()!;
      buf.push(putter.data as T);
      this.#releasePutter(putter);
    }
  }

  /** A putter whose item was taken: count the item and let the putter resume. */
  #releasePutter(putter: Park): void {
    putter.data = undefined;
    this.unfinished++;
    hub.wake(putter, undefined);
  }

  resize(maxsize: number): void {
    this.maxsize = maxsize;
    if (this.putters.length > 0) this.#admitPutters();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const putters = this.putters;
    for (let p = putters.shift(); p !== null; p = putters.shift()) {
      p.data = undefined;
      hub.wakeWithError(p, new QueueClosed("Cannot put: the queue was closed while waiting"));
    }
    // Getters park only on an empty buffer: nothing is left for them.
    const getters = this.getters;
    for (let p = getters.shift(); p !== null; p = getters.shift()) {
      if (p.data === ITERATING) hub.wake(p, END);
      else hub.wakeWithError(p, drained());
    }
  }
}
