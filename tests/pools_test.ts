/**
 * Pool and TokenPool: ports of eventlet's pools tests (IntPool, ordering,
 * exhaustion, resize, create contention, timed-out getters, raising create)
 * and of db_pool's lifetime scenarios (zero maxIdle/maxAge, waiters woken by
 * a disposed item), plus validate, async create, close, leases and bad input.
 */

import assert from "node:assert/strict";
import { Pool, TokenPool } from "../pools/mod.ts";
import { getCurrent, spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { GreenletExit } from "../green/greenthread.ts";
import { GreenPool } from "../green/greenpool.ts";
import { Queue } from "../green/queue.ts";
import { getHub } from "../hub/hub.ts";
import { captureErrors } from "./hub_helpers.ts";

/** Lets every ready greenthread run until it blocks. */
async function spin(): Promise<void> {
  for (let i = 0; i < 10; i++) await sleep(0);
}

/** eventlet's IntPool: create counts 1, 2, 3… */
function intPool(options: { maxSize?: number; minSize?: number; orderAsFifo?: boolean } = {}) {
  let n = 0;
  return new Pool<number>({ create: () => ++n, maxSize: 4, ...options });
}

Deno.test("Pool creates items on demand, up to maxSize", async () => {
  using pool = intPool();
  assert.deepEqual([await pool.get(), await pool.get(), await pool.get(), await pool.get()], [
    1,
    2,
    3,
    4,
  ]);
  assert.equal(pool.free(), 0);
});

Deno.test("Pool.free() counts free items plus items that may still be created", async () => {
  using pool = intPool();
  assert.equal(pool.free(), 4);
  const got = await pool.get();
  assert.equal(pool.free(), 3);
  pool.put(got);
  assert.equal(pool.free(), 4);
});

Deno.test("Pool.get() on an exhausted pool waits for the next put and gets that item", async () => {
  using pool = intPool();
  const items = [await pool.get(), await pool.get(), await pool.get(), await pool.get()];
  assert.equal(pool.free(), 0);
  const consumer = spawn(() => pool.get());
  await sleep(0);
  assert.equal(pool.waiting(), 1);
  pool.put(items[0]);
  assert.equal(await consumer.wait(), items[0]);
  assert.equal(pool.waiting(), 0);
});

Deno.test("Pool: a greenthread blocked in its fifth get is counted in waiting() until killed", async () => {
  using pool = intPool();
  let after = false;
  const greedy = spawn(async () => {
    for (let i = 0; i < 4; i++) await pool.get();
    assert.equal(pool.waiting(), 0);
    await pool.get();
    after = true;
  });
  assert.equal(pool.waiting(), 0);
  await spin();
  assert.equal(pool.waiting(), 1);
  await greedy.kill();
  assert.equal(after, false);
  assert.equal(pool.waiting(), 0);
  assert.equal(pool.free(), 0); // greedy never put its four back
});

Deno.test("Pool hands free items out oldest first; orderAsFifo: false, latest first", async () => {
  using fifo = intPool();
  const [one, two] = [await fifo.get(), await fifo.get()];
  fifo.put(one);
  fifo.put(two);
  assert.deepEqual([await fifo.get(), await fifo.get()], [one, two]);

  using stack = intPool({ maxSize: 3, orderAsFifo: false });
  const [a, b] = [await stack.get(), await stack.get()];
  stack.put(a);
  stack.put(b);
  assert.deepEqual([await stack.get(), await stack.get()], [b, a]);
});

Deno.test("Pool: items put back by other greenthreads reach a waiting getter", async () => {
  using _t = new Timeout(1);
  using pool = intPool({ maxSize: 2 });
  const done = new Queue<number>();
  for (let index = 0; index < 3; index++) {
    const item = await pool.get();
    spawn(() => {
      pool.put(item);
      done.putNowait(index);
    });
  }
  const results = [await done.get(), await done.get(), await done.get()];
  assert.deepEqual(results.sort(), [0, 1, 2]);
});

Deno.test("Pool.resize() discards excess items put back and grows at once", async () => {
  const disposed: number[] = [];
  let n = 0;
  using pool = new Pool({ create: () => ++n, maxSize: 2, dispose: (i) => disposed.push(i) });
  const a = await pool.get();
  const b = await pool.get();
  assert.equal(pool.free(), 0);
  pool.resize(1);
  pool.put(a);
  pool.put(b);
  assert.equal(pool.free(), 1);
  assert.deepEqual(disposed, [1]);
  pool.resize(2);
  assert.equal(pool.free(), 2);
  assert.equal(pool.maxSize, 2);
  // The one kept is handed out again, then a second is created.
  assert.deepEqual([await pool.get(), await pool.get()], [2, 3]);
});

Deno.test("Pool.resize() to a smaller size disposes of excess free items now", async () => {
  const disposed: number[] = [];
  let n = 0;
  using pool = new Pool({ create: () => ++n, maxSize: 4, dispose: (i) => disposed.push(i) });
  const items = [await pool.get(), await pool.get(), await pool.get(), await pool.get()];
  for (const i of items) pool.put(i);
  pool.resize(2);
  assert.equal(disposed.length, 2);
  assert.equal(pool.free(), 2);
  const x = await pool.get();
  const y = await pool.get();
  assert.equal(pool.free(), 0);
  const third = spawn(() => pool.get());
  await sleep(0);
  assert.equal(pool.waiting(), 1, "a third get waits: the pool holds two now");
  pool.put(x);
  assert.equal(await third.wait(), x);
  pool.put(x);
  pool.put(y);
  assert.equal(n, 4, "nothing was created after the shrink");
});

Deno.test("Pool.resize() growing serves waiting gets at once", async () => {
  using pool = intPool({ maxSize: 1 });
  await pool.get();
  const waiters = [spawn(() => pool.get()), spawn(() => pool.get())];
  await sleep(0);
  assert.equal(pool.waiting(), 2);
  pool.resize(3);
  assert.deepEqual([await waiters[0].wait(), await waiters[1].wait()], [2, 3]);
});

Deno.test("Pool: 100 contending gets with a create that sleeps create maxSize items only", async () => {
  let creates = 0;
  using pool = new Pool({
    maxSize: 4,
    create: async () => {
      creates++;
      await sleep(0);
      return "slept";
    },
  });
  const gp = new GreenPool();
  for (let i = 0; i < 100; i++) {
    await gp.spawnN(async () => {
      const x = await pool.get();
      assert.equal(x, "slept");
      pool.put(x);
    });
  }
  await gp.waitall();
  assert.equal(creates, 4);
  assert.equal(pool.free(), 4);
});

Deno.test("Pool.put() with timed-out getters keeps the item free", async () => {
  using pool = intPool({ maxSize: 2 });
  await pool.get();
  await pool.get();
  const getters = Array.from({ length: 5 }, () =>
    spawn(async () => {
      using _t = new Timeout(0.01);
      return await pool.get().catch((e) => e);
    }));
  await sleep(0);
  assert.equal(pool.waiting(), 5);
  for (const g of getters) assert.ok(await g.wait() instanceof Timeout);
  assert.equal(pool.waiting(), 0);
  pool.put(1);
  assert.equal(pool.free(), 1);
  assert.equal(await pool.get(), 1, "the item put back is handed out again");
});

Deno.test("Pool({ minSize }) creates its items at once; async ones join as they resolve", async () => {
  let n = 0;
  using pool = new Pool({ create: () => ++n, minSize: 3, maxSize: 3 });
  assert.equal(n, 3);
  assert.equal(await pool.get(), 1);
  assert.equal(n, 3);

  let m = 0;
  using later = new Pool({
    create: async () => {
      await sleep(0.005);
      return ++m;
    },
    minSize: 2,
    maxSize: 2,
  });
  assert.equal(later.free(), 2);
  const a = await later.get(); // waits for a warm-up, creates nothing more
  const b = await later.get();
  assert.deepEqual([a, b].sort(), [1, 2]);
  assert.equal(m, 2);
  later.put(a);
  later.put(b);
});

Deno.test("Pool: a create that throws frees its slot", async () => {
  using pool = new Pool<number>({
    maxSize: 3,
    create: () => {
      throw new RangeError("no");
    },
  });
  assert.equal(pool.free(), 3);
  await assert.rejects(pool.get(), RangeError);
  assert.equal(pool.free(), 3);
  using asyncPool = new Pool<number>({
    maxSize: 1,
    create: async () => {
      await sleep(0);
      throw new Error("async no");
    },
  });
  await assert.rejects(asyncPool.get(), /async no/);
  await assert.rejects(asyncPool.get(), /async no/);
  assert.equal(asyncPool.free(), 1);
});

Deno.test("Pool: create runs in the getter's greenthread; a kill or Timeout there frees the slot", async () => {
  const ran: unknown[] = [];
  let n = 0;
  using pool = new Pool({
    maxSize: 1,
    create: async () => {
      ran.push(getCurrent());
      await sleep(0.05);
      return ++n;
    },
  });
  const getter = spawn(() => pool.get());
  await sleep(0.001);
  assert.deepEqual(ran, [getter]);
  await getter.kill();
  await assert.rejects(getter.wait(), GreenletExit);
  assert.equal(pool.free(), 1);

  await assert.rejects(async () => {
    using _t = new Timeout(0.005);
    await pool.get();
  }, Timeout);
  assert.equal(pool.free(), 1);
  const item = await pool.get();
  assert.equal(item, 1, "the interrupted creates produced nothing");
  pool.put(item);
});

Deno.test("Pool.get() is a switch point even with a free item: a pending kill lands there", async () => {
  using pool = intPool({ maxSize: 1 });
  pool.put(await pool.get());
  let got: number | undefined;
  const gt = spawn(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5)); // foreign: the kill waits
    got = await pool.get();
  });
  await sleep(0.001);
  await gt.kill(); // resolves once gt has ended
  await assert.rejects(gt.wait(), GreenletExit);
  assert.equal(got, undefined);
  assert.equal(pool.free(), 1, "the free item is still free");
});

