/**
 * DAGPool waitEach, kill and error propagation: ports of eventlet's dagpool
 * tests (waitEach order, following a chain, kill, PropagateError chains and
 * the success/exception filters), plus kills and Timeouts inside the pool
 * and in a waiter.
 */

import assert from "node:assert/strict";
import { DAGPool, PropagateError } from "../dagpool/mod.ts";
import type { DAGFunction } from "../dagpool/mod.ts";
import { Event } from "../green/event.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { GreenletExit } from "../hub/greenthread.ts";
import { asMap, Capture, consumer, observe, spin } from "./dagpool_helpers.ts";

Deno.test("DAGPool.waitEach([]) yields nothing; preloaded keys come at once", async () => {
  using _guard = new Timeout(1);
  const pool = new DAGPool({ a: 1, b: 2, c: 3 });
  for await (const pair of new DAGPool().waitEach([])) assert.fail(`yielded ${pair}`);
  const got = new Map<string, unknown>();
  for await (const [k, v] of pool.waitEach("abc")) got.set(k, v);
  assert.deepEqual(got, asMap({ a: 1, b: 2, c: 3 }));
  assert.deepEqual(await pool.wait("bc"), asMap({ b: 2, c: 3 }));
});

Deno.test("DAGPool.waitEach() delivers ready values first, then each once it is posted", async () => {
  const log: string[] = [];
  const pool = new DAGPool<string, unknown>({ a: 1, b: 2, c: 3 });
  spawn(async () => {
    await sleep(0);
    for (const k of "gf") {
      log.push(`post ${k}`);
      pool.post(k, `${k}val`);
    }
    await sleep(0);
    for (const k of "ed") {
      log.push(`post ${k}`);
      pool.post(k, `${k}val`);
    }
  });
  for await (const [k, v] of pool.waitEach("bcdefg")) log.push(`got ${k} ${v}`);
  const gets = log.filter((line) => line.startsWith("got"));
  assert.deepEqual(new Set(gets.slice(0, 2)), new Set(["got b 2", "got c 3"]));
  for (const k of "defg") {
    const posted = log.indexOf(`post ${k}`);
    const got = log.indexOf(`got ${k} ${k}val`);
    assert.ok(posted >= 0 && got > posted, `${k} delivered once posted: ${log}`);
  }
  assert.equal(log.length, 10, "each key delivered exactly once");
});

Deno.test("DAGPool.waitEach() with no keys follows a chain link by link", async () => {
  const capture = new Capture();
  const pool = new DAGPool<string, unknown>([["a", "a"]]);
  const deps: Record<string, string> = { b: "a", c: "b", d: "c", e: "d" };
  const events: Record<string, Event<string>> = {};
  for (const [key, dep] of Object.entries(deps)) {
    events[key] = new Event();
    pool.spawn(key, dep, observe(capture, events[key]));
  }
  const keys = "abcde";
  const each = pool.waitEach();
  for (let pos = 0; pos < keys.length; pos++) {
    const step = await each.next();
    assert.equal(step.done, false);
    assert.equal((step.value as [string, unknown])[0], keys[pos]);
    await spin();
    for (const k of keys.slice(0, pos + 1)) assert.notEqual(pool.get(k, "none"), "none");
    for (const k of keys.slice(pos + 1)) assert.equal(pool.get(k, "none"), "none");
    if (pos < keys.length - 1) events[keys[pos + 1]].send(keys[pos + 1]);
  }
  assert.equal((await each.next()).done, true);
});

Deno.test("DAGPool.kill() kills and forgets a running greenthread; unknown or finished keys: RangeError", async () => {
  const pool = new DAGPool<string, number>();
  assert.throws(() => pool.kill("a"), {
    name: "RangeError",
    message: 'Cannot kill in DAGPool: no greenthread is running for key "a"',
  });
  pool.spawn("a", [], () => 1);
  await pool.kill("a"); // before it could even run
  await spin();
  assert.equal(pool.get("a"), undefined);
  assert.throws(() => pool.kill("a"), RangeError);
  pool.spawn("a", [], () => 2);
  await spin();
  assert.throws(() => pool.kill("a"), RangeError);
  assert.equal(pool.get("a"), 2);

  let cleaned = false;
  pool.spawn("b", ["never"], async (_key, results) => {
    try {
      for await (const _ of results) { /* waits forever */ }
      return 3;
    } finally {
      cleaned = true;
    }
  });
  await spin();
  await pool.kill("b");
  assert.ok(cleaned, "its finally ran before kill resolved");
  assert.equal(pool.running(), 0);
  assert.equal(pool.get("b"), undefined);
});

Deno.test("DAGPool.kill(): a killed greenthread that swallows the kill posts nothing, even over its successor", async () => {
  const pool = new DAGPool<string, number>();
  const stubborn = async () => {
    try {
      await sleep(10);
    } catch {
      // swallows the kill and returns as if nothing happened
    }
    return 9;
  };
  pool.spawn("c", [], stubborn);
  await spin();
  const killed = pool.kill("c");
  pool.spawn("c", ["go"], async (_key, results) => {
    for await (const _ of results) return 10;
    return -1;
  });
  await killed;
  await spin();
  assert.equal(pool.get("c"), undefined, "the killed one's 9 is not posted");
  assert.deepEqual(pool.runningKeys(), ["c"], "its successor still runs");
  pool.post("go", 0);
  assert.deepEqual(await pool.wait(["c"]), new Map([["c", 10]]));
  assert.equal(pool.running(), 0);
});

