/**
 * Pool and TokenPool handing items out: ports of eventlet's pools tests
 * (IntPool, on-demand creation, free() and waiting(), exhaustion, ordering,
 * resize, create contention, timed-out getters, raising create), plus minSize,
 * async create, kills and Timeouts in create and get, close during a create,
 * equal primitive items, TokenPool, and a final check that no greenthread or
 * hub timer is left behind.
 */

import assert from "node:assert/strict";
import { Pool, TokenPool } from "../pools/mod.ts";
import { getCurrent, spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { GreenletExit } from "../hub/greenthread.ts";
import { GreenPool } from "../green/greenpool.ts";
import { Queue } from "../green/queue.ts";
import { getHub } from "../hub/hub.ts";
import { intPool, spin } from "./pools_helpers.ts";

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