Deno.test("Pool.close() during an async create: the getter gets its item, disposed of on put", async () => {
  const disposed: number[] = [];
  const pool = new Pool({
    create: async () => {
      await sleep(0.005);
      return 7;
    },
    dispose: (i) => disposed.push(i),
  });
  const getter = spawn(() => pool.get());
  await sleep(0.001);
  pool.close();
  assert.equal(await getter.wait(), 7);
  pool.put(7);
  assert.deepEqual(disposed, [7]);
});

Deno.test("Pool: validate drops invalid free items, and a throwing validate frees the slot", async () => {
  const disposed: number[] = [];
  let n = 0;
  let verdict: boolean | "throw" = true;
  using pool = new Pool({
    create: () => ++n,
    maxSize: 2,
    dispose: (i) => disposed.push(i),
    validate: async (item) => {
      await sleep(0);
      if (verdict === "throw") throw new Error(`bad ${item}`);
      return verdict;
    },
  });
  const a = await pool.get();
  pool.put(a);
  assert.equal(await pool.get(), 1, "valid: reused");
  pool.put(1);
  verdict = false;
  assert.equal(await pool.get(), 2, "invalid: disposed of, a new one created");
  assert.deepEqual(disposed, [1]);
  pool.put(2);
  verdict = "throw";
  await assert.rejects(pool.get(), /bad 2/);
  assert.deepEqual(disposed, [1, 2]);
  assert.equal(pool.free(), 2);
  verdict = true;
  assert.equal(await pool.get(), 3);
});

