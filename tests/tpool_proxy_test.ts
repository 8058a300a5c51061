/**
 * tpool.proxy: an object living in a worker, called in call order, its
 * attributes read with await. Ported scenarios: eventlet's
 * tests/tpool_test.py (test_wrap_tuple, test_wrap_string, test_wrap_dict,
 * test_wrap_module_class, test_raising_exceptions,
 * test_variable_and_keyword_arguments_with_function_calls,
 * test_wrap_iterator, test_autowrap, test_autowrap_names,
 * test_a_buncha_stuff/test_benchmark ordering), plus timed-out calls,
 * node:sqlite end to end, and proxies after killall.
 */

import assert from "node:assert/strict";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { getCurrent, sleep, spawn, Timeout } from "../mod.ts";
import { killall, proxy, TpoolError } from "../tpool/mod.ts";
import { rejection } from "./tpool_helpers.ts";

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
