/**
 * How a spawned greenthread starts, without an async frame of its own.
 *
 * Hot path (one start per spawn). A spawn joins the run queue's newest
 * entry when that entry is a `StartGroup` queued since the last pump began
 * (run_queue.ts `newest`; at most 64 starts each), else it queues a new
 * group. Nothing was queued between two starts of a group, so the group's
 * turn is exactly where their entries of their own would have been, one
 * after the other. At its turn the group queues one microtask, exactly
 * where `await undefined` in an async body would have queued the first
 * start (behind the greenthreads the pump resumed before it), and that
 * microtask starts them in order: each still runs before whatever the one
 * before it queued, as with a microtask each
 * (tests/hub_start_batch_test.ts). While an instrument watches (it can run
 * user code at each switch), every start gets a microtask of its own. The
 * function's promise, if it returns one, is followed by closure-free
 * callbacks that find their greenthread through the async context.
 * Measured (bench/compare, 100k spawn+wait): about 2x the rate of an async
 * body per greenthread, and ~415 fewer bytes per greenthread parked in
 * sleep (no Generator, registers, await closures or body promise kept per
 * greenthread).
 *
 * @module
 */

import { RESOLVED, RUN, type Runnable } from "./run_queue.ts";
import { Fifo } from "./fifo.ts";
import { currentCarried, runAs } from "./current.ts";
import { isDead } from "./greenlet_core.ts";
import { begin, type GreenThread, settle, takeSpawnContext } from "./greenthread.ts";
import { activeInstruments } from "./instruments.ts";
import {
  joinedNewestEntry,
  newestEntry,
  ranJoinedSteps,
  reportError,
  schedule,
} from "./scheduler.ts";

/**
 * The most starts one group makes. Uncapped, 100k spawns made one loop of
 * 100k starts, which V8 compiled on the stack (OSR) again and again: 100k
 * spawns then a wait for each, fresh processes (6 alternating, `taskset -c
 * 1`), rounds 2-6 took 730 ns per spawn against 538 with a microtask each;
 * capped at 64, 522-612 against 489-538, and the later rounds 226-230
 * against 312-341.
 */
const MAX_GROUP = 64;

/**
 * Greenthreads whose starts take one run-queue entry and one microtask.
 *
 * Hot path: before, each spawn was a run-queue entry of its own, and the
 * pump batched the starts of consecutive entries into microtasks of 64.
 * Joining the entry at spawn time skips a run-queue push and shift, the
 * pump's step and the batch's own queue per spawn. Both trees in one
 * process (`taskset -c 1`, 15 alternating rounds, run twice with either
 * tree loaded first), time per call after / before: spawn 1000 then wait
 * for each, 200k calls: 0.891 and 0.907; `GreenPool(1000).imap` over 200k
 * trivial calls: 0.878 and 0.929.
 */
class StartGroup implements Runnable {
  /** Its greenthreads in `[0, size)`; the other slots hold undefined. */
  readonly gts: (GreenThread | undefined)[] = new Array(MAX_GROUP);
  size = 0;

  /** Its turn in the run queue: queues the starts (see the module comment). */
  [RUN](): void {
    if (activeInstruments === null) {
      if (this.size > 1) ranJoinedSteps(this.size - 1);
      queuedGroups.push(this);
      RESOLVED.then(startNextGroup); // queueMicrotask, cheaper on Deno (see run_queue.ts)
      return;
    }
    for (let i = 0; i < this.size; i++) {
      if (i > 0) ranJoinedSteps(1); // as its own entry's turn would have
      startAlone(takeMember(this, i));
    }
    recycle(this);
  }
}

/** Groups whose microtask is queued, oldest first. */
const queuedGroups = new Fifo<StartGroup>();

/**
 * Empty groups kept for reuse, at most MAX_SPARE_GROUPS. Hot path: a
 * group and its array new for every 64 spawns pushed 100k spawns (then a
 * wait for each, fresh processes, `taskset -c 1`) over the young
 * generation's size into scavenges that copied the live greenthreads:
 * steady rounds 308-592 ns per spawn (median 376) against 168-237 (223)
 * before groups; reused, 140-213 (189).
 */
const spareGroups: StartGroup[] = [];
/** 131,072 starts' worth: what the run queue's ring kept after 100k spawns before. */
const MAX_SPARE_GROUPS = 2048;

