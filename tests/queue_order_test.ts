/**
 * The queue family: async iteration, state queries, bad input, LIFO and
 * priority orders, and the hub's loop budget under a queue that never parks.
 */

import assert from "node:assert/strict";
import { LifoQueue, type LightQueue, PriorityQueue, Queue } from "../green/queue.ts";
import { GreenletExit } from "../hub/greenthread.ts";
import { sleep } from "../green/sleep.ts";
import { spawn } from "../green/spawn.ts";
import { spendLoopBudget } from "./hub_helpers.ts";

// ------------------------------------------------------------ async iteration

Deno.test("Queue async iteration waits for items and ends when closed and drained", async () => {
  const q = new Queue<number>(2);
  const producer = spawn(async () => {
    for (let i = 0; i < 5; i++) await q.put(i);
    q.close();
  });
  const seen: number[] = [];
  for await (const n of q) seen.push(n);
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  await producer.wait();
});

Deno.test("Queue async iteration parked when the queue closes ends the loop", async () => {
  const q = new Queue<string>();
  const consumer = spawn(async () => {
    const seen: string[] = [];
    for await (const s of q) seen.push(s);
    return seen;
  });
  await sleep(0);
  q.putNowait("a");
  await sleep(0);
  assert.equal(q.getting(), 1);
  q.close();
  assert.deepEqual(await consumer.wait(), ["a"]);
});

Deno.test("Queue async iteration shares items with get() in FIFO order of waiting", async () => {
  const q = new Queue<number>(0);
  const iterated: number[] = [];
  const it = spawn(async () => {
    for await (const n of q) iterated.push(n);
  });
  const getter = spawn(() => q.get());
  await sleep(0);
  await q.put(1); // to the iterator, which waited first
  await q.put(2); // to the getter
  await q.put(3); // to the iterator again
  assert.equal(await getter.wait(), 2);
  q.close();
  await it.wait();
  assert.deepEqual(iterated, [1, 3]);
});

Deno.test("Queue async iteration is a switch point a kill interrupts", async () => {
  const q = new Queue<number>();
  const gt = spawn(async () => {
    for await (const _ of q) { /* never */ }
  });
  await sleep(0);
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
  assert.equal(q.getting(), 0);
});

// ----------------------------------------------------------------- state

Deno.test("Queue empty()/full()/qsize()/maxsize for unbounded, bounded and channel queues", async () => {
  const unbounded = new Queue<number>();
  const negative = new Queue<number>(-1);
  const bounded = new Queue<number>(2);
  const channel = new Queue<number>(0);
  assert.equal(unbounded.maxsize, null);
  assert.equal(negative.maxsize, null);
  for (let i = 0; i < 1000; i++) negative.putNowait(i);
  assert.equal(negative.full(), false);
  assert.equal(negative.qsize(), 1000);
  assert.equal(bounded.maxsize, 2);
  assert.ok(bounded.empty() && !bounded.full());
  await bounded.put(1);
  await bounded.put(2);
  assert.ok(!bounded.empty() && bounded.full());
  assert.equal(channel.maxsize, 0);
  assert.ok(channel.empty() && channel.full());
  assert.equal(channel.qsize(), 0);
});

Deno.test("Queue rejects bad input with TypeError/RangeError, synchronously", () => {
  assert.throws(() => new Queue(NaN), RangeError);
  assert.throws(
    () => new Queue(1.5),
    /Cannot create Queue: maxsize must be an integer, received 1.5/,
  );
  assert.throws(() => new LifoQueue(0.5), /Cannot create LifoQueue/);
  assert.throws(() => new Queue("3" as unknown as number), TypeError);
  const q = new Queue<number>(1);
  assert.throws(() => q.resize(NaN), RangeError);
  assert.throws(() => q.resize(2.5), RangeError);
  assert.equal(q.maxsize, 1, "a failed resize changes nothing");
  assert.throws(() => q.put(1, { block: "no" as unknown as boolean }), TypeError);
  assert.throws(() => q.put(1, { timeout: NaN }), RangeError);
  assert.throws(() => q.put(1, { timeout: "1" as unknown as number }), TypeError);
  assert.throws(() => q.get({ timeout: NaN }), RangeError);
  assert.throws(() => q.get(5 as unknown as object), TypeError);
  assert.equal(q.qsize(), 0, "nothing happened");
  assert.throws(
    () => new PriorityQueue(null, 5 as unknown as () => number),
    /compare must be a function, received number/,
  );
});

// ------------------------------------------------------------ LIFO, priority

Deno.test("Queue, LifoQueue and PriorityQueue orders: [1,2,3], [3,2,1], 3,1,2 → [1,2,3]", async () => {
  const fifo = new Queue<number>();
  const lifo = new LifoQueue<number>();
  const prio = new PriorityQueue<number>();
  for (const n of [1, 2, 3]) {
    await fifo.put(n);
    await lifo.put(n);
  }
  for (const n of [3, 1, 2]) await prio.put(n);
  const drain = async (q: LightQueue<number>) => {
    const out = [];
    while (!q.empty()) out.push(await q.get());
    return out;
  };
  assert.deepEqual(await drain(fifo), [1, 2, 3]);
  assert.deepEqual(await drain(lifo), [3, 2, 1]);
  assert.deepEqual(await drain(prio), [1, 2, 3]);
});