Deno.test("Pool({ maxIdle: 0 }) and ({ maxAge: 0 }) dispose of every item put back", async () => {
  for (const lifetime of [{ maxIdle: 0 }, { maxAge: 0 }]) {
    const disposed: number[] = [];
    let n = 0;
    using pool = new Pool({
      create: () => ++n,
      maxSize: 2,
      dispose: (i) => disposed.push(i),
      ...lifetime,
    });
    pool.put(await pool.get());
    assert.deepEqual(disposed, [1]);
    assert.equal(pool.free(), 2);
    assert.equal(getHub().stats().timers, 0, "no idle timer for nothing");
  }
});

Deno.test("Pool: a waiter is woken by an item disposed of on put, and creates its own", async () => {
  let n = 0;
  using pool = new Pool({ create: () => ++n, maxSize: 1, maxAge: 0 });
  const first = await pool.get();
  assert.equal(pool.free(), 0);
  const retrieve = spawn(() => pool.get());
  await sleep(0);
  await sleep(0);
  assert.equal(pool.waiting(), 1);
  pool.put(first);
  using _t = new Timeout(1);
  assert.equal(await retrieve.wait(), 2);
  assert.equal(pool.free(), 0);
  assert.equal(pool.waiting(), 0);
  pool.put(2);
});

