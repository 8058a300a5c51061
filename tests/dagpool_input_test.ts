/**
 * DAGPool cycles and bad input: a dependency cycle is refused at once (a
 * refused spawnMany spawns nothing), bad arguments get a TypeError/RangeError
 * naming them, and a final check that no greenthread is left behind.
 */

import assert from "node:assert/strict";
import { Collision, DAGPool } from "../dagpool/mod.ts";
import type { DAGFunction } from "../dagpool/mod.ts";
import { getHub } from "../hub/hub.ts";
import { consumer, spin } from "./dagpool_helpers.ts";

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

Deno.test("DAGPool tests leave no greenthread behind", async () => {
  await spin();
  assert.deepEqual(getHub().greenthreads(), []);
});
