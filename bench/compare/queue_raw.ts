/**
 * Workload 4, raw Deno: the same producer/consumer pair as two plain async
 * functions around the smallest bounded channel made of an array and
 * promise resolvers (no hub, no kill/timeout support, no fairness
 * bookkeeping): the floor of what a promise-based queue costs in Deno.
 *
 *   deno run -A bench/compare/queue_raw.ts [--n=1000000]
 *
 * @module
 */

import { time } from "../common.ts";
import { intArg, report } from "./common.ts";
import { RawChannel } from "../raw_channel.ts";

const n = intArg("n", 1_000_000);

async function produce(ch: RawChannel<number>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await ch.put(i);
}

async function consume(ch: RawChannel<number>, count: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += await ch.get();
  return sum;
}

async function run(count: number): Promise<void> {
  const ch = new RawChannel<number>(100);
  const [, sum] = await Promise.all([produce(ch, count), consume(ch, count)]);
  if (sum !== count * (count - 1) / 2) throw new Error(`RawChannel lost items: sum ${sum}`);
}

await run(n); // warm-up: V8 optimizes the code
const ms = await time(() => run(n));
report({ workload: "queue", impl: "raw", n, ms, rate: n / ms * 1000 });
