/**
 * Queue throughput next to a bare promise channel, in the same process run,
 * alternating, several rounds, median:
 *
 *   deno run -A bench/queue_ratios.ts [--quick]
 *
 * Workload: one producer greenthread puts N numbers into a `Queue(100)`, one
 * consumer greenthread gets them (N = 1M; 20k with `--quick`). The baseline
 * is the same producer/consumer pair as two plain async functions around a
 * minimal bounded channel made of an array and promise resolvers (no hub,
 * no kill/timeout support, no fairness bookkeeping): the floor of what a
 * promise-based queue can cost in Deno. A second row (for information) runs
 * the same pair through a `Queue(0)` channel, where every item parks one
 * side and the hand-off goes through the hub's run queue (ours keeps the
 * lockstep order; the raw channel does not).
 *
 * @module
 */

import { Queue } from "../green/queue.ts";
import { spawn } from "../green/spawn.ts";
import { median } from "./common.ts";
import { RawChannel } from "./raw_channel.ts";

const quick = Deno.args.includes("--quick");
const N = quick ? 20_000 : 1_000_000;
const ROUNDS = quick ? 3 : 7;
const CAPACITY = 100;

async function ours(capacity: number): Promise<number> {
  const q = new Queue<number>(capacity);
  const start = performance.now();
  const producer = spawn(async () => {
    for (let i = 0; i < N; i++) await q.put(i);
  });
  const consumer = spawn(async () => {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await q.get();
    return sum;
  });
  await producer.wait();
  const sum = await consumer.wait();
  const ms = performance.now() - start;
  if (sum !== N * (N - 1) / 2) throw new Error(`Queue lost or duplicated items: sum ${sum}`);
  return ms;
}

async function raw(capacity: number): Promise<number> {
  const ch = new RawChannel<number>(capacity);
  const start = performance.now();
  const producer = (async () => {
    for (let i = 0; i < N; i++) await ch.put(i);
  })();
  const consumer = (async () => {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await ch.get();
    return sum;
  })();
  await producer;
  const sum = await consumer;
  const ms = performance.now() - start;
  if (sum !== N * (N - 1) / 2) throw new Error(`RawChannel lost or duplicated items: sum ${sum}`);
  return ms;
}

async function measure(capacity: number): Promise<[number, number, number[], number[]]> {
  // Warm-up (not counted), then alternate.
  await ours(capacity);
  await raw(capacity);
  const oursMs: number[] = [];
  const rawMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    oursMs.push(await ours(capacity));
    rawMs.push(await raw(capacity));
  }
  return [N / median(oursMs) * 1000, N / median(rawMs) * 1000, oursMs, rawMs];
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)}M`;
const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
console.log(`workload | ours | raw promise channel | ours/raw | target`);
const [o100, r100, oMs, rMs] = await measure(CAPACITY);
console.log(
  `Queue(${CAPACITY}) producer/consumer, ${N} items (items/s) | ${fmt(o100)} | ` +
    `${fmt(r100)} | ${(o100 / r100).toFixed(3)} | >= 5M/s`,
);
const [o0, r0, oMs0, rMs0] = await measure(0);
console.log(
  `Queue(0) channel, every item parks a side (items/s) | ${fmt(o0)} | ` +
    `${fmt(r0)} | ${(o0 / r0).toFixed(3)} | (information)`,
);
console.log(`rounds: ${ROUNDS}; Queue(${CAPACITY}) ours ms: ${ms(oMs)}; raw ms: ${ms(rMs)}`);
console.log(`Queue(0) ours ms: ${ms(oMs0)}; raw ms: ${ms(rMs0)}`);
