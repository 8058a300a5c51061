/**
 * Stillness: how the greenthreads wait once nothing is ready to run.
 *
 * The mock clock may jump at once only when nothing outside the hub could
 * wake anyone: every greenthread is parked on a hub primitive (sleep, an
 * Event, a Queue, a Semaphore, a pool, a pile, another greenthread) or has
 * not started yet. A greenthread waiting on a socket, a worker or a foreign
 * promise could be woken by the outside world at any moment, so then the
 * clock waits for its threshold instead (trio's rule). `waitAllBlocked`
 * needs less: every greenthread parked, on anything.
 *
 * Which parks are hub primitives is known by the name each switch point
 * gives its wait (`debug.formatGreenthreads` shows the same names). The
 * list is positive on purpose: a wait this file does not know counts as a
 * foreign one, which can only make the clock wait longer, never jump past
 * something the outside world was about to do.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import {
  type GreenThread,
  hubGreenlet,
  isDead,
  isStarted,
  mainGreenlet,
  PARKED,
  parksOf,
} from "../hub/lowlevel.ts";

/** Something is ready to run: the hub is not still. */
export const BUSY = 0;
/** Some greenthread is neither parked nor ready: it awaits a foreign promise. */
export const FOREIGN = 1;
/** Every greenthread is parked, some on I/O, a worker or a foreign promise. */
export const PARKED_ON_OUTSIDE = 2;
/** Every greenthread is parked on a hub primitive or has not started. */
export const PARKED_ON_HUB = 3;

/** One of the four states above. */
export type Stillness =
  | typeof BUSY
  | typeof FOREIGN
  | typeof PARKED_ON_OUTSIDE
  | typeof PARKED_ON_HUB;

/**
 * The waits that only the hub can end (by a timer or another greenthread),
 * as named by their switch points in green/ and hub/. A name is matched
 * whole, or up to its first space ("GreenPool.imap room").
 */
const HUB_WAITS = new Set([
  "sleep",
  "Event.wait",
  "Queue.get",
  "Queue.put",
  "Queue.join",
  "Semaphore.acquire",
  "CappedSemaphore.acquire",
  "CappedSemaphore.release",
  "GreenPool.spawn",
  "GreenPool.waitall",
  "GreenPool.imap",
  "GreenPile.next",
  "GreenThread.wait",
  "GreenThread.kill",
  "waitAllBlocked",
]);

/** True if a park named `what` can only be ended by the hub. */
export function isHubWait(what: string): boolean {
  if (HUB_WAITS.has(what)) return true;
  const space = what.indexOf(" ");
  return space > 0 && HUB_WAITS.has(what.slice(0, space));
}

/**
 * How `g` waits: PARKED_ON_HUB (on hub primitives only, or not started),
 * PARKED_ON_OUTSIDE (some park of it is foreign) or FOREIGN (no park: it
 * awaits something that is not a switch point). `idleWithoutPark`: the
 * hub's own greenthread, which has nothing to do while it holds no park.
 */
function waitOf(g: GreenThread, idleWithoutPark: boolean): Stillness {
  if (!isStarted(g)) return PARKED_ON_HUB; // a spawnAfter not yet due
  let parked = false;
  let outside = false;
  for (const park of parksOf(g)) {
    if (park.state !== PARKED) continue; // woken: it sits in the run queue
    parked = true;
    if (!isHubWait(park.what)) outside = true;
  }
  if (!parked) return idleWithoutPark ? PARKED_ON_HUB : FOREIGN;
  return outside ? PARKED_ON_OUTSIDE : PARKED_ON_HUB;
}

/**
 * Tells how still the hub is, cheaply enough to ask after every jump.
 *
 * A greenthread's wait changes only at an instrument hook (it starts,
 * resumes, parks, is woken, ends), so the tracker reclassifies only the
 * greenthreads `touch`ed since it last looked, and keeps the few that are
 * not parked on the hub alone. Measured: 1000 greenthreads sleeping to
 * 1000 distinct deadlines under autojump, a full scan at each look spent
 * 12-75 ms of the run in the scan; this, 1-8 ms (noisy machine).
 */
export class StillnessTracker {
  #dirty = new Set<GreenThread>();
  /** Spawned greenthreads that are not parked on the hub alone, with how they wait. */
  #unsettled = new Map<GreenThread, Stillness>();

  /** Forgets everything and classifies every live greenthread afresh. */
  rescan(): void {
    this.#dirty.clear();
    this.#unsettled.clear();
    for (const gt of getHub().greenthreads()) this.#note(gt);
  }

  /** Records that `gt`'s wait may have changed (an instrument hook about it). */
  touch(gt: GreenThread): void {
    this.#dirty.add(gt);
  }

  /**
   * The stillness of the hub now: BUSY while anything is ready, else the
   * least still of its greenthreads (the main one and the hub's own
   * included). Meant to run in a macrotask, when no greenthread's code is
   * running.
   */
  now(): Stillness {
    if (getHub().stats().ready > 0) return BUSY;
    for (const gt of this.#dirty) this.#note(gt);
    this.#dirty.clear();
    let least = Math.min(waitOf(mainGreenlet(), false), waitOf(hubGreenlet(), true)) as Stillness;
    for (const wait of this.#unsettled.values()) if (wait < least) least = wait;
    return least;
  }

  #note(gt: GreenThread): void {
    if (gt === mainGreenlet() || gt === hubGreenlet()) return; // looked at every time
    const wait = isDead(gt) ? PARKED_ON_HUB : waitOf(gt, false);
    if (wait === PARKED_ON_HUB) this.#unsettled.delete(gt);
    else this.#unsettled.set(gt, wait);
  }
}
