/**
 * How a spawned greenthread starts, without an async frame of its own.
 *
 * Hot path (one start per spawn). The start is a microtask queued exactly
 * where `await undefined` in an async body would have queued it (behind
 * the greenthreads the pump resumed before it), and microtasks run in
 * order, so a FIFO says whose start each one is. Starts that consecutive
 * entries of one pump queue share one microtask, which starts them one
 * after the other: nothing was queued between them, so each still runs
 * before whatever the one before it queued, as with a microtask each
 * (tests/hub_start_batch_test.ts). The function's promise, if it returns
 * one, is followed by closure-free callbacks that find their greenthread
 * through the async context. Measured (bench/compare, 100k
 * spawn+wait): about 2x the rate of an async body per greenthread, and
 * ~415 fewer bytes per greenthread parked in sleep (no Generator,
 * registers, await closures or body promise kept per greenthread).
 *
 * @module
 */

import { entrySeq, nextSeq, RESOLVED } from "./run_queue.ts";
import { Fifo } from "./fifo.ts";
import { currentCarried, runAs } from "./current.ts";
import { isDead } from "./greenlet_core.ts";
import { begin, type GreenThread, settle, takeSpawnContext } from "./greenthread.ts";
import { reportError } from "./scheduler.ts";

// Greenthreads whose start is queued (in a batch, below), in queue order.
const starting = new Fifo<GreenThread>();
// How many of them each queued microtask starts: the sizes of the older
// batches, oldest first, then the newest batch, which may still grow.
const batchSizes = new Fifo<number>();
let newestBatch = 0;
/** The pump entry (run_queue.ts `entrySeq`) that last added to the newest batch. */
let newestBatchSeq = -1;
/**
 * The most starts one microtask makes. Uncapped, 100k spawns made one
 * loop of 100k starts, which V8 compiled on the stack (OSR) again and
 * again: 100k spawns then a wait for each, fresh processes (6
 * alternating, `taskset -c 1`), rounds 2-6 took 730 ns per spawn against
 * 538 with a microtask each; capped at 64, 522-612 against 489-538, and
 * the later rounds 226-230 against 312-341.
 */
const MAX_BATCH = 64;

/**
 * Queues the start of `gt` (called by the hub's pump, in `gt`'s turn).
 * `mayJoin`: the caller is `gt`'s own run-queue entry, which queues nothing
 * but this start, and no instrument ran at this switch. Then, when the
 * entry just before was also such a start (run_queue.ts `entrySeq`),
 * nothing was queued between the two, and `gt` joins that start's batch
 * if it has room; else it gets a new batch with a microtask of its own.
 *
 * Hot path: a microtask costs a promise and a reaction job. Time per
 * call of 200k spawns in bursts of 1000 (each then waited for) and of
 * `GreenPool(1000).imap` over trivial calls, with this against one each,
 * both trees in one process (15 alternating rounds, twice, either tree
 * loaded first, `taskset -c 1`): bursts 0.894 and 0.892 (rounds
 * 0.87-0.94), imap 0.875 and 0.902.
 */
export function queueStart(gt: GreenThread, mayJoin: boolean): void {
  starting.push(gt);
  if (
    mayJoin && newestBatch > 0 && newestBatch < MAX_BATCH && entrySeq === nextSeq(newestBatchSeq)
  ) {
    newestBatch++;
  } else {
    if (newestBatch > 0) batchSizes.push(newestBatch);
    newestBatch = 1;
    RESOLVED.then(startBatch); // queueMicrotask, cheaper on Deno (see run_queue.ts)
  }
  newestBatchSeq = entrySeq;
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

/** Runs its function, in its own async context (see `startBatch`). */
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

/** The microtask of the oldest batch: starts its greenthreads in order. */
function startBatch(): void {
  let n: number;
  if (batchSizes.length > 0) n = batchSizes.shift()!;
  else {
    n = newestBatch; // the newest batch: it cannot grow once its microtask runs
    newestBatch = 0;
  }
  while (n-- > 0) {
    const gt = starting.shift()!;
    try {
      runAs(gt, startBody, gt, takeSpawnContext(gt));
    } catch (error) {
      // startBody catches what the greenthread throws; this is the hub's own
      // failure. The rest of the batch still starts.
      reportError(error, gt);
    }
  }
}
function returnedCurrent(value: unknown): void {
  settle(currentCarried() as GreenThread, true, value);
}
function failedCurrent(error: unknown): void {
  settle(currentCarried() as GreenThread, false, error);
}