/** An empty group: a spare one, or a new one. */
function newGroup(gt: GreenThread): StartGroup {
  const group = spareGroups.pop() ?? new StartGroup();
  group.gts[0] = gt;
  group.size = 1;
  return group;
}

/** Takes out its `i`th greenthread, so that the group keeps it alive no longer. */
function takeMember(group: StartGroup, i: number): GreenThread {
  const gt = group.gts[i]!;
  group.gts[i] = undefined;
  return gt;
}

/** Keeps an emptied group for reuse. */
function recycle(group: StartGroup): void {
  group.size = 0;
  if (spareGroups.length < MAX_SPARE_GROUPS) spareGroups.push(group);
}

/**
 * Queues the start of a greenthread just spawned: it runs after everything
 * queued before, at its turn in the run queue.
 */
export function scheduleStart(gt: GreenThread): void {
  const newest = newestEntry();
  if (newest instanceof StartGroup && newest.size < MAX_GROUP) {
    newest.gts[newest.size++] = gt;
    joinedNewestEntry();
    return;
  }
  schedule(newGroup(gt));
}

/**
 * Starts `gt` in a microtask of its own, now that its turn came: from a
 * timer's run-queue entry (`spawnAfter`: the timer's instruments ran just
 * before, and may have queued work that must come first), or from its
 * group's turn while an instrument watches.
 */
export function startAlone(gt: GreenThread): void {
  if (isDead(gt)) return; // killed before its turn came
  const instruments = activeInstruments;
  if (instruments !== null) instruments.beforeSwitch(gt);
  queuedGroups.push(newGroup(gt));
  RESOLVED.then(startNextGroup);
}

/**
 * Ends the current greenthread with the outcome of `promise` when it
 * settles. May throw synchronously (a thenable whose `constructor` or
 * `then` getter throws, where `await` would reject): the caller fails the
 * greenthread then.
 */
function settleWhenDone(promise: PromiseLike<unknown>): void {
  // For a native promise `Promise.resolve(p).then(f, r)` queues the same one
  // reaction `await p` would; the reaction runs in the greenthread's async
  // context, so the closure-free callbacks find it with currentGreenlet().
  Promise.resolve(promise).then(returnedCurrent, failedCurrent);
}

/**
 * True for a value to await. Await only real thenables: a sync function's
 * value needs no extra hop. Reading `then` may throw: callers call this in
 * a `try` that fails the greenthread.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof (value as PromiseLike<unknown>)?.then === "function";
}

/** Runs its function, in its own async context (see `startNextGroup`). */
function startBody(gt: GreenThread): void {
  if (isDead(gt)) return; // killed before its turn came
  let value: unknown;
  try {
    value = begin(gt);
    if (isThenable(value)) {
      settleWhenDone(value);
      return;
    }
  } catch (error) {
    settle(gt, false, error);
    return;
  }
  settle(gt, true, value);
}

/** The same start as an async function: GreenPool's inline run awaits it. */
export async function runInline(gt: GreenThread): Promise<void> {
  // Its caller (a pool greenthread spawning into its own full pool) enters
  // here synchronously; this first await makes the call a switch point: it
  // starts in a promise job, behind what was queued before it.
  await undefined;
  if (isDead(gt)) return; // killed before its turn came
  let value: unknown;
  try {
    value = begin(gt);
    if (isThenable(value)) value = await value;
  } catch (error) {
    settle(gt, false, error);
    return;
  }
  settle(gt, true, value);
}

/** The microtask of the oldest queued group: starts its greenthreads in order. */
function startNextGroup(): void {
  const group = queuedGroups.shift()!;
  const size = group.size;
  for (let i = 0; i < size; i++) {
    const gt = takeMember(group, i);
    try {
      runAs(gt, startBody, gt, takeSpawnContext(gt));
    } catch (error) {
      // startBody catches what the greenthread throws; this is the hub's own
      // failure. The rest of the group still starts.
      reportError(error, gt);
    }
  }
  recycle(group);
}

function returnedCurrent(value: unknown): void {
  settle(currentCarried() as GreenThread, true, value);
}
function failedCurrent(error: unknown): void {
  settle(currentCarried() as GreenThread, false, error);
}
