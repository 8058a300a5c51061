/**
 * The scheduler: this thread's run queue, timers, live greenthreads and
 * error reporting, as module state (one hub per thread, and a module
 * instance is per thread too).
 *
 * - One FIFO run queue holds everything ready: greenthreads to start,
 *   parked greenthreads to resume, zero-delay timers; heap timers that
 *   became due run ahead of it (run_queue.ts: the pump, and the loop
 *   budget that keeps sockets and timers from starving).
 * - Timers live in timer_queue.ts: one Deno timer armed for the earliest
 *   live deadline, none when no timer waits, so an idle hub keeps nothing
 *   open.
 * - The public face is `Hub` (hub.ts); the package's switch points use
 *   lowlevel.ts. Neither the scheduler nor those are exported to users.
 *
 * @module
 */

import type { GreenThread } from "./greenthread.ts";
import type { HubTimer } from "./hub_timer.ts";
import { activeInstruments, setInstrumentErrorReporter } from "./instruments.ts";
import { observeBlockWatch } from "./observed.ts";
import { LiveList } from "./live_list.ts";
import { type Runnable, RunQueue } from "./run_queue.ts";
import type { TimerEntry } from "./timer_heap.ts";
import { TimerQueue } from "./timer_queue.ts";

/** The error handler's signature: see `Hub.onError`. */
export type ErrorHandler = (error: unknown, greenthread?: GreenThread) => void;

/** Prints `error` (its stack) to stderr, naming the greenthread if any. */
function defaultOnError(error: unknown, greenthread?: GreenThread): void {
  const where = greenthread ? ` in greenthread ${greenthread.id}` : "";
  const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  console.error(`Uncaught error${where}: ${text}`);
}

let errorHandler: ErrorHandler = defaultOnError;

/** The hub's error handler (`hub.onError`). */
export function getErrorHandler(): ErrorHandler {
  return errorHandler;
}

/** Replaces the hub's error handler (`hub.onError = …`). */
export function setErrorHandler(handler: ErrorHandler): void {
  errorHandler = handler;
}

/**
 * Reports an error nobody else will see to the error handler; if the
 * handler itself throws, both errors go to stderr.
 */
export function reportError(error: unknown, greenthread?: GreenThread): void {
  try {
    errorHandler(error, greenthread);
  } catch (handlerError) {
    defaultOnError(handlerError);
    defaultOnError(error, greenthread);
  }
}
setInstrumentErrorReporter((error) => reportError(error));

// ------------------------------------------------------- blocking detection

/**
 * Shared with the blocking-detection watchdog (debug/blocking.ts):
 * [beats, blocked ms]. The pump bumps the beat; a non-zero blocked count is
 * reported at the next switch point. Null while detection is off.
 */
let blockWatch: Int32Array | null = null;
let onBlocked: ((greenthread: GreenThread | undefined, blockedMs: number) => void) | null = null;

/** Turns the watchdog's shared counters on (or off, with null). */
export function setBlockWatch(
  watch: Int32Array | null,
  onBlock: ((greenthread: GreenThread | undefined, blockedMs: number) => void) | null,
): void {
  blockWatch = watch;
  onBlocked = onBlock;
  observeBlockWatch(watch !== null);
}

/**
 * At a switch point of `g` (or as it ends): if the watchdog saw the thread
 * blocked, reports it, naming `g` — the one that ran until now (undefined:
 * the watchdog's idle beat, when no switch point claimed the episode).
 */
export function checkBlocked(g: GreenThread | undefined): void {
  if (blockWatch === null || blockWatch[1] === 0) return;
  const blockedMs = Atomics.exchange(blockWatch, 1, 0);
  if (blockedMs !== 0 && onBlocked !== null) onBlocked(g, blockedMs);
}

/** When true, spawns record where each greenthread was spawned. */
export let captureSpawnSites = false;

/** Turns spawn-site capture on or off (`debug.captureSpawnSites`). */
export function setCaptureSpawnSites(on: boolean): void {
  captureSpawnSites = on;
}

// ----------------------------------------------------------- run queue, timers

const runq = new RunQueue({
  pumping: () => {
    if (blockWatch !== null) blockWatch[0]++;
    // Due timers first: one clock read per pump, only while a timer waits.
    if (timers.waiting) timers.collectDue(performance.now());
  },
  loopResumed: () => {
    if (timers.waiting) timers.collectDue(performance.now());
  },
});
const timers: TimerQueue = new TimerQueue({
  schedule: (timer) => runq.schedule(timer),
  scheduleDue: (timer) => runq.scheduleDue(timer),
  loopTurned: (now) => runq.loopTurned(now),
});

/** Appends `entry` to the run queue. */
export function schedule(entry: Runnable): void {
  runq.schedule(entry);
}

/** The run queue's newest entry while steps may still join it, else null (run_queue.ts). */
export function newestEntry(): Runnable | null {
  return runq.newest;
}

/** A step joined the newest entry: it counts as an entry (run_queue.ts). */
export function joinedNewestEntry(): void {
  runq.joinedNewest();
}

/** `k` steps that joined an entry are under way (run_queue.ts). */
export function ranJoinedSteps(k: number): void {
  runq.ranJoined(k);
}

/**
 * A greenlet resumes from an event-loop callback, not from a pump (an I/O
 * completion: park.ts `wakeNow`). Keeps the loop budget's stamp of the
 * last loop turn fresh, as a pump request does; else, with the socket
 * traffic alone resuming greenthreads, the stamp goes stale and the next
 * operation that completes at once yields 32 loop turns for nothing (an
 * at-once `Queue.put` after each `recv`, a message every 2 ms from another
 * process: median 50-74 µs instead of 4-7 µs; tests/net_budget_test.ts).
 */
export function resumingOutsidePump(): void {
  runq.watchLoop();
}

/**
 * True when the thread has gone about 1 ms without a turn of Deno's event
 * loop: an operation that would complete at once must park for one turn.
 */
export function budgetSpent(): boolean {
  return runq.budgetSpent();
}

/**
 * Entries ready in the run queue, after moving due timers in as a pump
 * would (0: everything ready already sits in the microtask queue). The
 * sleep(0) fast path's test (switch_points.ts).
 */
export function readyCount(): number {
  if (timers.waiting) timers.collectDue(performance.now());
  return runq.length;
}

/**
 * Calls `callback(arg)` in the pump itself after `seconds` (0 or less: at
 * the next pump, behind what is ready). The callback may only resume or
 * throw into greenlets, or queue a microtask (hub_timer.ts).
 */
export function callLater<A>(seconds: number, callback: (arg: A) => void, arg: A): HubTimer {
  return timers.add(seconds, callback, arg);
}

/** The pending timers and parks' deadlines in due order (for `debug.formatHubTimers`). */
export function pendingTimers(): TimerEntry[] {
  return timers.pending();
}

// ------------------------------------------------------------------ counters

const live = new LiveList<GreenThread>();

/** Records a live spawned greenthread (and tells the instruments). */
export function register(gt: GreenThread): void {
  live.add(gt);
  const instruments = activeInstruments;
  if (instruments !== null) instruments.spawned(gt);
}

/** Forgets a greenthread that ended. */
export function unregister(gt: GreenThread): void {
  live.remove(gt);
}

/** The live spawned greenthreads, oldest first. */
export function liveGreenthreads(): GreenThread[] {
  return live.toArray();
}

/** Ready entries, pending timers and switches so far (`hub.stats()` adds parked). */
export function runCounters(): { ready: number; timers: number; switches: number } {
  return { ready: runq.length, timers: timers.live, switches: runq.switches };
}
