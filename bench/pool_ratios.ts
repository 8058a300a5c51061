/**
 * Side-by-side figures for GreenPool.imap and Semaphore: each workload runs
 * against a raw Deno baseline in the same process run, alternating, and
 * prints the ratio.
 *
 *   deno run -A bench/pool_ratios.ts [--quick]
 *
 * Workloads:
 * 1. `GreenPool(1000).imap` over N trivial calls (each in its own
 *    greenthread, results read in order) vs the same calls as bare async
 *    functions awaited with `Promise.all` in chunks of 1000
 * 2. the ceiling of (1) while each call has its own greenthread: the same
 *    calls spawned in bursts of 1000 with no map at all (each burst waits
 *    for its last greenthread) vs the same raw chunks
 * 3. a `Semaphore(1)` handed back and forth between two greenthreads (each
 *    acquisition is a park and a wake-up) vs a minimal promise-based mutex
 *    handed back and forth between two async loops
 *
 * @module
 */

import { GreenPool } from "../green/greenpool.ts";
import { Semaphore } from "../green/semaphore.ts";
import { spawn } from "../green/spawn.ts";
import { formatRate, median, time } from "./common.ts";

const quick = Deno.args.includes("--quick");
const ITEMS = quick ? 100_000 : 1_000_000;
const ACQUISITIONS = quick ? 100_000 : 1_000_000;
const ROUNDS = quick ? 1 : 5;
const CHUNK = 1000;

// 1. imap over trivial calls
const inputs = Array.from({ length: ITEMS }, (_, i) => i);
function work(i: number): number {
  return i + 1;
}
// deno-lint-ignore require-await
async function rawWork(i: number): Promise<number> {
  return i + 1;
}
async function imap(): Promise<void> {
  const pool = new GreenPool(CHUNK);
  let sum = 0;
  for await (const r of pool.imap(work, inputs)) sum += r;
  if (sum !== ITEMS * (ITEMS + 1) / 2) throw new Error(`wrong sum ${sum}`);
}
async function rawChunks(): Promise<void> {
  let sum = 0;
  for (let start = 0; start < ITEMS; start += CHUNK) {
    const end = Math.min(start + CHUNK, ITEMS);
    const ps = new Array(end - start);
    for (let i = start; i < end; i++) ps[i - start] = rawWork(inputs[i]);
    for (const r of await Promise.all(ps)) sum += r;
  }
  if (sum !== ITEMS * (ITEMS + 1) / 2) throw new Error(`wrong sum ${sum}`);
}

// 2. greenthreads alone, in bursts of 1000: what imap cannot go below
async function spawnChunks(): Promise<void> {
  for (let start = 0; start < ITEMS; start += CHUNK) {
    const end = Math.min(start + CHUNK, ITEMS);
    let last = spawn(work, inputs[start]);
    for (let i = start + 1; i < end; i++) last = spawn(work, inputs[i]);
    await last.wait();
  }
}

// 3. a lock handed back and forth
async function semaphorePingPong(): Promise<void> {
  const sem = new Semaphore(1);
  const half = ACQUISITIONS / 2;
  const loop = async () => {
    for (let i = 0; i < half; i++) {
      await sem.acquire();
      sem.release();
    }
  };
  const a = spawn(loop);
  const b = spawn(loop);
  await a.wait();
  await b.wait();
}

/** The smallest fair promise-based mutex: a flag and a FIFO of resolvers. */
class RawMutex {
  #locked = false;
  #waiters: (() => void)[] = [];
  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next(); // handed over: stays locked
    else this.#locked = false;
  }
}
async function rawMutexPingPong(): Promise<void> {
  const mutex = new RawMutex();
  const half = ACQUISITIONS / 2;
  const loop = async () => {
    for (let i = 0; i < half; i++) {
      await mutex.acquire();
      mutex.release();
    }
  };
  await Promise.all([loop(), loop()]);
}

const rows: [string, number, number][] = [];
async function compare(
  name: string,
  count: number,
  ours: () => Promise<void>,
  raw: () => Promise<void>,
): Promise<void> {
  const oursMs: number[] = [];
  const rawMs: number[] = [];
  await ours(); // warm-up
  await raw();
  for (let r = 0; r < ROUNDS; r++) {
    oursMs.push(await time(ours));
    rawMs.push(await time(raw));
  }
  rows.push([name, count / median(oursMs) * 1000, count / median(rawMs) * 1000]);
}

await compare(
  `GreenPool(1000).imap, ${ITEMS} trivial calls (items/s) vs Promise.all chunks of 1000`,
  ITEMS,
  imap,
  rawChunks,
);
await compare(
  `spawn in bursts of 1000 (imap's ceiling), ${ITEMS} trivial calls (items/s) vs the same chunks`,
  ITEMS,
  spawnChunks,
  rawChunks,
);
await compare(
  `Semaphore(1) between two greenthreads (acquisitions/s) vs minimal promise mutex`,
  ACQUISITIONS,
  semaphorePingPong,
  rawMutexPingPong,
);

console.log(`workload | ours | raw Deno | ours/raw`);
for (const [name, ours, raw] of rows) {
  console.log(`${name} | ${formatRate(ours)} | ${formatRate(raw)} | ${(ours / raw).toFixed(3)}`);
}
