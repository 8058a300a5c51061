/**
 * Shared helpers of the GreenPool and GreenPile tests: a slow identity
 * function, collecting an async iterable, integer ranges, eventlet's
 * assert_pool_has_free.
 */

import assert from "node:assert/strict";
import type { GreenPool } from "../green/greenpool.ts";
import { Event } from "../green/event.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";

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
