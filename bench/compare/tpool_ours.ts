/**
 * Workload 7, ours: `tpool.execute` of a tiny function (`x => x + 1`), N
 * calls in all, made by `--inflight` greenthreads at once (1: sequential),
 * on a pool of `--threads` workers (eventlet: `tpool.execute`).
 * Reports calls per second.
 *
 *   deno run -A bench/compare/tpool_ours.ts [--n=20000] [--inflight=1] [--threads=4]
 *
 * @module
 */

import { spawn } from "../../green/spawn.ts";
import { execute, killall, setNumThreads } from "../../tpool/mod.ts";
import { time } from "../common.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 20_000);
const inflight = Math.max(1, intArg("inflight", 1));
setNumThreads(intArg("threads", 4));
const per = Math.max(1, Math.floor(n / inflight));

const inc = (x: number) => x + 1;

async function caller(calls: number): Promise<number> {
  let x = 0;
  for (let i = 0; i < calls; i++) x = await execute(inc, x);
  return x;
}

async function run(calls: number): Promise<void> {
  const gts = Array.from({ length: inflight }, () => spawn(caller, calls));
  for (const gt of gts) {
    if (await gt.wait() !== calls) throw new Error("tpool lost results");
  }
}

await run(per); // warm-up: starts the workers, V8 optimizes the code
const ms = await time(() => run(per));
const calls = per * inflight;
report({ workload: "tpool", impl: "ours", n: calls, inflight, ms, rate: calls / ms * 1000 });
await killall();
