/**
 * Snapshot: what the inspector knows about each greenthread and the hub.
 *
 * This is the one file of the inspector that reads the hub's internals (a
 * greenthread's parks, their deadline timers, the running greenlet), so a
 * change of those internals has one place to convert. Everything else in
 * `debug/inspect*.ts` works on the plain rows and counters made here.
 *
 * - State: `running` (the greenthread whose code runs now), `ready` (queued
 *   to start or resume), `parked` (waiting at a switch point), `foreign`
 *   (started, not parked: it awaits a promise that is not a switch point),
 *   `dead`. Deviation: a `sleep(0)` that took the hub's fast path (nothing
 *   else ready: it resumes within the same microtask checkpoint, with no
 *   park) shows as `foreign`, not `ready`, if another greenthread lists it
 *   in that instant. Marking it would cost every `sleep(0)` two writes on
 *   the hottest path. The inspector never sees that state: it samples
 *   from a timer and answers requests from Deno's event loop, both between
 *   checkpoints; and instruments or the blocking watchdog turn the fast
 *   path off.
 * - Time in state: exact for a wait with a deadline (its timer says when the
 *   wait began); otherwise counted from the first time the inspector saw the
 *   greenthread in that state, and marked as a lower bound. The hub records
 *   no start time for a wait, and stamping each park and wake-up through the
 *   hub's instruments costs too much to leave on: measured, it cut a
 *   two-greenthread `Queue` ping-pong to 0.31 of its rate.
 * - Deadline left: that of the wait itself (a sleep, a `get`/`wait` with a
 *   timeout). A `Timeout` around the wait keeps its greenthread to itself,
 *   so it is not shown here (`formatHubTimers()` lists it).
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import {
  captureSpawnSites,
  currentGreenlet,
  type GreenThread,
  isDead,
  isStarted,
  mainGreenlet,
  type Park,
  PARKED,
  parksOf,
  spawnSiteOf,
} from "../hub/lowlevel.ts";
import { hubTimerQueue } from "../hub/timer_queue.ts";

const hub = getHub();

/**
 * Now on the hub's clock, in ms: the clock its deadlines are on —
 * `performance.now()`, or the virtual time of an installed `MockClock`. Time
 * left and time in state are measured on it, so they stay right under the
 * mock clock.
 */
export function hubNow(): number {
  return hubTimerQueue().now();
}

/** The state of a greenthread, as the inspector shows it. */
export type GreenthreadState = "running" | "ready" | "parked" | "foreign" | "dead";

/** One greenthread, as a row of the inspector's table. */
export interface GreenthreadRow {
  /** Its id (0: the main greenthread). */
  id: number;
  /** Its name. */
  name: string;
  /** Its state. */
  state: GreenthreadState;
  /** What it is parked on ("sleep", "Queue.get"), or "" when not parked. */
  parkedOn: string;
  /** Seconds in this state, as far as known (see `inStateAtLeast`). */
  inState: number;
  /** True when `inState` is a lower bound (counted since first seen). */
  inStateAtLeast: boolean;
  /** Seconds left until its wait's deadline, or null when it has none. */
  deadlineLeft: number | null;
  /** Where it was spawned, when spawn sites are captured; else null. */
  site: string | null;
}

/** The hub's counters (as `hub.stats()`). */
export interface HubCounters {
  /** Run-queue entries (greenthreads to start or resume, due timers). */
  ready: number;
  /** Greenthreads parked at a switch point. */
  parked: number;
  /** Pending hub timers. */
  timers: number;
  /** Run-queue entries run so far. */
  switches: number;
}

/** The hub's counters, at O(1) cost. */
export function hubCounters(): HubCounters {
  const { ready, parked, timers, switches } = hub.stats();
  return { ready, parked, timers, switches };
}

/** The live greenthreads: the main one first, then the spawned ones, oldest first. */
export function liveGreenthreads(): GreenThread[] {
  const all = hub.greenthreads();
  all.unshift(mainGreenlet());
  return all;
}

/** The live greenthread with this id, or undefined. */
export function findGreenthread(id: number): GreenThread | undefined {
  if (id === 0) return mainGreenlet();
  return hub.greenthreads().find((g) => g.id === id);
}

/** A greenthread's name ("GreenThread-<id>" unless it was named). */
export function nameOf(g: GreenThread): string {
  return g.name;
}

/** Where a greenthread was spawned, or null when that was not captured. */
export function siteOf(g: GreenThread): string | null {
  return spawnSiteOf(g) ?? null;
}

/** True when spawn sites are being captured (`captureSpawnSites(true)`). */
export function spawnSitesCaptured(): boolean {
  return captureSpawnSites;
}

/** The greenthread whose code runs now (pass it to `stateOf` in a loop). */
export function runningGreenthread(): GreenThread {
  return currentGreenlet();
}

/**
 * The state of `g` and, when parked, the first park it waits in. In a walk
 * over many greenthreads, pass `running` (from `runningGreenthread()`):
 * asking for the current greenlet costs more than the rest of this check.
 */
export function stateOf(
  g: GreenThread,
  running: GreenThread = currentGreenlet(),
): { state: GreenthreadState; park: Park | null } {
  if (isDead(g)) return { state: "dead", park: null };
  if (g === running) return { state: "running", park: null };
  if (!isStarted(g)) return { state: "ready", park: null };
  const parks = parksOf(g);
  for (const park of parks) {
    if (park.state === PARKED) return { state: "parked", park };
  }
  return { state: parks.length > 0 ? "ready" : "foreign", park: null };
}

/** What `g` waits on: every park it is parked in, joined ("sleep", "Queue.get, sleep"). */
function parkedOn(g: GreenThread): string {
  return parksOf(g).filter((p) => p.state === PARKED).map((p) => p.what).join(", ");
}

/** The earliest pending deadline among `g`'s waits, in ms on the hub's clock. */
function deadlineOf(g: GreenThread): { due: number; began: number } | null {
  let best: { due: number; began: number } | null = null;
  for (const park of parksOf(g)) {
    const timer = park.timer;
    if (park.state !== PARKED || timer === null || !timer.live) continue;
    if (best === null || timer.deadline < best.due) {
      best = { due: timer.deadline, began: timer.deadline - timer.seconds * 1000 };
    }
  }
  return best;
}

// When the inspector first saw each greenthread in its present state: keyed
// by the park for a parked one (a new wait is a new state), by the state
// name otherwise. Weak, so ended greenthreads cost nothing.
const firstSeen = new WeakMap<GreenThread, { key: Park | string; since: number }>();

/** The row of one greenthread at `now` (ms on the hub's clock: `hubNow()`). */
export function describeGreenthread(g: GreenThread, now: number): GreenthreadRow {
  const { state, park } = stateOf(g);
  const deadline = state === "parked" ? deadlineOf(g) : null;
  const key: Park | string = park ?? state;
  let seen = firstSeen.get(g);
  if (seen === undefined || seen.key !== key) {
    seen = { key, since: now };
    firstSeen.set(g, seen);
  }
  // A wait whose deadline timer is the one found began when that timer was set.
  const exactStart = deadline !== null && park !== null && park.timer !== null
    ? deadline.began
    : null;
  return {
    id: g.id,
    name: nameOf(g),
    state,
    parkedOn: state === "parked" ? parkedOn(g) : "",
    inState: Math.max(0, (now - (exactStart ?? seen.since)) / 1000),
    inStateAtLeast: exactStart === null,
    deadlineLeft: deadline === null ? null : Math.max(0, (deadline.due - now) / 1000),
    site: siteOf(g),
  };
}
