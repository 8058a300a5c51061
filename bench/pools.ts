/**
 * Uncontended `Pool.get` + `put` next to a plain array pop + push, in the
 * same process run, alternating, several rounds, median and range:
 *
 *   deno run -A bench/pools.ts [--quick]
 *
 * Workload: one greenthread takes an item and puts it back, N times
 * (N = 1M; 20k with `--quick`), from a pool that holds 4 free items, so no
 * get ever waits or creates. The baseline does the same with an array of 4
 * items (`pop`, then `push`): what remains is the price of a switch point
 * (an await) and the pool's bookkeeping. For information, more rows: the
 * same with `using lease = await pool.item()`, with `maxIdle` set (a clock
 * read per get and put), and a bare `Semaphore` acquire + release, the
 * switch point a get is built on. Target: get + put ≤ 0.5 µs.
 *
 * @module
 */

import { Pool } from "../pools/pool.ts";
import { Semaphore } from "../green/semaphore.ts";
import { median } from "./common.ts";

const quick = Deno.args.includes("--quick");
const N = quick ? 20_000 : 1_000_000;
const ROUNDS = quick ? 2 : 9;
const TARGET_NS = 500;

type Variant = { name: string; run: () => Promise<number> | number };

function makeItems(): { id: number }[] {
  return [1, 2, 3, 4].map((id) => ({ id }));
}

/** Nanoseconds per get + put. */
function perOp(ms: number): number {
  return ms * 1e6 / N;
}

function arrayPopPush(): number {
  const items = makeItems();
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const item = items.pop()!;
    sum += item.id;
    items.push(item);
  }
  const ms = performance.now() - start;
  if (sum === 0) throw new Error("unreachable"); // keeps the loop from being optimized away
  return perOp(ms);
}

async function poolGetPut(options: { maxIdle?: number } = {}): Promise<number> {
  const items = makeItems();
  using pool = new Pool({ create: () => items.pop()!, maxSize: 4, minSize: 4, ...options });
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const item = await pool.get();
    sum += item.id;
    pool.put(item);
  }
  const ms = performance.now() - start;
  if (pool.free() !== 4 || sum === 0) throw new Error("the pool lost an item");
  return perOp(ms);
}

async function poolItem(): Promise<number> {
  const items = makeItems();
  using pool = new Pool({ create: () => items.pop()!, maxSize: 4, minSize: 4 });
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    using lease = await pool.item();
    sum += lease.value.id;
  }
  const ms = performance.now() - start;
  if (pool.free() !== 4 || sum === 0) throw new Error("the pool lost an item");
  return perOp(ms);
}

async function semaphore(): Promise<number> {
  const sem = new Semaphore(4);
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    await sem.acquire();
    sem.release();
  }
  return perOp(performance.now() - start);
}

const variants: Variant[] = [
  { name: "array pop + push (baseline)", run: arrayPopPush },
  { name: "Pool.get + put", run: () => poolGetPut() },
  { name: "Pool.item() with using", run: poolItem },
  { name: "Pool.get + put, maxIdle set", run: () => poolGetPut({ maxIdle: 60 }) },
  { name: "Semaphore.acquire + release", run: semaphore },
];

const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order each round so no variant always runs first.
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const v of order) results.get(v.name)!.push(await v.run());
}

const base = median(results.get(variants[0].name)!);
console.log(
  `pools bench: ${N} uncontended get + put per run, ${ROUNDS} rounds, median (range) ns per op`,
);
for (const v of variants) {
  const xs = results.get(v.name)!;
  const m = median(xs);
  const range = `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
  const ratio = v === variants[0] ? "1" : (m / base).toFixed(0);
  console.log(
    `${v.name.padEnd(30)} ${m.toFixed(1).padStart(7)} ns (${range})  ×${ratio} of the array`,
  );
}
const pool = median(results.get("Pool.get + put")!);
console.log(
  `Pool.get + put: ${(pool / 1000).toFixed(3)} µs, target ≤ ${TARGET_NS / 1000} µs: ${
    pool <= TARGET_NS ? "met" : "NOT met"
  }`,
);
