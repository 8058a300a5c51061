/**
 * MockClock: virtual time for the hub (trio's `MockClock`, with an exact
 * autojump).
 *
 * Installed, it replaces the clock the hub's timers follow: time stands
 * still (trio's rate 0) and moves only by jumps — `jump(seconds)`, or the
 * autojump, which the settle watch (settle_watch.ts) triggers when nothing
 * but a timer could wake anyone. The hub's loop budget, which lets Deno's
 * event loop poll sockets, stays on real time.
 *
 * @module
 */

import { checkFiniteSeconds, typeName } from "../hub/checks.ts";
import { hubTimerQueue, secondsToVirtualMs, type VirtualClock } from "../hub/timer_queue.ts";
import { setAutojumper } from "./settle_watch.ts";

/** Options of `installMockClock`. */
export interface MockClockOptions {
  /**
   * Jump to the next deadline by itself when everything waits for a timer
   * (default true). Off, time moves only by `jump`.
   */
  autojump?: boolean;
  /**
   * While some greenthread waits on I/O, a worker or a foreign promise:
   * real seconds with nothing running before the clock jumps anyway
   * (trio's `autojump_threshold`; default 0.01).
   */
  autojumpThreshold?: number;
}

/** Passed by installMockClock only: the constructor is not for users. */
const INSTALL: unique symbol = Symbol("installMockClock");

let installed: MockClock | null = null;

/** Fires, at the hub's next step, every timer due on the hub's clock now. */
function fireDueTimers(): void {
  const timers = hubTimerQueue();
  if (timers.waiting) timers.collectDue(timers.now());
}

/**
 * The hub's clock while installed: virtual time that moves only by jumps.
 * Made by `installMockClock`; `using clock = installMockClock()` restores
 * real time at the end of the block.
 *
 * - `sleep`, `Timeout`, `withTimeout`, `spawnAfter(Local)`,
 *   `scheduleCall*`, every wait with a timeout (`Event.wait`, `Queue.get`
 *   and `put`, `Semaphore.acquire`) and socket `settimeout` follow it.
 *   `Date.now()`, `performance.now()` and `setTimeout` do not.
 * - No Deno timer is armed for the hub's timers while it is installed. With
 *   autojump, a virtual timer keeps the process alive only while the clock
 *   can reach it.
 * - Timers that come due fire in deadline order, ties in the order they
 *   were scheduled, as under the real clock. Delays are counted in whole
 *   microseconds, so jumps and delays in milliseconds add up exactly.
 * - Disposing of it gives each pending hub timer its remaining virtual
 *   time on the real clock. Disposing twice does nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep } from "@eventlet/eventlet";
 * import { installMockClock } from "@eventlet/eventlet/testing";
 * using clock = installMockClock();
 * const start = clock.now();
 * await sleep(3600); // an hour, at once
 * assert.equal(clock.now() - start, 3600);
 * ```
 */
export class MockClock implements Disposable {
  #virtual: VirtualClock;
  #threshold: number;
  #disposed = false;

