/**
 * The errors of the queue family: QueueEmpty, QueueFull, QueueClosed.
 *
 * eventlet's `Empty` and `Full` (the stdlib `queue.Empty` / `queue.Full`)
 * become `QueueEmpty` and `QueueFull`; `QueueClosed` goes beyond eventlet
 * and comes with `close()`.
 *
 * @module
 */

/**
 * Thrown by `getNowait()`, and the rejection of `get({ block: false })` or
 * of a `get({ timeout })` that expired, when no item was there to take.
 * eventlet's `queue.Empty`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Queue, QueueEmpty } from "@eventlet/eventlet/green";
 * const q = new Queue<number>();
 * try {
 *   q.getNowait();
 * } catch (e) {
 *   assert.equal(e instanceof QueueEmpty, true);
 * }
 * ```
 */
export class QueueEmpty extends Error {
  /**
   * Makes a QueueEmpty; `message` defaults to "Cannot get: the queue is empty".
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { QueueEmpty } from "@eventlet/eventlet/green";
   * assert.equal(new QueueEmpty().message, "Cannot get: the queue is empty");
   * ```
   */
  constructor(message = "Cannot get: the queue is empty") {
    super(message);
    this.name = "QueueEmpty";
  }
}

/**
 * Thrown by `putNowait()`, and the rejection of `put(item, { block: false })`
 * or of a `put(item, { timeout })` that expired, when the queue had no room
 * (the item was not added). eventlet's `queue.Full`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Queue, QueueFull } from "@eventlet/eventlet/green";
 * const q = new Queue<number>(1);
 * q.putNowait(1);
 * try {
 *   q.putNowait(2);
 * } catch (e) {
 *   assert.equal(e instanceof QueueFull, true);
 * }
 * ```
 */
export class QueueFull extends Error {
  /**
   * Makes a QueueFull; `message` defaults to "Cannot put: the queue is full".
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { QueueFull } from "@eventlet/eventlet/green";
   * assert.equal(new QueueFull().message, "Cannot put: the queue is full");
   * ```
   */
  constructor(message = "Cannot put: the queue is full") {
    super(message);
    this.name = "QueueFull";
  }
}

/**
 * A queue was closed: a `put` after `close()` (or one parked when it
 * closed) fails with it, and so does a `get` once the closed queue is
 * drained. Not in eventlet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Queue, QueueClosed } from "@eventlet/eventlet/green";
 * const q = new Queue<number>();
 * q.close();
 * await assert.rejects(q.put(1), QueueClosed);
 * ```
 */
export class QueueClosed extends Error {
  /**
   * Makes a QueueClosed; `message` defaults to "Cannot use the queue: it is closed".
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { QueueClosed } from "@eventlet/eventlet/green";
   * assert.equal(new QueueClosed().name, "QueueClosed");
   * ```
   */
  constructor(message = "Cannot use the queue: it is closed") {
    super(message);
    this.name = "QueueClosed";
  }
}