class BogusError extends Error {
  override name = "BogusError";
}

const raiser = (error: Error): DAGFunction<string, unknown> => () => {
  throw error;
};

Deno.test("DAGPool.wait() rejects with the PropagateError of a failed greenthread", async () => {
  const pool = new DAGPool();
  pool.spawn("a", [], raiser(new BogusError("bogus")));
  const err = await pool.wait().then(() => assert.fail("no error"), (e) => e);
  assert.ok(err instanceof PropagateError);
  assert.equal(err.key, "a");
  assert.ok(err.exc instanceof BogusError);
  assert.equal(err.cause, err.exc);
  assert.equal(err.message, "PropagateError(a): BogusError: bogus");
});

Deno.test("DAGPool: an error propagates down the DAG, each PropagateError wrapping the upstream one", async () => {
  const pool = new DAGPool();
  pool.spawn("a", [], raiser(new BogusError("bogus")));
  pool.spawn("b", "a", consumer);
  pool.spawn("c", "b", consumer);
  const errc = await pool.wait(["c"]).then(() => assert.fail("no error"), (e) => e);
  assert.equal(errc.key, "c");
  const errb = errc.exc as PropagateError;
  assert.equal(errb.key, "b");
  const erra = errb.exc as PropagateError;
  assert.equal(erra.key, "a");
  assert.ok(erra.exc instanceof BogusError);
  assert.equal(
    errc.message,
    "PropagateError(c): PropagateError: PropagateError(b): PropagateError: PropagateError(a): BogusError: bogus",
  );
});

Deno.test("DAGPool.waitEach() throws a PropagateError value", async () => {
  const pool = new DAGPool();
  pool.spawn("a", [], raiser(new BogusError("bogus")));
  await assert.rejects(async () => {
    for await (const _ of pool.waitEach("a")) { /* throws */ }
  }, PropagateError);
  await assert.rejects(async () => {
    for await (const _ of pool.waitEach()) { /* throws */ }
  }, PropagateError);
});

Deno.test("DAGPool: a posted PropagateError is thrown by every read; the filters separate them", async () => {
  const pool = new DAGPool();
  const bogua = new BogusError("bogua");
  pool.post("a", bogua);
  assert.equal(pool.get("a"), bogua, "a plain error is a value like any other");
  const bogub = new PropagateError("b", new BogusError("bogub"));
  pool.post("b", bogub);
  assert.throws(() => pool.get("b"), PropagateError);
  assert.throws(() => pool.items(), PropagateError);
  for (const keys of [undefined, "b", "ab"]) {
    await assert.rejects(pool.wait(keys), PropagateError);
  }
  assert.equal((await pool.wait("a")).get("a"), bogua);
  const collect = async (it: AsyncIterable<[string, unknown]>) => {
    const out = new Map<string, unknown>();
    for await (const [k, v] of it) out.set(k, v);
    return out;
  };
  assert.deepEqual(await collect(pool.waitEachSuccess()), new Map([["a", bogua]]));
  assert.deepEqual(await collect(pool.waitEachSuccess("ab")), new Map([["a", bogua]]));
  assert.deepEqual(await collect(pool.waitEachSuccess("b")), new Map());
  assert.deepEqual(await collect(pool.waitEachException()), new Map([["b", bogub]]));
  assert.deepEqual(await collect(pool.waitEachException("a")), new Map());
});

Deno.test("DAGPool: a Timeout escaping fn is posted as a PropagateError; a kill posts nothing", async () => {
  const pool = new DAGPool<string, number>();
  pool.spawn("slow", [], async () => {
    using _t = new Timeout(0.005);
    await sleep(1);
    return 1;
  });
  const err = await pool.wait(["slow"]).then(() => assert.fail("no error"), (e) => e);
  assert.ok(err instanceof PropagateError);
  assert.ok(err.exc instanceof Timeout);

  pool.spawn("killed", [], async () => {
    await sleep(1);
    return 2;
  });
  await sleep(0);
  await pool.kill("killed");
  assert.equal(pool.get("killed"), undefined);
  assert.equal(pool.running(), 0);
});

Deno.test("DAGPool: a waiter killed or timed out in wait() leaves the values intact", async () => {
  const pool = new DAGPool<string, number>();
  const waiter = spawn(() => pool.wait(["a", "b"]));
  await sleep(0);
  pool.post("a", 1);
  await sleep(0);
  await waiter.kill();
  await assert.rejects(waiter.wait(), GreenletExit);
  await assert.rejects(async () => {
    using _t = new Timeout(0.005);
    await pool.wait(["a", "b"]);
  }, Timeout);
  pool.post("b", 2);
  assert.deepEqual(await pool.wait(), new Map([["a", 1], ["b", 2]]));
});
