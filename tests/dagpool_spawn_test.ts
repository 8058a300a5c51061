/**
 * DAGPool spawning, posting and waiting: ports of eventlet's dagpool tests
 * (preload, wait, collisions, spawn with dependencies, spawnMany, post with
 * replace, waiting for a key spawned later), plus a value posted while
 * another is handed out.
 */

import assert from "node:assert/strict";
import { Collision, DAGPool } from "../dagpool/mod.ts";
import { Event } from "../green/event.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { asMap, Capture, observe, spin } from "./dagpool_helpers.ts";

Deno.test("DAGPool(preload): an object, pairs or a Map; wait() gives them at once", async () => {
  using _guard = new Timeout(1); // nothing will be posted: a wait that blocked would fail here
  assert.deepEqual(await new DAGPool().wait(), new Map());
  assert.deepEqual(await new DAGPool({ a: 1, b: 2, c: 3 }).wait(), asMap({ a: 1, b: 2, c: 3 }));
  assert.deepEqual(
    await new DAGPool([["d", 4], ["e", 5], ["f", 6]]).wait(),
    asMap({ d: 4, e: 5, f: 6 }),
  );
  assert.deepEqual(await new DAGPool(new Map([[1, "x"]])).wait(), new Map([[1, "x"]]));
});

async function postEach(pool: DAGPool<string, unknown>, capture: Capture): Promise<void> {
  await sleep(0);
  capture.step();
  pool.post("g", "gval");
  pool.post("f", "fval");
  await sleep(0);
  capture.step();
  pool.post("e", "eval");
  pool.post("d", "dval");
}

Deno.test("DAGPool.wait() resolves once every key has a value", async () => {
  const capture = new Capture();
  const pool = new DAGPool({ a: 1, b: 2, c: 3 });
  spawn(postEach, pool, capture);
  const got = await pool.wait("bcdefg");
  capture.add("got all");
  assert.deepEqual(got, asMap({ b: 2, c: 3, d: "dval", e: "eval", f: "fval", g: "gval" }));
  capture.validate([[], [], ["got all"]]);
});

Deno.test("DAGPool.spawn() of a preloaded, posted or spawned key is a Collision", async () => {
  assert.throws(() => new DAGPool<string, unknown>({ a: 1 }).spawn("a", [], () => null), Collision);
  const posted = new DAGPool();
  posted.post("a", "aval");
  assert.throws(() => posted.spawn("a", [], () => null), {
    name: "Collision",
    message: 'Cannot spawn "a" in DAGPool: it has a value',
  });
  const pool = new DAGPool();
  pool.spawn("a", [], () => "aval");
  assert.equal(pool.get("a"), undefined, "not run yet");
  assert.throws(() => pool.spawn("a", [], () => "bad"), {
    name: "Collision",
    message: 'Cannot spawn "a" in DAGPool: it was spawned already',
  });
  await spin();
  assert.equal(pool.get("a"), "aval");
  assert.throws(() => pool.spawn("a", [], () => "badagain"), (e) => (e as Collision).key === "a");
});

Deno.test("DAGPool.spawn(): each greenthread gets its dependencies as they become available", async () => {
  const capture = new Capture();
  const pool = new DAGPool<string, unknown>({ a: 1, b: 2, c: 3 });
  const events: Record<string, Event<string>> = {};
  for (const k of "defg") {
    events[k] = new Event();
    pool.spawn(k, [], observe(capture, events[k]));
  }
  events.h = new Event();
  events.h.send("hval");
  pool.spawn("h", "bcdefg", observe(capture, events.h));

  await spin();
  capture.step();
  for (const k of "defgh") assert.equal(pool.get(k), undefined);
  assert.deepEqual(new Set(pool.keys()), new Set("abc"));
  assert.deepEqual(new Map(pool.items()), asMap({ a: 1, b: 2, c: 3 }));
  assert.equal(pool.running(), 5);
  assert.deepEqual(new Set(pool.runningKeys()), new Set("defgh"));
  assert.deepEqual(pool.waitingFor(), new Map([["h", new Set("defg")]]));
  assert.deepEqual(pool.waitingFor("d"), new Set());
  assert.deepEqual(pool.waitingFor("c"), new Set());
  assert.throws(() => pool.waitingFor("j"), RangeError);
  assert.deepEqual(pool.waitingFor("h"), new Set("defg"));

  events.f.send("fval");
  await spin();
  capture.step();
  assert.equal(pool.get("f"), "fval");
  assert.deepEqual(new Set(pool.keys()), new Set("abcf"));
  assert.equal(pool.running(), 4);
  assert.deepEqual(pool.waitingFor("h"), new Set("deg"));

  events.e.send("eval");
  events.g.send("gval");
  await spin();
  capture.step();
  assert.deepEqual(
    new Map(pool.items()),
    asMap({ a: 1, b: 2, c: 3, e: "eval", f: "fval", g: "gval" }),
  );
  assert.deepEqual(new Set(pool.runningKeys()), new Set("dh"));
  assert.deepEqual(pool.waitingFor("h"), new Set("d"));

  events.d.send("dval");
  await spin();
  capture.step();
  assert.equal(pool.get("h"), "hval");
  assert.equal(pool.running(), 0);
  assert.deepEqual(pool.waitingFor(), new Map());
  assert.deepEqual(pool.waitingFor("h"), new Set());
  capture.validate([
    ["h got b", "h got c"],
    ["f returning fval", "h got f"],
    ["e returning eval", "g returning gval", "h got e", "h got g"],
    ["d returning dval", "h got d", "h returning hval"],
    [],
  ]);
});

