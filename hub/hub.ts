/**
 * The hub's public face: `getHub()` and the `Hub` class.
 *
 * A user replaces the error handler, schedules plain callbacks, installs
 * instruments and looks inside; nothing here can corrupt the scheduler.
 * The scheduler itself is scheduler.ts; the package's switch points use
 * lowlevel.ts.
 *
 * @module
 */

import { checkFunction, checkSeconds } from "./checks.ts";
import { captureContext } from "./current.ts";
import { currentGreenlet, type GreenThread } from "./greenthread.ts";
import { Instruments } from "./instruments.ts";
import { parkedNow } from "./park.ts";
import {
  type ErrorHandler,
  getErrorHandler,
  liveGreenthreads,
  runCounters,
  setErrorHandler,
} from "./scheduler.ts";
import { Timer } from "./user_timer.ts";

export type { ErrorHandler };

/** Numbers from `hub.stats()`. */
export interface HubStats {
  /** Entries in the run queue (greenthreads ready to start or resume, due timers). */
  ready: number;
  /** Greenthreads parked at a switch point, waiting to be woken. */
  parked: number;
  /** Pending (uncancelled, unfired) timers. */
  timers: number;
  /** Run-queue entries run so far. */
  switches: number;
}

/**
 * The scheduler of one thread. Get it with `getHub()`.
 *
 * - Spawns, wake-ups (an `Event.send`, a `Queue` hand-off, a
 *   `Semaphore.release`) and due timers run in the order they were
 *   scheduled: one FIFO. A timer whose deadline passed while the thread
 *   was busy runs first, as in eventlet's hub.
 * - An error from a greenthread nobody waits for, from `spawnN`, or from a
 *   timer callback goes to `onError` (default: its stack on stderr); it is
 *   never an unhandled rejection.
 * - The process stays alive exactly while a timer is pending or work is
 *   queued; an idle hub holds no Deno timer. (A greenthread parked with no
 *   deadline, on an Event nobody will send, does not keep it alive.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getHub } from "@eventlet/eventlet/hub";
 * const hub = getHub();
 * const before = hub.stats().timers;
 * const timer = hub.scheduleCallGlobal(0.01, (name: string) => console.log("hello", name), "hub");
 * assert.equal(hub.stats().timers, before + 1);
 * timer.cancel();
 * ```
 */
export class Hub {
  /**
   * Instruments observing the hub (switches, spawns, ends, parks, wakes,
   * timers): see `Instrument`. Empty by default, and then free.
   */
  readonly instruments: Instruments = new Instruments();

  /**
   * Called with every error nobody else will see: a failed greenthread that
   * no one waits for or links, a `spawnN` error, a timer callback's error.
   * Replace it to log differently. `GreenletExit` never reaches it.
   */
  get onError(): ErrorHandler {
    return getErrorHandler();
  }
  set onError(handler: ErrorHandler) {
    checkFunction("set hub.onError", handler, "handler");
    setErrorHandler(handler);
  }

  /**
   * Calls `fn(...args)` after `seconds` (negative means 0; NaN is a
   * `RangeError`), whatever becomes of the greenthread that scheduled it.
   * A zero delay queues the call behind everything already ready.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { getHub } from "@eventlet/eventlet/hub";
   * import { sleep } from "@eventlet/eventlet";
   * const calls: string[] = [];
   * getHub().scheduleCallGlobal(0.001, (what: string) => calls.push(what), "called");
   * await sleep(0.01);
   * assert.deepEqual(calls, ["called"]);
   * ```
   */
  scheduleCallGlobal<A extends unknown[]>(
    seconds: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): Timer {
    return userTimer("schedule a call", seconds, fn, args, null);
  }

  /**
   * As `scheduleCallGlobal`, but the call is dropped (and the timer stops
   * being `pending`) if the greenthread that scheduled it has ended by then.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { getHub } from "@eventlet/eventlet/hub";
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => getHub().scheduleCallLocal(0.01, () => console.log("dropped")));
   * const timer = await gt.wait(); // gt has ended: the call never happens
   * assert.equal(timer.pending, false);
   * ```
   */
  scheduleCallLocal<A extends unknown[]>(
    seconds: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): Timer {
    return userTimer("schedule a local call", seconds, fn, args, currentGreenlet());
  }

  /**
   * The live spawned greenthreads, oldest first, not counting the main one.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { getHub } from "@eventlet/eventlet/hub";
   * import { sleep, spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => sleep(0.01));
   * assert.ok(getHub().greenthreads().includes(gt));
   * await gt.wait();
   * assert.ok(!getHub().greenthreads().includes(gt));
   * ```
   */
  greenthreads(): GreenThread[] {
    return liveGreenthreads();
  }

  /**
   * Counters: ready entries, parked greenthreads, pending timers, switches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { getHub } from "@eventlet/eventlet/hub";
   * const { ready, parked, timers, switches } = getHub().stats();
   * assert.ok(ready >= 0 && parked >= 0 && timers >= 0 && switches >= 0);
   * ```
   */
  stats(): HubStats {
    const { ready, timers, switches } = runCounters();
    return { ready, parked: parkedNow(), timers, switches };
  }
}

function userTimer(
  what: string,
  seconds: number,
  fn: (...args: never[]) => unknown,
  args: unknown[],
  owner: GreenThread | null,
): Timer {
  checkFunction(what, fn);
  // The callback runs with the scheduler's AsyncLocalStorage values, as a
  // setTimeout callback does.
  return new Timer(checkSeconds(what, seconds), fn, args, captureContext(), owner);
}

const hub = new Hub();

/**
 * This thread's hub. The main thread and every Web Worker has its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getHub } from "@eventlet/eventlet/hub";
 * assert.equal(getHub(), getHub());
 * getHub().onError = (error) => console.error("greenthread failed:", error);
 * ```
 */
export function getHub(): Hub {
  return hub;
}
