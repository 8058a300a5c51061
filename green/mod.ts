/**
 * Greenthreads and the synchronization primitives built on the hub.
 *
 * Every `await` on one of these operations is a switch point: the place
 * where other greenthreads run, and where a `kill` or `Timeout` can land.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Event, spawn } from "@eventlet/eventlet/green";
 * const done = new Event<number>();
 * spawn(() => done.send(42));
 * assert.equal(await done.wait(), 42);
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { GreenletExit, GreenThread } from "../hub/greenthread.ts";
export type { LinkCallback } from "../hub/greenthread.ts";
export { getCurrent, kill, spawn, spawnAfter, spawnAfterLocal, spawnN } from "./spawn.ts";
export { sleep, waitFor } from "./sleep.ts";
export { isTimeout, Timeout, withTimeout } from "./timeout.ts";
export type { WithTimeoutOptions } from "./timeout.ts";
export { Event } from "./event.ts";
export {
  LifoQueue,
  LightQueue,
  PriorityQueue,
  Queue,
  QueueClosed,
  QueueEmpty,
  QueueFull,
} from "./queue.ts";
export type { QueueGetOptions, QueuePutOptions } from "./queue.ts";
export { BoundedSemaphore, Semaphore } from "./semaphore.ts";
export type { AcquireOptions } from "./semaphore.ts";
export { CappedSemaphore } from "./capped_semaphore.ts";
export type { CappedOptions } from "./capped_semaphore.ts";
export { GreenPool } from "./greenpool.ts";
export { GreenPile } from "./greenpile.ts";
export { local } from "./local.ts";