Deno.test("DAGPool.spawnMany() runs a diamond in dependency order; a self-post wins over the return", async () => {
  const capture = new Capture();
  const pool = new DAGPool<string, unknown>();
  // Spawned first, it runs after spawnMany: it waits for every key by then.
  spawn(async () => {
    await pool.wait();
    capture.add("wait() done");
  });
  const graph = { e: "cd", d: "bc", c: "a", b: "a", a: "" };
  pool.spawnMany(graph, async (key, results) => {
    for await (const _ of results) { /* every dependency */ }
    capture.add(`${key} done`);
    pool.post(key, key); // instead of the implicit post of the return value
    capture.step();
    await spin();
    return "ignored";
  });
  await spin();
  await spin();
  assert.equal(pool.get("e"), "e");
  // b and c may finish in either order: merge their two groups.
  const seq = capture.sequence.filter((group) => group.size > 0);
  const merged = [seq[0], new Set([...seq[1], ...seq[2]]), ...seq.slice(3)];
  assert.deepEqual(merged, [
    new Set(["a done"]),
    new Set(["b done", "c done"]),
    new Set(["d done"]),
    new Set(["e done"]),
    new Set(["wait() done"]),
  ]);
});

Deno.test("DAGPool.post() collides with a value or a running greenthread; replace overwrites", async () => {
  assert.throws(() => new DAGPool({ a: 1 }).post("a", 2), Collision);
  const twice = new DAGPool();
  twice.post("a", 1);
  assert.throws(() => twice.post("a", 2), {
    message: 'Cannot post "a" in DAGPool: it has a value (pass { replace: true })',
  });

  const pool = new DAGPool<string, number>();
  pool.spawn("a", [], () => 1);
  assert.throws(() => pool.post("a", 2), {
    message: 'Cannot post "a" in DAGPool: its greenthread is running (kill it first)',
  });
  await pool.kill("a");
  pool.post("a", 3);
  assert.equal(pool.get("a"), 3);

  const ran = new DAGPool<string, number>();
  ran.spawn("a", [], () => 4);
  await spin();
  assert.throws(() => ran.post("a", 5), Collision);
  assert.throws(() => ran.kill("a"), RangeError);

  const replaced = new DAGPool<string, number>();
  replaced.post("a", 1);
  replaced.post("a", 2, { replace: true });
  assert.equal(replaced.get("a"), 2);
  assert.deepEqual(await replaced.wait("a"), new Map([["a", 2]]));
});

Deno.test("DAGPool.wait([key]) waits for a key spawned later (eventlet's pool[key])", async () => {
  const capture = new Capture();
  const pool = new DAGPool<string, number>();
  spawn(async () => capture.add(`got ${(await pool.wait(["a"])).get("a")}`));
  await sleep(0);
  capture.validate([[]]);
  pool.spawn("a", [], () => 1);
  capture.validate([[]]);
  await spin();
  capture.validate([["got 1"]]);
});

Deno.test("DAGPool.wait(): a value posted while another is handed out is not missed", async () => {
  using _guard = new Timeout(1);
  // p is checked (no value yet), then q is handed out: p's value arrives at that switch point.
  const pool = new DAGPool<string, number>({ q: 1 });
  pool.spawn("p", ["q"], () => 2);
  assert.deepEqual(await pool.wait(["p", "q"]), new Map([["p", 2], ["q", 1]]));
});
