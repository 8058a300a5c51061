/**
 * A park: one wait of one greenlet at one switch point.
 *
 * Every switch point of this package (sleep, Event.wait, Queue.get, …) makes
 * a `Park`, hands its promise to the greenlet, and resolves or rejects it
 * later from the hub's run queue. The park is also the node of the waiter
 * list it waits in (intrusive links: no allocation to enqueue, O(1) removal
 * when a kill or timeout takes it out of the middle of the line).
 *
 * States: PARKED (waiting) → WAKING (its outcome is decided and it sits in
 * the run queue) → DONE (its promise is settled); `sleep(0)` starts at
 * YIELDING (queued, nothing decided). A throw (kill, Timeout) interrupts a
 * PARKED or YIELDING park: once WAKING, the effect happened (an item was
 * handed over, a permit acquired) and the error waits for the greenlet's
 * next switch point instead.
 *
 * @module
 */

import type { Greenlet } from "./greenlet.ts";
import type { Timer } from "./timer.ts";

/** Waiting; a throw may interrupt it. */
export const PARKED = 0;
/** Outcome decided, queued to resume; a throw becomes a pending error. */
export const WAKING = 1;
/** Promise settled. */
export const DONE = 2;
/**
 * Queued to resume from `sleep(0)`: nothing happened yet, so a throw may
 * still interrupt it (then its run-queue entry does nothing).
 */
export const YIELDING = 3;

/** A FIFO line of parks (waiters of an Event, a Queue, a Semaphore, …). */
export class WaiterList {
  head: Park | null = null;
  tail: Park | null = null;
  length = 0;

  /** Appends `park` at the back of the line. */
  push(park: Park): void {
    park.list = this;
    park.prev = this.tail;
    park.next = null;
    if (this.tail === null) this.head = park;
    else this.tail.next = park;
    this.tail = park;
    this.length++;
  }

  /** Removes and returns the front park, or null when the line is empty. */
  shift(): Park | null {
    const park = this.head;
    if (park !== null) this.remove(park);
    return park;
  }

  /** Takes `park` out of the line, wherever it stands. */
  remove(park: Park): void {
    if (park.list !== this) return;
    if (park.prev === null) this.head = park.next;
    else park.prev.next = park.next;
    if (park.next === null) this.tail = park.prev;
    else park.next.prev = park.prev;
    park.list = park.prev = park.next = null;
    this.length--;
  }

  /** Iterates the parks from front to back (do not remove while iterating). */
  *[Symbol.iterator](): IterableIterator<Park> {
    for (let p = this.head; p !== null; p = p.next) yield p;
  }
}

/** One greenlet waiting at one switch point; see the module comment. */
export class Park {
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
  timer: Timer | null = null;
  /** Payload of the primitive that owns it (the item a putter offers, …). */
  data: unknown = undefined;
  /**
   * Called when a kill or Timeout interrupts the wait (not on a normal
   * wake-up or a deadline): lets the owner abandon work done on its behalf.
   */
  onInterrupt: ((park: Park) => void) | null = null;
  /** The waiter list it stands in, and its neighbours there. */
  list: WaiterList | null = null;
  prev: Park | null = null;
  next: Park | null = null;

  constructor(
    /** The greenlet that waits. */
    readonly greenlet: Greenlet,
    /** What it waits on, for `debug.formatGreenthreads` ("sleep", "Queue.get"). */
    readonly what: string,
  ) {}

  /**
   * Settles the promise with the decided outcome. Called by the hub's pump,
   * in run-queue order, so greenlets resume in the order they were woken.
   */
  run(): void {
    if (this.state === DONE) return; // interrupted while queued (sleep(0))
    this.state = DONE;
    if (this.timer !== null) this.timer.cancel();
    this.greenlet.unpark(this);
    if (this.rejects) this.reject(this.value);
    else this.resolve(this.value);
  }
}

function noop(): void {}
