/**
 * Parking: how a switch point waits, and how it is woken.
 *
 * How to write a switch point (every operation a user awaits):
 * 1. `const g = currentGreenlet();` then, before anything else,
 *    `if (hasPendingError(g)) return deliverPending(g);` — a kill or
 *    Timeout that arrived while `g` was running surfaces here.
 * 2. Check arguments first; bad input throws synchronously.
 * 3. If it can complete now, return `completed(g, value)` or
 *    `failed(g, error)` — never a bare `Promise.resolve`/`reject`: every
 *    at-once outcome goes through `completed`/`failed`, which keep a loop of
 *    such calls from starving Deno's event loop (lowlevel.ts).
 * 4. Else park: `return lot.park(g, "Thing.op", data)` in the primitive's
 *    ParkingLot, or `lot.parkFor(g, "Thing.op", resolveAfter(s, v))` with a
 *    deadline. The waker calls `lot.wakeFirst(v)`, `wakeAll(v)` or
 *    `failAll(e)`; a kill or Timeout takes the park out of its lot by itself.
 * 5. Return the promise the helper gave, unwrapped (no `async` layer): the
 *    wake-up order of waiters is the order of their promises' reactions.
 *
 * A `Park` is one wait of one greenlet. States: PARKED (waiting) → WAKING
 * (its outcome is decided and it sits in the run queue) → DONE (its promise
 * is settled); `sleep(0)` starts at YIELDING (queued, nothing decided). A
 * throw (kill, Timeout) interrupts a PARKED or YIELDING park; once WAKING,
 * the effect happened (an item was handed over, a permit acquired) and the
 * error waits for the greenlet's next switch point instead. The park is
 * also the node of the lot it waits in (intrusive links: no allocation to
 * enqueue, O(1) removal when a kill takes it out of the middle of the line).
 *
 * @module
 */

import type { GreenThread } from "./greenthread.ts";
import { addPark, unpark } from "./greenlet_core.ts";
import type { HubTimer } from "./hub_timer.ts";
import { activeInstruments } from "./instruments.ts";
import { RUN } from "./run_queue.ts";
import { callLater, checkBlocked, schedule } from "./scheduler.ts";

/** Waiting; a throw may interrupt it. */
export const PARKED = 0;
/** Outcome decided, queued to resume; a throw becomes a pending error. */
const WAKING = 1;
/** Promise settled. */
export const DONE = 2;
/**
 * Queued to resume from `sleep(0)`: nothing happened yet, so a throw may
 * still interrupt it (then its run-queue entry does nothing).
 */
const YIELDING = 3;

let parkedCount = 0;

/** Greenthreads parked now (PARKED parks), for `hub.stats()`. */
export function parkedNow(): number {
  return parkedCount;
}

/** One greenlet waiting at one switch point; see the module comment. */
export class Park<D = unknown> {
  state: number = PARKED;
  /**
   * The value to resolve with, or the error to reject with when `rejects`.
   * Before it is woken, a park with a deadline holds its timeout outcome here.
   */
  value: unknown = undefined;
  rejects = false;
  resolve: (value: unknown) => void = noop;
  reject: (error: unknown) => void = noop;
  /** The deadline of a wait with a timeout (cancelled when it resumes). */
  timer: HubTimer | null = null;
  /** Payload of the primitive that owns it (the item a putter offers, …). */
  data: D | undefined = undefined;
  /**
   * Called when a kill or Timeout interrupts the wait (not on a normal
   * wake-up or a deadline): lets the owner abandon work done on its behalf.
   */
  // deno-lint-ignore no-explicit-any
  onInterrupt: ((park: Park<any>) => void) | null = null;
  /** The lot it stands in, and its neighbours there. */
  // deno-lint-ignore no-explicit-any
  lot: ParkingLot<any> | null = null;
  // deno-lint-ignore no-explicit-any
  prev: Park<any> | null = null;
  // deno-lint-ignore no-explicit-any
  next: Park<any> | null = null;

