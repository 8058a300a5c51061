/**
 * Workload 4, ours: one producer greenthread puts N numbers into a
 * `Queue(100)`, one consumer greenthread gets them (eventlet:
 * `eventlet.Queue(100)`). Reports items per second.
 *
 *   deno run -A bench/compare/queue_ours.ts [--n=1000000]
 *
 * @module
 */

import { Queue } from "../../green/queue.ts";
import { spawn } from "../../green/spawn.ts";
import { time } from "../common.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 1_000_000);

async function produce(q: Queue<number>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await q.put(i);
}

async function consume(q: Queue<number>, count: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += await q.get();
  return sum;
}

async function run(count: number): Promise<void> {
  const q = new Queue<number>(100);
  const producer = spawn(produce, q, count);
  const consumer = spawn(consume, q, count);
  await producer.wait();
  const sum = await consumer.wait();
  if (sum !== count * (count - 1) / 2) throw new Error(`Queue lost items: sum ${sum}`);
}

await run(n); // warm-up: V8 optimizes the code
const ms = await time(() => run(n));
report({ workload: "queue", impl: "ours", n, ms, rate: n / ms * 1000 });
