/**
 * Timer: a callback the hub calls after a delay, cancellable until then.
 *
 * `hub.scheduleCallGlobal/Local` return one; the hub also uses timers for
 * its own deadlines (sleep, wait timeouts, Timeout). A due timer joins the
 * hub's single FIFO run queue, so due timers, spawns and wake-ups run in the
 * order they were scheduled, as in eventlet.
 *
 * @module
 */

import type { Greenlet } from "./greenlet.ts";
import { hubGreenlet, runAs } from "./current.ts";

/** What a timer needs from the hub that owns it. */
export interface TimerHost {
  /** Called once when a pending timer is cancelled. */
  timerCancelled(timer: Timer): void;
  /** Called once when a timer fires. */
  timerFired(timer: Timer): void;
  /** Reports an error thrown by a user callback. */
  reportError(error: unknown): void;
}

const PENDING = 0;
const FIRED = 1;
const CANCELLED = 2;

/**
 * A scheduled call. Create one with `hub.scheduleCallGlobal` or
 * `hub.scheduleCallLocal`; `cancel()` it to stop the call.
 *
 * - A user callback runs in its own microtask at its place in the hub's run
 *   queue; an error it throws (or a promise it returns that rejects) goes to
 *   `hub.onError` and never becomes an unhandled rejection.
 * - A local timer (from `scheduleCallLocal`) does nothing, and is no longer
 *   `pending`, once the greenthread that scheduled it has ended.
 * - A user callback runs in the hub's greenthread (id -1) with the
 *   `AsyncLocalStorage` values of the code that scheduled it, as a
 *   `setTimeout` callback does.
 *
 * @example
 * ```ts
 * import { getHub } from "@eventlet/eventlet/hub";
 * const timer = getHub().scheduleCallGlobal(10, () => console.log("never"));
 * console.log(timer.pending); // true
 * timer.cancel();
 * console.log(timer.pending); // false
 * ```
 */
export class Timer {
  /** The delay it was scheduled with, in seconds. */
  readonly seconds: number;
  /**
   * When it is due, on the `performance.now()` clock (milliseconds).
   * @ignore
   */
  readonly deadline: number;
  /**
   * Tie-break among equal deadlines: scheduling order.
   * @ignore
   */
  readonly seq: number;
  #host: TimerHost;
  #callback: (...args: never[]) => unknown;
  #args: unknown[] | null;
  /**
   * An internal timer's callback argument; a user timer's AsyncLocalStorage
   * values, captured where it was scheduled (one field for both keeps the
   * many internal deadline timers from growing: bench/core_ratios.ts).
   */
  #arg: unknown;
  #owner: Greenlet | null;
  #state = PENDING;
  /**
   * True while it waits in the heap (false for a zero delay, which goes
   * straight to the run queue).
   * @ignore
   */
  inHeap = false;

  /**
   * Timers are made by the hub; see `Hub.scheduleCallGlobal`.
   * @ignore
   */
  constructor(
    host: TimerHost,
    seconds: number,
    deadline: number,
    seq: number,
    callback: (...args: never[]) => unknown,
    args: unknown[] | null,
    arg: unknown,
    owner: Greenlet | null,
  ) {
    this.#host = host;
    this.seconds = seconds;
    this.deadline = deadline;
    this.seq = seq;
    this.#callback = callback;
    this.#args = args;
    this.#arg = arg;
    this.#owner = owner;
  }

  /** True until it has fired or been cancelled (or its local owner ended). */
  get pending(): boolean {
    return this.#state === PENDING &&
      !(this.#owner !== null && this.#owner.dead);
  }

  /** Stops the call if it has not happened yet. Cancelling twice is harmless. */
  cancel(): void {
    if (this.#state !== PENDING) return;
    this.#state = CANCELLED;
    this.#host.timerCancelled(this);
  }

  /**
   * True while it still counts as scheduled (not fired, not cancelled).
   * @ignore
   */
  get live(): boolean {
    return this.#state === PENDING;
  }

  /**
   * What it will call and with what, for `debug.formatHubTimers`.
   * @ignore
   */
  describe(): { callback: string; argument: unknown; owner: Greenlet | null } {
    return {
      callback: this.#callback.name || "anonymous",
      argument: this.#args === null ? this.#arg : undefined,
      owner: this.#owner,
    };
  }

  /**
   * Fires the timer; called by the hub's pump at its place in the run queue.
   * Internal timers (`args === null`) call `callback(arg)` at once: they only
   * resume or throw into a greenlet, which resolves a promise. User callbacks
   * are deferred to a microtask so that they run after the greenlets woken
   * before them have taken their step.
   * @ignore
   */
  run(): void {
    if (this.#state !== PENDING) return;
    this.#state = FIRED;
    this.#host.timerFired(this);
    if (this.#owner !== null && this.#owner.dead) return;
    if (this.#args === null) {
      (this.#callback as (arg: unknown) => void)(this.#arg);
    } else {
      queueMicrotask(() => runAs(hubGreenlet(), callUser, this, this.#arg));
    }
  }

  /** @ignore */
  callUser(): void {
    try {
      const result = (this.#callback as (...a: unknown[]) => unknown)(
        ...this.#args!,
      );
      if (result instanceof Promise) {
        result.catch((error) => this.#host.reportError(error));
      }
    } catch (error) {
      this.#host.reportError(error);
    }
  }
}

function callUser(timer: Timer): void {
  timer.callUser();
}
