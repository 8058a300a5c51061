/**
 * The hub: this thread's scheduler, on top of Deno's event loop.
 *
 * - One FIFO run queue holds everything ready: greenthreads to start,
 *   parked greenthreads to resume, due timers (run_queue.ts: the pump, and
 *   the loop budget that keeps sockets and timers from starving).
 * - Resuming a parked greenthread settles its promise; its continuation runs
 *   as a promise job, so the jobs run in run-queue order.
 * - Timers live in timer_queue.ts: one Deno timer armed for the earliest
 *   live deadline, none when no timer waits, so an idle hub keeps nothing
 *   open.
 * - This file holds the parking API (how switch points wait and wake), the
 *   timer and error-handler entry points, and the introspection.
 *
 * @module
 */

import type { Greenlet } from "./greenlet.ts";
import { DONE, Park, PARKED, WAKING, YIELDING } from "./park.ts";
import type { Timer } from "./timer.ts";
import { TimerQueue } from "./timer_queue.ts";
import { type Runnable, RunQueue } from "./run_queue.ts";
import { LiveList } from "./live_list.ts";
import { captureContext, currentGreenlet } from "./current.ts";
import { checkFunction, checkSeconds } from "./checks.ts";

export type { Runnable };

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

/** The error handler's signature: see `Hub.onError`. */
export type ErrorHandler = (error: unknown, greenthread?: Greenlet) => void;

function defaultOnError(error: unknown, greenthread?: Greenlet): void {
  const where = greenthread ? ` in greenthread ${greenthread.id}` : "";
  const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  console.error(`Uncaught error${where}: ${text}`);
}

// Hot path: one executor function for every park promise, fed through a
// module variable, so that parking allocates no closure.
let parking: Park;
function captureResolvers(
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
): void {
  parking.resolve = resolve;
  parking.reject = reject;
}

/**
 * The scheduler of one thread. Get it with `getHub()`.
 *
 * - Spawns, wake-ups (an `Event.send`, a `Queue` hand-off, a
 *   `Semaphore.release`) and due timers run in the order they were
 *   scheduled: one FIFO.
 * - An error from a greenthread nobody waits for, from `spawnN`, or from a
 *   timer callback goes to `onError` (default: its stack on stderr); it is
 *   never an unhandled rejection.
 * - The process stays alive exactly while a timer is pending or work is
 *   queued; an idle hub holds no Deno timer. (A greenthread parked with no
 *   deadline, on an Event nobody will send, does not keep it alive.)
 *
 * @example
 * ```ts
 * import { getHub } from "@eventlet/eventlet/hub";
 * const hub = getHub();
 * hub.scheduleCallGlobal(0.01, (name: string) => console.log("hello", name), "hub");
 * console.log(hub.stats().timers); // 1
 * ```
 */
export class Hub {
  /**
   * Called with every error nobody else will see: a failed greenthread that
   * no one waits for or links, a `spawnN` error, a timer callback's error.
   * Replace it to log differently. `GreenletExit` never reaches it.
   */
  onError: ErrorHandler = defaultOnError;