  constructor(
    /** The greenthread that waits. */
    readonly greenlet: GreenThread,
    /** What it waits on, for `debug.formatGreenthreads` ("sleep", "Queue.get"). */
    readonly what: string,
  ) {}

  /**
   * Settles the promise with the decided outcome. Called by the hub's pump,
   * in run-queue order, so greenlets resume in the order they were woken.
   */
  [RUN](): void {
    if (this.state === DONE) return; // interrupted while queued (sleep(0))
    this.state = DONE;
    if (this.timer !== null) this.timer.cancel();
    unpark(this.greenlet, this);
    const instruments = activeInstruments;
    if (instruments !== null) instruments.beforeSwitch(this.greenlet);
    if (this.rejects) this.reject(this.value);
    else this.resolve(this.value);
  }
}

function noop(): void {}

/** What a park resolves with, or rejects with, when its deadline passes. */
export interface Deadline {
  /** Seconds from now; `Infinity` means none. */
  readonly seconds: number;
  /** The value (or, when `rejects`, the error) the wait ends with. */
  readonly value: unknown;
  readonly rejects: boolean;
}

/** A deadline after which the wait resolves with `value`. */
export function resolveAfter(seconds: number, value?: unknown): Deadline {
  return { seconds, value, rejects: false };
}

/** A deadline after which the wait rejects with `error`. */
export function rejectAfter(seconds: number, error: unknown): Deadline {
  return { seconds, value: error, rejects: true };
}

// Hot path: one executor function for every park promise, fed through a
// module variable, so that parking allocates no closure.
let parking: Park;
function captureResolvers(resolve: (value: unknown) => void, reject: (error: unknown) => void) {
  parking.resolve = resolve;
  parking.reject = reject;
}

/**
 * Makes a PARKED park for `g` waiting on `what`, in no lot: for waits whose
 * waker holds the park itself (sleep, a foreign operation). Return
 * `suspend(park)`.
 */
export function newPark<D = undefined>(g: GreenThread, what: string): Park<D> {
  checkBlocked(g);
  const park = new Park<D>(g, what);
  addPark(g, park);
  parkedCount++;
  const instruments = activeInstruments;
  if (instruments !== null) {
    instruments.parked(g, what);
    instruments.afterSwitch(g);
  }
  return park;
}

/** The promise the parked greenlet awaits. */
export function suspend<T>(park: Park): Promise<T> {
  parking = park;
  return new Promise(captureResolvers) as Promise<T>;
}

/** Gives `park` a deadline: when it passes, the wait ends as `deadline` says. */
export function setDeadline(park: Park, deadline: Deadline): void {
  if (deadline.seconds === Infinity) return;
  park.value = deadline.value;
  park.rejects = deadline.rejects;
  park.timer = callLater(deadline.seconds, expire, park);
}

function expire(park: Park): void {
  if (park.state !== PARKED) return;
  park.lot?.remove(park);
  parkedCount--;
  park.timer = null; // value and rejects hold the timeout outcome
  const instruments = activeInstruments;
  if (instruments !== null) instruments.woken(park.greenlet, park.what);
  park[RUN](); // we are in the pump, at the timer's place in the queue
}

/**
 * Decides that `park` resumes with `value` and queues it. False if it was
 * no longer waiting (interrupted or already woken).
 */
export function wake(park: Park, value: unknown): boolean {
  if (park.state !== PARKED) return false;
  park.state = WAKING;
  park.value = value;
  park.rejects = false;
  park.lot?.remove(park);
  parkedCount--;
  const instruments = activeInstruments;
  if (instruments !== null) instruments.woken(park.greenlet, park.what);
  schedule(park);
  return true;
}

/** As `wake`, but the park's promise rejects with `error`. */
export function wakeWithError(park: Park, error: unknown): boolean {
  if (!wake(park, error)) return false;
  park.rejects = true;
  return true;
}

/**
 * Takes `park` out of its wait at once because an error is thrown into its
 * greenlet (kill, Timeout): it rejects now. False unless it was PARKED or
 * YIELDING.
 */
