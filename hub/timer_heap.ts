/**
 * A binary min-heap of timer entries ordered by (deadline, seq).
 *
 * An entry is a `HubTimer` or a `Park` that carries its own deadline
 * (park.ts): both have the same `deadline`/`seq`/`live` shape.
 * Cancelled entries stay in the heap until they reach the top or a
 * compaction sweeps them out (as eventlet's hub does), so cancelling is
 * O(1) and a wait that finishes early costs nothing more. The one entry
 * taken out from the middle is a park whose deadline is set again while
 * it waits (`sendall` renews it per write): `remove`, O(n), rare.
 *
 * @module
 */

import type { Runnable } from "./run_queue.ts";

/** What the heap and the timer queue need of an entry. */
export interface TimerEntry extends Runnable {
  /** When it is due (ms on the hub's clock); moved only by a clock swap. */
  deadline: number;
  /** Tie-break among equal deadlines: scheduling order. */
  readonly seq: number;
  /** The delay it was set with, in seconds. */
  readonly seconds: number;
  /** True while it still counts as scheduled (not fired, not cancelled). */
  readonly live: boolean;
  /**
   * True while it waits in the heap. The queue sets it false when it moves
   * the entry into the run queue (due, or a zero delay).
   */
  inHeap: boolean;
  /** What it will call and with what, for `debug.formatHubTimers`. */
  describe(): { callback: (arg: never) => void; argument: unknown };
}

type Timer = TimerEntry;

function before(a: Timer, b: Timer): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

/** Min-heap of timer entries, earliest deadline (then earliest scheduled) first. */
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
    const i = items.length;
    items.push(timer);
    this.#siftUp(i, timer);
  }

  #siftUp(i: number, timer: Timer): void {
    const items = this.#items;
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

  /**
   * Takes `timer` out from wherever it is (O(n) search); false if it is
   * not in the heap.
   */
  remove(timer: Timer): boolean {
    const items = this.#items;
    const i = items.indexOf(timer);
    if (i < 0) return false;
    const last = items.pop()!;
    if (i === items.length) return true;
    if (i > 0 && before(last, items[(i - 1) >> 1])) this.#siftUp(i, last);
    else this.#siftDown(i, last);
    return true;
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
