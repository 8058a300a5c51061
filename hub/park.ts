/**
 * Parking: how a switch point waits, and how it is woken.
 *
 * How to write a switch point (every operation a user awaits):
 * 1. `const g = currentGreenlet();` then, before anything else,
 *    `if (hasPendingError(g)) return deliverPending(g);` — a kill or
 *    Timeout that arrived while `g` was running surfaces here. (A measured
 *    hot path may test `pendingErrorCount === 0` instead and finish with
 *    `completedHere(v)`, looking `g` up only on its slow path: Queue.)
 * 2. Check arguments first; bad input throws synchronously.
 * 3. If it can complete now, return `completed(g, value)` or
 *    `failed(g, error)` — never a bare `Promise.resolve`/`reject`: every
 *    at-once outcome goes through `completed`/`failed`, which keep a loop of
 *    such calls from starving Deno's event loop (lowlevel.ts).
 * 4. Else park: `return lot.park(g, "Thing.op", data)` in the primitive's
 *    ParkingLot (parking_lot.ts), or `lot.parkFor(g, "Thing.op",
 *    resolveAfter(s, v))` with a deadline (deadline.ts). The waker calls
 *    `lot.wakeFirst(v)`, `wakeAll(v)` or `failAll(e)`; a kill or Timeout
 *    takes the park out of its lot by itself.
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
 * A park with a deadline is itself the entry of the hub's timer heap (it
 * owns no HubTimer: 80 B less per greenthread parked in `sleep(10)`,
 * bench/compare/parked_memory_ours.ts). When the deadline comes due, the
 * park enters the run queue marked DEADLINE_QUEUED and decides "timed out"
 * only at that turn, exactly as a timer's turn did: a wake-up that comes
 * after the deadline was collected but before the pump still wins. A
 * deadline set again while it waits (`sendall`, per write) takes the park's
 * old slot out of the heap; a stale run-queue turn of an old deadline finds
 * the new one in the heap and does nothing.
 *
 * A socket's read or write completion wakes its park with `wakeNow`: the
 * park resumes right there, in Deno's completion callback, not at its turn
 * in the run queue. So an I/O wake resumes ahead of the entries already in
 * the run queue (and during a loop-budget yield, while the run queue waits);
 * I/O wakes keep their own order, as run-queue entries keep theirs. Every
 * other wake goes through the run queue.
 *
 * @module
 */

import type { GreenThread } from "./greenthread.ts";
import { addPark, unpark } from "./greenlet_core.ts";
import { activeInstruments } from "./instruments.ts";
import { RUN } from "./run_queue.ts";
import { checkBlocked, resumingOutsidePump, schedule } from "./scheduler.ts";
import { atOnceObserved } from "./observed.ts";
import { type ArmableEntry, hubTimerQueue } from "./timer_queue.ts";
import type { ParkingLot } from "./parking_lot.ts";
import type { Deadline } from "./deadline.ts";

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

// Park.bits: the stage above in the low two bits, then the deadline's flags
// (bits of one field: each field costs every parked greenthread 8 B).
const STAGE = 3;
/** Its promise rejects with `value` (else resolves with it). */
const REJECTS = 4;
/** It has a deadline that has neither fired nor been cancelled. */
const DEADLINE_LIVE = 8;
/** Its deadline waits in the hub's timer heap. */
const IN_HEAP = 16;
/** Its deadline's turn sits in the run queue (came due, or a zero delay). */
const DEADLINE_QUEUED = 32;
/** It has an `onInterrupt` hook (in `interruptHooks`). */
const HAS_HOOK = 64;

/**
 * The `onInterrupt` hooks of the few parks that have one (a tpool call, a
 * server's wait): a field would cost every parked greenthread 8 B
 * (bench/compare/parked_memory_ours.ts).
 */
// deno-lint-ignore no-explicit-any
const interruptHooks = new WeakMap<Park<any>, (park: Park<any>) => void>();

let parkedCount = 0;

/** Greenthreads parked now (PARKED parks), for `hub.stats()`. */
export function parkedNow(): number {
  return parkedCount;
}

/**
 * A park's deadline as listings read it (`Park.timer`): a snapshot taken
 * when asked for.
 */
export interface ParkTimer {
  /** When it is due (ms on the hub's clock). */
  readonly deadline: number;
  /** The delay it was set with, in seconds. */
  readonly seconds: number;
  /** Always true: a park with no live deadline has no `timer`. */
  readonly live: boolean;
  /** Cancels the deadline (the wait goes on without one). */
  cancel(): void;
}

