/**
 * Workload 1, ours: spawn N greenthreads running a trivial function, then
 * wait for each (eventlet: `eventlet.spawn` + `GreenThread.wait`).
 *
 *   deno run -A bench/compare/spawn_wait_ours.ts [--n=100000]
 *
 * @module
 */

import { spawn } from "../../green/spawn.ts";
import { time } from "../common.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 100_000);

function work(i: number): number {
  return i + 1;
}

async function spawnWait(count: number): Promise<void> {
  const gts = new Array(count);
  for (let i = 0; i < count; i++) gts[i] = spawn(work, i);
  for (let i = 0; i < count; i++) await gts[i].wait();
}

await spawnWait(n); // warm-up: V8 optimizes the code and sizes its heap
const ms = await time(() => spawnWait(n));
report({ workload: "spawn_wait", impl: "ours", n, ms, rate: n / ms * 1000 });
