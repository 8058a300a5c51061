/**
 * The queue family: `Queue` (with `taskDone()`/`join()`), `LifoQueue`,
 * `PriorityQueue`, and, re-exported from their files, `LightQueue`, the
 * option types and the errors `QueueEmpty`, `QueueFull`, `QueueClosed`.
 *
 * All of them share one engine (queue_core.ts): switch points,
 * backpressure, hand-off, kill/timeout and close behave the same; only the
 * order of the buffered items differs.
 *
 * @module
 */

import {
  completed,
  currentGreenlet,
  deliverPending,
  hasPendingError,
  ParkingLot,
} from "../hub/lowlevel.ts";
import { checkFunction } from "../hub/checks.ts";
import { LightQueue, type QueuePutOptions } from "./light_queue.ts";
import {
  checkPriority,
  type Compare,
  PriorityHeap,
  type PriorityKind,
  Stack,
} from "./queue_buffers.ts";

export { LightQueue } from "./light_queue.ts";
export type { QueueGetOptions, QueuePutOptions } from "./light_queue.ts";
export { QueueClosed, QueueEmpty, QueueFull } from "./queue_errors.ts";

/**
 * A `LightQueue` that also tracks tasks: every item added counts as an
 * unfinished task until a consumer calls `taskDone()` for it, and `join()`
 * waits until none is left. eventlet's `Queue` (the one `import eventlet`
 * offers).
 *
 * - Everything `LightQueue` guarantees: FIFO items, first-come first-served
 *   getters and putters, `maxsize` 0 as a lockstep channel, backpressure,
 *   kill/timeout taking no item and adding none, `close()`.
 * - An item counts as a task once it is in the queue or handed to a getter
 *   (a putter that timed out or was killed while parked added none).
 * - `taskDone()` more times than items were added: `RangeError`.
 * - `join()` parks until the count is 0; all joiners wake together, in the
 *   order they began to wait. A kill or Timeout just removes a joiner.
 *
 * @example
 * ```ts
 * import { Queue, spawn } from "@eventlet/eventlet/green";
 * const q = new Queue<number>(10);
 * spawn(async () => {
 *   for (;;) {
 *     const n = await q.get();
 *     console.log("processed", n);
 *     q.taskDone();
 *   }
 * });
 * for (let i = 0; i < 3; i++) await q.put(i);
 * await q.join(); // every item was processed
 * ```
 */
export class Queue<T> extends LightQueue<T> {
  #joiners: ParkingLot | null = null;

  /**
   * How many items were added and not yet marked done with `taskDone()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Queue } from "@eventlet/eventlet/green";
   * const q = new Queue<string>();
   * q.putNowait("job");
   * assert.equal(q.unfinishedTasks, 1);
   * ```
   */
  get unfinishedTasks(): number {
    return this.core.unfinished;
  }

  /**
   * Marks one item taken with `get` as processed; when none is left
   * unfinished, every greenthread in `join()` wakes. Called more times than
   * items were added: `RangeError`. Never switches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Queue } from "@eventlet/eventlet/green";
   * const q = new Queue<string>();
   * q.putNowait("job");
   * q.getNowait();
   * q.taskDone();
   * assert.equal(q.unfinishedTasks, 0);
   * ```
   */
  taskDone(): void {
    const core = this.core;
    if (core.unfinished <= 0) {
      throw new RangeError(
        "Cannot mark a task done: taskDone() was called more times than items were put, " +
          "received an extra call",
      );
    }
    if (--core.unfinished > 0) return;
    this.#joiners?.wakeAll(undefined);
  }

  /**
   * Waits until every item added has been marked done with `taskDone()`;
   * resolves at once (without parking) if none is unfinished. A switch
   * point.
   *
   * @example
   * ```ts
   * import { Queue } from "@eventlet/eventlet/green";
   * const q = new Queue<number>();
   * await q.join(); // nothing was put: resolves at once
   * ```
   */
  join(): Promise<void> {
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.core.unfinished === 0) return completed(g, undefined);
    return (this.#joiners ??= new ParkingLot()).park(g, "Queue.join");
  }
}

