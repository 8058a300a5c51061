/**
 * Shared helpers of the Pool tests: letting ready greenthreads run, and
 * eventlet's IntPool (a Pool whose create counts 1, 2, 3…).
 */

import { Pool } from "../pools/mod.ts";
import { sleep } from "../green/sleep.ts";

/** Lets every ready greenthread run until it blocks. */
export async function spin(): Promise<void> {
  for (let i = 0; i < 10; i++) await sleep(0);
}

/** eventlet's IntPool: create counts 1, 2, 3… */
export function intPool(
  options: { maxSize?: number; minSize?: number; orderAsFifo?: boolean } = {},
) {
  let n = 0;
  return new Pool<number>({ create: () => ++n, maxSize: 4, ...options });
}
