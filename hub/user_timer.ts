/**
 * Timer: what `hub.scheduleCallGlobal/Local` return — a user callback the
 * hub calls after a delay, cancellable until then.
 *
 * Behind each one is an internal hub timer (hub_timer.ts) whose callback
 * runs the user's function in a microtask, in the hub's own greenthread,
 * with the `AsyncLocalStorage` values of the code that scheduled it.
 *
 * @module
 */

import { runAs } from "./current.ts";
import { type GreenThread, hubGreenlet } from "./greenthread.ts";
import type { HubTimer } from "./hub_timer.ts";
import { isDead } from "./greenlet_core.ts";
import { callLater, reportError } from "./scheduler.ts";

// #state of a user timer.
const PENDING = 0;
const FIRED = 1;
const CANCELLED = 2;

let fire: (timer: Timer) => void;
let callUser: (timer: Timer) => void;

/** What a user timer will call, with what, for whom (debug.formatHubTimers). */
export let describeUserTimer: (
  timer: Timer,
) => { callback: string; args: unknown[]; owner: GreenThread | null };

/**
 * A scheduled call. Create one with `hub.scheduleCallGlobal` or
 * `hub.scheduleCallLocal`; `cancel()` it to stop the call.
 *
 * - Due timers run in deadline order, ties in scheduling order; a timer
 *   whose deadline passed while the thread was busy runs before the
 *   greenthreads queued to resume after that.
 * - A callback runs in its own microtask at its place in the hub's run
 *   queue; an error it throws (or a promise it returns that rejects) goes
 *   to `hub.onError` and never becomes an unhandled rejection.
 * - A local timer (from `scheduleCallLocal`) does nothing, and is no longer
 *   `pending`, once the greenthread that scheduled it has ended.
 * - A callback runs in the hub's greenthread (id -1) with the
 *   `AsyncLocalStorage` values of the code that scheduled it, as a
 *   `setTimeout` callback does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getHub } from "@eventlet/eventlet/hub";
 * const timer = getHub().scheduleCallGlobal(10, () => console.log("never"));
 * assert.equal(timer.pending, true);
 * timer.cancel();
 * assert.equal(timer.pending, false);
 * ```
 */
export class Timer {
  /** The delay it was scheduled with, in seconds. */
  readonly seconds: number;
  #entry: HubTimer;
  #callback: (...args: never[]) => unknown;
  #args: unknown[];
  #context: unknown;
  #owner: GreenThread | null;
  #state = PENDING;

  /**
   * Timers are made by the hub; see `Hub.scheduleCallGlobal`.
   * @ignore
   */
  constructor(
    seconds: number,
    callback: (...args: never[]) => unknown,
    args: unknown[],
    context: unknown,
    owner: GreenThread | null,
  ) {
    this.seconds = seconds;
    this.#callback = callback;
    this.#args = args;
    this.#context = context;
    this.#owner = owner;
    this.#entry = callLater(seconds, fire, this);
  }

  /** True until it has fired or been cancelled (or its local owner ended). */
  get pending(): boolean {
    return this.#state === PENDING && !(this.#owner !== null && isDead(this.#owner));
  }

  /** Stops the call if it has not happened yet. Cancelling twice is harmless. */
  cancel(): void {
    if (this.#state !== PENDING) return;
    this.#state = CANCELLED;
    this.#entry.cancel();
  }

  static {
    fire = (timer) => {
      timer.#state = FIRED;
      if (timer.#owner !== null && isDead(timer.#owner)) return;
      // Deferred to a microtask, so that it runs after the greenthreads woken
      // before it have taken their step (the pump only settles promises).
      queueMicrotask(() => runAs(hubGreenlet(), callUser, timer, timer.#context));
    };
    callUser = (timer) => {
      try {
        const result = (timer.#callback as (...a: unknown[]) => unknown)(...timer.#args);
        if (result instanceof Promise) result.catch((error) => reportError(error));
      } catch (error) {
        reportError(error);
      }
    };
    describeUserTimer = (timer) => ({
      callback: timer.#callback.name || "anonymous",
      args: timer.#args,
      owner: timer.#owner,
    });
  }
}
