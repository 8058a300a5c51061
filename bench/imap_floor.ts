/**
 * How far `GreenPool(1000).imap` is from what a greenthread per call must
 * cost: one process times three ways of mapping 200k trivial calls, rounds
 * alternating, and prints each one's median and range against raw Deno.
 *
 *   taskset -c 1 deno run -A bench/imap_floor.ts [--rounds=12]
 *
 * - **raw**: the compare's baseline (bench/compare/imap_raw.ts): bare async
 *   calls awaited with `Promise.all` in chunks of 1000.
 * - **floor**: the least a greenthread per call can do with results read by
 *   `for await`: an object per call, a FIFO run queue, one microtask per 64
 *   starts, the async-context switch around each call, and the results read
 *   in order. No kill, instruments, links, error reports, live list, loop
 *   budget or pending-error checks: none of what the package guarantees.
 * - **ours**: `GreenPool(1000).imap`.
 *
 * Issue 15 asks for ours at ≥ 0.5 of raw; the floor says how much of the
 * gap is the design (a greenthread and an async step per call) and how
 * much is the guarantees.
 *
 * @module
 */

import { Fifo } from "../hub/fifo.ts";
import { median } from "./common.ts";
import { intArg } from "./compare/common.ts";
import { EXPECTED, inputs, LIMIT, N, oursMap, rawMap, work } from "./imap_workload.ts";

const ROUNDS = intArg("rounds", 12);
if (ROUNDS < 1) throw new RangeError(`Cannot time imap: --rounds must be ≥ 1, received ${ROUNDS}`);
const items = inputs();

// ------------------------------------------------------------ the floor

type Slot = { getAsyncContext(): unknown; setAsyncContext(value: unknown): void };
const internal = (Deno as unknown as { internal: symbol }).internal;
const slot = (Deno as unknown as Record<symbol, { core: Slot }>)[internal].core;
const RESOLVED = Promise.resolve();

/** A call in its own "greenthread": its function, argument and result. */
class Call {
  value: unknown;
  done = false;
  reader: (() => void) | null = null;
  constructor(public fn: ((x: unknown) => unknown) | null, public arg: unknown) {}
}

const runQueue = new Fifo<Call>();
const starting = new Fifo<Call>();
const batchSizes = new Fifo<number>();
let pumpPending = false;

function schedule(call: Call): void {
  runQueue.push(call);
  if (!pumpPending) {
    pumpPending = true;
    RESOLVED.then(pump);
  }
}

function pump(): void {
  pumpPending = false;
  let n = runQueue.length;
  let batch = 0;
  while (n-- > 0) {
    starting.push(runQueue.shift()!);
    if (++batch === 64) {
      batchSizes.push(batch);
      batch = 0;
      RESOLVED.then(startBatch);
    }
  }
  if (batch > 0) {
    batchSizes.push(batch);
    RESOLVED.then(startBatch);
  }
}

function startBatch(): void {
  let n = batchSizes.shift()!;
  while (n-- > 0) {
    const call = starting.shift()!;
    const outer = slot.getAsyncContext();
    slot.setAsyncContext(call);
    try {
      const fn = call.fn!;
      call.fn = null;
      call.value = fn(call.arg);
    } finally {
      slot.setAsyncContext(outer);
    }
    call.done = true;
    const reader = call.reader;
    if (reader !== null) {
      call.reader = null;
      reader();
    }
  }
}

/** Results in input order, at most LIMIT calls in flight, refilled at half. */
class FloorMap implements AsyncIterableIterator<unknown> {
  #calls = new Fifo<Call>();
  #next = 0;
  constructor(readonly fn: (x: unknown) => unknown, readonly items: unknown[]) {}
  [Symbol.asyncIterator](): this {
    return this;
  }
  #fill(): void {
    while (this.#calls.length < LIMIT && this.#next < this.items.length) {
      const call = new Call(this.fn, this.items[this.#next++]);
      this.#calls.push(call);
      schedule(call);
    }
  }
  next(): Promise<IteratorResult<unknown>> {
    if (this.#next === 0) this.#fill();
    const head = this.#calls.peek();
    if (head === undefined) return Promise.resolve({ value: undefined, done: true });
    if (!head.done) {
      return new Promise<void>((resolve) => head.reader = resolve).then(() => this.next());
    }
    this.#calls.shift();
    if (this.#calls.length <= LIMIT >> 1) this.#fill();
    return Promise.resolve({ value: head.value, done: false });
  }
}

// ------------------------------------------------------------ the three

function raw(): Promise<number> {
  return rawMap(items);
}

async function floor(): Promise<number> {
  let sum = 0;
  for await (const r of new FloorMap(work as (x: unknown) => unknown, items)) sum += r as number;
  return sum;
}

function ours(): Promise<number> {
  return oursMap(items);
}

const variants = { raw, floor, ours };
const nsPerCall: Record<string, number[]> = { raw: [], floor: [], ours: [] };
for (let round = -2; round < ROUNDS; round++) { // two rounds of warm-up
  for (const [name, run] of Object.entries(variants)) {
    const start = performance.now();
    const sum = await run();
    const ns = (performance.now() - start) / N * 1e6;
    if (sum !== EXPECTED) throw new Error(`${name} lost results: sum ${sum}`);
    if (round >= 0) nsPerCall[name].push(ns);
  }
}
const rawNs = median(nsPerCall.raw);
console.log(`variant | ns per call, median [range] | rate ÷ raw (medians)`);
for (const name of Object.keys(variants)) {
  const xs = nsPerCall[name];
  const range = `[${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`;
  console.log(`${name} | ${median(xs).toFixed(0)} ${range} | ${(rawNs / median(xs)).toFixed(2)}`);
}
