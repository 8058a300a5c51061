/**
 * Workload 3, raw Deno: memory per async function parked in
 * `await new Promise((r) => setTimeout(r, 10_000))`, N of them. Figures per
 * task: V8 heap delta after a full GC, and RSS delta (Deno keeps part of each
 * timer outside the V8 heap, so the RSS figure is the fairer one here).
 * Needs `--v8-flags=--expose-gc`.
 *
 *   deno run -A --v8-flags=--expose-gc bench/compare/parked_memory_raw.ts [--n=100000]
 *
 * @module
 */

import { gc, intArg, report, rssBytes } from "./common.ts";

const n = intArg("n", 100_000);

let parked = 0;
async function task(): Promise<void> {
  parked++;
  await new Promise((resolve) => setTimeout(resolve, 10_000));
}

gc();
const heap0 = Deno.memoryUsage().heapUsed;
const rss0 = rssBytes();
const tasks = new Array(n);
for (let i = 0; i < n; i++) tasks[i] = task();
await null;
if (parked < n) throw new Error(`Cannot measure: only ${parked} of ${n} tasks parked`);
gc();
const heap1 = Deno.memoryUsage().heapUsed;
const rss1 = rssBytes();
report({
  workload: "parked_memory",
  impl: "raw",
  n,
  heapBytes: (heap1 - heap0) / n,
  rssBytes: (rss1 - rss0) / n,
});
Deno.exit(0); // the tasks would sleep on for 10 s
