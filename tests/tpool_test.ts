/**
 * tpool: execute, workerFunction, transfer, proxy, pool size, killall.
 * Ported scenarios: eventlet's tests/tpool_test.py (test_wrap_tuple,
 * test_wrap_string, test_wrap_dict, test_wrap_module_class, test_raising_exceptions,
 * test_variable_and_keyword_arguments_with_function_calls, test_wrap_iterator,
 * test_autowrap, test_autowrap_names, test_killall, test_killall_remaining_results,
 * test_a_buncha_stuff/test_benchmark ordering) and tests/env_test.py
 * (test_tpool_size, test_tpool_negative, test_tpool_zero).
 */

import assert from "node:assert/strict";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { getCurrent, sleep, spawn, Timeout } from "../mod.ts";
import {
  execute,
  killall,
  proxy,
  setIdleTimeout,
  setNumThreads,
  TpoolError,
  transfer,
  workerFunction,
} from "../tpool/mod.ts";

const TPOOL_URL = new URL("../tpool/mod.ts", import.meta.url).href;

/** Runs `code` in a child `deno eval` and returns its output. */
async function child(
  code: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    ms: performance.now() - started,
  };
}

/** A busy loop of `ms` milliseconds that records concurrency in `cells` (self-contained). */
function busy(cells: Int32Array, ms: number): number {
  const now = Atomics.add(cells, 0, 1) + 1;
  for (let seen = Atomics.load(cells, 1); now > seen; seen = Atomics.load(cells, 1)) {
    if (Atomics.compareExchange(cells, 1, seen, now) === seen) break;
  }
  const end = Date.now() + ms;
  while (Date.now() < end) { /* spin */ }
  Atomics.sub(cells, 0, 1);
  return now;
}

function counters(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(16));
}

/** Resolves with what `promise` rejects with; fails if it resolves. */
// deno-lint-ignore no-explicit-any
function rejection(promise: PromiseLike<unknown>): Promise<any> {
  return Promise.resolve(promise).then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error) => error,
  );
}

const threadId = async () => (await import("node:worker_threads")).threadId;

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

Deno.test("setNumThreads(n) caps how many calls run at once, FIFO beyond that", async () => {
  setNumThreads(2);
  try {
    const cells = counters();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => execute(busy, cells, 40)),
    );
    assert.equal(cells[1], 2, "two ran at once, never more");
    assert.ok(results.every((n) => n <= 2));
    // 20 quick calls in flight on 2 workers all come back, in order of values.
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, i) => execute((x: number) => x * x, i)),
    );
    assert.deepEqual(many, Array.from({ length: 20 }, (_, i) => i * i));
  } finally {
    setNumThreads(20);
  }
  assert.throws(() => setNumThreads(-1), RangeError);
  assert.throws(() => setNumThreads(1.5), RangeError);
  assert.throws(() => setNumThreads(NaN), RangeError);
  assert.throws(() => setNumThreads("2" as never), TypeError);
});

