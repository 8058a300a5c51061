/**
 * GreenPile: ports of eventlet's tests/greenpool_test.py GreenPile cases
 * (test_pile, test_pile_spawn_times_out, test_constructing_from_pool) and
 * Stress test_ordering_5/50, plus next() on an empty pile, errors of the
 * calls, readers that are killed or wait for a blocked spawn, and size
 * checks.
 */

import assert from "node:assert/strict";
import { GreenPool } from "../green/greenpool.ts";
import { GreenPile } from "../green/greenpile.ts";
import { Event } from "../green/event.ts";
import { spawn } from "../green/spawn.ts";
import { GreenletExit } from "../hub/greenthread.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { captureErrors } from "./hub_helpers.ts";
import { collect, passthru, range } from "./pool_helpers.ts";

Deno.test("GreenPile returns results in spawn order (test_pile)", async () => {
  const p = new GreenPile<number>(4);
  for (let i = 0; i < 10; i++) await p.spawn(passthru, i);
  assert.deepEqual(await collect(p), range(10));
  assert.deepEqual(await collect(p), [], "everything was read");
});

Deno.test("GreenPile: a spawn that times out leaves no hole (test_pile_spawn_times_out)", async () => {
  const p = new GreenPile<number | string>(4);
  for (let i = 0; i < 4; i++) await p.spawn(passthru, i);
  // Now it is full and this spawn times out.
  const t = new Timeout(0);
  await assert.rejects(p.spawn(passthru, "time out"), (e) => e === t);
  for (let i = 4; i < 10; i++) await p.spawn(passthru, i);
  assert.deepEqual(await collect(p), range(10));
});

Deno.test("GreenPile shares a GreenPool with other piles (test_constructing_from_pool)", async () => {
  const pool = new GreenPool(2);
  const pile1 = new GreenPile<number>(pool);
  const pile2 = new GreenPile<number>(pool);
  assert.equal(pile1.pool, pool);
  const bunchOfWork = async (pile: GreenPile<number>, unique: number) => {
    for (let i = 0; i < 10; i++) await pile.spawn(passthru, i + unique);
  };
  const a = spawn(bunchOfWork, pile1, 0);
  const b = spawn(bunchOfWork, pile2, 100);
  await sleep(0);
  assert.deepEqual(await collect(pile2), range(10, 100));
  assert.deepEqual(await collect(pile1), range(10));
  await a.wait();
  await b.wait();
});

Deno.test("GreenPile.next() rejects when nothing is spawned and unread", async () => {
  const p = new GreenPile<number>();
  await assert.rejects(p.next(), {
    message: "Cannot get the next GreenPile result: no spawned result is left unread",
  });
  assert.deepEqual(await collect(p), []);
  await p.spawn(() => 7);
  assert.equal(await p.next(), 7);
  await assert.rejects(p.next(), /no spawned result is left unread/);
});

Deno.test("GreenPile.next() with nothing unread is still a switch point: a pending kill comes first", async () => {
  const p = new GreenPile<number>();
  let release!: () => void;
  const foreign = new Promise<void>((r) => release = r);
  const reader = spawn(async () => {
    await foreign; // not a switch point: a kill waits for the next one
    return await p.next();
  });
  await sleep(0);
  const killed = reader.kill();
  release();
  await killed;
  await assert.rejects(reader.wait(), GreenletExit);
});

Deno.test("GreenPile.next() rethrows a call's error and reading goes on", async () => {
  using reported = captureErrors();
  const p = new GreenPile<number>(3);
  await p.spawn(() => 1);
  await p.spawn(async () => {
    await sleep(0.005);
    throw new Error("second failed");
  });
  await p.spawn(() => {
    throw new Error("third failed");
  });
  await p.spawn(() => 4);
  assert.equal(await p.next(), 1);
  await assert.rejects(p.next(), { message: "second failed" });
  await assert.rejects(p.next(), { message: "third failed" });
  assert.equal(await p.next(), 4);
  assert.deepEqual(
    reported.errors.map((e) => (e as Error).message),
    ["third failed"],
    "only the error that ended while nobody was reading it is reported",
  );
});

