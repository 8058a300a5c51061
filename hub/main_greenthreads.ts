/**
 * The two greenthreads the hub makes itself, and which one is running.
 *
 * - The thread's main greenthread (id 0): top-level code runs in it.
 * - The hub's own (id -1): hub timer callbacks run in it.
 *
 * Both are made here on first use, so `currentGreenlet()` is a GreenThread
 * whatever part of the package was imported first.
 *
 * @module
 */

import { currentCarried } from "./current.ts";
import { markStarted } from "./greenlet_core.ts";
import { GreenThread } from "./greenthread.ts";

let main: GreenThread | undefined;
let hubOwn: GreenThread | undefined;

/** The main or hub greenthread: it is already running when first asked for. */
function special(id: number): GreenThread {
  const gt = new GreenThread(null, null, undefined, id);
  markStarted(gt);
  return gt;
}

/** The running greenthread, or the thread's main greenthread outside any. */
export function currentGreenlet(): GreenThread {
  return (currentCarried() as GreenThread | undefined) ?? (main ??= special(0));
}

/** The thread's main greenthread (id 0: the one top-level code runs in). */
export function mainGreenlet(): GreenThread {
  return main ??= special(0);
}

/**
 * The hub's own greenthread (id -1): hub timer callbacks run in it, so a
 * switch point called there parks it, not the main greenthread (whose
 * kills and Timeouts it would otherwise take).
 */
export function hubGreenlet(): GreenThread {
  return hubOwn ??= special(-1);
}