/** One greenlet waiting at one switch point; see the module comment. */
export class Park<D = unknown> implements ArmableEntry {
  /** Its stage (`state`) and its deadline's flags; see the constants above. */
  bits: number = PARKED;
  /**
   * The value to resolve with, or the error to reject with when `rejects`.
   * Before it is woken, a park with a deadline holds its timeout outcome here.
   */
  value: unknown = undefined;
  resolve: (value: unknown) => void = noop;
  reject: (error: unknown) => void = noop;
  /**
   * Its deadline on the hub's clock (ms), once one was set (`setDeadline`;
   * cancelled when it resumes). Not initialized to a number on purpose: a
   * park without a deadline then stores no boxed double.
   */
  deadline!: number;
  /** The delay of its deadline, in seconds. */
  seconds!: number;
  /** Its deadline's tie-break in the timer heap (scheduling order). */
  seq = 0;
  /** Payload of the primitive that owns it (the item a putter offers, …). */
  data: D | undefined = undefined;
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
   * Called when a kill or Timeout interrupts the wait (not on a normal
   * wake-up or a deadline): lets the owner abandon work done on its behalf.
   */
  // deno-lint-ignore no-explicit-any
  get onInterrupt(): ((park: Park<any>) => void) | null {
    return (this.bits & HAS_HOOK) === 0 ? null : interruptHooks.get(this) ?? null;
  }
  // deno-lint-ignore no-explicit-any
  set onInterrupt(hook: ((park: Park<any>) => void) | null) {
    if (hook === null) {
      this.bits &= ~HAS_HOOK;
      interruptHooks.delete(this);
    } else {
      this.bits |= HAS_HOOK;
      interruptHooks.set(this, hook);
    }
  }

  /** PARKED, WAKING, DONE or YIELDING (see the module comment). */
  get state(): number {
    return this.bits & STAGE;
  }
  set state(stage: number) {
    this.bits = (this.bits & ~STAGE) | stage;
  }

  /** True when its promise is to reject with `value` (a bit of `bits`: 8 B less). */
  get rejects(): boolean {
    return (this.bits & REJECTS) !== 0;
  }

  /** True while its deadline is pending (the timer heap's `live`). */
  get live(): boolean {
    return (this.bits & DEADLINE_LIVE) !== 0;
  }

  /** True while its deadline waits in the heap; false: moved to the run queue. */
  get inHeap(): boolean {
    return (this.bits & IN_HEAP) !== 0;
  }
  set inHeap(value: boolean) {
    this.bits = value ? this.bits | IN_HEAP : (this.bits & ~IN_HEAP) | DEADLINE_QUEUED;
  }

  /** Its pending deadline, or null (for listings, and to cancel it). */
  get timer(): ParkTimer | null {
    if ((this.bits & DEADLINE_LIVE) === 0) return null;
    return {
      deadline: this.deadline,
      seconds: this.seconds,
      live: true,
      cancel: () => {
        if ((this.bits & DEADLINE_LIVE) !== 0) cancelDeadline(this as Park);
      },
    };
  }

  /** What its deadline will do, for `debug.formatHubTimers`. */
  describe(): { callback: (arg: never) => void; argument: unknown } {
    return { callback: expire, argument: this };
  }

  /**
   * Settles the promise with the decided outcome. Called by the hub's pump,
   * in run-queue order, so greenlets resume in the order they were woken.
   * A turn marked DEADLINE_QUEUED is its deadline's instead (see the module
   * comment).
   */
  [RUN](): void {
    const bits = this.bits;
    if ((bits & DEADLINE_QUEUED) !== 0) {
      this.bits = bits & ~DEADLINE_QUEUED;
      // Still live and not set again (then it would be back in the heap).
      if ((bits & (DEADLINE_LIVE | IN_HEAP)) === DEADLINE_LIVE) expire(this as Park);
      return;
    }
    if ((bits & STAGE) === DONE) return; // interrupted while queued (sleep(0))
    resume(this as Park);
  }
}

/** Settles `park`'s promise now with its decided outcome. */
function resume(park: Park): void {
  const bits = park.bits;
  park.bits = (bits & ~STAGE) | DONE;
  if ((bits & DEADLINE_LIVE) !== 0) cancelDeadline(park);
  unpark(park.greenlet, park);
  const instruments = activeInstruments;
  if (instruments !== null) instruments.beforeSwitch(park.greenlet);
  if ((bits & REJECTS) !== 0) park.reject(park.value);
  else park.resolve(park.value);
}