export function interruptPark(park: Park, error: unknown): boolean {
  if (park.state !== PARKED && park.state !== YIELDING) return false;
  if (park.state === PARKED) parkedCount--;
  park.state = DONE; // a YIELDING park's run-queue entry now does nothing
  park.lot?.remove(park);
  if (park.timer !== null) park.timer.cancel();
  unpark(park.greenlet, park);
  const instruments = activeInstruments;
  if (instruments !== null) instruments.woken(park.greenlet, park.what);
  if (park.onInterrupt !== null) park.onInterrupt(park);
  park.reject(error);
  return true;
}

/**
 * Queues `g` to resume with `value` (or to reject with it when `rejects`)
 * at its turn in the run queue. `interruptible`: a kill or Timeout
 * meanwhile rejects it at once (sleep(0)); else the outcome stands and the
 * error waits for the next switch point.
 */
export function queueResume<T>(
  g: GreenThread,
  what: string,
  value: unknown,
  rejects: boolean,
  interruptible: boolean,
): Promise<T> {
  checkBlocked(g);
  const park = new Park(g, what);
  park.state = interruptible ? YIELDING : WAKING;
  park.value = value;
  park.rejects = rejects;
  addPark(g, park);
  const instruments = activeInstruments;
  if (instruments !== null) instruments.afterSwitch(g);
  schedule(park);
  return suspend(park);
}

/**
 * A FIFO line of parked greenthreads (trio's ParkingLot): the waiters of an
 * Event, a Queue, a Semaphore, …; `D` is what each waiter leaves with its
 * park (the item a putter offers, …).
 *
 * - Waiters are woken first-come first-served, through the run queue.
 * - A waiter interrupted by a kill or Timeout, or whose deadline passed,
 *   leaves the line by itself; the wakers never see it.
 */
export class ParkingLot<D = undefined> {
  head: Park<D> | null = null;
  tail: Park<D> | null = null;
  length = 0;

  /** Parks `g` at the back of the line, waiting on `what`, with `data`. */
  park<T>(g: GreenThread, what: string, data?: D): Promise<T> {
    const park = newPark<D>(g, what);
    park.data = data;
    this.push(park);
    return suspend(park);
  }

  /** As `park`, with a deadline (`resolveAfter`/`rejectAfter`). */
  parkFor<T>(g: GreenThread, what: string, deadline: Deadline, data?: D): Promise<T> {
    const park = newPark<D>(g, what);
    park.data = data;
    this.push(park);
    setDeadline(park as Park, deadline);
    return suspend(park);
  }

  /** Wakes the front waiter with `value`; returns its park, or null if none. */
  wakeFirst(value?: unknown): Park<D> | null {
    const park = this.head;
    if (park !== null) wake(park as Park, value);
    return park;
  }

  /** Wakes every waiter with `value`, front first. */
  wakeAll(value?: unknown): void {
    for (let park = this.head; park !== null; park = this.head) wake(park as Park, value);
  }

  /** Wakes every waiter with `error` to reject with, front first. */
  failAll(error: unknown): void {
    for (let park = this.head; park !== null; park = this.head) wakeWithError(park as Park, error);
  }

  /** Appends a park made with `newPark` (for waits that set more up first). */
  push(park: Park<D>): void {
    park.lot = this;
    park.prev = this.tail;
    park.next = null;
    if (this.tail === null) this.head = park;
    else this.tail.next = park;
    this.tail = park;
    this.length++;
  }

  /** Takes `park` out of the line, wherever it stands. */
  remove(park: Park<D>): void {
    if (park.lot !== this) return;
    if (park.prev === null) this.head = park.next;
    else park.prev.next = park.next;
    if (park.next === null) this.tail = park.prev;
    else park.next.prev = park.prev;
    park.lot = park.prev = park.next = null;
    this.length--;
  }

  /** Iterates the parks from front to back (do not remove while iterating). */
  *[Symbol.iterator](): IterableIterator<Park<D>> {
    for (let p = this.head; p !== null; p = p.next) yield p;
  }
}
