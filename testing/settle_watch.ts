/**
 * The settle watch: notices when the hub has nothing left to do but wait,
 * and then wakes `waitAllBlocked` callers or lets the mock clock jump.
 *
 * While it is needed (a mock clock with autojump is installed, or someone
 * waits in `waitAllBlocked`) it listens to the hub through an instrument:
 * every hook is activity. After activity it looks again in a macrotask
 * (`setImmediate`: one turn of Deno's event loop, no timer), when no
 * greenthread's code can be running, and asks how still the hub is
 * (stillness.ts). What happens next, as trio's run loop decides:
 *
 * - `waitAllBlocked` callers wake once every greenthread is parked and has
 *   been for their `cushion` real seconds (the smallest cushion first).
 * - The clock jumps to the next deadline at once when every greenthread is
 *   parked on a hub primitive, or after its threshold of real seconds with
 *   nothing running when some wait on the outside world.
 * - When both are due, the `waitAllBlocked` callers wake first.
 *
 * The one Deno timer it arms (to wait out a cushion or the threshold) is
 * cleared by activity's next look or when it is no longer needed, so
 * nothing is left behind for `deno test`'s sanitizers.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import type { Instrument } from "../hub/instruments.ts";
import { type GreenThread, type Park, ParkingLot, wake } from "../hub/lowlevel.ts";
import { BUSY, FOREIGN, PARKED_ON_HUB, StillnessTracker } from "./stillness.ts";

// Taken at module load, as hub/loop_budget.ts does: Deno loads setImmediate
// lazily, and that first load runs the microtask queue synchronously.
const setImmediate: (fn: () => void) => unknown = globalThis.setImmediate;
const clearImmediate: (handle: unknown) => void = globalThis.clearImmediate as (
  handle: unknown,
) => void;

/** What the watch needs from a mock clock to let it autojump. */
export interface Autojumper {
  /** Real seconds with nothing running before a jump, while some wait is on the outside. */
  readonly threshold: number;
  /** True while a hub timer is pending: there is a deadline to jump to. */
  canJump(): boolean;
  /** Moves the clock to the next deadline; the timers due then fire. */
  jumpToNext(): void;
}

/** `waitAllBlocked` callers; each park's data is its cushion in seconds. */
export const blockedWaiters: ParkingLot<number> = new ParkingLot<number>();

let autojumper: Autojumper | null = null;
/** performance.now() when the hub was first seen still since the last activity. */
let stillSince = NaN;
let lookPending: unknown = undefined;
let lookLater: ReturnType<typeof setTimeout> | undefined = undefined;
let listening = false;
const tracker = new StillnessTracker();

function activity(): void {
  stillSince = NaN;
  if (lookPending === undefined) lookPending = setImmediate(look);
}

function activityOf(gt: GreenThread): void {
  tracker.touch(gt);
  activity();
}

const listener: Instrument = {
  beforeSwitch: activityOf,
  afterSwitch: activityOf,
  completedAtOnce: activityOf,
  spawned: activityOf,
  ended: activityOf,
  parked: activityOf,
  woken: activityOf,
  timerArmed: activity,
  timerFired: activity,
};

/** Lets `clock` autojump (null: no autojump any more). */
export function setAutojumper(clock: Autojumper | null): void {
  autojumper = clock;
  update();
}

/** Starts or stops listening as the watch becomes needed or not; looks soon. */
export function update(): void {
  const needed = autojumper !== null || blockedWaiters.length > 0;
  if (needed && !listening) {
    listening = true;
    tracker.rescan();
    getHub().instruments.add(listener);
  }
  if (needed) {
    activity();
    return;
  }
  if (listening) {
    listening = false;
    getHub().instruments.remove(listener);
  }
  if (lookPending !== undefined) clearImmediate(lookPending);
  lookPending = undefined;
  if (lookLater !== undefined) clearTimeout(lookLater);
  lookLater = undefined;
  stillSince = NaN;
}

/** Seconds of cushion of the waiter who should wake first. */
function smallestCushion(): number {
  let smallest = Infinity;
  for (const park of blockedWaiters) smallest = Math.min(smallest, park.data!);
  return smallest;
}

function look(): void {
  lookPending = undefined;
  if (lookLater !== undefined) clearTimeout(lookLater);
  lookLater = undefined;
  if (autojumper === null && blockedWaiters.length === 0) {
    update();
    return;
  }
  const state = tracker.now();
  if (state === BUSY) {
    // The pump will run and its hooks bring us back; look again anyway, as
    // an entry that does nothing (an interrupted yield) calls no hook.
    activity();
    return;
  }
  const now = performance.now();
  if (Number.isNaN(stillSince)) stillSince = now;
  const stillMs = now - stillSince;
  const waitersAfter = blockedWaiters.length > 0 && state !== FOREIGN
    ? smallestCushion() * 1000
    : Infinity;
  const jumpAfter = autojumper !== null && autojumper.canJump()
    ? (state === PARKED_ON_HUB ? 0 : autojumper.threshold * 1000)
    : Infinity;
  if (waitersAfter === Infinity && jumpAfter === Infinity) return; // until activity
  if (waitersAfter <= jumpAfter) {
    if (stillMs >= waitersAfter) wakeWaiters(stillMs / 1000);
    else lookAfter(waitersAfter - stillMs);
  } else {
    if (stillMs >= jumpAfter) autojumper!.jumpToNext();
    else lookAfter(jumpAfter - stillMs);
  }
}

function lookAfter(ms: number): void {
  lookLater = setTimeout(look, Math.ceil(ms));
}

/** Wakes every waiter whose cushion has passed, first come first served. */
function wakeWaiters(stillSeconds: number): void {
  const due: Park<number>[] = [];
  for (const park of blockedWaiters) if (park.data! <= stillSeconds) due.push(park);
  for (const park of due) wake(park as Park, undefined);
  update();
}
