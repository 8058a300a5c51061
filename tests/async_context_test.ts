/**
 * The async-context carrier (hub/async_context.ts): the running greenthread
 * survives every kind of await, AsyncLocalStorage keeps working beside it,
 * and the portable carrier passes the core test files too.
 */

import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { contextCarrierKind } from "../hub/current.ts";
import { takeSpawnContext } from "../hub/greenthread.ts";
import { rareIfMade } from "../hub/greenthread_rare.ts";
import { getCurrent, spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Event } from "../green/event.ts";
import { Timeout } from "../green/timeout.ts";
import type { GreenThread } from "../hub/greenthread.ts";

const ENV = "EVENTLET_ASYNC_CONTEXT";
const forcedPortable = Deno.env.get(ENV) === "portable";

Deno.test("async context: the native carrier is used on Deno 2 unless the environment asks for the portable one", () => {
  assert.equal(contextCarrierKind, forcedPortable ? "portable" : "native");
});

Deno.test("async context: getCurrent() is right after foreign awaits of many kinds", async () => {
  const seen: [number, number][] = [];
  const body = async (tag: number) => {
    const me = getCurrent();
    await new Promise((resolve) => setTimeout(resolve, 1)); // a Deno timer
    seen.push([tag, getCurrent() === me ? 1 : 0]);
    await Promise.resolve(); // a bare microtask
    await (async () => {
      await null;
    })(); // a nested async function
    seen.push([tag, getCurrent() === me ? 1 : 0]);
    await Deno.readTextFile(new URL(import.meta.url)); // a Deno op
    seen.push([tag, getCurrent() === me ? 1 : 0]);
    await sleep(0);
    seen.push([tag, getCurrent() === me ? 1 : 0]);
    return me.id;
  };
  const gts = [spawn(body, 1), spawn(body, 2), spawn(body, 3)];
  const ids = await Promise.all(gts.map((gt) => gt.wait()));
  assert.deepEqual(ids, gts.map((gt) => gt.id));
  assert.equal(seen.length, 12);
  assert.ok(seen.every(([, same]) => same === 1), JSON.stringify(seen));
  assert.equal(getCurrent().id, 0, "the test body is still the main greenthread");
});

Deno.test("async context: a greenthread spawned inside AsyncLocalStorage.run sees the caller's values", async () => {
  const als = new AsyncLocalStorage<string>();
  const result = await als.run("request-7", async () => {
    const gt: GreenThread<unknown[]> = spawn(async (): Promise<unknown[]> => {
      const first = als.getStore();
      await sleep(0.001);
      return [first, als.getStore(), getCurrent() === gt];
    });
    return await gt.wait();
  });
  assert.deepEqual(result, ["request-7", "request-7", true]);
  assert.equal(als.getStore(), undefined, "nothing leaks out of run()");
  assert.equal(await spawn(() => als.getStore()).wait(), undefined);
});

Deno.test("async context: AsyncLocalStorage.run inside a greenthread keeps its identity, kill and Timeout", async () => {
  const als = new AsyncLocalStorage<number>();
  const ev = new Event<string>();
  let inner: GreenThread | undefined;
  const gt: GreenThread<unknown> = spawn(() =>
    als.run(42, async () => {
      inner = getCurrent();
      await new Promise((resolve) => setTimeout(resolve, 1));
      assert.equal(als.getStore(), 42);
      assert.equal(getCurrent(), gt, "still the same greenthread inside run()");
      using _t = new Timeout(0.01, new Error("late"));
      return await ev.wait(); // the Timeout must land here, in this greenthread
    })
  );
  await assert.rejects(gt.wait(), /late/);
  assert.equal(inner, gt);
  assert.equal(getCurrent().id, 0);
  const killed = spawn(() => als.run(1, () => sleep(10)));
  await sleep(0);
  await killed.kill();
  assert.equal(killed.dead, true);
});

Deno.test("async context: the core test files pass with the portable carrier", {
  ignore: forcedPortable, // already running under it: do not recurse
}, async () => {
  const files = [
    "hub_test.ts",
    "greenthread_spawn_test.ts",
    "greenthread_kill_test.ts",
    "greenthread_link_test.ts",
    "timeout_test.ts",
    "event_test.ts",
    "local_test.ts",
    "queue_test.ts",
    "async_context_test.ts",
  ].map((f) => new URL(f, import.meta.url).pathname);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", ...files],
    env: { [ENV]: "portable", NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, out);
  assert.match(out, /ok \| \d+ passed/);
});

Deno.test("async context: a bad EVENTLET_ASYNC_CONTEXT is a RangeError naming the value", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `await import(${JSON.stringify(new URL("../mod.ts", import.meta.url).href)})`],
    env: { [ENV]: "fast", NO_COLOR: "1" },
  }).output();
  assert.notEqual(code, 0);
  assert.match(
    new TextDecoder().decode(stderr),
    /RangeError: Cannot choose the async-context carrier: EVENTLET_ASYNC_CONTEXT must be "native" or "portable", received "fast"/,
  );
});