  #runq: RunQueue = new RunQueue({
    pumping: () => {
      if (this.blockWatch !== null) this.blockWatch[0]++;
      // Due timers first: one clock read per pump, only while a timer waits.
      if (this.#timers.waiting) this.#timers.collectDue(performance.now());
    },
    loopResumed: () => {
      if (this.#timers.waiting) this.#timers.collectDue(performance.now());
    },
  });
  #timers: TimerQueue = new TimerQueue({
    schedule: (timer) => this.schedule(timer),
    scheduleDue: (timer) => this.#runq.scheduleDue(timer),
    loopTurned: (now) => this.#runq.loopTurned(now),
    reportError: (error) => this.reportError(error),
  });
  #parked = 0;
  #live = new LiveList();
  /**
   * Shared with the blocking-detection watchdog: [beats, blocked ms]. The
   * pump bumps the beat; a non-zero blocked count is reported at the next
   * switch point. Null while detection is off.
   * @ignore
   */
  blockWatch: Int32Array | null = null;
  /**
   * Called with the greenlet at a switch point when the watchdog saw the
   * thread blocked (set by `debug.hubBlockingDetection`).
   * @ignore
   */
  onBlocked: ((greenlet: Greenlet | undefined, blockedMs: number) => void) | null = null;
  /**
   * When true, `spawn` records where each greenthread was spawned.
   * @ignore
   */
  captureSpawnSites = false;

  // ---------------------------------------------------------------- run queue

  /**
   * Appends `entry` to the run queue.
   * @ignore
   */
  schedule(entry: Runnable): void {
    this.#runq.schedule(entry);
  }

  /**
   * True when the thread has gone about 1 ms without a turn of Deno's event
   * loop: an operation that would complete at once must park for one turn.
   * @ignore
   */
  budgetSpent(): boolean {
    return this.#runq.budgetSpent();
  }

  // ------------------------------------------------------------------ parking

  /**
   * Makes a park for `greenlet` waiting on `what`; the caller puts it in a
   * waiter list if it needs one, then returns `suspend(park)`.
   * @ignore
   */
  newPark(greenlet: Greenlet, what: string): Park {
    if (this.blockWatch !== null && this.blockWatch[1] !== 0) this.checkBlocked(greenlet);
    const park = new Park(greenlet, what);
    greenlet.addPark(park);
    this.#parked++;
    return park;
  }

  /**
   * The promise the parked greenlet awaits.
   * @ignore
   */
  suspend<T>(park: Park): Promise<T> {
    parking = park;
    return new Promise(captureResolvers) as Promise<T>;
  }

  /**
   * Parks `greenlet` on a foreign operation that cannot be cancelled (a
   * Deno op, a worker reply): `start()` begins it, and the park resolves
   * with `wrap(value)` or rejects with its error. A pending error is
   * delivered first, before anything starts. If the wait is interrupted
   * (kill, Timeout), the operation goes on and a value it brings later is
   * handed to `discard` (to close a connection nobody will use).
   * @ignore
   */
  awaitForeign<T, R = T>(
    greenlet: Greenlet,
    what: string,
    start: () => PromiseLike<T>,
    wrap?: (value: T) => R,
    discard?: (value: T) => void,
  ): Promise<R> {
    if (greenlet.hasPendingError) return this.deliverPending(greenlet);
    const park = this.newPark(greenlet, what);
    let started: PromiseLike<T>;
    try {
      started = start();
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then(
      (value) => {
        if (park.state !== PARKED) {
          discard?.(value); // the wait was interrupted: nobody takes the value
          return;
        }
        let wrapped: unknown = value;
        try {
          if (wrap !== undefined) wrapped = wrap(value);
        } catch (error) {
          this.wakeWithError(park, error);
          return;
        }
        this.wake(park, wrapped);
      },
      // After an interruption the wait already ended with the kill or
      // Timeout, so the operation's own error has nobody to go to.
      (error) => this.wakeWithError(park, error),
    );
    return this.suspend(park);
  }

  /**
   * Gives `park` a deadline: after `seconds` it resumes with `value` (or
   * rejects with it when `rejects`), unless woken or interrupted first.
   * @ignore
   */
  setDeadline(park: Park, seconds: number, value: unknown, rejects: boolean): void {
    park.value = value;
    park.rejects = rejects;
    park.timer = this.callLater(seconds, this.#expire, park);
  }

  #expire = (park: Park): void => {
    if (park.state !== PARKED) return;
    park.list?.remove(park);
    this.#parked--;
    park.timer = null; // value and rejects hold the timeout outcome
    park.run(); // we are in the pump, at the timer's place in the queue
  };

  /**
   * Decides that `park` resumes with `value` and queues it. False if it was
   * no longer waiting (interrupted or already woken).
   * @ignore
   */
  wake(park: Park, value: unknown): boolean {
    if (park.state !== PARKED) return false;
    park.state = WAKING;
    park.value = value;
    park.rejects = false;
    park.list?.remove(park);
    this.#parked--;
    this.schedule(park);
    return true;
  }

  /**
   * As `wake`, but the park's promise rejects with `error`.
   * @ignore
   */
  wakeWithError(park: Park, error: unknown): boolean {
    if (!this.wake(park, error)) return false;
    park.rejects = true;
    return true;
  }

  /**
   * Parks `greenlet` already queued to resume with `value` (or to reject
   * with it when `rejects`): it resumes when the run queue reaches it.
   * `sleep(0)` yields `interruptible`ly — a kill or Timeout meanwhile
   * rejects it at once, as in eventlet; an operation whose effect already
   * happened (a budget yield, a channel hand-off) is not interruptible.
   * @ignore
   */
  yieldNow<T>(
    greenlet: Greenlet,
    what: string,
    value?: T,
    interruptible = false,
    rejects = false,
  ): Promise<T> {
    if (this.blockWatch !== null && this.blockWatch[1] !== 0) this.checkBlocked(greenlet);
    const park = new Park(greenlet, what);
    park.state = interruptible ? YIELDING : WAKING;
    park.value = value;
    park.rejects = rejects;
    greenlet.addPark(park);
    this.schedule(park);
    return this.suspend(park);
  }

  /**
   * The result of an operation that completed at once: resolved now, or
   * after one turn of the event loop if the budget is spent.
   * @ignore
   */
  completed<T>(greenlet: Greenlet, value: T): Promise<T> {
    if (this.blockWatch !== null && this.blockWatch[1] !== 0) this.checkBlocked(greenlet);
    if (this.budgetSpent()) return this.yieldNow(greenlet, "yield", value);
    return Promise.resolve(value);
  }

  /**
   * The failure of an operation that failed at once (a non-blocking get of
   * an empty queue, `wait()` of a failed greenthread): rejected now, or
   * after one turn of the event loop if the budget is spent, so a loop of
   * failing operations cannot starve Deno's timers either.
   * @ignore
   */
  failed<T>(greenlet: Greenlet, error: unknown): Promise<T> {
    if (this.budgetSpent()) return this.yieldNow(greenlet, "yield", error as T, false, true);
    return Promise.reject(error);
  }

  /**
   * Reports a blocking episode the watchdog recorded, naming `greenlet`
   * (the one that reached this switch point, so the one that blocked).
   * @ignore
   */
  checkBlocked(greenlet: Greenlet | undefined): void {
    const watch = this.blockWatch;
    if (watch === null) return;
    const blockedMs = Atomics.exchange(watch, 1, 0);
    if (blockedMs !== 0 && this.onBlocked !== null) this.onBlocked(greenlet, blockedMs);
  }

  /**
   * Delivers `greenlet`'s pending error: the rejected promise its switch
   * point returns.
   * @ignore
   */
  deliverPending<T>(greenlet: Greenlet): Promise<T> {
    return Promise.reject(greenlet.takePendingError());
  }

  /**
   * Throws `error` (from `source`: a Timeout, or undefined for a kill) into
   * `greenlet`: every park it waits in that is not yet woken rejects at
   * once; if there is none, the error is kept for its next switch point.
   * Its signal aborts either way.
   * @ignore
   */
  throwInto(greenlet: Greenlet, error: unknown, source?: unknown): void {
    if (greenlet.dead) return;
    greenlet.interrupt(error);
    let delivered = false;
    for (const park of greenlet.parks()) {
      if (park.state !== PARKED && park.state !== YIELDING) continue;
      if (park.state === PARKED) this.#parked--;
      park.state = DONE; // a YIELDING park's run-queue entry now does nothing
      park.list?.remove(park);
      if (park.timer !== null) park.timer.cancel();
      greenlet.unpark(park);
      if (park.onInterrupt !== null) park.onInterrupt(park);
      park.reject(error);
      delivered = true;
    }
    if (delivered) greenlet.interruptDelivered();
    else greenlet.setPendingError(error, source);
  }

  // ------------------------------------------------------------------- timers

  /**
   * Calls `fn(...args)` after `seconds` (negative means 0), whatever becomes
   * of the greenthread that scheduled it. A zero delay queues the call
   * behind everything already ready.
   *
   * @example
   * ```ts
   * import { getHub } from "@eventlet/eventlet/hub";
   * const timer = getHub().scheduleCallGlobal(0.5, () => console.log("late"));
   * timer.cancel();
   * ```
   */
  scheduleCallGlobal<A extends unknown[]>(
    seconds: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): Timer {
    return this.#userTimer("schedule a call", seconds, fn, args, null);
  }

  /**
   * As `scheduleCallGlobal`, but the call is dropped (and the timer stops
   * being `pending`) if the greenthread that scheduled it has ended by then.
   *
   * @example
   * ```ts
   * import { getHub } from "@eventlet/eventlet/hub";
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => getHub().scheduleCallLocal(0.01, () => console.log("dropped")));
   * await gt.wait(); // gt has ended: the call never happens
   * ```
   */
  scheduleCallLocal<A extends unknown[]>(
    seconds: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): Timer {
    return this.#userTimer("schedule a local call", seconds, fn, args, currentGreenlet());
  }

  #userTimer(
    what: string,
    seconds: number,
    fn: (...args: never[]) => unknown,
    args: unknown[],
    owner: Greenlet | null,
  ): Timer {
    checkFunction(what, fn);
    // The callback runs with the scheduler's AsyncLocalStorage values, as a
    // setTimeout callback does.
    const context = captureContext();
    return this.#timers.add(checkSeconds(what, seconds), fn, args, context, owner);
  }

  /**
   * An internal timer: calls `callback(arg)` in the pump itself (see Timer.run).
   * @ignore
   */
  callLater<A>(seconds: number, callback: (arg: A) => void, arg: A): Timer {
    return this.#timers.add(seconds, callback as (arg: never) => void, null, arg, null);
  }

  /** @ignore */
  reportError(error: unknown, greenthread?: Greenlet): void {
    try {
      this.onError(error, greenthread);
    } catch (handlerError) {
      defaultOnError(handlerError);
      defaultOnError(error, greenthread);
    }
  }

  // ------------------------------------------------------------ introspection

  /**
   * Records a live spawned greenthread.
   * @ignore
   */
  register(greenlet: Greenlet): void {
    this.#live.add(greenlet);
  }

  /**
   * Forgets a greenthread that ended.
   * @ignore
   */
  unregister(greenlet: Greenlet): void {
    this.#live.remove(greenlet);
  }

  /**
   * The live spawned greenthreads (`GreenThread`s), not counting the main one.
   *
   * @example
   * ```ts
   * import { getHub } from "@eventlet/eventlet/hub";
   * import { spawn, sleep } from "@eventlet/eventlet";
   * const gt = spawn(() => sleep(0.01));
   * console.log(getHub().greenthreads().includes(gt)); // true
   * await gt.wait();
   * ```
   */
  greenthreads(): Greenlet[] {
    return this.#live.toArray();
  }

  /**
   * Counters: ready entries, parked greenthreads, pending timers, switches.
   *
   * @example
   * ```ts
   * import { getHub } from "@eventlet/eventlet/hub";
   * const { ready, parked, timers, switches } = getHub().stats();
   * console.log(ready, parked, timers, switches >= 0);
   * ```
   */
  stats(): HubStats {
    return {
      ready: this.#runq.length,
      parked: this.#parked,
      timers: this.#timers.live,
      switches: this.#runq.switches,
    };
  }

  /**
   * The pending timers in due order (for `debug.formatHubTimers`).
   * @ignore
   */
  pendingTimers(): Timer[] {
    return this.#timers.pending();
  }
}

const hub = new Hub();

/**
 * This thread's hub. The main thread and every Web Worker has its own.
 *
 * @example
 * ```ts
 * import { getHub } from "@eventlet/eventlet/hub";
 * getHub().onError = (error) => console.error("greenthread failed:", error);
 * ```
 */
export function getHub(): Hub {
  return hub;
}