Deno.test("a free worker takes calls queued behind a long one elsewhere", async () => {
  setNumThreads(2);
  try {
    await Promise.all([execute(threadId), execute(threadId)]); // two warm workers
    const started = performance.now();
    const long = execute(() => {
      const end = Date.now() + 400;
      while (Date.now() < end) { /* spin */ }
      return "long";
    });
    const quick = await Promise.all(
      Array.from({ length: 10 }, (_, i) => execute((x: number) => x, i)),
    );
    assert.deepEqual(quick, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(performance.now() - started < 300, "the quick calls did not wait for the long one");
    assert.equal(await long, "long");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("a Timeout interrupts execute at once and the runaway worker is replaced", async () => {
  setNumThreads(1);
  try {
    const before = await execute(threadId);
    const timeout = new Timeout(0.05);
    const started = performance.now();
    const error = await rejection(execute(() => {
      for (;;) { /* runaway */ }
    }));
    timeout.cancel();
    assert.equal(error, timeout);
    assert.ok(performance.now() - started < 1000);
    const after = await execute(threadId);
    assert.notEqual(after, before, "a fresh worker took the slot");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("kill of a caller whose call waits behind another drops it; the worker lives", async () => {
  setNumThreads(1);
  try {
    const cells = counters();
    const id = await execute(threadId);
    const running = execute((c: Int32Array) => {
      const end = Date.now() + 200;
      while (Date.now() < end) { /* spin */ }
      return Atomics.add(c, 2, 1);
    }, cells);
    const waiter = spawn(() => execute((c: Int32Array) => Atomics.add(c, 3, 1), cells));
    await sleep(0.02);
    await waiter.kill();
    assert.equal(await running, 0);
    assert.equal(await execute(threadId), id, "same worker: nothing was terminated");
    assert.equal(cells[3], 0, "the dropped call never ran");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("a call waiting behind an interrupted runaway runs on the replacement", async () => {
  setNumThreads(1);
  try {
    await execute(threadId);
    const runaway = spawn(async () => {
      using t = new Timeout(0.1);
      const error = await rejection(execute(() => {
        for (;;) { /* runaway */ }
      }));
      return error === t;
    });
    await sleep(0.01);
    const behind = execute((x: number) => x + 1, 41);
    assert.equal(await behind, 42);
    assert.equal(await runaway.wait(), true, "the runaway's caller got its Timeout");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("a crashed worker is replaced and its call rejects with TpoolError", async () => {
  setNumThreads(1);
  try {
    const closed = await rejection(
      execute(() => (globalThis as unknown as { close(): void }).close()),
    );
    assert.ok(closed instanceof TpoolError);
    assert.equal(closed.code, "ERR_TPOOL_WORKER_EXITED");
    const uncaught = await rejection(execute(() => {
      setTimeout(() => {
        throw new SyntaxError("late failure");
      }, 0);
      return new Promise(() => {});
    }));
    assert.equal(uncaught.code, "ERR_TPOOL_WORKER_EXITED");
    assert.ok(uncaught.cause instanceof SyntaxError);
    assert.match(uncaught.message, /late failure/);
    const exited = await rejection(
      execute(() =>
        (globalThis as unknown as { process: { exit(n: number): void } }).process.exit(3)
      ),
    );
    assert.match(exited.message, /code 3/);
    assert.equal(await execute(() => "alive"), "alive");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("killall() then execute() in the same turn: the call runs on a fresh pool", async () => {
  // A fresh process, so that no earlier setNumThreads() fixed the size.
  const mod = new URL("../tpool/mod.ts", import.meta.url).href;
  const code = `
    import { execute, killall } from "${mod}";
    const first = execute(() => 1); // the pool starts growing
    const killed = killall();
    const second = execute(() => 5);
    await first.catch(() => {});
    await killed;
    const timer = setTimeout(() => { console.log("hung"); Deno.exit(1); }, 10000);
    console.log("second:", await second);
    clearTimeout(timer);
  `;
  const { code: status, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(new TextDecoder().decode(stdout).trim(), "second: 5");
  assert.equal(status, 0);
});

Deno.test("killall() rejects pending calls, then the pool starts afresh", async () => {
  const pending = execute(() => new Promise((r) => setTimeout(r, 5000)));
  const before = await execute(threadId);
  await killall();
  const error = await rejection(pending);
  assert.ok(error instanceof TpoolError);
  assert.equal(error.code, "ERR_TPOOL_KILLED");
  assert.match(error.message, /killall/);
  const after = await execute(threadId);
  assert.notEqual(after, before);
});

Deno.test("idle workers end after the idle timeout", async () => {
  setNumThreads(1);
  setIdleTimeout(0.05);
  try {
    const first = await execute(threadId);
    await sleep(0.2);
    assert.notEqual(await execute(threadId), first, "the idle worker was terminated");
    assert.throws(() => setIdleTimeout(-1), RangeError);
  } finally {
    setIdleTimeout(1);
    setNumThreads(20);
  }
});

Deno.test("execute() inside a tpool worker runs inline (nested call)", async () => {
  const outer = async (url: string) => {
    const { execute } = await import(url);
    const { threadId } = await import("node:worker_threads");
    const inner = await execute(async () => (await import("node:worker_threads")).threadId);
    return [threadId, inner];
  };
  const [outerId, innerId] = await execute(outer, TPOOL_URL);
  assert.equal(innerId, outerId);
});

Deno.test("a process that used execute exits by itself promptly", async () => {
  const out = await child(
    `import { execute } from "${TPOOL_URL}";
     console.log(await execute((x: number) => x + 1, 1));`,
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), "2");
  assert.ok(out.ms < 5000, `took ${out.ms} ms`);
});

Deno.test("EVENTLET_THREADPOOL_SIZE=3 caps the pool at 3 workers", async () => {
  const out = await child(
    `import { execute } from "${TPOOL_URL}";
     ${busy.toString()}
     const cells = new Int32Array(new SharedArrayBuffer(16));
     await Promise.all(Array.from({ length: 12 }, () => execute(busy, cells, 100)));
     console.log(cells[1]);`,
    { EVENTLET_THREADPOOL_SIZE: "3" },
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), "3", "three ran at once at most, and at some point three did");
});

Deno.test("EVENTLET_THREADPOOL_SIZE: bad value is a RangeError, 0 runs inline", async () => {
  const bad = await child(
    `import { execute } from "${TPOOL_URL}";
     await execute(() => 1).catch((e) => console.log(e.name, e.message));`,
    { EVENTLET_THREADPOOL_SIZE: "-2" },
  );
  assert.match(bad.stdout, /^RangeError .*EVENTLET_THREADPOOL_SIZE.*"-2"/);
  const zero = await child(
    `import { execute } from "${TPOOL_URL}";
     const { threadId } = await import("node:worker_threads");
     const id = await execute(async () => (await import("node:worker_threads")).threadId);
     let outer = 5;
     console.log(id === threadId, await execute(() => outer + 1));`,
    { EVENTLET_THREADPOOL_SIZE: "0" },
  );
  assert.equal(zero.stdout.trim(), "true 6");
  assert.match(zero.stderr, /Zero threads in tpool/);
});

Deno.test("proxy(): method calls run in the worker in call order; await p.attr reads", async () => {
  interface Counter {
    log: number[];
    total: number;
    add(n: number): number;
    slowAdd(n: number): Promise<number>;
  }
  // The factory is self-contained, so it declares the class itself.
  await using counter = await proxy<Counter>(() => {
    class Counter {
      log: number[] = [];
      total = 0;
      add(n: number): number {
        this.log.push(n);
        this.total += n;
        return this.total;
      }
      async slowAdd(n: number): Promise<number> {
        await new Promise((r) => setTimeout(r, 3 - (n % 3)));
        return this.add(n);
      }
    }
    return new Counter();
  });
  const callers = Array.from(
    { length: 12 },
    (_, i) => spawn(() => i % 2 === 0 ? counter.add(i) : counter.slowAdd(i)),
  );
  for (const gt of callers) await gt.wait();
  assert.deepEqual(await counter.log, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(await counter.total, 66);
  const notMethod = await rejection((counter as unknown as { nope(): Promise<void> }).nope());
  assert.ok(notMethod instanceof TypeError);
  assert.match(notMethod.message, /nope/);
  const readMethod = await (counter.add as unknown as PromiseLike<unknown>).then(
    () => null,
    (e: Error) => e,
  );
  assert.match(String(readMethod), /it is a method/);
  assert.match(`${counter}`, /tpool proxy Counter/);
  assert.throws(() => {
    (counter as unknown as { total: number }).total = 1;
  }, /Cannot set total on a tpool proxy/);
});

Deno.test("proxy(): autowrap by constructor name and autowrapNames", async () => {
  const factory = () => {
    class Cursor {
      rows = [1, 2, 3];
      fetch() {
        return this.rows;
      }
      child() {
        return new Cursor();
      }
      plain() {
        return { keep: "cloned" };
      }
      named() {
        return { keep: "wrapped" };
      }
    }
    class Connection {
      cursor() {
        return new Cursor();
      }
      info() {
        return { version: 1 };
      }
      get settings() {
        return { mode: "wal" };
      }
    }
    return new Connection();
  };
  // deno-lint-ignore no-explicit-any
  const db = await proxy<any>(factory, {
    autowrap: ["Cursor"],
    autowrapNames: ["info", "settings", "named"],
  });
  const cursor = await db.cursor();
  assert.match(`${cursor}`, /tpool proxy Cursor/, "a Cursor stays in the worker");
  assert.deepEqual(await cursor.fetch(), [1, 2, 3]);
  assert.match(`${await db.info()}`, /tpool proxy Object/, "autowrapNames wraps info()");
  const settings = await db.settings;
  assert.equal(await settings.mode, "wal", "autowrapNames wraps an attribute too");
  assert.match(`${await cursor.child()}`, /tpool proxy Cursor/, "children inherit autowrap");
  assert.deepEqual(await cursor.named(), { keep: "wrapped" }, "...but not autowrapNames");
  assert.deepEqual(await cursor.plain(), { keep: "cloned" });
  await db.release();
  const released = await rejection(db.info());
  assert.equal(released.code, "ERR_TPOOL_PROXY_RELEASED");
  assert.deepEqual(await cursor.fetch(), [1, 2, 3], "other proxies of the worker live on");
  await cursor.release();

  const byPredicate = await proxy(() => ({ make: () => new Map([[1, 2]]), size: () => 3 }), {
    autowrap: (value: unknown) => value instanceof Map,
  });
  const map = await byPredicate.make();
  assert.match(`${map}`, /tpool proxy Map/);
  assert.equal(await (map as unknown as { get(k: number): Promise<number> }).get(1), 2);
  await byPredicate.release();
  assert.throws(() => proxy(() => ({}), { autowrap: 5 as never }), TypeError);
});

Deno.test("proxy(): iterate with for await, call a proxied function, pass args", async () => {
  const gen = await proxy((start: number) => ({
    *[Symbol.iterator]() {
      for (let i = start; i < start + 3; i++) yield i;
    },
  }), { args: [10] });
  const seen: number[] = [];
  for await (const x of gen as unknown as AsyncIterable<number>) seen.push(x);
  assert.deepEqual(seen, [10, 11, 12]);
  await gen.release();
  const fn = await proxy(() => (a: number, b: number) => a - b);
  assert.equal(await fn(10, 4), 6);
  await fn[Symbol.asyncDispose]();
});

Deno.test("proxy(): a timed-out call ends the worker and every proxy in it", async () => {
  // deno-lint-ignore no-explicit-any
  const obj = await proxy<any>(() => ({
    spin() {
      for (;;) { /* runaway */ }
    },
    other: () => ({ a: 1 }),
    ping: () => "pong",
  }), { autowrapNames: ["other"] });
  const other = await obj.other();
  assert.equal(await obj.ping(), "pong");
  const t = new Timeout(0.05);
  const error = await rejection(obj.spin());
  t.cancel();
  assert.equal(error, t);
  for (const call of [obj.ping(), other.a]) {
    const later = await rejection(call);
    assert.ok(later instanceof TpoolError);
    assert.equal(later.code, "ERR_TPOOL_WORKER_ENDED");
    assert.match(later.message, /interrupted by a kill or Timeout/);
  }
  const failed = await rejection(proxy(() => {
    throw new Error("factory failed");
  }));
  assert.equal(failed.message, "factory failed");
});

Deno.test("proxy(): node:sqlite end to end with autowrap StatementSync", async () => {
  let ticks = 0;
  const ticker = spawn(async () => {
    for (;;) {
      await sleep(0.005);
      ticks++;
    }
  });
  try {
    await using db = await proxy<DatabaseSync, StatementSync>(async () => {
      const { DatabaseSync } = await import("node:sqlite");
      return new DatabaseSync(":memory:");
    }, { autowrap: ["StatementSync"] });
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
    await using insert = await db.prepare("INSERT INTO t (name) VALUES (?)");
    await db.exec("BEGIN");
    for (let i = 0; i < 2000; i++) await insert.run(`n${i}`);
    await db.exec("COMMIT");
    await using query = await db.prepare("SELECT count(*) AS n, max(name) AS top FROM t");
    assert.deepEqual({ ...await query.get() }, { n: 2000, top: "n999" });
    const error = await rejection(db.exec("SELECT * FROM missing"));
    assert.match(error.message, /no such table/);
    assert.ok(ticks > 0, "the ticker ran while rows were inserted");
  } finally {
    await ticker.kill();
  }
});

Deno.test("killall() ends proxies: later calls reject clearly", async () => {
  const p = await proxy(() => ({ v: () => 1 }));
  assert.equal(await p.v(), 1);
  await killall();
  const error = await rejection(p.v());
  assert.equal(error.code, "ERR_TPOOL_KILLED");
  assert.match(error.message, /Cannot call v on the proxied Object: killall\(\)/);
  assert.equal(getCurrent().id, 0);
});
