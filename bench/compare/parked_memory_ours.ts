/**
 * Workload 3, ours: memory per greenthread parked in `sleep(10)`, N of them.
 * Figures per greenthread: the V8 heap delta (`Deno.memoryUsage().heapUsed`
 * after a full GC) and, for comparison with Python, the RSS delta.
 * Needs `--v8-flags=--expose-gc`.
 *
 *   deno run -A --v8-flags=--expose-gc bench/compare/parked_memory_ours.ts [--n=100000]
 *
 * @module
 */

import { getHub } from "../../hub/hub.ts";
import { spawn } from "../../green/spawn.ts";
import { sleep } from "../../green/sleep.ts";
import { gc, intArg, report, rssBytes } from "./common.ts";

const n = intArg("n", 100_000);

gc();
const heap0 = Deno.memoryUsage().heapUsed;
const rss0 = rssBytes();
const gts = new Array(n);
for (let i = 0; i < n; i++) gts[i] = spawn(sleep, 10);
await sleep(0); // every one starts and parks in its sleep
const parked = getHub().stats().parked;
if (parked < n) throw new Error(`Cannot measure: only ${parked} of ${n} greenthreads parked`);
gc();
const heap1 = Deno.memoryUsage().heapUsed;
const rss1 = rssBytes();
report({
  workload: "parked_memory",
  impl: "ours",
  n,
  heapBytes: (heap1 - heap0) / n,
  rssBytes: (rss1 - rss0) / n,
});
Deno.exit(0); // the greenthreads would sleep on for 10 s
