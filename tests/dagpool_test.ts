/**
 * DAGPool: ports of eventlet's dagpool tests (preload, wait/waitEach order,
 * collisions, spawn with dependencies, spawnMany, kill, post with replace,
 * PropagateError chains and the success/exception filters), plus cycle
 * refusal, bad input, and kills and Timeouts inside the pool.
 */

import assert from "node:assert/strict";
import { Collision, DAGPool, PropagateError } from "../dagpool/mod.ts";
import type { DAGFunction } from "../dagpool/mod.ts";
import { Event } from "../green/event.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { GreenletExit } from "../green/greenthread.ts";
import { getHub } from "../hub/hub.ts";

/** Lets every ready greenthread run until it blocks. */
async function spin(): Promise<void> {
  for (let i = 0; i < 10; i++) await sleep(0);
}

/** Messages in groups: within a group order is free, groups are ordered. */
class Capture {
  sequence: Set<string>[] = [new Set()];
  add(message: string): void {
    this.sequence[this.sequence.length - 1].add(message);
  }
  step(): void {
    this.sequence.push(new Set());
  }
  validate(expected: string[][]): void {
    assert.deepEqual(this.sequence, expected.map((group) => new Set(group)));
  }
}

/** eventlet's canonical pool function: note each result, then return what `event` sends. */
function observe(capture: Capture, event: Event<string>): DAGFunction<string, unknown> {
  return async (key, results) => {
    for await (const [k] of results) capture.add(`${key} got ${k}`);
    const result = await event.wait();
    capture.add(`${key} returning ${result}`);
    return result;
  };
}

const asMap = (o: Record<string, unknown>) => new Map(Object.entries(o));

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

Deno.test("DAGPool.waitEach([]) yields nothing; preloaded keys come at once", async () => {
  using _guard = new Timeout(1);
  const pool = new DAGPool({ a: 1, b: 2, c: 3 });
  for await (const pair of new DAGPool().waitEach([])) assert.fail(`yielded ${pair}`);
  const got = new Map<string, unknown>();
  for await (const [k, v] of pool.waitEach("abc")) got.set(k, v);
  assert.deepEqual(got, asMap({ a: 1, b: 2, c: 3 }));
  assert.deepEqual(await pool.wait("bc"), asMap({ b: 2, c: 3 }));
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

class BogusError extends Error {
  override name = "BogusError";
}

const raiser = (error: Error): DAGFunction<string, unknown> => () => {
  throw error;
};
const consumer: DAGFunction<string, unknown> = async (_key, results) => {
  for await (const _ of results) { /* every dependency */ }
  return true;
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

Deno.test("DAGPool refuses a dependency cycle at once; a refused spawnMany spawns nothing", async () => {
  const before = getHub().greenthreads().length;
  const pool = new DAGPool<string, number>();
  assert.throws(() => pool.spawn("a", ["a"], () => 1), {
    name: "RangeError",
    message: 'Cannot spawn "a" in DAGPool: its dependencies form a cycle, received a → a',
  });
  pool.spawn("a", ["b"], consumer as DAGFunction<string, number>);
  pool.spawn("b", ["c"], consumer as DAGFunction<string, number>);
  assert.throws(() => pool.spawn("c", ["a"], () => 1), {
    name: "RangeError",
    message: 'Cannot spawn "c" in DAGPool: its dependencies form a cycle, received c → a → b → c',
  });
  assert.throws(() => pool.spawnMany({ x: ["y"], y: ["z"], z: ["x"] }, () => 1), RangeError);
  assert.throws(() => pool.spawnMany({ x: [], y: ["x"], a: [] }, () => 1), Collision);
  assert.throws(() => pool.spawnMany([["x", []], ["x", []]], () => 1), Collision);
  assert.deepEqual(pool.runningKeys(), ["a", "b"], "the refused calls spawned nothing");
  assert.equal(getHub().greenthreads().length, before + 2);
  pool.post("c", 7); // no cycle once c has a value
  assert.deepEqual(
    await pool.wait(),
    new Map<string, unknown>([["a", true], ["b", true], ["c", 7]]),
  );
  const resolved = new DAGPool<string, number>({ q: 1 });
  resolved.spawn("p", ["q"], () => 2);
  assert.equal(getHub().greenthreads().length, before + 1);
  await resolved.wait();
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

Deno.test("DAGPool rejects bad input with TypeError/RangeError naming it", () => {
  assert.throws(() => new DAGPool(5 as never), {
    name: "TypeError",
    message:
      "Cannot create DAGPool: preload must be a Map, an iterable of [key, value] pairs or an object, received number",
  });
  assert.throws(() => new DAGPool([["a", 1, 2]] as never), {
    name: "TypeError",
    message:
      "Cannot create DAGPool: each entry of preload must be a [key, value] pair, received an array of 3",
  });
  const pool = new DAGPool();
  assert.throws(() => pool.spawn("a", [], "f" as never), {
    name: "TypeError",
    message: "Cannot spawn in DAGPool: fn must be a function, received string",
  });
  assert.throws(() => pool.spawn("a", null as never, () => 1), {
    name: "TypeError",
    message: "Cannot spawn in DAGPool: depends must be an iterable of keys, received null",
  });
  assert.throws(() => pool.spawn("a", 3 as never, () => 1), TypeError);
  assert.throws(() => pool.spawnMany(null as never, () => 1), TypeError);
  assert.throws(() => pool.spawnMany({ a: 1 } as never, () => 1), {
    name: "TypeError",
    message:
      "Cannot spawn many in DAGPool: depends[a] must be an iterable of keys, received number",
  });
  assert.throws(() => pool.post("a", 1, null as never), TypeError);
  assert.throws(() => pool.post("a", 1, { replace: "yes" } as never), {
    name: "TypeError",
    message: "Cannot post in DAGPool: replace must be a boolean, received string",
  });
  assert.throws(() => pool.wait(7 as never), TypeError);
  assert.equal(pool.running(), 0);
});

Deno.test("DAGPool.wait(): a value posted while another is handed out is not missed", async () => {
  using _guard = new Timeout(1);
  // p is checked (no value yet), then q is handed out: p's value arrives at that switch point.
  const pool = new DAGPool<string, number>({ q: 1 });
  pool.spawn("p", ["q"], () => 2);
  assert.deepEqual(await pool.wait(["p", "q"]), new Map([["p", 2], ["q", 1]]));
});

Deno.test("DAGPool tests leave no greenthread behind", async () => {
  await spin();
  assert.deepEqual(getHub().greenthreads(), []);
});
