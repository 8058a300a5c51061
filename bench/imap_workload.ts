/**
 * The `imap` workload of `deno task compare` (workload 5: bench/compare/
 * imap_ours.ts and imap_raw.ts), bench/imap_floor.ts and
 * bench/imap_runs.ts: trivial calls, at most 1000 in flight, mapped by
 * this package and by raw Deno. One copy, so all of them time the same maps.
 *
 * @module
 */

import { GreenPool } from "../green/greenpool.ts";

/** Calls per map. */
export const N = 200_000;
/** Calls in flight: the pool's size, and raw Deno's chunk. */
export const LIMIT = 1000;
/** What a map of `inputs(N)` sums to when no result is lost. */
export const EXPECTED = N * (N + 1) / 2;

/** The inputs of one map: 0 … n-1. */
export function inputs(n = N): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The trivial call. */
export function work(i: number): number {
  return i + 1;
}

// deno-lint-ignore require-await
async function rawWork(i: number): Promise<number> {
  return i + 1;
}

/** `GreenPool(LIMIT).imap(work, items)`, summed. */
export async function oursMap(items: number[]): Promise<number> {
  let sum = 0;
  for await (const r of new GreenPool(LIMIT).imap(work, items)) sum += r;
  return sum;
}

/** Raw Deno: bare async calls awaited with `Promise.all` in chunks of LIMIT, summed in order. */
export async function rawMap(items: number[]): Promise<number> {
  let sum = 0;
  for (let start = 0; start < items.length; start += LIMIT) {
    for (const r of await Promise.all(items.slice(start, start + LIMIT).map(rawWork))) sum += r;
  }
  return sum;
}
