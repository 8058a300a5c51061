/**
 * Workload 1, raw Deno: N calls of a trivial async function, then
 * `Promise.all` (the floor of "start N tasks and collect their results").
 *
 *   deno run -A bench/compare/spawn_wait_raw.ts [--n=100000]
 *
 * @module
 */

import { time } from "../common.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 100_000);

// deno-lint-ignore require-await
async function work(i: number): Promise<number> {
  return i + 1;
}

async function spawnWait(count: number): Promise<void> {
  const ps = new Array(count);
  for (let i = 0; i < count; i++) ps[i] = work(i);
  await Promise.all(ps);
}

await spawnWait(n); // warm-up: V8 optimizes the code and sizes its heap
const ms = await time(() => spawnWait(n));
report({ workload: "spawn_wait", impl: "raw", n, ms, rate: n / ms * 1000 });
