/**
 * HubTimer: one entry of the hub's timer heap — a callback the hub calls
 * at a deadline, cancellable until then.
 *
 * Every timed thing but a park's deadline is one: a `Timeout`, a
 * `spawnAfter`, and behind each user `Timer` (`hub.scheduleCall*`,
 * user_timer.ts) one of these. A park with a deadline (sleep, wait
 * timeouts) is an entry of the timer heap itself (park.ts), so a parked
 * greenthread holds no HubTimer. It is internal and small on purpose: a
 * `Timeout` per request holds one.
 *
 * A due timer runs at its place in the hub's run queue (due heap timers
 * ahead of the ready entries, as in eventlet's hub); its callback runs
 * right there, in the pump: it may only resume or throw into greenlets
 * (which settles promises) or queue a microtask.
 *
 * @module
 */

import { activeInstruments } from "./instruments.ts";
import { RUN } from "./run_queue.ts";
import type { TimerEntry } from "./timer_heap.ts";

/** What a timer (or a park's deadline) tells the queue that holds it. */
export interface TimerHost {
  /** Called once when a pending timer is cancelled. */
  timerCancelled(timer: TimerEntry): void;
  /** Called once when a timer fires. */
  timerFired(timer: TimerEntry): void;
}

// Bits of #state: its outcome, and IN_HEAP while it waits in the heap
// (false for a zero delay, which goes straight to the run queue).
const FIRED = 1;
const CANCELLED = 2;
const IN_HEAP = 4;

/**
 * The TimerQueue every timer reports to: a thread has one, so it is a
 * module variable rather than a field (8 B less per parked greenthread,
 * bench/compare/parked_memory_ours.ts).
 */
let host: TimerHost;

/** A scheduled internal call; see the module comment. */
export class HubTimer implements TimerEntry {
  /**
   * When it is due, on the hub's clock (milliseconds; `performance.now()`
   * unless a mock clock is installed). Moved only when the clock is swapped.
   */
  deadline: number;
  /** Tie-break among equal deadlines: scheduling order. */
  readonly seq: number;
  /** The delay it was scheduled with, in seconds (listings show time in state). */
  readonly seconds: number;
  #callback: (arg: never) => void;
  #arg: unknown;
  #state = 0;

  constructor(
    queue: TimerHost,
    seconds: number,
    deadline: number,
    seq: number,
    callback: (arg: never) => void,
    arg: unknown,
  ) {
    host = queue;
    this.seconds = seconds;
    this.deadline = deadline;
    this.seq = seq;
    this.#callback = callback;
    this.#arg = arg;
  }

  /** True while it still counts as scheduled (not fired, not cancelled). */
  get live(): boolean {
    return (this.#state & (FIRED | CANCELLED)) === 0;
  }

  /** True while it waits in the heap. */
  get inHeap(): boolean {
    return (this.#state & IN_HEAP) !== 0;
  }
  set inHeap(value: boolean) {
    this.#state = value ? this.#state | IN_HEAP : this.#state & ~IN_HEAP;
  }

  /** Stops the call if it has not happened yet. Cancelling twice is harmless. */
  cancel(): void {
    if (!this.live) return;
    this.#state |= CANCELLED;
    host.timerCancelled(this);
  }

  /** What it will call and with what, for `debug.formatHubTimers`. */
  describe(): { callback: (arg: never) => void; argument: unknown } {
    return { callback: this.#callback, argument: this.#arg };
  }

  /** Fires it: called by the hub's pump at its place in the run queue. */
  [RUN](): void {
    if (!this.live) return;
    this.#state |= FIRED;
    host.timerFired(this);
    const instruments = activeInstruments;
    if (instruments !== null) instruments.timerFired(this.deadline / 1000);
    (this.#callback as (arg: unknown) => void)(this.#arg);
  }
}
