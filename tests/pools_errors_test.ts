/**
 * Pool errors and bad input: put() refusing an item that is not out, errors
 * thrown by dispose reaching hub.onError, and the TypeError/RangeError
 * messages for bad options of Pool and TokenPool.
 */

import assert from "node:assert/strict";
import { Pool, TokenPool } from "../pools/mod.ts";
import { sleep } from "../green/sleep.ts";
import { captureErrors } from "./hub_helpers.ts";
import { intPool } from "./pools_helpers.ts";

Deno.test("Pool.put() refuses an item that is not out of the pool", async () => {
  using pool = intPool();
  assert.throws(() => pool.put(7), {
    name: "RangeError",
    message: "Cannot put into Pool: the item is not out of this pool, received 7",
  });
  assert.throws(() => pool.put("7" as never), {
    name: "RangeError",
    message: 'Cannot put into Pool: the item is not out of this pool, received "7"',
  });
  assert.throws(() => pool.put({} as never), {
    name: "RangeError",
    message: "Cannot put into Pool: the item is not out of this pool, received object",
  });
  const one = await pool.get();
  pool.put(one);
  assert.throws(() => pool.put(one), RangeError, "a double put");
  assert.equal(pool.free(), 4);
});

Deno.test("Pool: errors of dispose go to hub.onError", async () => {
  using capture = captureErrors();
  const pool = new Pool({
    create: () => ({}),
    dispose: () => {
      throw new Error("sync dispose failed");
    },
  });
  pool.put(await pool.get());
  pool.close();
  const asyncPool = new Pool({
    create: () => ({}),
    dispose: () => Promise.reject(new Error("async dispose failed")),
  });
  asyncPool.put(await asyncPool.get());
  asyncPool.close();
  await sleep(0);
  assert.deepEqual(capture.errors.map((e) => (e as Error).message), [
    "sync dispose failed",
    "async dispose failed",
  ]);
});

Deno.test("Pool rejects bad options with TypeError/RangeError naming them", () => {
  const create = () => 1;
  const bad: [unknown, string, string][] = [
    [undefined, "TypeError", "Cannot create Pool: create must be a function, received undefined"],
    [null, "TypeError", "Cannot create Pool: options must be an object, received null"],
    [{}, "TypeError", "Cannot create Pool: create must be a function, received undefined"],
    [{ create: 5 }, "TypeError", "Cannot create Pool: create must be a function, received number"],
    [
      { create, maxSize: -1 },
      "RangeError",
      "Cannot create Pool: maxSize must be a positive integer, received -1",
    ],
    [
      { create, maxSize: 0 },
      "RangeError",
      "Cannot create Pool: maxSize must be a positive integer, received 0",
    ],
    [
      { create, maxSize: 1.5 },
      "RangeError",
      "Cannot create Pool: maxSize must be a positive integer, received 1.5",
    ],
    [
      { create, maxSize: "4" },
      "TypeError",
      "Cannot create Pool: maxSize must be a number, received string",
    ],
    [
      { create, minSize: NaN },
      "RangeError",
      "Cannot create Pool: minSize must be a non-negative integer, received NaN",
    ],
    [
      { create, minSize: 5 },
      "RangeError",
      "Cannot create Pool: minSize must not exceed maxSize 4, received 5",
    ],
    [
      { create, maxIdle: -1 },
      "RangeError",
      "Cannot create Pool: maxIdle must be a non-negative number of seconds, received -1",
    ],
    [
      { create, maxAge: NaN },
      "RangeError",
      "Cannot create Pool: maxAge must be a non-negative number of seconds, received NaN",
    ],
    [
      { create, maxAge: "1" },
      "TypeError",
      "Cannot create Pool: maxAge must be a number, received string",
    ],
    [
      { create, dispose: 1 },
      "TypeError",
      "Cannot create Pool: dispose must be a function, received number",
    ],
    [
      { create, validate: {} },
      "TypeError",
      "Cannot create Pool: validate must be a function, received object",
    ],
    [
      { create, orderAsFifo: 1 },
      "TypeError",
      "Cannot create Pool: orderAsFifo must be a boolean, received number",
    ],
    [
      { create, max_size: 1 },
      "TypeError",
      'Cannot create Pool: unknown option, received "max_size"',
    ],
  ];
  for (const [options, name, message] of bad) {
    assert.throws(() => new Pool(options as never), { name, message }, JSON.stringify(options));
  }
  using pool = new Pool({ create });
  assert.throws(() => pool.resize(0), {
    name: "RangeError",
    message: "Cannot resize Pool: maxSize must be a positive integer, received 0",
  });
  assert.throws(() => pool.resize(null as never), TypeError);
  assert.throws(() => new TokenPool(-2), {
    name: "RangeError",
    message: "Cannot create TokenPool: maxSize must be a positive integer, received -2",
  });
});
