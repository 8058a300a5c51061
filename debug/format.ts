/**
 * Listings for debugging: live greenthreads and pending hub timers.
 *
 * @module
 */

import {
  currentGreenlet,
  describeUserTimer,
  GreenThread,
  isDead,
  isStarted,
  mainGreenlet,
  Park,
  PARKED,
  parksOf,
  pendingTimers,
  setCaptureSpawnSites,
  spawnSiteOf,
} from "../hub/lowlevel.ts";
import { liveGreenthreads } from "../hub/scheduler.ts";
import { Timer } from "../hub/user_timer.ts";
import { hubNow } from "./snapshot.ts";

/**
 * Starts or stops recording where each greenthread is spawned (one stack
 * line, shown by `formatGreenthreads` and in blocking reports). Off by
 * default: taking a stack costs a few microseconds per spawn. (Beyond
 * eventlet's API; eventlet has `hub_timer_stacks` for timers.)
 *
 * @example
 * ```ts
 * import { captureSpawnSites, formatGreenthreads } from "@eventlet/eventlet/debug";
 * import { sleep, spawn } from "@eventlet/eventlet";
 * captureSpawnSites(true);
 * const gt = spawn(() => sleep(1));
 * await sleep(0);
 * console.log(formatGreenthreads()); // ... spawned at file:///...
 * await gt.kill();
 * captureSpawnSites(false);
 * ```
 */
export function captureSpawnSites(on: boolean): void {
  setCaptureSpawnSites(Boolean(on));
}

function secondsLeft(park: Park, now: number): string {
  if (park.timer === null || !park.timer.live) return "";
  const left = Math.max(0, (park.timer.deadline - now) / 1000);
  return ` (${left.toFixed(3)} s left)`;
}

/** State and wait of one greenlet: "parked on sleep (1.000 s left)". */
function describeState(g: GreenThread, now: number): string {
  if (isDead(g)) return "dead";
  if (g === currentGreenlet()) return "running";
  if (!isStarted(g)) return "ready (not started)";
  const parks = parksOf(g);
  const waiting = parks.filter((p) => p.state === PARKED);
  if (waiting.length > 0) {
    return "parked on " + waiting.map((p) => p.what + secondsLeft(p, now)).join(", ");
  }
  if (parks.length > 0) return `ready (woken from ${parks[0].what})`;
  return "running (awaiting a promise that is not a switch point)";
}

/**
 * One line per live greenthread (the main one first): id, name, state
 * (ready, running, parked, dead), what it is parked on — the switch point,
 * with the time left for a sleep or a timeout — and where it was spawned
 * when `captureSpawnSites(true)` is on.
 *
 * @example
 * ```ts
 * import { formatGreenthreads } from "@eventlet/eventlet/debug";
 * import { Event, sleep, spawn } from "@eventlet/eventlet";
 * const evt = new Event();
 * const gt = spawn(() => evt.wait());
 * gt.name = "waiter";
 * await sleep(0);
 * console.log(formatGreenthreads());
 * // #0 "main" running
 * // #1 "waiter" parked on Event.wait
 * evt.send();
 * await gt.wait();
 * ```
 */
export function formatGreenthreads(): string {
  const now = hubNow();
  const all = [mainGreenlet(), ...liveGreenthreads()];
  return all.map((g) => {
    const site = spawnSiteOf(g);
    return `#${g.id} "${g.name}" ${describeState(g, now)}` +
      (site === undefined ? "" : ` — spawned at ${site}`);
  }).join("\n");
}

/**
 * The pending hub timers in due order, one per line: due time from now,
 * and what fires (a greenthread's wake-up or deadline, a Timeout, a
 * scheduled callback).
 *
 * @example
 * ```ts
 * import { formatHubTimers } from "@eventlet/eventlet/debug";
 * import { getHub } from "@eventlet/eventlet/hub";
 * const t = getHub().scheduleCallGlobal(5, function flush() {});
 * console.log(formatHubTimers());
 * // TIMERS:
 * // in 5.000 s: flush()
 * t.cancel();
 * ```
 */
export function formatHubTimers(): string {
  const now = hubNow();
  const lines = pendingTimers().map((timer) => {
    const due = Math.max(0, (timer.deadline - now) / 1000).toFixed(3);
    return `in ${due} s: ${describeTimer(timer.describe())}`;
  });
  return ["TIMERS:", ...lines].join("\n");
}

function describeTimer({ callback, argument }: { callback: { name: string }; argument: unknown }) {
  if (argument instanceof Timer) {
    const { callback, owner } = describeUserTimer(argument);
    return `${callback}()` + (owner === null ? "" : ` (local to #${owner.id})`);
  }
  if (argument instanceof Park) {
    return `deadline of #${argument.greenlet.id} "${argument.greenlet.name}" in ${argument.what}`;
  }
  if (argument instanceof Error && argument.name === "Timeout") {
    return `${argument.message} (a Timeout)`;
  }
  if (argument instanceof GreenThread) return `start of #${argument.id} "${argument.name}"`;
  return `${callback.name || "anonymous"}()`;
}