  /**
   * Made by `installMockClock`.
   * @ignore
   */
  constructor(token: typeof INSTALL, options: Required<MockClockOptions>) {
    if (token !== INSTALL) {
      throw new TypeError("Cannot create MockClock: use installMockClock()");
    }
    this.#threshold = options.autojumpThreshold;
    // A whole second to start from, so that differences of now() in whole
    // (or binary-fraction) seconds are exact: 7, not 7.000000000000001.
    // Pending timers keep their remaining time (setClock shifts them).
    const timers = hubTimerQueue();
    this.#virtual = { nowMs: Math.floor(timers.now() / 1000) * 1000 };
    timers.setClock(this.#virtual);
    if (options.autojump) {
      const threshold = this.#threshold;
      const virtual = this.#virtual;
      setAutojumper({
        threshold,
        canJump: () => timers.waiting,
        jumpToNext: () => {
          const next = timers.nextDeadline();
          if (next === Infinity) return;
          if (next > virtual.nowMs) virtual.nowMs = next;
          fireDueTimers();
        },
      });
    }
  }

  /**
   * The hub's time in seconds: the virtual time while installed (it starts
   * at the real time of installation, rounded down to a whole second, so
   * that `clock.now() - start` is exact for whole seconds), the real hub
   * clock once disposed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { installMockClock } from "@eventlet/eventlet/testing";
   * using clock = installMockClock({ autojump: false });
   * const t = clock.now();
   * clock.jump(1.5);
   * assert.equal(clock.now() - t, 1.5);
   * ```
   */
  now(): number {
    return (this.#disposed ? hubTimerQueue().now() : this.#virtual.nowMs) / 1000;
  }

  /**
   * Moves the clock forward by `seconds`. The timers it makes due fire at
   * the hub's next step, in deadline order (ties in scheduling order),
   * before anything else that is ready: await any switch point (`sleep(0)`)
   * to let them run. Negative, NaN or infinite `seconds` is a
   * `RangeError`; after dispose, an `Error`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { sleep, spawn } from "@eventlet/eventlet";
   * import { installMockClock } from "@eventlet/eventlet/testing";
   * using clock = installMockClock({ autojump: false });
   * const woke: number[] = [];
   * for (const s of [3, 1, 2]) spawn(async () => { await sleep(s); woke.push(s); });
   * await sleep(0); // they start and park
   * clock.jump(2);
   * await sleep(0);
   * assert.deepEqual(woke, [1, 2]);
   * clock.jump(1);
   * await sleep(0);
   * assert.deepEqual(woke, [1, 2, 3]);
   * ```
   */
  jump(seconds: number): void {
    checkFiniteSeconds("jump the mock clock", "seconds", seconds);
    if (this.#disposed) throw new Error("Cannot jump the mock clock: it was disposed");
    this.#virtual.nowMs += secondsToVirtualMs(seconds);
    fireDueTimers();
  }

  /**
   * Restores the real clock: each pending hub timer keeps its remaining
   * virtual time, now on the real clock. Disposing twice does nothing.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { installMockClock } from "@eventlet/eventlet/testing";
   * const clock = installMockClock();
   * clock[Symbol.dispose]();
   * installMockClock()[Symbol.dispose](); // installing again works now
   * ```
   */
  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#disposed = true;
    installed = null;
    setAutojumper(null);
    hubTimerQueue().setClock(null);
  }
}

/**
 * Installs a mock clock on this thread's hub and returns it; dispose of it
 * (`using`) to restore real time. Installing a second one while one is
 * installed throws an `Error`.
 *
 * With `autojump` (the default), whenever nothing is ready to run and every
 * greenthread is parked on a hub primitive (sleep, an Event, a Queue and
 * its `join`, a Semaphore, a GreenPool or GreenPile, `GreenThread.wait`,
 * a Timeout around any of them) or has not started yet, the clock jumps
 * at once — within one turn of Deno's event loop — exactly to the next
 * deadline: nothing outside the hub could wake anyone first. While some
 * greenthread waits on a socket, a worker or a foreign promise (`waitFor`,
 * or a plain `await`), it jumps only after `autojumpThreshold` real seconds
 * with nothing running, as trio's MockClock does.
 *
 * Deviation: trio's MockClock starts at 0 and can also run at a rate;
 * this one starts at the hub's real time (rounded down to a whole second) and
 * moves only by jumps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Timeout, sleep } from "@eventlet/eventlet";
 * import { installMockClock } from "@eventlet/eventlet/testing";
 * using clock = installMockClock();
 * const start = clock.now();
 * using deadline = new Timeout(30);
 * await assert.rejects(sleep(60), (e) => e === deadline);
 * assert.equal((clock.now() - start).toFixed(3), "30.000");
 * ```
 */
export function installMockClock(options: MockClockOptions = {}): MockClock {
  const checked = checkOptions(options);
  if (installed !== null) {
    throw new Error(
      "Cannot install a mock clock: one is already installed on this thread; dispose of it first",
    );
  }
  installed = new MockClock(INSTALL, checked);
  return installed;
}

function checkOptions(options: MockClockOptions): Required<MockClockOptions> {
  const what = "Cannot install a mock clock";
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${what}: options must be an object, received ${typeName(options)}`);
  }
  const { autojump = true, autojumpThreshold = 0.01 } = options;
  if (typeof autojump !== "boolean") {
    throw new TypeError(`${what}: autojump must be a boolean, received ${typeName(autojump)}`);
  }
  checkFiniteSeconds("install a mock clock", "autojumpThreshold", autojumpThreshold);
  return { autojump, autojumpThreshold };
}
