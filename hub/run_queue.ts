/**
 * RunQueue: the hub's one FIFO of ready entries, and the pump that runs them.
 *
 * - Everything ready waits here in one line: greenthreads to start, parked
 *   greenthreads to resume, due timers. A *pump* runs the entries that were
 *   queued when it began; entries queued meanwhile wait for the next pump.
 *   That is eventlet's "timers scheduled while firing go to the next pass",
 *   and it gives `sleep(0)` its round-robin order.
 * - Pumps run as microtasks (fast), but after about 1 ms without a turn of
 *   Deno's event loop the next pump lets the loop take a few dozen turns
 *   first (loop_budget.ts), so greenthreads that never block cannot starve
 *   sockets and timers.
 *
 * @module
 */

import { Fifo } from "./fifo.ts";
import { LoopBudget } from "./loop_budget.ts";

/**
 * The method key of a run-queue entry's step. A symbol, so that user code
 * holding an entry (a park's or a timer's object) cannot call its step by
 * name.
 */
export const RUN: unique symbol = Symbol("eventlet.run");

/** Something the pump can run: a park to resume, a group of starts, a timer. */
export interface Runnable {
  /** Does its step; called by the pump in run-queue order. */
  [RUN](): void;
}

/**
 * Hot path: `RESOLVED.then(fn)` queues `fn` as a promise job exactly where
 * `queueMicrotask(fn)` would, but Deno's queueMicrotask wraps each callback
 * to restore its async context (~130-180 ns against ~80 ns, measured here).
 */
export const RESOLVED: Promise<void> = Promise.resolve();

/** What a RunQueue tells its hub. */
export interface RunQueueHooks {
  /**
   * A pump begins (the blocking watchdog's heartbeat): the hub hands timers
   * that are due now to `scheduleDue`, to run before the queued entries.
   */
  pumping(): void;
  /** The event loop took its turns after a budget yield: fire due timers. */
  loopResumed(): void;
}

/** The hub's run queue and pump; see the module comment. */
export class RunQueue {
  #entries = new Fifo<Runnable>();
  /** Due heap timers: the next pump runs them before `#entries`. */
  #due = new Fifo<Runnable>();
  #pumpPending = false;
  #switches = 0;
  /** The newest entry, until a pump begins (see `newest`). */
  #newest: Runnable | null = null;
  /** Steps that joined entries not yet taken by a pump. */
  #joined = 0;
  /** Steps that joined entries the running pump took, whose entry has not run yet. */
  #takenJoined = 0;
  #hooks: RunQueueHooks;
  #budget: LoopBudget;

  constructor(hooks: RunQueueHooks) {
    this.#hooks = hooks;
    this.#budget = new LoopBudget(() => {
      hooks.loopResumed();
      this.#pump();
    });
  }

  /**
   * Entries waiting to run, each step that joined one counted as an entry
   * until its entry's turn (`ranJoined`).
   */
  get length(): number {
    return this.#entries.length + this.#due.length + this.#joined + this.#takenJoined;
  }

  /** Entries run so far (each step that joined one counted as an entry). */
  get switches(): number {
    return this.#switches;
  }

  /** Appends `entry`; a pump is requested if none is. */
  schedule(entry: Runnable): void {
    this.#entries.push(entry);
    this.#newest = entry;
    if (!this.#pumpPending) this.#requestPump();
  }

  /**
   * The newest entry while the pump it waits for is only requested (no pump
   * has begun since it was queued), else null. A step it takes on now runs
   * just where an entry of its own, queued now, would have run, and that
   * entry would have requested no pump of its own (greenthread_start.ts
   * `StartGroup`; tests/hub_start_batch_test.ts).
   */
  get newest(): Runnable | null {
    return this.#newest;
  }

  /** A step joined the newest entry: it counts as an entry of its own. */
  joinedNewest(): void {
    this.#joined++;
  }

  /** `k` steps that joined an entry this pump took are under way (its turn came). */
  ranJoined(k: number): void {
    this.#takenJoined -= k;
  }

  /** Queues a timer whose deadline passed: it runs before every entry. */
  scheduleDue(timer: Runnable): void {
    this.#due.push(timer);
    if (!this.#pumpPending) this.#requestPump();
  }

  /**
   * True when the thread has gone about 1 ms without a turn of Deno's event
   * loop: an operation that would complete at once must park for one turn.
   */
  budgetSpent(): boolean {
    return this.#budget.spent();
  }

  /**
   * Work begins in a callback of the event loop outside the pump (an I/O
   * completion resuming a greenlet at once): keeps the budget's loop-turn
   * stamp fresh, as a pump request does.
   */
  watchLoop(): void {
    this.#budget.watch();
  }

  /** A turn of the event loop happened at `now` (a Deno timer fired). */
  loopTurned(now: number): void {
    this.#budget.loopTurned(now);
  }

  #requestPump(): void {
    this.#pumpPending = true;
    this.#budget.watch();
    if (this.#budget.spent()) {
      this.#budget.yieldToLoop();
      return;
    }
    RESOLVED.then(this.#pump);
  }

  /** Runs the entries queued before it began; later ones wait for the next pump. */
  #pump = (): void => {
    if (this.#budget.yieldPending) {
      this.#budget.yieldToLoop();
      return;
    }
    this.#pumpPending = false;
    // No pump is requested now: a spawn from a due timer must queue an entry
    // of its own (which requests the next pump right there), not join one
    // queued before this pump.
    this.#newest = null;
    this.#hooks.pumping();
    const due = this.#due;
    if (due.length > 0) {
      this.#switches += due.length;
      while (due.length > 0) due.shift()![RUN]();
    }
    // This pump runs the entries queued so far, due timers' included; what
    // is queued from now on waits for the next pump, so nothing may join
    // an entry this pump took (a spawn joining it would start a pump early).
    const entries = this.#entries;
    let n = entries.length;
    this.#newest = null;
    this.#switches += n + this.#joined;
    this.#takenJoined += this.#joined; // still ready until their entry's turn
    this.#joined = 0;
    while (n-- > 0) entries.shift()![RUN]();
  };
}
