/**
 * Workload 5, ours: `GreenPool(1000).imap` over N calls of a trivial
 * function, results read in order (eventlet: `GreenPool(1000).imap`).
 * Reports calls per second.
 *
 *   deno run -A bench/compare/imap_ours.ts [--n=200000]
 *
 * @module
 */

import { time } from "../common.ts";
import { inputs, oursMap } from "../imap_workload.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 200_000);
const items = inputs(n);

async function run(): Promise<void> {
  const sum = await oursMap(items);
  if (sum !== n * (n + 1) / 2) throw new Error(`imap lost results: sum ${sum}`);
}

await run(); // warm-up: V8 optimizes the code
const ms = await time(run);
report({ workload: "imap", impl: "ours", n, ms, rate: n / ms * 1000 });
