/**
 * The free items of a Pool, in hand-out order, with db_pool's lifetimes.
 *
 * An item idle longer than `maxIdle`, or older than `maxAge`, is stale: it
 * is never handed out again, and ONE hub timer, armed for the earliest
 * moment a free item goes stale, discards it even when nothing else happens
 * in the pool (eventlet's db_pool does the same with one self-rescheduling
 * timer). The timer exists only while free items can go stale, so a pool
 * whose items are all out keeps no timer pending.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";

/** One item of a pool, with the times db_pool's lifetimes need (ms, `performance.now()`). */
export class Entry<T> {
  /** The item itself. */
  readonly value: T;
  /** When it was created. */
  readonly createdAt: number;
  /** When it was last put back (or created). */
  usedAt: number;
  /** The next entry out of the pool with an equal `value` (primitives may repeat). */
  twin: Entry<T> | null = null;

  constructor(value: T, now: number) {
    this.value = value;
    this.createdAt = now;
    this.usedAt = now;
  }
}

/** Hand-out order and lifetimes of a FreeItems. */
export interface FreeItemsOptions<T> {
  /** Oldest first (true) or most recently put first (false). */
  fifo: boolean;
  /** Idle lifetime in ms (Infinity: none). */
  maxIdleMs: number;
  /** Total lifetime in ms (Infinity: none). */
  maxAgeMs: number;
  /** Called with each entry that went stale while free (already removed). */
  discard: (entry: Entry<T>) => void;
}

/** The free list of a Pool; see the module comment. */
export class FreeItems<T> {
  #items: Entry<T>[] = [];
  #fifo: boolean;
  #maxIdleMs: number;
  #maxAgeMs: number;
  #discard: (entry: Entry<T>) => void;
  /** True when items can go stale at all (a lifetime is set). */
  readonly expires: boolean;
  // A hub timer (only its cancel() is needed here).
  #timer: { cancel(): void } | null = null;
  #timerDue = Infinity;

  constructor(options: FreeItemsOptions<T>) {
    this.#fifo = options.fifo;
    this.#maxIdleMs = options.maxIdleMs;
    this.#maxAgeMs = options.maxAgeMs;
    this.#discard = options.discard;
    this.expires = options.maxIdleMs !== Infinity || options.maxAgeMs !== Infinity;
  }

  /** How many items are free. */
  get length(): number {
    return this.#items.length;
  }

  /** The clock lifetimes use, or 0 when none is set (saves a call per get/put). */
  now(): number {
    return this.expires ? performance.now() : 0;
  }

  /** When `entry` goes stale, were it free from now on. */
  staleAt(entry: Entry<T>): number {
    return Math.min(entry.usedAt + this.#maxIdleMs, entry.createdAt + this.#maxAgeMs);
  }

  /** True if `entry`, just put back at `now`, may not be kept at all. */
  staleOnReturn(entry: Entry<T>, now: number): boolean {
    return this.#maxIdleMs === 0 || entry.createdAt + this.#maxAgeMs <= now;
  }

  /** Adds `entry`, put back at `now`. */
  add(entry: Entry<T>, now: number): void {
    entry.usedAt = now;
    this.#items.push(entry);
    if (this.expires) {
      const due = this.staleAt(entry);
      if (due < this.#timerDue) this.#arm(due, now);
    }
  }

  /**
   * The next free entry to hand out, or null; stale ones met on the way are
   * discarded (the timer may not have fired yet).
   */
  take(now: number): Entry<T> | null {
    const items = this.#items;
    for (;;) {
      const entry = (this.#fifo ? items.shift() : items.pop()) ?? null;
      if (entry === null) {
        this.#disarm();
        return null;
      }
      if (!this.expires) return entry;
      if (items.length === 0) this.#disarm();
      if (this.staleAt(entry) > now) return entry;
      this.#discard(entry);
    }
  }

  /**
   * Removes up to `count` entries, those that would be handed out last
   * first, and returns them (for a shrinking resize).
   */
  trim(count: number): Entry<T>[] {
    const items = this.#items;
    const n = Math.min(count, items.length);
    const removed = this.#fifo ? items.splice(items.length - n, n) : items.splice(0, n);
    if (items.length === 0) this.#disarm();
    return removed;
  }

  /** Removes and returns every entry, and stops the timer (for close). */
  drain(): Entry<T>[] {
    const all = this.#items;
    this.#items = [];
    this.#disarm();
    return all;
  }

  #arm(due: number, now: number): void {
    this.#timer?.cancel();
    this.#timerDue = due;
    this.#timer = getHub().scheduleCallGlobal((due - now) / 1000, this.#sweep);
  }

  #disarm(): void {
    if (this.#timer === null) return;
    this.#timer.cancel();
    this.#timer = null;
    this.#timerDue = Infinity;
  }

  /** The timer fired: discard what went stale, re-arm for the next one. */
  #sweep = (): void => {
    this.#timer = null;
    this.#timerDue = Infinity;
    const now = performance.now();
    const keep: Entry<T>[] = [];
    const stale: Entry<T>[] = [];
    let next = Infinity;
    for (const entry of this.#items) {
      const due = this.staleAt(entry);
      if (due <= now) {
        stale.push(entry);
      } else {
        keep.push(entry);
        if (due < next) next = due;
      }
    }
    this.#items = keep;
    if (next !== Infinity) this.#arm(next, now);
    for (const entry of stale) this.#discard(entry);
  };
}
