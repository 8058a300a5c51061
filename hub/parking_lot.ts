/**
 * ParkingLot: the FIFO line a primitive's waiters stand in (trio's
 * ParkingLot), built on the parks of park.ts, whose module comment has the
 * recipe for a switch point that uses it.
 *
 * The line is intrusive: each park carries its own links, so joining the
 * line allocates nothing and a waiter a kill takes out of the middle
 * leaves in O(1).
 *
 * @module
 */

import type { GreenThread } from "./greenthread.ts";
import type { Deadline } from "./deadline.ts";
import { newPark, type Park, setDeadline, suspend, wake, wakeWithError } from "./park.ts";

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