Deno.test("PriorityQueue orders [priority, item] tuples lowest first, ties in insertion order", () => {
  const q = new PriorityQueue<[number, string]>();
  const input: [number, string][] = [
    [5, "e1"],
    [1, "a1"],
    [3, "c1"],
    [1, "a2"],
    [5, "e2"],
    [3, "c2"],
    [1, "a3"],
    [-2, "z"],
  ];
  for (const t of input) q.putNowait(t);
  const out = [];
  while (!q.empty()) out.push(q.getNowait()[1]);
  assert.deepEqual(out, ["z", "a1", "a2", "a3", "c1", "c2", "e1", "e2"]);
});

Deno.test("PriorityQueue keeps heap order and stability over many random items", () => {
  const q = new PriorityQueue<[number, number]>();
  const input: [number, number][] = [];
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    input.push([seed % 50, i]);
  }
  for (const t of input) q.putNowait(t);
  const expected = [...input].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = [];
  while (!q.empty()) out.push(q.getNowait());
  assert.deepEqual(out, expected);
});

Deno.test("PriorityQueue with a compare function, strings, and bigints", () => {
  const byLength = new PriorityQueue<string>(null, (a, b) => a.length - b.length);
  for (const s of ["ccc", "a", "bb", "x"]) byLength.putNowait(s);
  assert.deepEqual([1, 2, 3, 4].map(() => byLength.getNowait()), ["a", "x", "bb", "ccc"]);
  const strings = new PriorityQueue<string>();
  for (const s of ["pear", "apple", "fig"]) strings.putNowait(s);
  assert.deepEqual([1, 2, 3].map(() => strings.getNowait()), ["apple", "fig", "pear"]);
  const mixed = new PriorityQueue<number | bigint>();
  for (const n of [3n, 1, 2n]) mixed.putNowait(n);
  assert.deepEqual([1, 2, 3].map(() => mixed.getNowait()), [1, 2n, 3n]);
});

Deno.test("PriorityQueue without compare rejects items it cannot order, with TypeError", () => {
  const q = new PriorityQueue<unknown>();
  assert.throws(
    () => q.putNowait({}),
    /must be a number, a bigint, a string or a \[priority, item\] tuple, received object/,
  );
  assert.throws(() => q.put([null, "x"]), TypeError);
  assert.throws(() => q.putNowait(NaN), /priority must not be NaN/);
  q.putNowait(1);
  assert.throws(() => q.putNowait("a"), /its priorities are numbers, received a string/);
  assert.equal(q.qsize(), 1);
});

Deno.test("PriorityQueue(1) backpressure: a parked putter's item joins the heap when a slot frees", async () => {
  const q = new PriorityQueue<number>(1);
  await q.put(5);
  const p = spawn(() => q.put(1));
  await sleep(0);
  assert.equal(q.putting(), 1);
  assert.equal(await q.get(), 5);
  assert.equal(await q.get(), 1);
  await p.wait();
});

// ----------------------------------------------------------------- budget

Deno.test("Queue put/get loop that never parks does not starve Deno's timers", async () => {
  const q = new Queue<number>(100);
  let fired = false;
  const id = setTimeout(() => fired = true, 0);
  let n = 0;
  try {
    while (!fired) {
      await q.put(n);
      await q.get();
      if (++n > 50_000_000) break;
    }
  } finally {
    clearTimeout(id);
  }
  assert.ok(fired, "the timer fired while the loop ran");
});

Deno.test("Queue hand-overs resume the caller before the one it woke, even when the budget yields", async () => {
  for (const spent of [false, true]) {
    await sleep(0.001); // a fresh budget
    const log: string[] = [];
    const q = new Queue<string>(1);
    const getter = spawn(async () => log.push(`getter ${await q.get()}`));
    await sleep(0);
    if (spent) spendLoopBudget();
    await q.put("a"); // handed to the parked getter
    log.push("putter");
    await getter.wait();
    q.putNowait("b");
    const putter = spawn(async () => log.push(`putter ${await q.put("c")}`));
    await sleep(0);
    if (spent) spendLoopBudget();
    log.push(`getter ${await q.get()}`); // lets the parked putter in
    await putter.wait();
    assert.deepEqual(
      log,
      ["putter", "getter a", "getter b", "putter undefined"],
      `budget spent: ${spent}`,
    );
  }
});

Deno.test("Queue producer/consumer pair moves 100k items in order through Queue(10)", async () => {
  const q = new Queue<number>(10);
  const N = 100_000;
  const producer = spawn(async () => {
    for (let i = 0; i < N; i++) await q.put(i);
  });
  const consumer = spawn(async () => {
    for (let i = 0; i < N; i++) {
      const v = await q.get();
      if (v !== i) throw new Error(`expected ${i}, got ${v}`);
    }
  });
  await producer.wait();
  await consumer.wait();
  assert.equal(q.qsize(), 0);
  assert.equal(q.unfinishedTasks, N);
});
