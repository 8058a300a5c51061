/**
 * Side-by-side figures for the foundation: each workload runs against a raw
 * Deno baseline in the same process run, alternating, and prints the ratio.
 *
 *   deno run -A --v8-flags=--expose-gc bench/core_ratios.ts [--quick]
 *
 * Workloads:
 * 1. spawn + wait of 100k greenthreads vs 100k bare async calls + Promise.all,
 *    with a naive greenthread design beside them for scale (an async
 *    function per greenthread inside its own AsyncLocalStorage.run)
 * 2. two greenthreads ping-ponging with sleep(0) vs a bare `await` ping-pong
 * 3. memory of 100k greenthreads parked in sleep(10) (V8 heap delta / N)
 * 4. `new Timeout(5)` + `cancel()` vs `setTimeout` + `clearTimeout`
 *    (bench/timeout_ratios.ts)
 *
 * Every timed run starts after a full GC, so no variant pays for another's
 * garbage. In one warm process V8 optimizes the raw baseline much further
 * than in a fresh one (bench/README.md): `deno task compare` runs each
 * variant in its own process instead.
 *
 * @module
 */

import { sleep, spawn } from "../mod.ts";
import { NaiveThread } from "./naive_thread.ts";
import { formatRate, median, time } from "./common.ts";
import { printTimeoutRows } from "./timeout_ratios.ts";

const quick = Deno.args.includes("--quick");
const N = quick ? 10_000 : 100_000;
const SWITCHES = quick ? 100_000 : 2_000_000;
const ROUNDS = quick ? 1 : 5;

/** A full GC when the script runs with --expose-gc (deno task bench does). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

// 1. spawn + wait
async function spawnWait(): Promise<void> {
  const gts = new Array(N);
  for (let i = 0; i < N; i++) gts[i] = spawn(work, i);
  for (let i = 0; i < N; i++) await gts[i].wait();
}
async function rawSpawnWait(): Promise<void> {
  const ps = new Array(N);
  for (let i = 0; i < N; i++) ps[i] = rawWork(i);
  await Promise.all(ps);
}
function work(i: number): number {
  return i + 1;
}
// deno-lint-ignore require-await
async function rawWork(i: number): Promise<number> {
  return i + 1;
}

// The naive design, for scale (bench/naive_thread.ts).
async function naiveSpawnWait(): Promise<void> {
  const threads = new Array(N);
  for (let i = 0; i < N; i++) threads[i] = new NaiveThread(work, i);
  for (let i = 0; i < N; i++) await threads[i].done;
}

// 2. ping-pong
async function pingPong(): Promise<void> {
  const half = SWITCHES / 2;
  const a = spawn(async () => {
    for (let i = 0; i < half; i++) await sleep(0);
  });
  const b = spawn(async () => {
    for (let i = 0; i < half; i++) await sleep(0);
  });
  await a.wait();
  await b.wait();
}
async function rawPingPong(): Promise<void> {
  const half = SWITCHES / 2;
  const loop = async () => {
    for (let i = 0; i < half; i++) await null;
  };
  await Promise.all([loop(), loop()]);
}

// 3. memory per parked greenthread
async function parkedBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const before = Deno.memoryUsage().heapUsed;
  const gts = new Array(N);
  for (let i = 0; i < N; i++) gts[i] = spawn(sleep, 10);
  await sleep(0); // let them all start and park
  gc();
  const after = Deno.memoryUsage().heapUsed;
  for (const gt of gts) gt.kill();
  await sleep(0);
  await sleep(0);
  return (after - before) / N;
}

const rows: [string, number, number, string][] = [];
{
  const ours: number[] = [];
  const naive: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    collectGarbage(); // each variant pays for its own garbage only
    ours.push(await time(spawnWait));
    collectGarbage();
    naive.push(await time(naiveSpawnWait));
    collectGarbage();
    raw.push(await time(rawSpawnWait));
  }
  rows.push([
    "spawn+wait (per second)",
    N / median(ours) * 1000,
    N / median(raw) * 1000,
    ">= 0.25 (see bench/README.md)",
  ]);
  rows.push([
    "  naive design, for scale",
    N / median(naive) * 1000,
    N / median(raw) * 1000,
    "",
  ]);
}
{
  const ours: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    collectGarbage();
    ours.push(await time(pingPong));
    collectGarbage();
    raw.push(await time(rawPingPong));
  }
  rows.push([
    "sleep(0) switches (per second)",
    SWITCHES / median(ours) * 1000,
    SWITCHES / median(raw) * 1000,
    ">= 4M/s",
  ]);
}

console.log(`workload | ours | raw Deno | ours/raw | target`);
for (const [name, ours, raw, target] of rows) {
  console.log(
    `${name} | ${formatRate(ours)} | ${formatRate(raw)} | ${(ours / raw).toFixed(3)} | ${target}`,
  );
}
const bytes = await parkedBytes();
console.log(
  `memory per greenthread parked in sleep(10) | ${bytes.toFixed(0)} B | - | - | <= 800 B` +
    (Number.isNaN(bytes) ? " (run with --v8-flags=--expose-gc)" : ""),
);
await printTimeoutRows(quick);
