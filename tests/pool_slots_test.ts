/**
 * GreenPool slots: errors free their slot and reach hub.onError unless
 * waited for (eventlet's test_exceptions), waitall (test_waitall_on_nothing,
 * test_recursive_waitall and spawns made while it waits), the size cap with
 * FIFO hand-over, spawners killed or timed out while waiting, and
 * `await using`.
 */

import assert from "node:assert/strict";
import { GreenPool } from "../green/greenpool.ts";
import { Event } from "../green/event.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { GreenletExit } from "../hub/greenthread.ts";
import { captureErrors } from "./hub_helpers.ts";
import { assertPoolHasFree, range } from "./pool_helpers.ts";

Deno.test("GreenPool: errors free their slot and reach hub.onError unless waited (test_exceptions)", async () => {
  using reported = captureErrors();
  const p = new GreenPool(2);
  // eventlet's raiser runs only once the test yields; here it waits for a
  // gate so that the slot is still held while assertPoolHasFree runs.
  let gate = new Event();
  const raiser = async (e: unknown) => {
    await gate.wait();
    throw e;
  };
  const boom = new Error("boom");
  const spawners: ((fn: (e: unknown) => Promise<never>, e: unknown) => Promise<unknown>)[] = [
    (fn, e) => p.spawn(fn, e),
    (fn, e) => p.spawnN(fn, e),
  ];
  for (const m of spawners) {
    for (const error of [boom, new GreenletExit()]) {
      await assertPoolHasFree(p, 2);
      await m(raiser, error);
      await assertPoolHasFree(p, 1);
      gate.send();
      gate = new Event();
      await p.waitall();
      await assertPoolHasFree(p, 2);
    }
  }
  assert.deepEqual(reported.errors, [boom, boom], "reported once each; GreenletExit never");
  const waited = await p.spawn(() => Promise.reject(new Error("waited")));
  await assert.rejects(waited.wait(), { message: "waited" });
  await p.waitall();
  assert.equal(reported.errors.length, 2, "a waited-for error is not reported");
});

Deno.test("GreenPool.waitall() with nothing running resolves (test_waitall_on_nothing)", async () => {
  await new GreenPool().waitall();
});

Deno.test("GreenPool.waitall() inside a pool greenthread rejects (test_recursive_waitall)", async () => {
  const p = new GreenPool();
  const gt = await p.spawn(() => p.waitall());
  await assert.rejects(gt.wait(), {
    message:
      "Calling waitall() from within one of the GreenPool's greenthreads will never terminate.",
  });
});

Deno.test("GreenPool.waitall() inside a pool greenthread delivers a pending kill first", async () => {
  const p = new GreenPool();
  let release!: () => void;
  const foreign = new Promise<void>((r) => release = r);
  const gt = await p.spawn(async () => {
    await foreign; // not a switch point: a kill waits for the next one
    await p.waitall();
  });
  await sleep(0);
  const killed = gt.kill();
  release();
  await killed;
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("GreenPool.waitall() waits for greenthreads spawned while it waits", async () => {
  const pool = new GreenPool(1);
  const log: string[] = [];
  await pool.spawn(async () => {
    await sleep(0.01);
    log.push("first");
  });
  const spawner = spawn(async () => {
    await pool.spawn(async () => {
      await sleep(0.01);
      log.push("second");
    });
  });
  await sleep(0);
  assert.equal(pool.waiting(), 1);
  await pool.waitall();
  assert.deepEqual(log, ["first", "second"]);
  await spawner.wait();
});

Deno.test("GreenPool never runs more than size greenthreads and serves spawners FIFO", async () => {
  const pool = new GreenPool(3);
  let active = 0;
  let maxActive = 0;
  const started: number[] = [];
  const work = async (i: number) => {
    started.push(i);
    active++;
    maxActive = Math.max(maxActive, active);
    assert.ok(pool.running() <= 3);
    await sleep(Math.random() * 0.003);
    active--;
  };
  const spawners = range(6).map((i) => spawn(() => pool.spawn(work, i)));
  await sleep(0); // 0, 1, 2 take the slots; 3, 4, 5 wait in line
  assert.equal(pool.waiting(), 3);
  for (let i = 6; i < 20; i++) await pool.spawn(work, i);
  await pool.waitall();
  for (const s of spawners) await s.wait();
  assert.equal(maxActive, 3);
  assert.deepEqual(started.slice(0, 6), range(6), "blocked spawners got slots in order");
  assert.equal(started.length, 20);
});

Deno.test("GreenPool: a spawner killed or timed out while waiting takes no slot", async () => {
  const pool = new GreenPool(1);
  const evt = new Event();
  await pool.spawn(() => evt.wait());
  const ran: string[] = [];
  const killed = spawn(() => pool.spawn(() => ran.push("killed")));
  const timedOut = spawn(async () => {
    using _ = new Timeout(0.005);
    await pool.spawn(() => ran.push("timed out"));
  });
  await sleep(0);
  assert.equal(pool.waiting(), 2);
  await killed.kill();
  await assert.rejects(timedOut.wait(), Timeout);
  assert.equal(pool.waiting(), 0);
  evt.send();
  await pool.waitall();
  assert.deepEqual(ran, []);
  assert.equal(pool.free(), 1);
});

Deno.test("GreenPool [Symbol.asyncDispose] waits for its greenthreads", async () => {
  const log: string[] = [];
  {
    await using pool = new GreenPool(2);
    for (const n of [3, 1, 2]) {
      await pool.spawn(async () => {
        await sleep(n / 1000);
        log.push(`done ${n}`);
      });
    }
  }
  assert.deepEqual(log.sort(), ["done 1", "done 2", "done 3"]);
});
