/**
 * Workload 5, raw Deno: the same N trivial calls as bare async functions,
 * at most 1000 in flight: `Promise.all` over chunks of 1000, results read in
 * order (the floor of a bounded, ordered map over tasks).
 *
 *   deno run -A bench/compare/imap_raw.ts [--n=200000]
 *
 * @module
 */

import { time } from "../common.ts";
import { inputs, rawMap } from "../imap_workload.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 200_000);
const items = inputs(n);

async function run(): Promise<void> {
  const sum = await rawMap(items);
  if (sum !== n * (n + 1) / 2) throw new Error(`lost results: sum ${sum}`);
}

await run(); // warm-up: V8 optimizes the code
const ms = await time(run);
report({ workload: "imap", impl: "raw", n, ms, rate: n / ms * 1000 });
