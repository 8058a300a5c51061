/**
 * Workload 1, a naive greenthread design, for scale: each greenthread an
 * async function inside its own `AsyncLocalStorage.run` (what identity
 * across awaits needs), started after the spawner yields. Not part of
 * `deno task compare`'s table; run it beside the other two to see where a
 * plain design lands (bench/README.md):
 *
 *   deno run -A bench/compare/spawn_wait_naive.ts [--n=100000]
 *
 * @module
 */

import { time } from "../common.ts";
import { NaiveThread } from "../naive_thread.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 100_000);

function work(i: number): number {
  return i + 1;
}

async function spawnWait(count: number): Promise<void> {
  const threads = new Array(count);
  for (let i = 0; i < count; i++) threads[i] = new NaiveThread(work, i);
  for (let i = 0; i < count; i++) await threads[i].done;
}

await spawnWait(n); // warm-up: V8 optimizes the code and sizes its heap
const ms = await time(() => spawnWait(n));
report({ workload: "spawn_wait", impl: "naive", n, ms, rate: n / ms * 1000 });
