/**
 * TimerQueue: the hub's timers, on one Deno timer.
 *
 * Timers wait in a heap; exactly one Deno timer is armed, for the earliest
 * live deadline. When no timer waits it is left armed but unref'd (it no
 * longer holds the process, and the next deadline may reuse it), so an idle
 * hub keeps the process alive for nothing. A due timer (and a zero-delay one at once)
 * joins the hub's run queue, so due timers, spawns and wake-ups share one
 * FIFO order, as in eventlet.
 *
 * The clock is injectable (testing/mock_clock.ts): while a virtual clock is
 * set, deadlines are on it and no Deno timer is armed at all; whoever moves
 * the virtual clock calls `collectDue`. With none set, the cost is one null
 * check per `add` and per clock read.
 *
 * @module
 */

import { HubTimer, type TimerHost } from "./hub_timer.ts";
import { activeInstruments } from "./instruments.ts";
import { type TimerEntry, TimerHeap } from "./timer_heap.ts";

/**
 * An entry that is armed in place (a park carrying its own deadline,
 * park.ts): the queue writes its key when it arms it.
 */
export interface ArmableEntry extends TimerEntry {
  deadline: number;
  seq: number;
  seconds: number;
}

/** Compact the heap past this many cancelled timers (as eventlet's hub). */
const COMPACT_THRESHOLD = 1000;
/** Deno clamps longer delays to 1 ms: arm for at most this, then re-arm. */
const MAX_DELAY_MS = 0x7fffffff;

/** A virtual clock the timers follow instead of `performance.now()`. */
export interface VirtualClock {
  /** Now, in milliseconds (the hub's clock: `performance.now()`'s scale). */
  nowMs: number;
}

/**
 * A delay in virtual milliseconds: whole microseconds, so that delays and
 * jumps in whole milliseconds add up exactly (0.7 * 1000 is not 700).
 */
