/**
 * Starting greenthreads and waiting for them: spawn's FIFO start and
 * arguments, wait() results and errors, getCurrent(), spawnAfter,
 * spawnAfterLocal, spawnN, waitFor, names and input checks. Ported
 * scenarios: eventlet's tests/greenthread_test.py (Spawn, SpawnAfter,
 * SpawnAfterLocal) and tests/api_test.py (docs/orderings.md, 3).
 */

import assert from "node:assert/strict";
import {
  Event,
  getCurrent,
  GreenletExit,
  GreenThread,
  kill,
  sleep,
  spawn,
  spawnAfter,
  spawnAfterLocal,
  spawnN,
  waitFor,
} from "../mod.ts";

Deno.test("spawn() starts the function only when the spawner yields, in FIFO order", async () => {
  const log: string[] = [];
  const a = spawn(() => log.push("a"));
  const b = spawn(() => log.push("b"));
  assert.deepEqual(log, []);
  assert.equal(a.started, false);
  assert.equal(a.dead, false);
  await sleep(0);
  assert.deepEqual(log, ["a", "b"]);
  assert.equal(a.dead, true);
  assert.equal(a.started, true, "started stays true after it ended");
  assert.equal(await b.wait(), 2);
});

Deno.test("spawn() passes arguments and wait() returns the value of a sync or async fn", async () => {
  const sum = spawn((x: number, y: number) => x + y, 2, 3);
  const later = spawn(async (s: string) => {
    await sleep(0.001);
    return s.toUpperCase();
  }, "ok");
  assert.equal(await sum.wait(), 5);
  assert.equal(await later.wait(), "OK");
});

Deno.test("GreenThread.wait() rethrows the error, to every waiter, every time", async () => {
  const boom = new Error("boom");
  const gt = spawn(async () => {
    await sleep(0);
    throw boom;
  });
  const waiters = [spawn(() => gt.wait()), spawn(() => gt.wait())];
  const outcomes = await Promise.allSettled(waiters.map((w) => w.wait()));
  assert.deepEqual(outcomes.map((o) => o.status === "rejected" && o.reason), [boom, boom]);
  await assert.rejects(gt.wait(), (e) => e === boom);
  await assert.rejects(gt.wait(), (e) => e === boom);
});

Deno.test("GreenThread is running-but-not-dead only while suspended inside it", async () => {
  const evt = new Event();
  const gt = spawn(() => evt.wait());
  assert.equal(gt.started, false);
  await sleep(0);
  assert.equal(gt.started, true);
  assert.equal(gt.dead, false);
  evt.send();
  await gt.wait();
  assert.equal(gt.dead, true);
});

Deno.test("getCurrent() is the greenthread inside spawn and the main greenthread outside", async () => {
  const gt = spawn(async () => {
    const before = getCurrent();
    await sleep(0);
    return [before, getCurrent()];
  });
  const [before, after] = await gt.wait();
  assert.equal(before, gt);
  assert.equal(after, gt);
  const main = getCurrent();
  assert.ok(main instanceof GreenThread);
  assert.equal(main.id, 0);
  assert.equal(main.name, "main");
  assert.equal(main.started, true);
  assert.equal(main.dead, false);
});

Deno.test("getCurrent() follows a greenthread through nested async functions", async () => {
  const inner = async () => {
    await sleep(0);
    await Promise.resolve();
    return getCurrent();
  };
  const gts = [spawn(inner), spawn(inner)];
  for (const gt of gts) assert.equal(await gt.wait(), gt);
});

Deno.test("spawnAfter() starts after the delay, even if the spawner ended", async () => {
  const start = performance.now();
  const parent = spawn(() => spawnAfter(0.02, () => performance.now() - start));
  const child = await parent.wait();
  assert.equal(parent.dead, true);
  const elapsed = await child.wait();
  assert.ok(elapsed >= 15, `started after ${elapsed.toFixed(1)} ms`);
});

Deno.test("spawnAfterLocal() never runs when the spawner ended first: it dies GreenletExit", async () => {
  let ran = false;
  const parent = spawn(() => spawnAfterLocal(0.005, () => ran = true));
  const child = await parent.wait();
  await assert.rejects(child.wait(), GreenletExit);
  assert.equal(ran, false);
  assert.equal(child.dead, true);
});

Deno.test("spawnAfterLocal() runs when the spawner is still alive", async () => {
  const parent = spawn(async () => {
    const child = spawnAfterLocal(0.001, () => "ran");
    return await child.wait();
  });
  assert.equal(await parent.wait(), "ran");
});

Deno.test("spawnN() runs the function and returns nothing", async () => {
  const log: number[] = [];
  assert.equal(spawnN((x: number) => log.push(x), 1), undefined);
  await sleep(0);
  assert.deepEqual(log, [1]);
});

Deno.test("waitFor() resolves a foreign promise's value and rethrows its error", async () => {
  assert.equal(await waitFor(Promise.resolve(3)), 3);
  assert.equal(await waitFor(4), 4);
  await assert.rejects(waitFor(Promise.reject(new Error("nope"))), /nope/);
});

Deno.test("GreenThread.wait() on itself or on main rejects instead of hanging", async () => {
  const gt = spawn(() => getCurrent().wait());
  await assert.rejects(gt.wait(), /would wait for itself forever/);
  await assert.rejects(getCurrent().wait(), /main greenthread/);
});

Deno.test("GreenThread.name defaults to its id and can be set", async () => {
  const gt = spawn(() => {});
  assert.equal(gt.name, `GreenThread-${gt.id}`);
  gt.name = "worker";
  assert.equal(gt.name, "worker");
  await gt.wait();
});

Deno.test("spawn family and kill reject bad input with TypeError/RangeError", () => {
  assert.throws(() => spawn(42 as unknown as () => void), {
    name: "TypeError",
    message: "Cannot spawn: fn must be a function, received number",
  });
  assert.throws(() => spawnN(null as unknown as () => void), /received null/);
  assert.throws(() => spawnAfter(NaN, () => {}), RangeError);
  assert.throws(() => spawnAfter("1" as unknown as number, () => {}), TypeError);
  assert.throws(() => spawnAfterLocal(1, "x" as unknown as () => void), TypeError);
  assert.throws(() => kill({} as GreenThread<unknown>), TypeError);
  assert.throws(() => sleep(NaN), RangeError);
  assert.throws(() => sleep("1" as unknown as number), TypeError);
});

Deno.test("sleep() with a negative delay yields like sleep(0)", async () => {
  const log: string[] = [];
  spawn(() => log.push("other"));
  await sleep(-5);
  assert.deepEqual(log, ["other"]);
});

Deno.test("spawn(): a value whose then getter throws fails that greenthread, nothing else", async () => {
  const boom = new Error("then getter");
  const tricky = {
    get then(): never {
      throw boom;
    },
  };
  const gt = spawn(() => tricky);
  await assert.rejects(gt.wait(), (e) => e === boom);
  assert.equal(gt.dead, true);
  assert.equal(await spawn(() => "still fine").wait(), "still fine");
});

Deno.test("spawn(): a promise whose constructor getter throws fails that greenthread, nothing else", async () => {
  const boom = new Error("bad constructor");
  const tricky = Promise.resolve(1);
  Object.defineProperty(tricky, "constructor", {
    get(): never {
      throw boom;
    },
  });
  const gt = spawn(() => tricky);
  await assert.rejects(gt.wait(), (e) => e === boom);
  assert.equal(gt.dead, true);
});