Deno.test("GreenPile: a reader killed while waiting takes no result", async () => {
  const p = new GreenPile<string>(2);
  const evt = new Event();
  await p.spawn(async () => {
    await evt.wait();
    return "only";
  });
  const reader = spawn(() => p.next());
  await sleep(0);
  await reader.kill();
  evt.send();
  assert.equal(await p.next(), "only");
});

Deno.test("GreenPile: a reader elsewhere waits for a blocked spawn, and is told if it fails", async () => {
  const pool = new GreenPool(1);
  const p = new GreenPile<string>(pool);
  const evt = new Event();
  await pool.spawn(() => evt.wait());
  const spawner = spawn(() => p.spawn(() => "late"));
  await sleep(0);
  const reader = spawn(() => p.next());
  await sleep(0);
  evt.send();
  assert.equal(await reader.wait(), "late");
  await spawner.wait();

  const gate = new Event();
  await pool.spawn(() => gate.wait());
  const failing = spawn(() => p.spawn(() => "never"));
  await sleep(0);
  const reader2 = spawn(() => p.next());
  const told = assert.rejects(reader2.wait(), /no spawned result is left unread/);
  await sleep(0);
  await failing.kill();
  await told;
  gate.send();
  await pool.waitall();
});

Deno.test("GreenPile: a reader waiting on an empty pile gets a call that ran inline", async () => {
  const pool = new GreenPool(1);
  const p = new GreenPile<string>(pool);
  const log: string[] = [];
  // A pool greenthread spawning into its own full pool runs the call inline:
  // the pile gets the greenthread only once it has ended.
  const spawner = await pool.spawn(async () => {
    await p.spawn(async () => {
      await sleep(0.005);
      log.push("inline call ended");
      return "inline";
    });
    log.push("pushed");
  });
  const reader = spawn(async () => {
    log.push("reading");
    const value = await p.next();
    log.push(`read ${value}`);
    return value;
  });
  assert.equal(await reader.wait(), "inline");
  await spawner.wait();
  // The push wakes the reader, which resumes after the spawner goes on.
  assert.deepEqual(log, ["reading", "inline call ended", "pushed", "read inline"]);
});

Deno.test("GreenPile stays strictly ordered under pressure (Stress test_ordering_5/50)", async () => {
  using reported = captureErrors();
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const pressure = async (token: [number, number]) => {
    while (random() < 0.5) await sleep(random() * 0.001);
    if (random() < 0.8) return token;
    throw Object.assign(new Error("stress"), { token });
  };
  for (const concurrency of [5, 50]) {
    const p = new GreenPile<[number, number]>(concurrency);
    const iters = 150;
    const makework = async (count: number, unique: number) => {
      for (let i = 0; i < count; i++) await p.spawn(pressure, [unique, i]);
    };
    const makers = [1, 2, 3].map((unique) => spawn(makework, iters, unique));
    await p.spawn(pressure, [0, 0]);
    const latest = [-1, -1, -1, -1];
    let received = 0;
    for (;;) {
      let token: [number, number];
      try {
        token = await p.next();
      } catch (e) {
        if (!(e as { token?: unknown }).token) break; // nothing left unread
        token = (e as { token: [number, number] }).token;
      }
      received++;
      if (received % 5 === 0) await sleep(0.0001);
      const [unique, order] = token;
      assert.ok(latest[unique] < order, `out of order: ${token}`);
      latest[unique] = order;
      if (received === 3 * iters + 1) break;
    }
    for (const m of makers) await m.wait();
    assert.deepEqual(latest.slice(1), [iters - 1, iters - 1, iters - 1]);
  }
  assert.ok(reported.errors.length > 0, "some stress errors ended unread");
});

Deno.test("GreenPile() rejects a bad size", () => {
  assert.throws(() => new GreenPile(-1), {
    name: "RangeError",
    message: "Cannot create GreenPile: size must be a non-negative integer, received -1",
  });
  assert.throws(() => new GreenPile("4" as unknown as number), TypeError);
  assert.throws(() => new GreenPile().spawn(3 as never), TypeError);
});