Deno.test("Pool({ maxIdle }) disposes of idle items on one hub timer, with no other activity", async () => {
  const disposed: number[] = [];
  let n = 0;
  const timersBefore = getHub().stats().timers;
  using pool = new Pool({
    create: () => ++n,
    maxSize: 3,
    maxIdle: 0.03,
    dispose: (i) => disposed.push(i),
  });
  const items = [await pool.get(), await pool.get(), await pool.get()];
  for (const i of items) pool.put(i);
  assert.equal(getHub().stats().timers, timersBefore + 1, "one timer for three idle items");
  await sleep(0.01);
  pool.put(await pool.get()); // item 1 is fresh again
  await sleep(0.025);
  assert.deepEqual(disposed, [2, 3], "items 2 and 3 went stale first");
  await sleep(0.02);
  assert.deepEqual(disposed, [2, 3, 1]);
  assert.equal(getHub().stats().timers, timersBefore, "no timer left once nothing is free");
  assert.equal(pool.free(), 3);
  assert.equal(await pool.get(), 4, "a fresh item is created");
});

Deno.test("Pool({ maxAge }) disposes of an old item when put back, and of old free ones", async () => {
  const disposed: number[] = [];
  let n = 0;
  using pool = new Pool({ create: () => ++n, maxAge: 0.02, dispose: (i) => disposed.push(i) });
  const a = await pool.get();
  const b = await pool.get();
  pool.put(b);
  await sleep(0.03);
  assert.deepEqual(disposed, [2], "the free one went stale on the timer");
  pool.put(a);
  assert.deepEqual(disposed, [2, 1], "the old one out is disposed of on put");
  assert.equal(getHub().stats().timers, 0);
});

Deno.test("Pool: an item out while all are out holds no timer", async () => {
  using pool = new Pool({ create: () => ({}), maxSize: 1, maxIdle: 5 });
  const before = getHub().stats().timers;
  const item = await pool.get();
  pool.put(item);
  assert.equal(getHub().stats().timers, before + 1);
  const again = await pool.get();
  assert.equal(getHub().stats().timers, before, "the timer goes with the last free item");
  pool.put(again);
});

Deno.test("Pool.close() disposes free items, rejects waiters and later gets, disposes items put back", async () => {
  const disposed: number[] = [];
  let n = 0;
  const pool = new Pool({ create: () => ++n, maxSize: 2, dispose: (i) => disposed.push(i) });
  const a = await pool.get();
  const b = await pool.get();
  pool.put(b);
  await pool.get(); // b again
  const waiter = spawn(() => pool.get());
  await sleep(0);
  pool.put(b);
  assert.equal(await waiter.wait(), 2);
  const waiter2 = spawn(() => pool.get());
  await sleep(0);
  pool.close();
  await assert.rejects(waiter2.wait(), { message: "Cannot get from Pool: it is closed" });
  await assert.rejects(pool.get(), { message: "Cannot get from Pool: it is closed" });
  assert.equal(pool.waiting(), 0);
  pool.put(a);
  pool.put(b);
  assert.deepEqual(disposed, [1, 2]);
  pool.close(); // again: nothing
});

Deno.test("Pool.item() lends an item for `using` and puts it back once", async () => {
  using pool = intPool({ maxSize: 1 });
  {
    using lease = await pool.item();
    assert.equal(lease.value, 1);
    assert.equal(pool.free(), 0);
    lease[Symbol.dispose]();
    lease[Symbol.dispose](); // a second dispose does nothing
    assert.equal(pool.free(), 1);
  }
  assert.equal(pool.free(), 1);
  await assert.rejects(async () => {
    using lease = await pool.item();
    assert.equal(lease.value, 1);
    throw new Error("inside");
  }, /inside/);
  assert.equal(pool.free(), 1);
});

Deno.test("Pool.put() refuses an item that is not out of the pool", async () => {
  using pool = intPool();
  assert.throws(() => pool.put(7), {
    name: "RangeError",
    message: "Cannot put into Pool: the item is not out of this pool, received 7",
  });
  assert.throws(() => pool.put("7" as never), {
    name: "RangeError",
    message: 'Cannot put into Pool: the item is not out of this pool, received "7"',
  });
  assert.throws(() => pool.put({} as never), {
    name: "RangeError",
    message: "Cannot put into Pool: the item is not out of this pool, received object",
  });
  const one = await pool.get();
  pool.put(one);
  assert.throws(() => pool.put(one), RangeError, "a double put");
  assert.equal(pool.free(), 4);
});

Deno.test("Pool keeps equal primitive items apart", async () => {
  using pool = new Pool({ create: () => "same", maxSize: 2 });
  const a = await pool.get();
  const b = await pool.get();
  assert.equal(pool.free(), 0);
  pool.put(a);
  pool.put(b);
  assert.throws(() => pool.put("same"), RangeError);
  assert.equal(pool.free(), 2);
});

