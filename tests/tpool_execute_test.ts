/**
 * tpool.execute, transfer and workerFunction: a call runs in another
 * thread with its arguments and result structured-cloned (or
 * transferred), and rejects with the worker's error; functions that close
 * over outer variables are explained, non-cloneable values rejected; a
 * workerFunction's module is imported once per worker; greenthreads keep
 * running during a CPU loop in tpool.
 */

import assert from "node:assert/strict";
import { sleep, spawn } from "../mod.ts";
import { execute, setNumThreads, transfer, workerFunction } from "../tpool/mod.ts";
import { rejection, threadId } from "./tpool_helpers.ts";

Deno.test("execute() runs fn in another thread and resolves its result", async () => {
  const { threadId: mainId } = await import("node:worker_threads");
  const id = await execute(threadId);
  assert.equal(typeof id, "number");
  assert.notEqual(id, mainId);
  assert.equal(
    await execute(async () => (await import("node:worker_threads")).isMainThread),
    false,
  );
});

Deno.test("execute() runs sync and async functions with arguments", async () => {
  assert.equal(await execute((a: number, b: number) => a * b, 6, 7), 42);
  const slowEcho = async (s: string) => {
    await new Promise((r) => setTimeout(r, 5));
    return `${s}!`;
  };
  assert.equal(await execute(slowEcho, "hi"), "hi!");
  assert.equal(await execute(() => undefined), undefined);
  // Method shorthand is accepted too (toString gives "name(a) { … }").
  const obj = {
    twice(x: number) {
      return x * 2;
    },
  };
  assert.equal(await execute(obj.twice, 21), 42);
});

Deno.test("execute() structured-clones objects, arrays, Map, Set, Date, typed arrays", async () => {
  const value = {
    n: 1.5,
    s: "text",
    big: 10n ** 20n,
    nested: { list: [1, "two", null, [3]] },
    map: new Map<string, number[]>([["a", [1]], ["b", [2, 3]]]),
    set: new Set(["x", "y"]),
    date: new Date(2020, 1, 2),
    bytes: new Uint8Array([1, 2, 255]),
    floats: new Float64Array([0.5, -1]),
    re: /ab+c/gi,
  };
  const back = await execute((v: typeof value) => v, value);
  assert.deepEqual(back, value);
  assert.notEqual(back, value);
  assert.ok(back.map instanceof Map);
  assert.ok(back.date instanceof Date);
  assert.ok(back.bytes instanceof Uint8Array);
  // The worker sees real instances too.
  const kinds = await execute((v: typeof value) => [
    v.map instanceof Map,
    v.set.has("y"),
    v.date.getFullYear(),
    v.bytes instanceof Uint8Array,
    v.floats[1],
  ], value);
  assert.deepEqual(kinds, [true, true, 2020, true, -1]);
});

Deno.test("transfer() moves buffers both ways and detaches the sender's", async () => {
  const data = new Uint8Array(1 << 20);
  data[0] = 7;
  const result = await execute(
    (a: Uint8Array) => {
      a[1] = 9;
      return transfer({ a, len: a.byteLength }, [a.buffer]);
    },
    transfer(data, [data.buffer]),
  );
  assert.equal(data.byteLength, 0, "the sender's buffer is detached");
  assert.equal(result.len, 1 << 20);
  assert.equal(result.a[0], 7);
  assert.equal(result.a[1], 9);
  assert.throws(() => transfer(data, "nope" as never), TypeError);
});