export function secondsToVirtualMs(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

/**
 * The hub's queue: the first one made, by scheduler.ts at load (a thread
 * has one hub). The mock clock reaches it through `hubTimerQueue()`.
 */
let hubQueue: TimerQueue | null = null;

/** The queue of this thread's hub (for the mock clock, testing/, and parks' deadlines). */
export function hubTimerQueue(): TimerQueue {
  return hubQueue!;
}

/** The hooks a TimerQueue needs from its hub. */
export interface TimerQueueHooks {
  /** Puts a zero-delay timer in the run queue, behind what is ready. */
  schedule(timer: TimerEntry): void;
  /** Puts a heap timer whose deadline passed ahead of what is ready. */
  scheduleDue(timer: TimerEntry): void;
  /** The Deno timer fired: a turn of the event loop happened at `now`. */
  loopTurned(now: number): void;
}

/** The hub's timers; see the module comment. */
export class TimerQueue implements TimerHost {
  #hooks: TimerQueueHooks;
  #heap = new TimerHeap();
  #live = 0;
  /** Live timers waiting in the heap (zero-delay ones go to the run queue). */
  #liveInHeap = 0;
  #cancelledInHeap = 0;
  #seq = 0;
  #denoTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #denoTimerDeadline = Infinity;
  /** True while the Deno timer is armed but unref'd: no live timer waits. */
  #denoTimerIdle = false;
  /** The virtual clock the deadlines are on, or null for `performance.now()`. */
  #clock: VirtualClock | null = null;

  constructor(hooks: TimerQueueHooks) {
    this.#hooks = hooks;
    hubQueue ??= this;
  }

  /** Pending (uncancelled, unfired) timers. */
  get live(): number {
    return this.#live;
  }

  /** True while a timer waits in the heap (then a pump reads the clock). */
  get waiting(): boolean {
    return this.#liveInHeap > 0;
  }

  /** Now on the clock the deadlines are on (milliseconds). */
  now(): number {
    const clock = this.#clock;
    return clock === null ? performance.now() : clock.nowMs;
  }

  /** The earliest live deadline (milliseconds), Infinity when none waits. */
  nextDeadline(): number {
    return this.#top()?.deadline ?? Infinity;
  }

  /**
   * Puts the deadlines on `clock` (null: back on `performance.now()`). Each
   * pending timer keeps the time it had left; while a virtual clock is set
   * no Deno timer is armed.
   */
  setClock(clock: VirtualClock | null): void {
    const before = this.now();
    this.#clock = clock;
    this.#heap.shift(this.now() - before);
    if (this.#denoTimer !== undefined) clearTimeout(this.#denoTimer);
    this.#denoTimer = undefined;
    this.#denoTimerIdle = false;
    this.#denoTimerDeadline = Infinity;
    this.#arm();
  }

  /** Calls `callback(arg)` in the pump after `seconds` (0 or less: next pump). */
  add<A>(seconds: number, callback: (arg: A) => void, arg: A): HubTimer {
    const seq = this.#seq++;
    this.#live++;
    const fn = callback as (arg: never) => void;
    if (seconds <= 0) {
      const timer = new HubTimer(this, 0, 0, seq, fn, arg);
      this.#enterRunQueue(timer);
      return timer;
    }
    const timer = new HubTimer(this, seconds, this.#deadlineIn(seconds), seq, fn, arg);
    this.#enterHeap(timer);
    return timer;
  }

  /**
   * Arms `entry` (a park's deadline) to run in the pump after `seconds` (0
   * or less: next pump), as `add` does for a new HubTimer; its `[RUN]`
   * tells the queue `timerFired` or `timerCancelled`. An entry armed again
   * (a renewed deadline, cancelled first) leaves its old heap slot here.
   */
  arm(entry: ArmableEntry, seconds: number): void {
    if (entry.inHeap && this.#heap.remove(entry)) this.#cancelledInHeap--;
    entry.seq = this.#seq++;
    this.#live++;
    if (seconds <= 0) {
      entry.seconds = 0;
      entry.deadline = 0;
      this.#enterRunQueue(entry);
      return;
    }
    entry.seconds = seconds;
    entry.deadline = this.#deadlineIn(seconds);
    this.#enterHeap(entry);
  }

  /** The deadline `seconds` (> 0) from now on the hub's clock, in ms. */
  #deadlineIn(seconds: number): number {
    const clock = this.#clock;
    return clock === null
      ? performance.now() + seconds * 1000
      : clock.nowMs + secondsToVirtualMs(seconds);
  }

  /** Queues a zero-delay entry in the run queue, behind what is ready. */
  #enterRunQueue(entry: TimerEntry): void {
    const instruments = activeInstruments;
    if (instruments !== null) instruments.timerArmed(this.now() / 1000);
    entry.inHeap = false; // queued: see TimerEntry.inHeap
    this.#hooks.schedule(entry);
  }

  /** Puts an entry with its deadline set in the heap; re-arms the Deno timer if it is now first. */
  #enterHeap(entry: TimerEntry): void {
    const instruments = activeInstruments;
    if (instruments !== null) instruments.timerArmed(entry.deadline / 1000);
    entry.inHeap = true;
    this.#liveInHeap++;
    this.#heap.push(entry);
    if (entry.deadline < this.#denoTimerDeadline) this.#arm();
    else if (this.#denoTimerIdle) this.#holdProcess(true);
  }

  /**
   * Moves every timer due at `now` (real milliseconds; a virtual clock's
   * own time overrides it), in deadline order, to the run queue's due line.
   */
  collectDue(now: number): void {
    if (this.#clock !== null) now = this.#clock.nowMs;
    const heap = this.#heap;
    for (;;) {
      const top = heap.peek();
      if (top === undefined) break;
      if (!top.live) {
        heap.pop();
        this.#cancelledInHeap--;
        continue;
      }
      if (top.deadline > now) break;
      heap.pop();
      top.inHeap = false;
      this.#liveInHeap--;
      this.#hooks.scheduleDue(top);
    }
    this.#arm();
  }

  /** The pending timers in due order (for `debug.formatHubTimers`). */
  pending(): TimerEntry[] {
    return this.#heap.toArray().filter((t) => t.live).sort((a, b) =>
      a.deadline - b.deadline || a.seq - b.seq
    );
  }

  timerCancelled(timer: TimerEntry): void {
    this.#live--;
    if (!timer.inHeap) return;
    if (--this.#liveInHeap === 0) {
      // Nothing left to wait for: drop the heap and let the process exit.
      // Hot path: the Deno timer stays armed but unref'd, so that the next
      // deadline at or after it (a Timeout per request) needs no new one:
      // setTimeout + clearTimeout cost ~1.5 µs a pair, ref/unref ~50 ns
      // (bench/timeout_ratios.ts, idle hub).
      this.#heap.clear();
      this.#cancelledInHeap = 0;
      if (this.#denoTimer !== undefined) this.#holdProcess(false);
      return;
    }
    this.#cancelledInHeap++;
    if (
      this.#cancelledInHeap > COMPACT_THRESHOLD &&
      this.#cancelledInHeap * 2 > this.#heap.size
    ) {
      this.#heap.compact();
      this.#cancelledInHeap = 0;
    }
  }

  timerFired(_timer: TimerEntry): void {
    this.#live--; // it left the heap when it was collected
  }

  /** The earliest live timer, dropping cancelled ones from the top. */
  #top(): TimerEntry | undefined {
    const heap = this.#heap;
    let top = heap.peek();
    while (top !== undefined && !top.live) {
      heap.pop();
      this.#cancelledInHeap--;
      top = heap.peek();
    }
    return top;
  }

  /** Arms the one Deno timer for the earliest live deadline, or none. */
  #arm(): void {
    const top = this.#top();
    if (this.#clock !== null) return; // virtual time: whoever moves it collects
    if (top === undefined) {
      // Keep the armed Deno timer, unref'd (see timerCancelled).
      if (this.#denoTimer !== undefined) this.#holdProcess(false);
      return;
    }
    const deadline = top.deadline;
    if (deadline === this.#denoTimerDeadline) {
      if (this.#denoTimerIdle) this.#holdProcess(true);
      return;
    }
    if (this.#denoTimer !== undefined) clearTimeout(this.#denoTimer);
    this.#denoTimer = undefined;
    this.#denoTimerIdle = false;
    this.#denoTimerDeadline = deadline;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, Math.ceil(deadline - performance.now())));
    this.#denoTimer = setTimeout(this.#fire, delay);
  }

  /** Refs (true) or unrefs (false) the armed Deno timer. */
  #holdProcess(hold: boolean): void {
    if (this.#denoTimerIdle !== hold) return;
    this.#denoTimerIdle = !hold;
    if (hold) Deno.refTimer(this.#denoTimer as unknown as number);
    else Deno.unrefTimer(this.#denoTimer as unknown as number);
  }

  #fire = (): void => {
    this.#denoTimer = undefined;
    this.#denoTimerIdle = false;
    this.#denoTimerDeadline = Infinity;
    const now = performance.now();
    this.#hooks.loopTurned(now);
    this.collectDue(now);
  };
}
