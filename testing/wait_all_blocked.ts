/**
 * waitAllBlocked: park until every other greenthread is parked too
 * (trio's `wait_all_tasks_blocked`).
 *
 * @module
 */

import { checkFiniteSeconds, typeName } from "../hub/checks.ts";
import { currentGreenlet, deliverPending, hasPendingError } from "../hub/lowlevel.ts";
import { blockedWaiters, update } from "./settle_watch.ts";

/** Options of `waitAllBlocked`. */
export interface WaitAllBlockedOptions {
  /**
   * Real seconds everything must have stayed parked, with nothing running,
   * before the caller wakes (default 0).
   */
  cushion?: number;
}

/**
 * Parks until nothing is ready to run and every other greenthread is
 * parked at a switch point — on anything: a primitive, a socket, a worker,
 * `waitFor` — or has not started yet (a `spawnAfter`). trio's
 * `wait_all_tasks_blocked`: the way to say "let everything else run as far
 * as it can" in a test, without guessing a sleep.
 *
 * - With `cushion`, everything must also have stayed that way for
 *   `cushion` real seconds. Among several callers, the smallest cushion
 *   wakes first; equal cushions wake together, first come first served.
 * - Under a mock clock, when an autojump and callers are both due, the
 *   callers wake first; the clock jumps only once they have run.
 * - A switch point: a kill or `Timeout` interrupts it.
 * - A greenthread that awaits a foreign promise without `waitFor` is
 *   neither parked nor ready: the caller waits until it reaches a switch
 *   point or ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Queue, spawn } from "@eventlet/eventlet";
 * import { waitAllBlocked } from "@eventlet/eventlet/testing";
 * const q = new Queue<number>();
 * const seen: number[] = [];
 * const consumer = spawn(async () => {
 *   for (;;) seen.push(await q.get());
 * });
 * q.putNowait(1);
 * q.putNowait(2);
 * await waitAllBlocked(); // the consumer took both and parks in get()
 * assert.deepEqual(seen, [1, 2]);
 * await consumer.kill();
 * ```
 */
export function waitAllBlocked(options: WaitAllBlockedOptions = {}): Promise<void> {
  const cushion = checkCushion(options);
  const g = currentGreenlet();
  if (hasPendingError(g)) return deliverPending(g);
  const parked = blockedWaiters.park<void>(g, "waitAllBlocked", cushion);
  update();
  return parked;
}

function checkCushion(options: WaitAllBlockedOptions): number {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot wait for all blocked: options must be an object, received ${typeName(options)}`,
    );
  }
  const cushion = options.cushion ?? 0;
  checkFiniteSeconds("wait for all blocked", "cushion", cushion);
  return cushion;
}
