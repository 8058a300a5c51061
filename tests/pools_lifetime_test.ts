/**
 * Pool item lifetimes: validate, ports of db_pool's lifetime scenarios (zero
 * maxIdle/maxAge, waiters woken by an item disposed of on put), the idle
 * timer and maxAge, close() disposing of items, and leases through item().
 */

import assert from "node:assert/strict";
import { Pool } from "../pools/mod.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { getHub } from "../hub/hub.ts";
import { intPool } from "./pools_helpers.ts";

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
