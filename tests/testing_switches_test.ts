/**
 * waitAllBlocked (resolves only once every other greenthread is parked,
 * wakes before an autojump, honours its cushion) and
 * assertSwitches/assertNoSwitches (count the caller's switch points, at-once
 * ones included; each fails when it should).
 */

import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import {
  Event,
  GreenPool,
  Queue,
  Semaphore,
  sleep,
  spawn,
  spawnAfter,
  Timeout,
  waitFor,
} from "../mod.ts";
import {
  assertNoSwitches,
  assertSwitches,
  installMockClock,
  waitAllBlocked,
} from "../testing/mod.ts";

Deno.test("waitAllBlocked resolves once every other greenthread has parked", async () => {
  const log: string[] = [];
  const q = new Queue<number>();
  const consumer = spawn(async () => {
    for (;;) log.push(`got ${await q.get()}`);
  });
  const stepper = spawn(async () => {
    for (let i = 0; i < 20; i++) await sleep(0); // ready again and again: not blocked
    log.push("stepper done");
    await new Event().wait();
  });
  for (let i = 0; i < 3; i++) q.putNowait(i);
  await waitAllBlocked();
  assert.deepEqual(log, ["got 0", "got 1", "got 2", "stepper done"]);
  await consumer.kill();
  await stepper.kill();
});

Deno.test("waitAllBlocked waits for a greenthread awaiting a foreign promise without waitFor", async () => {
  let done = false;
  const gt = spawn(async () => {
    await new Promise((resolve) => setTimeout(resolve, 60)); // not a switch point
    done = true;
    await new Event().wait();
  });
  const start = performance.now();
  await waitAllBlocked();
  assert.equal(done, true);
  assert.ok(performance.now() - start >= 50);
  await gt.kill();
});

Deno.test("waitAllBlocked counts a waitFor, a socket-like foreign wait, as blocked", async () => {
  let release!: () => void;
  const foreign = new Promise<void>((resolve) => release = resolve);
  const gt = spawn(() => waitFor(foreign));
  await waitAllBlocked(); // gt is parked in waitFor: blocked
  assert.equal(gt.dead, false);
  release();
  await gt.wait();
});

Deno.test("waitAllBlocked with a cushion waits that many real seconds of stillness", async () => {
  const gt = spawn(() => new Event().wait());
  const start = performance.now();
  await waitAllBlocked({ cushion: 0.1 });
  assert.ok(performance.now() - start >= 95);
  await gt.kill();
});

Deno.test("waitAllBlocked callers wake before an autojump", async () => {
  using clock = installMockClock();
  const start = clock.now();
  const sleeper = spawn(() => sleep(10));
  await waitAllBlocked();
  assert.equal(clock.now(), start); // woke first: the clock has not jumped
  await sleeper.wait();
  assert.equal(clock.now() - start, 10);
});

Deno.test("the autojump sees GreenPool waits as waits on the hub", async () => {
  using clock = installMockClock();
  const start = clock.now();
  const order: string[] = [];
  spawn(async () => {
    await sleep(1);
    order.push("slept");
  });
  const pool = new GreenPool(2);
  pool.spawnN(async () => {
    await sleep(2);
    order.push("pooled");
  });
  await pool.waitall();
  assert.deepEqual(order, ["slept", "pooled"]);
  assert.equal(clock.now() - start, 2);
});

Deno.test("waitAllBlocked is a switch point a Timeout interrupts", async () => {
  let stop = false;
  const busy = spawn(async () => {
    // Never parks, so a kill could not land: it stops when told.
    while (!stop) await new Promise((resolve) => setTimeout(resolve, 5));
  });
  using deadline = new Timeout(0.05);
  await assert.rejects(waitAllBlocked(), (e) => e === deadline);
  stop = true;
  await busy.wait();
});

Deno.test("waitAllBlocked counts a spawnAfter not yet due as blocked", async () => {
  const later = spawnAfter(60, () => "late");
  await waitAllBlocked();
  assert.equal(later.dead, false);
  await later.kill();
});

Deno.test("waitAllBlocked rejects bad options", () => {
  assert.throws(() => waitAllBlocked({ cushion: -1 }), {
    name: "RangeError",
    message:
      "Cannot wait for all blocked: cushion must be a non-negative finite number, received -1",
  });
  assert.throws(() => waitAllBlocked({ cushion: "1" as unknown as number }), {
    name: "TypeError",
    message: "Cannot wait for all blocked: cushion must be a number, received string",
  });
});

Deno.test("assertSwitches passes for every switch point, at-once ones included", async () => {
  const q = new Queue<number>();
  q.putNowait(1);
  assert.equal(await assertSwitches(() => q.get()), 1); // an item was waiting
  const free = new Semaphore(1);
  await assertSwitches(() => free.acquire()); // a free permit
  const sent = new Event<string>();
  sent.send("v");
  assert.equal(await assertSwitches(() => sent.wait()), "v");
  const ended = spawn(() => 7);
  await sleep(0);
  assert.equal(await assertSwitches(() => ended.wait()), 7); // already ended
  await assertSwitches(() => sleep(0));
  await assertSwitches(() => sleep(0.001));
  await assertSwitches(() => assert.rejects(new Queue().get({ block: false }))); // failed at once
});

Deno.test("assertSwitches fails when fn passes no switch point of its own", async () => {
  const q = new Queue<number>();
  await assert.rejects(assertSwitches(() => q.putNowait(1)), AssertionError);
  await assert.rejects(
    assertSwitches(() => new Promise((resolve) => setTimeout(resolve, 1))), // foreign
    AssertionError,
  );
  await assert.rejects(
    assertSwitches(() => {
      spawn(() => sleep(0)); // a switch point, but of another greenthread
    }),
    { name: "AssertionError", message: "Expected a switch point, but fn passed none" },
  );
  await sleep(0.001);
});

Deno.test("assertNoSwitches passes for code that never switches and fails for one that does", async () => {
  const q = new Queue<number>();
  assert.equal(
    await assertNoSwitches(() => {
      q.putNowait(1);
      new Event().send();
      new Semaphore(0).release();
      return q.getNowait();
    }),
    1,
  );
  q.putNowait(2);
  await assert.rejects(assertNoSwitches(() => q.get()), {
    name: "AssertionError",
    message: "Expected no switch point, but fn passed 1",
  });
  await assert.rejects(
    assertNoSwitches(async () => {
      await sleep(0);
      await sleep(0);
    }),
    { message: "Expected no switch point, but fn passed 2" },
  );
});

Deno.test("assertSwitches passes fn's own error through and checks its argument", async () => {
  const boom = new Error("boom");
  await assert.rejects(
    assertSwitches(() => {
      throw boom;
    }),
    (e) => e === boom,
  );
  await assert.rejects(assertNoSwitches(null as unknown as () => void), {
    name: "TypeError",
    message: "Cannot assert no switches: fn must be a function, received null",
  });
});

Deno.test("assertSwitches counts the caller only when it runs in a spawned greenthread", async () => {
  const gt = spawn(async () => {
    const sibling = spawn(async () => {
      for (let i = 0; i < 5; i++) await sleep(0);
    });
    await assert.rejects(assertNoSwitches(() => sibling.wait()), AssertionError);
    return await assertNoSwitches(() => "quiet");
  });
  assert.equal(await gt.wait(), "quiet");
});
