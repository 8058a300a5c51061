/**
 * How a spawned greenthread starts, without an async frame of its own.
 *
 * Hot path (one start per spawn). The start is a microtask queued exactly
 * where `await undefined` in an async body would have queued it (behind
 * the greenthreads the pump resumed before it), and microtasks run in
 * order, so a FIFO says whose start each one is. The function's promise, if
 * it returns one, is followed by closure-free callbacks that find their
 * greenthread through the async context. Measured (bench/compare, 100k
 * spawn+wait): about 2x the rate of an async body per greenthread, and
 * ~415 fewer bytes per greenthread parked in sleep (no Generator,
 * registers, await closures or body promise kept per greenthread).
 *
 * @module
 */

import { RESOLVED } from "./run_queue.ts";
import { Fifo } from "./fifo.ts";
import { currentCarried, runAs } from "./current.ts";
import { isDead } from "./greenlet_core.ts";
import { begin, type GreenThread, settle, takeSpawnContext } from "./greenthread.ts";

// Greenthreads whose start microtask is queued, in queue order.
const starting = new Fifo<GreenThread>();

/** Queues the start of `gt` as a microtask (called by the hub's pump). */
export function queueStart(gt: GreenThread): void {
  starting.push(gt);
  RESOLVED.then(startNext); // queueMicrotask, cheaper on Deno (see run_queue.ts)
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

/** Runs its function, in its own async context (see `startNext`). */
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
  // The pump enters here synchronously; this first await defers the real
  // start to a promise job queued behind the greenthreads the pump
  // resumed before us, so starts and resumptions keep run-queue order.
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

function startNext(): void {
  const gt = starting.shift()!;
  runAs(gt, startBody, gt, takeSpawnContext(gt));
}
function returnedCurrent(value: unknown): void {
  settle(currentCarried() as GreenThread, true, value);
}
function failedCurrent(error: unknown): void {
  settle(currentCarried() as GreenThread, false, error);
}
