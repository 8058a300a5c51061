/**
 * GreenPool spawning: ports of eventlet's tests/greenpool_test.py
 * GreenPool cases on spawn, spawn_n, waiting, resize and re-entrant
 * spawns, plus the size checks and what an inline spawn runs as.
 */

import assert from "node:assert/strict";
import { GreenPool } from "../green/greenpool.ts";
import { Event } from "../green/event.ts";
import { getCurrent, spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import type { GreenThread } from "../hub/greenthread.ts";
import { getHub } from "../hub/hub.ts";
import { captureErrors } from "./hub_helpers.ts";
import { assertPoolHasFree, passthru, range } from "./pool_helpers.ts";
import { spendLoopBudget } from "./hub_helpers.ts";

const hub = getHub();

// A fresh loop-turn budget, so "completes at once" really does not yield.
const freshTurn = () => sleep(0.001);

Deno.test("GreenPool() accepts non-negative integer sizes and rejects bad ones", () => {
  assert.equal(new GreenPool().size, 1000);
  assert.equal(new GreenPool(0).size, 0);
  assert.equal(new GreenPool(1e3).size, 1000);
  assert.throws(() => new GreenPool(-1), {
    name: "RangeError",
    message: "Cannot create GreenPool: size must be a non-negative integer, received -1",
  });
  assert.throws(() => new GreenPool(NaN), RangeError);
  assert.throws(() => new GreenPool(2.5), RangeError);
  assert.throws(() => new GreenPool("5" as unknown as number), TypeError);
  assert.throws(() => new GreenPool(2).resize(-3), /Cannot resize GreenPool/);
  assert.throws(() => new GreenPool(2).spawn(null as never), TypeError);
});

Deno.test("GreenPool.spawn() returns results of every greenthread (test_spawn)", async () => {
  const p = new GreenPool(4);
  const waiters: GreenThread<number>[] = [];
  for (let i = 0; i < 10; i++) waiters.push(await p.spawn(passthru, i));
  const results = [];
  for (const w of waiters) results.push(await w.wait());
  assert.deepEqual(results, range(10));
});

Deno.test("GreenPool.spawnN() runs every function in order (test_spawn_n)", async () => {
  const p = new GreenPool(4);
  const results: number[] = [];
  for (let i = 0; i < 10; i++) {
    await p.spawnN(async (a: number) => {
      await sleep(0.01);
      results.push(a);
    }, i);
  }
  await p.waitall();
  assert.deepEqual(results, range(10));
});

Deno.test("GreenPool.spawn() with room resumes the spawner before the new greenthread, even when the budget yields", async () => {
  for (const spent of [false, true]) {
    await freshTurn();
    const log: string[] = [];
    const pool = new GreenPool(2);
    if (spent) spendLoopBudget();
    const gt = await pool.spawn(() => log.push("child"));
    log.push("spawner");
    await gt.wait();
    assert.deepEqual(log, ["spawner", "child"], `budget spent: ${spent}`);
  }
});

Deno.test("GreenPool.waiting() counts blocked spawners (test_waiting)", async () => {
  const pool = new GreenPool(1);
  const done = new Event();
  const waiter = async () => {
    const gt = await pool.spawn(() => done.wait());
    await gt.wait();
  };
  const waiters = [];
  assert.equal(pool.running(), 0);
  waiters.push(spawn(waiter));
  await sleep(0);
  assert.equal(pool.waiting(), 0);
  waiters.push(spawn(waiter));
  await sleep(0);
  assert.equal(pool.waiting(), 1);
  waiters.push(spawn(waiter));
  await sleep(0);
  assert.equal(pool.waiting(), 2);
  assert.equal(pool.running(), 1);
  done.send();
  for (const w of waiters) await w.wait();
  assert.equal(pool.waiting(), 0);
  assert.equal(pool.running(), 0);
});

Deno.test("GreenPool greenthreads interleave at switch points (test_multiple_coros)", async () => {
  const evt = new Event();
  const results: string[] = [];
  const pool = new GreenPool(2);
  const done = await pool.spawn(async () => {
    results.push("cons1");
    await evt.wait();
    results.push("cons2");
  });
  await pool.spawnN(() => {
    results.push("prod");
    evt.send();
  });
  await done.wait();
  assert.deepEqual(results, ["cons1", "prod", "cons2"]);
});

Deno.test("GreenPool: a local timer of an ended greenthread never fires (test_timer_cancel)", async () => {
  const fired: boolean[] = [];
  const pool = new GreenPool(2);
  const worker = await pool.spawn(() => {
    hub.scheduleCallLocal(0, () => fired.push(true));
  });
  await worker.wait();
  await sleep(0);
  await sleep(0);
  assert.deepEqual(fired, []);
});

Deno.test("GreenPool.spawn() from a pool greenthread of a full pool runs inline (test_reentrant)", async () => {
  const pool = new GreenPool(1);
  const outer = await pool.spawn(async () => {
    const waiter = await pool.spawn((a: string) => a, "reenter");
    assert.equal(waiter.dead, true, "it ran inline, to its end");
    return await waiter.wait();
  });
  assert.equal(await outer.wait(), "reenter");

  const evt = new Event<string>();
  await pool.spawnN(async () => {
    await pool.spawnN((a: string) => a, "reenter");
    evt.send("done");
  });
  assert.equal(await evt.wait(), "done");
  assert.equal(pool.running(), 0);
});

Deno.test("GreenPool.spawn() inline: the function runs as the caller and its error rejects", async () => {
  using reported = captureErrors();
  const pool = new GreenPool(1);
  const outer = await pool.spawn(async () => {
    const me = getCurrent();
    const inner = await pool.spawn(async () => {
      await Promise.resolve(); // a foreign await: still the caller after it
      return getCurrent();
    });
    assert.equal(await inner.wait(), me);
    await assert.rejects(pool.spawn(() => Promise.reject(new Error("inline boom"))), {
      message: "inline boom",
    });
    await pool.spawnN(() => {
      throw new Error("inline spawnN");
    });
    return "ok";
  });
  assert.equal(await outer.wait(), "ok");
  assert.deepEqual(reported.errors.map((e) => (e as Error).message), ["inline spawnN"]);
});

Deno.test("GreenPool.resize() changes free slots (test_resize)", async () => {
  const pool = new GreenPool(2);
  const evt = new Event();
  await pool.spawn(() => evt.wait());
  await pool.spawn(() => evt.wait());
  assert.equal(pool.free(), 0);
  assert.equal(pool.running(), 2);
  await assertPoolHasFree(pool, 0);
  pool.resize(1);
  evt.send();
  await sleep(0);
  await sleep(0);
  assert.equal(pool.free(), 1);
  assert.equal(pool.running(), 0);
  await assertPoolHasFree(pool, 1);
  pool.resize(2);
  assert.equal(pool.free(), 2);
  assert.equal(pool.running(), 0);
  await assertPoolHasFree(pool, 2);
});

Deno.test("GreenPool.resize() below running makes free() negative; growing admits spawners", async () => {
  const pool = new GreenPool(3);
  const evt = new Event();
  for (let i = 0; i < 3; i++) await pool.spawn(() => evt.wait());
  pool.resize(1);
  assert.equal(pool.free(), -2);
  assert.equal(pool.waiting(), 0, "nobody is blocked in spawn (eventlet would say 2)");
  evt.send();
  await pool.waitall();
  assert.equal(pool.free(), 1);

  const empty = new GreenPool(0);
  const spawned = empty.spawn(() => "ran");
  assert.equal(empty.waiting(), 1);
  await sleep(0);
  assert.equal(empty.running(), 0, "size 0 runs nothing");
  empty.resize(1);
  assert.equal(await (await spawned).wait(), "ran");
});

Deno.test("GreenPool.spawnN() parks only once the pool is full (test_spawn_n_2)", async () => {
  await freshTurn();
  const p = new GreenPool(2);
  assert.equal(p.free(), 2);
  const r: number[] = [];
  const foo = (a: number) => {
    r.push(a);
  };
  const gt = await p.spawn(foo, 1);
  assert.equal(p.free(), 1);
  await gt.wait();
  assert.deepEqual(r, [1]);
  await sleep(0);
  assert.equal(p.free(), 2);
  // A spawn into a pool with room takes effect before it returns (its
  // promise is already settled); awaiting it is a switch point like any
  // await, so to keep eventlet's "no yield" between them we await later.
  const s2 = p.spawnN(foo, 2);
  assert.equal(p.free(), 1);
  assert.deepEqual(r, [1]);
  const s3 = p.spawnN(foo, 3);
  assert.equal(p.free(), 0);
  assert.deepEqual(r, [1]);
  // Once the pool is exhausted, spawning forces a yield.
  const s4 = p.spawnN(foo, 4);
  assert.equal(p.waiting(), 1);
  await s4;
  assert.deepEqual(r, [1, 2, 3]);
  await sleep(0);
  assert.deepEqual(r, [1, 2, 3, 4]);
  await s2;
  await s3;
});
