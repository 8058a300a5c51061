/**
 * A binary min-heap of timers ordered by (deadline, seq).
 *
 * Cancelled timers stay in the heap until they reach the top or a
 * compaction sweeps them out (as eventlet's hub does), so cancelling is
 * O(1) and a wait that finishes early costs nothing more.
 *
 * @module
 */

import type { HubTimer as Timer } from "./hub_timer.ts";

function before(a: Timer, b: Timer): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

/** Min-heap of timers, earliest deadline (then earliest scheduled) first. */
export class TimerHeap {
  #items: Timer[] = [];

  /** How many timers it holds, cancelled ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest timer, or undefined. */
  peek(): Timer | undefined {
    return this.#items[0];
  }

  /** Adds a timer. */
  push(timer: Timer): void {
    const items = this.#items;
    let i = items.length;
    items.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = timer;
  }

  /** Removes and returns the earliest timer. */
  pop(): Timer | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) this.#siftDown(0, last);
    return top;
  }

  /** Drops every timer that is no longer live. */
  compact(): void {
    const live = this.#items.filter((t) => t.live);
    this.#items = [];
    for (const timer of live) this.push(timer);
  }

  /**
   * Moves every deadline by `ms` (a clock swap): the order stays, so the
   * heap stays a heap.
   */
  shift(ms: number): void {
    if (ms === 0) return;
    for (const timer of this.#items) timer.deadline += ms;
  }

  /** Drops everything. */
  clear(): void {
    this.#items = [];
  }

  /** The timers in no particular order (for debugging listings). */
  toArray(): Timer[] {
    return this.#items.slice();
  }

  #siftDown(i: number, timer: Timer): void {
    const items = this.#items;
    const n = items.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(items[child + 1], items[child])) child++;
      if (!before(items[child], timer)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = timer;
  }
}