Deno.test("Pool: errors of dispose go to hub.onError", async () => {
  using capture = captureErrors();
  const pool = new Pool({
    create: () => ({}),
    dispose: () => {
      throw new Error("sync dispose failed");
    },
  });
  pool.put(await pool.get());
  pool.close();
  const asyncPool = new Pool({
    create: () => ({}),
    dispose: () => Promise.reject(new Error("async dispose failed")),
  });
  asyncPool.put(await asyncPool.get());
  asyncPool.close();
  await sleep(0);
  assert.deepEqual(capture.errors.map((e) => (e as Error).message), [
    "sync dispose failed",
    "async dispose failed",
  ]);
});

Deno.test("Pool rejects bad options with TypeError/RangeError naming them", () => {
  const create = () => 1;
  const bad: [unknown, string, string][] = [
    [undefined, "TypeError", "Cannot create Pool: create must be a function, received undefined"],
    [null, "TypeError", "Cannot create Pool: options must be an object, received null"],
    [{}, "TypeError", "Cannot create Pool: create must be a function, received undefined"],
    [{ create: 5 }, "TypeError", "Cannot create Pool: create must be a function, received number"],
    [
      { create, maxSize: -1 },
      "RangeError",
      "Cannot create Pool: maxSize must be a positive integer, received -1",
    ],
    [
      { create, maxSize: 0 },
      "RangeError",
      "Cannot create Pool: maxSize must be a positive integer, received 0",
    ],
    [
      { create, maxSize: 1.5 },
      "RangeError",
      "Cannot create Pool: maxSize must be a positive integer, received 1.5",
    ],
    [
      { create, maxSize: "4" },
      "TypeError",
      "Cannot create Pool: maxSize must be a number, received string",
    ],
    [
      { create, minSize: NaN },
      "RangeError",
      "Cannot create Pool: minSize must be a non-negative integer, received NaN",
    ],
    [
      { create, minSize: 5 },
      "RangeError",
      "Cannot create Pool: minSize must not exceed maxSize 4, received 5",
    ],
    [
      { create, maxIdle: -1 },
      "RangeError",
      "Cannot create Pool: maxIdle must be a non-negative number of seconds, received -1",
    ],
    [
      { create, maxAge: NaN },
      "RangeError",
      "Cannot create Pool: maxAge must be a non-negative number of seconds, received NaN",
    ],
    [
      { create, maxAge: "1" },
      "TypeError",
      "Cannot create Pool: maxAge must be a number, received string",
    ],
    [
      { create, dispose: 1 },
      "TypeError",
      "Cannot create Pool: dispose must be a function, received number",
    ],
    [
      { create, validate: {} },
      "TypeError",
      "Cannot create Pool: validate must be a function, received object",
    ],
    [
      { create, orderAsFifo: 1 },
      "TypeError",
      "Cannot create Pool: orderAsFifo must be a boolean, received number",
    ],
    [
      { create, max_size: 1 },
      "TypeError",
      'Cannot create Pool: unknown option, received "max_size"',
    ],
  ];
  for (const [options, name, message] of bad) {
    assert.throws(() => new Pool(options as never), { name, message }, JSON.stringify(options));
  }
  using pool = new Pool({ create });
  assert.throws(() => pool.resize(0), {
    name: "RangeError",
    message: "Cannot resize Pool: maxSize must be a positive integer, received 0",
  });
  assert.throws(() => pool.resize(null as never), TypeError);
  assert.throws(() => new TokenPool(-2), {
    name: "RangeError",
    message: "Cannot create TokenPool: maxSize must be a positive integer, received -2",
  });
});

Deno.test("TokenPool hands out distinct tokens, at most maxSize at once", async () => {
  using pool = new TokenPool(4);
  using lease = await pool.item();
  assert.equal(pool.free(), 3);
  const tokens = [await pool.get(), await pool.get(), await pool.get()];
  assert.equal(new Set([lease.value, ...tokens]).size, 4);
  const blocked = spawn(() => pool.get());
  await sleep(0);
  assert.equal(pool.waiting(), 1);
  pool.put(tokens[0]);
  assert.equal(await blocked.wait(), tokens[0]);
  assert.equal(new TokenPool().maxSize, 4);
});

Deno.test("Pool tests leave no greenthread and no hub timer behind", async () => {
  await spin();
  assert.deepEqual(getHub().greenthreads(), []);
  assert.equal(getHub().stats().timers, 0);
});