function cancelDeadline(park: Park): void {
  park.bits &= ~DEADLINE_LIVE;
  hubTimerQueue().timerCancelled(park);
}

function noop(): void {}

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

/**
 * Gives `park` a deadline: when it passes, the wait ends as `deadline`
 * says. A park that has one gets the new one instead (`sendall` renews
 * its deadline per write).
 */
export function setDeadline(park: Park, deadline: Deadline): void {
  if (deadline.seconds === Infinity) return;
  park.value = deadline.value;
  park.bits = deadline.rejects ? park.bits | REJECTS : park.bits & ~REJECTS;
  if ((park.bits & DEADLINE_LIVE) !== 0) cancelDeadline(park);
  park.bits |= DEADLINE_LIVE;
  hubTimerQueue().arm(park, deadline.seconds);
}

/** Its deadline's turn in the pump: it fires, and ends the wait if still PARKED. */
function expire(park: Park): void {
  park.bits &= ~DEADLINE_LIVE;
  hubTimerQueue().timerFired(park);
  const instruments = activeInstruments;
  if (instruments !== null) instruments.timerFired(park.deadline / 1000);
  if (park.state !== PARKED) return; // woken meanwhile: its own turn resumes it
  park.lot?.remove(park);
  parkedCount--;
  if (instruments !== null) instruments.woken(park.greenlet, park.what);
  resume(park); // value and rejects hold the timeout outcome
}

/**
 * Decides that `park` resumes with `value` and queues it. False if it was
 * no longer waiting (interrupted or already woken).
 */
export function wake(park: Park, value: unknown): boolean {
  return decide(park, value, 0);
}

/**
 * As `wake`, for a waker that runs as a promise job of its own (a Deno I/O
 * completion): the park resumes now, not at its turn in the run queue. So
 * an I/O wake resumes ahead of the entries already in the run queue (their
 * order among themselves is kept, and so is the order of the I/O wakes).
 * It cannot starve Deno's event loop: the waker is one of that loop's own
 * callbacks, and it keeps the loop budget's stamp of the last loop turn
 * fresh as a pump request would (scheduler.ts `resumingOutsidePump`).
 * While an instrument or the blocking watchdog observes, it goes through
 * the run queue as `wake` does, so they see every switch.
 *
 * Hot path: no run-queue entry and no pump per recv/sendall
 * (fake-connection echo, C = 1000: JS CPU per round trip 0.78-0.81 of
 * `wake`'s; the real echo's ratio moved about 3 %, inside its noise).
 */
export function wakeNow(park: Park, value: unknown): boolean {
  if (atOnceObserved) return wake(park, value);
  const bits = park.bits;
  if ((bits & STAGE) !== PARKED) return false;
  resumingOutsidePump(); // keeps the loop budget's stamp fresh (scheduler.ts)
  park.bits = bits & ~REJECTS; // resume makes it DONE
  park.value = value;
  park.lot?.remove(park);
  parkedCount--;
  resume(park);
  return true;
}

/** As `wake`, but the park's promise rejects with `error`. */
export function wakeWithError(park: Park, error: unknown): boolean {
  return decide(park, error, REJECTS);
}

function decide(park: Park, value: unknown, rejects: number): boolean {
  const bits = park.bits;
  if ((bits & STAGE) !== PARKED) return false;
  park.bits = (bits & ~(STAGE | REJECTS)) | WAKING | rejects;
  park.value = value;
  park.lot?.remove(park);
  parkedCount--;
  const instruments = activeInstruments;
  if (instruments !== null) instruments.woken(park.greenlet, park.what);
  schedule(park);
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
  if ((park.bits & DEADLINE_LIVE) !== 0) cancelDeadline(park);
  unpark(park.greenlet, park);
  const instruments = activeInstruments;
  if (instruments !== null) instruments.woken(park.greenlet, park.what);
  if ((park.bits & HAS_HOOK) !== 0) park.onInterrupt!(park);
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
  park.bits = (interruptible ? YIELDING : WAKING) | (rejects ? REJECTS : 0);
  park.value = value;
  addPark(g, park);
  const instruments = activeInstruments;
  if (instruments !== null) instruments.afterSwitch(g);
  schedule(park);
  return suspend(park);
}
