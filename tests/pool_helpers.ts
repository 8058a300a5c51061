/**
 * Shared helpers of the GreenPool and GreenPile tests: a slow identity
 * function, collecting an async iterable, integer ranges, eventlet's
 * assert_pool_has_free, and spending the hub's loop budget (which the queue
 * and semaphore tests use too).
 */

import assert from "node:assert/strict";
import type { GreenPool } from "../green/greenpool.ts";
import { Event } from "../green/event.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { getHub } from "../hub/hub.ts";

/** Returns `a` after 10 ms (eventlet's passthru). */
export async function passthru<T>(a: T): Promise<T> {
  await sleep(0.01);
  return a;
}

/** Everything an async iterable yields, in order. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** `[from, from + 1, …, from + n - 1]`. */
export const range = (n: number, from = 0): number[] =>
  Array.from({ length: n }, (_, i) => from + i);

/** eventlet's assert_pool_has_free: exactly `free` spawns fit without waiting. */
export async function assertPoolHasFree(pool: GreenPool, free: number): Promise<void> {
  assert.equal(pool.free(), free);
  const evt = new Event();
  {
    using _ = new Timeout(1);
    for (let i = 0; i < free; i++) await pool.spawn(() => evt.wait());
  }
  const full = new Error("pool had more free slots than expected");
  {
    using _ = new Timeout(0, full);
    await assert.rejects(pool.spawn(() => evt.wait()), (e) => e === full);
  }
  evt.send();
  await sleep(0);
  await sleep(0);
}

/**
 * Blocks the thread past the hub's ~1 ms loop budget, so that the next
 * operation that would complete at once yields for a turn of the event loop
 * instead (the order it resumes in must not change).
 */
export function spendLoopBudget(): void {
  const hub = getHub();
  const end = performance.now() + 2;
  while (performance.now() < end) { /* block the thread */ }
  // The budget reads the clock only every few thousand checks.
  for (let i = 0; i < 10_000 && !hub.budgetSpent(); i++) { /* count down */ }
  assert.ok(hub.budgetSpent(), "the loop budget is spent");
}