Deno.test("execute() rejects with the worker's error: name, message, props, stack", async () => {
  const error = await rejection(execute(() => {
    class DatabaseError extends Error {
      code = "E_LOCKED";
      retries = 3;
      constructor(message: string) {
        super(message, { cause: new RangeError("inner") });
        this.name = "DatabaseError";
      }
    }
    throw new DatabaseError("database is locked");
  }));
  assert.equal(error instanceof Error, true);
  assert.equal(error.name, "DatabaseError");
  assert.equal(error.message, "database is locked");
  assert.equal(error.code, "E_LOCKED");
  assert.equal(error.retries, 3);
  assert.ok(error.cause instanceof RangeError);
  assert.equal(error.cause.message, "inner");
  assert.match(error.stack, /^DatabaseError: database is locked\n/);
  assert.match(error.stack, /tpool-fn-\d+\.js/, "the stack shows the worker's frames");

  const typeError = await rejection(execute(() => (null as unknown as { x: number }).x));
  assert.ok(typeError instanceof TypeError);
  const thrown = await rejection(execute(() => {
    throw { reason: "plain object" };
  }));
  assert.deepEqual(thrown, { reason: "plain object" });
  const aggregate = await rejection(execute(() => {
    throw new AggregateError([new Error("a"), new TypeError("b")], "both");
  }));
  assert.ok(aggregate instanceof AggregateError);
  assert.deepEqual(aggregate.errors.map((e: Error) => e.name), ["Error", "TypeError"]);
});

Deno.test("execute() explains a function that closes over outer variables", async () => {
  const factor = 3;
  const error = await rejection(execute((x: number) => x * factor, 2));
  assert.ok(error instanceof ReferenceError);
  assert.match(error.message, /uses `factor`/);
  assert.match(error.message, /self-contained/);
  assert.match(error.message, /workerFunction/);
  // A closure-free function with the same shape works.
  assert.equal(await execute((x: number, f: number) => x * f, 2, factor), 6);
  // Native and bound functions have no source to send: TypeError at once.
  assert.throws(() => execute(Math.max, 1, 2), TypeError);
  assert.throws(() => execute(((x: number) => x).bind(null), 1), /native or bound/);
  assert.throws(() => execute(42 as never), /must be a function or a workerFunction/);
});

Deno.test("execute() rejects a non-cloneable argument with DataCloneError, pool unharmed", async () => {
  setNumThreads(1);
  try {
    const first = await execute(threadId);
    const error = await rejection(execute((f: unknown) => typeof f, () => 1));
    assert.equal(error.name, "DataCloneError");
    assert.match(error.message, /could not be cloned/);
    const result = await rejection(execute(() => () => 1));
    assert.equal(result.name, "DataCloneError");
    assert.match(result.message, /result back from the worker/);
    assert.equal(await execute(threadId), first, "the same worker still serves");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("workerFunction() imports a module once per worker and calls its export", async () => {
  const url =
    "data:text/javascript,let calls = 0; export function count(x) { return [x, ++calls]; }";
  setNumThreads(1);
  try {
    const count = workerFunction<(x: number) => [number, number]>(url, "count");
    assert.deepEqual(await execute(count, 5), [5, 1]);
    assert.deepEqual(await execute(count, 6), [6, 2], "module state persists in the worker");
    const missing = await rejection(execute(workerFunction(url, "nope")));
    assert.match(missing.message, /no exported function "nope"/);
    const broken = workerFunction("data:text/javascript,throw new Error('top-level boom')", "f");
    const error = await rejection(execute(broken));
    assert.equal(error.message, "top-level boom");
    assert.deepEqual(await execute(count, 7), [7, 3], "the worker survived");
  } finally {
    setNumThreads(20);
  }
  assert.throws(() => workerFunction("./relative.ts", "f"), /must be absolute/);
  assert.throws(() => workerFunction(url, ""), /non-empty string/);
});

Deno.test("a greenthread keeps ticking during a 200 ms CPU loop in tpool", async () => {
  let ticks = 0;
  const ticker = spawn(async () => {
    for (;;) {
      await sleep(0.01);
      ticks++;
    }
  });
  await execute(() => {
    const end = Date.now() + 200;
    while (Date.now() < end) { /* spin */ }
  });
  await ticker.kill();
  assert.ok(ticks >= 8, `ticked ${ticks} times`);
});
