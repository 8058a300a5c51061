/**
 * The switch-point toolkit beside parking (park.ts): the pending-error
 * prologue, at-once outcomes, yields, foreign waits and throwing into a
 * greenthread. park.ts opens with the recipe that puts them together;
 * package code imports all of it from lowlevel.ts.
 *
 * @module
 */

import { currentGreenlet, type GreenThread } from "./greenthread.ts";
import {
  hasPendingError,
  interrupt,
  interruptDelivered,
  isDead,
  parksOf,
  pendingErrorCount,
  setPendingError,
  takePendingError,
} from "./greenlet_core.ts";
import {
  interruptPark,
  newPark,
  PARKED,
  queueResume,
  suspend,
  wake,
  wakeWithError,
} from "./park.ts";
import { budgetSpent, checkBlocked, readyCount } from "./scheduler.ts";
import { activeInstruments } from "./instruments.ts";
import { atOnceObserved } from "./observed.ts";
import { RESOLVED } from "./run_queue.ts";

export { hasPendingError };

/**
 * Delivers `g`'s pending error: the rejected promise its switch point
 * returns (step 1 of the recipe).
 */
export function deliverPending<T>(g: GreenThread): Promise<T> {
  passedAtOnce(g);
  return Promise.reject(takePendingError(g));
}

/** Tells the instruments that `g` passed a switch point keeping the thread. */
function passedAtOnce(g: GreenThread): void {
  const instruments = activeInstruments;
  if (instruments !== null) instruments.completedAtOnce(g);
}

/**
 * The result of an operation that completed at once: resolved now, or
 * after one turn of the event loop if the loop budget is spent.
 */
export function completed<T>(g: GreenThread, value: T): Promise<T> {
  // Hot path: one flag for every observer (observed.ts gives the figure).
  if (atOnceObserved) return completedObserved(g, value);
  if (budgetSpent()) return queueResume(g, "yield", value, false, false);
  // A void outcome (a put, an acquire) shares one resolved promise instead
  // of allocating one: Queue(100) throughput 12.3-12.7 -> 12.7-13.3M/s
  // (taskset -c 1, 3M items, 4 alternating runs each).
  return value === undefined ? RESOLVED as Promise<T> : Promise.resolve(value);
}

/**
 * `completed` for the running greenthread, looked up only if needed: for a
 * hot path that checked `pendingErrorCount === 0` instead of its
 * greenlet's pending error (step 1 of the recipe, for every greenlet at
 * once). Queue(100) throughput with the queue's put and get on it: see
 * queue_core.ts.
 */
export function completedHere<T>(value: T): Promise<T> {
  // Spent stays spent until the yield is over, so `completed` sees it too.
  if (atOnceObserved || budgetSpent()) return completed(currentGreenlet(), value);
  return value === undefined ? RESOLVED as Promise<T> : Promise.resolve(value);
}

/** `completed` while the watchdog or an instrument listens. */
function completedObserved<T>(g: GreenThread, value: T): Promise<T> {
  checkBlocked(g);
  if (budgetSpent()) return queueResume(g, "yield", value, false, false);
  passedAtOnce(g);
  return value === undefined ? RESOLVED as Promise<T> : Promise.resolve(value);
}

/**
 * The failure of an operation that failed at once (a non-blocking get of
 * an empty queue, `wait()` of a failed greenthread): rejected now, or
 * after one turn of the event loop if the budget is spent, so a loop of
 * failing operations cannot starve Deno's timers either.
 */
export function failed<T>(g: GreenThread, error: unknown): Promise<T> {
  if (atOnceObserved) checkBlocked(g);
  if (budgetSpent()) return queueResume(g, "yield", error, true, false);
  if (atOnceObserved) passedAtOnce(g);
  return Promise.reject(error);
}

/**
 * Yields the running greenthread (`sleep(0)`), the whole switch point: a
 * pending error is delivered first; then it resumes at its turn in the run
 * queue, behind everything ready now. A kill or Timeout meanwhile rejects
 * it at once, as in eventlet's `sleep(0)`.
 */
export function yieldInterruptible(what: string): Promise<void> {
  // Hot path: the greenlet is looked up only when some greenlet holds a
  // pending error or the fast path below is closed. sleep(0) ping-pong,
  // ns per switch (taskset -c 1, 2M switches, 3 alternating runs of 5
  // rounds): 56-60 looking it up each time, 50-56 without; the floor of
  // two promise reactions is about 47 (bare `await` 21).
  if (pendingErrorCount !== 0) {
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
  }
  // Hot path (sleep(0)): with nothing in the run queue (due timers moved in
  // first), every other ready greenthread already sits in the microtask
  // queue, ahead of a reaction queued now, so FIFO order needs no park and
  // no pump. The reaction is the switch point: a kill or Timeout that lands
  // before it runs left a pending error, thrown there as from an
  // interrupted park. Off while instruments or the blocking watchdog
  // listen (they expect a real switch) and once the loop budget is spent
  // (the loop must get its turn). deno task bench, sleep(0) ping-pong: see
  // the commit adding it.
  if (!atOnceObserved && !budgetSpent() && readyCount() === 0) {
    return RESOLVED.then(surfacePending);
  }
  return queueResume(currentGreenlet(), what, undefined, false, true);
}

/** Throws the error a kill or Timeout left while the greenthread yielded. */
function surfacePending(): void {
  if (pendingErrorCount === 0) return;
  const g = currentGreenlet();
  if (hasPendingError(g)) throw takePendingError(g);
}

/**
 * Yields after an effect that already happened (an item handed over):
 * `g` resumes with `value` at its turn; a kill or Timeout meanwhile waits
 * for its next switch point, so the effect is never lost.
 */
export function yieldShielded<T>(g: GreenThread, what: string, value: T): Promise<T> {
  return queueResume(g, what, value, false, false);
}

/**
 * Parks `g` on a foreign operation that cannot be cancelled (a Deno op, a
 * worker reply): `start()` begins it, and the park resolves with
 * `wrap(value)` or rejects with its error. A pending error is delivered
 * first, before anything starts. If the wait is interrupted (kill,
 * Timeout), the operation goes on and a value it brings later is handed to
 * `discard` (to close a connection nobody will use).
 */
export function awaitForeign<T, R = T>(
  g: GreenThread,
  what: string,
  start: () => PromiseLike<T>,
  wrap?: (value: T) => R,
  discard?: (value: T) => void,
): Promise<R> {
  if (hasPendingError(g)) return deliverPending(g);
  const park = newPark(g, what);
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
        wakeWithError(park, error);
        return;
      }
      wake(park, wrapped);
    },
    // After an interruption the wait already ended with the kill or
    // Timeout, so the operation's own error has nobody to go to.
    (error) => wakeWithError(park, error),
  );
  return suspend(park);
}

/**
 * Throws `error` (from `source`: a Timeout, or undefined for a kill) into
 * `g`: every park it waits in that is not yet woken rejects at once; if
 * there is none, the error is kept for its next switch point. Its signal
 * aborts either way.
 */
export function throwInto(g: GreenThread, error: unknown, source?: unknown): void {
  if (isDead(g)) return;
  interrupt(g, error);
  let delivered = false;
  for (const park of parksOf(g)) {
    if (interruptPark(park, error)) delivered = true;
  }
  if (delivered) interruptDelivered(g);
  else setPendingError(g, error, source);
}