/**
 * A `Queue` that hands out the most recently added item first (a stack).
 * eventlet's `LifoQueue`.
 *
 * - Everything `Queue` guarantees, except the order of buffered items:
 *   last in, first out. An item put while getters wait still goes straight
 *   to the first getter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LifoQueue } from "@eventlet/eventlet/green";
 * const q = new LifoQueue<number>();
 * for (const n of [1, 2, 3]) q.putNowait(n);
 * assert.deepEqual([q.getNowait(), q.getNowait(), q.getNowait()], [3, 2, 1]);
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  /**
   * Makes a LIFO queue; `maxsize` as for `Queue` (`undefined`/`null` or
   * negative: unbounded; 0: a channel; NaN or fractional: `RangeError`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LifoQueue } from "@eventlet/eventlet/green";
   * assert.equal(new LifoQueue<string>(5).maxsize, 5);
   * ```
   */
  constructor(maxsize?: number | null) {
    super(maxsize, new Stack<T>());
  }
}

/**
 * A `Queue` that hands out the lowest item first. eventlet's
 * `PriorityQueue`.
 *
 * - Default order: items that are numbers (or bigints) or strings, or
 *   `[priority, item]` tuples ordered by `priority` alone; one queue's
 *   priorities are all numeric or all strings. Anything else (or NaN) is a
 *   `TypeError` thrown by `put`/`putNowait`.
 * - `compare(a, b)` (negative: `a` first) orders any items instead; it must
 *   be a consistent order and must not throw.
 * - Equal priorities come out in insertion order.
 * - Otherwise everything `Queue` guarantees; an item put while getters wait
 *   goes straight to the first getter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PriorityQueue } from "@eventlet/eventlet/green";
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "later"]);
 * q.putNowait([1, "first"]);
 * q.putNowait([2, "last"]);
 * assert.deepEqual([q.getNowait()[1], q.getNowait()[1], q.getNowait()[1]], ["first", "later", "last"]);
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  /** Kind of priorities seen so far; null when a custom compare is used. */
  #kind: PriorityKind | null;

  /**
   * Makes a priority queue; `maxsize` as for `Queue`; `compare` replaces
   * the default order (not a function: `TypeError`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PriorityQueue } from "@eventlet/eventlet/green";
   * const byLength = new PriorityQueue<string>(null, (a, b) => a.length - b.length);
   * byLength.putNowait("ccc");
   * byLength.putNowait("a");
   * assert.equal(byLength.getNowait(), "a");
   * ```
   */
  constructor(maxsize?: number | null, compare?: (a: T, b: T) => number) {
    super(maxsize, new PriorityHeap<T>(compare as Compare<T> | undefined));
    if (compare !== undefined) checkFunction("create PriorityQueue", compare, "compare");
    this.#kind = compare === undefined ? "" : null;
  }

  /**
   * As `Queue.put`; without a compare function, an item whose priority is
   * not a number, bigint or string throws `TypeError` at once.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PriorityQueue } from "@eventlet/eventlet/green";
   * const q = new PriorityQueue<number>();
   * await q.put(3);
   * await q.put(1);
   * assert.equal(await q.get(), 1);
   * ```
   */
  override put(item: T, options?: QueuePutOptions): Promise<void> {
    if (this.#kind !== null) this.#kind = checkPriority(item, this.#kind);
    return super.put(item, options);
  }

  /**
   * As `Queue.putNowait`, with `put`'s check of the priority.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PriorityQueue } from "@eventlet/eventlet/green";
   * const q = new PriorityQueue<string>();
   * q.putNowait("b");
   * q.putNowait("a");
   * assert.equal(q.getNowait(), "a");
   * ```
   */
  override putNowait(item: T): void {
    if (this.#kind !== null) this.#kind = checkPriority(item, this.#kind);
    super.putNowait(item);
  }
}