Deno.test("async context: each greenthread starts with its own spawner's AsyncLocalStorage values", async () => {
  const als = new AsyncLocalStorage<string>();
  const seen: (string | undefined)[] = [];
  const record = () => {
    seen.push(als.getStore());
  };
  // One pump starts all four; it was requested inside run("a"), but each
  // greenthread must see the values of the code that spawned it.
  const gts = [
    als.run("a", () => spawn(record)),
    spawn(record),
    als.run("b", () => spawn(record)),
    als.run("c", () => als.run("d", () => spawn(record))),
  ];
  for (const gt of gts) await gt.wait();
  assert.deepEqual(seen, ["a", undefined, "b", "d"]);
});

Deno.test("async context: a greenthread spawned by a greenthread inside run() gets those values, and its own identity", async () => {
  const als = new AsyncLocalStorage<number>();
  const parent: GreenThread<unknown[]> = spawn(() =>
    als.run(5, async (): Promise<unknown[]> => {
      await sleep(0);
      const child: GreenThread<unknown[]> = spawn(async (): Promise<unknown[]> => {
        await sleep(0);
        return [als.getStore(), getCurrent() === child];
      });
      return [...await child.wait(), getCurrent() === parent];
    })
  );
  assert.deepEqual(await parent.wait(), [5, true, true]);
});

Deno.test("async context: hub timer callbacks run with the scheduler's AsyncLocalStorage values, as setTimeout's do", async () => {
  const { getHub } = await import("../hub/hub.ts");
  const als = new AsyncLocalStorage<string>();
  const seen: [string | undefined, number][] = [];
  const ev = new Event<void>();
  // The first schedule requests the pump inside run("caller"); the second,
  // made outside, must not see that value.
  als.run("caller", () => {
    getHub().scheduleCallGlobal(0, () => seen.push([als.getStore(), getCurrent().id]));
  });
  getHub().scheduleCallGlobal(0, () => {
    seen.push([als.getStore(), getCurrent().id]);
    ev.send();
  });
  await ev.wait();
  assert.deepEqual(seen, [["caller", -1], [undefined, -1]]);
});

Deno.test("async context: a pool spawn that waits for a slot starts with its own spawner's values", async () => {
  const { GreenPool } = await import("../green/greenpool.ts");
  const als = new AsyncLocalStorage<string>();
  const pool = new GreenPool(1);
  const seen: [string, string | undefined][] = [];
  const job = (tag: string) => async () => {
    seen.push([tag, als.getStore()]);
    als.enterWith(`changed by ${tag}`); // must not leak into the next one
    await sleep(0.001);
  };
  const a = als.run("A", () => pool.spawn(job("a")));
  const b = als.run("B", () => pool.spawn(job("b"))); // pool full: waits
  const c = pool.spawn(job("c")); // no values
  await Promise.all([a, b, c]);
  await pool.waitall();
  assert.deepEqual(seen, [["a", "A"], ["b", "B"], ["c", undefined]]);
});

Deno.test("async context: imap calls and GreenPile spawns get the caller's values, never a previous call's", async () => {
  const { GreenPool } = await import("../green/greenpool.ts");
  const { GreenPile } = await import("../green/greenpile.ts");
  const als = new AsyncLocalStorage<string>();
  const seen: (string | undefined)[] = [];
  const call = async (i: number) => {
    seen.push(als.getStore());
    als.enterWith(`call-${i}`);
    await sleep(0);
    return i;
  };
  const results: number[] = [];
  await als.run("map", async () => {
    for await (const r of new GreenPool(2).imap(call, [0, 1, 2, 3, 4, 5])) results.push(r);
  });
  assert.deepEqual(results, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(seen, Array(6).fill("map"));
  seen.length = 0;
  const pile = new GreenPile<number>(1);
  await als.run("pile", async () => {
    for (let i = 0; i < 3; i++) await pile.spawn(call, i);
  });
  const piled: number[] = [];
  for await (const r of pile) piled.push(r);
  assert.deepEqual(piled, [0, 1, 2]);
  assert.deepEqual(seen, ["pile", "pile", "pile"]);
});

Deno.test("async context: a greenthread killed before it starts drops its spawner's values", async () => {
  const als = new AsyncLocalStorage<string>();
  const gt = als.run("held", () => spawn(() => 1));
  await gt.kill();
  assert.equal(takeSpawnContext(gt), undefined, "nothing kept alive by a dead greenthread");
  assert.equal(rareIfMade(gt)?.spawnContext, undefined, "its rare state holds nothing either");
  await assert.rejects(gt.wait(), { name: "GreenletExit" });
});

Deno.test("async context: a greenthread's own enumerable keys are only its id (what AsyncLocalStorage copies of a context)", async () => {
  // AsyncLocalStorage.run inside a greenthread spreads the context — the
  // greenthread itself — into a new object: any public field holding other
  // objects (parks, neighbouring greenthreads) would be kept alive by it.
  const gt = spawn(() => sleep(0));
  assert.deepEqual(Object.keys(gt), ["id"]);
  assert.equal(Object.getOwnPropertySymbols(gt).length, 1);
  await gt.wait();
  assert.deepEqual(Object.keys(getCurrent()), ["id"]);
});
