/**
 * GreenPool and GreenPile: ports of eventlet's tests/greenpool_test.py
 * (GreenPool, GreenPile and Stress cases) plus slot hand-over, kill,
 * error-reporting and imap edge cases.
 */

import assert from "node:assert/strict";
import { GreenPool } from "../green/greenpool.ts";
import { GreenPile } from "../green/greenpile.ts";
import { Event } from "../green/event.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { GreenletExit, type GreenThread } from "../green/greenthread.ts";
import { getHub } from "../hub/hub.ts";

const hub = getHub();

// A fresh loop-turn budget, so "completes at once" really does not yield.
const freshTurn = () => sleep(0.001);

/** Collects what reaches hub.onError until disposed. */
function captureErrors(): { errors: unknown[] } & Disposable {
  const previous = hub.onError;
  const errors: unknown[] = [];
  hub.onError = (error) => errors.push(error);
  return { errors, [Symbol.dispose]: () => (hub.onError = previous) };
}

async function passthru<T>(a: T): Promise<T> {
  await sleep(0.01);
  return a;
}

async function passthru2<A, B>(a: A, b: B): Promise<[A, B]> {
  await sleep(0.01);
  return [a, b];
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** eventlet's assert_pool_has_free: exactly `free` spawns fit without waiting. */
async function assertPoolHasFree(pool: GreenPool, free: number): Promise<void> {
  assert.equal(pool.free(), free);
  const evt = new Event();
  {
    using _ = new Timeout(1);
    for (let i = 0; i < free; i++) await pool.spawn(() => evt.wait());
  }
  const full = new Error("pool had more free slots than expected");
  {
    using _ = new Timeout(0, full);
    await assert.rejects(pool.spawn(() => evt.wait()), (e) => e === full);
  }
  evt.send();
  await sleep(0);
  await sleep(0);
}

Deno.test("GreenPool() accepts non-negative integer sizes and rejects bad ones", () => {
  assert.equal(new GreenPool().size, 1000);
  assert.equal(new GreenPool(0).size, 0);
  assert.equal(new GreenPool(1e3).size, 1000);
  assert.throws(() => new GreenPool(-1), {
    name: "RangeError",
    message: "Cannot create GreenPool: size must be a non-negative integer, received -1",
  });
  assert.throws(() => new GreenPool(NaN), RangeError);
  assert.throws(() => new GreenPool(2.5), RangeError);
  assert.throws(() => new GreenPool("5" as unknown as number), TypeError);
  assert.throws(() => new GreenPool(2).resize(-3), /Cannot resize GreenPool/);
  assert.throws(() => new GreenPool(2).spawn(null as never), TypeError);
});

Deno.test("GreenPool.spawn() returns results of every greenthread (test_spawn)", async () => {
  const p = new GreenPool(4);
  const waiters: GreenThread<number>[] = [];
  for (let i = 0; i < 10; i++) waiters.push(await p.spawn(passthru, i));
  const results = [];
  for (const w of waiters) results.push(await w.wait());
  assert.deepEqual(results, range(10));
});

Deno.test("GreenPool.spawnN() runs every function in order (test_spawn_n)", async () => {
  const p = new GreenPool(4);
  const results: number[] = [];
  for (let i = 0; i < 10; i++) {
    await p.spawnN(async (a: number) => {
      await sleep(0.01);
      results.push(a);
    }, i);
  }
  await p.waitall();
  assert.deepEqual(results, range(10));
});

Deno.test("GreenPool.waiting() counts blocked spawners (test_waiting)", async () => {
  const pool = new GreenPool(1);
  const done = new Event();
  const waiter = async () => {
    const gt = await pool.spawn(() => done.wait());
    await gt.wait();
  };
  const waiters = [];
  assert.equal(pool.running(), 0);
  waiters.push(spawn(waiter));
  await sleep(0);
  assert.equal(pool.waiting(), 0);
  waiters.push(spawn(waiter));
  await sleep(0);
  assert.equal(pool.waiting(), 1);
  waiters.push(spawn(waiter));
  await sleep(0);
  assert.equal(pool.waiting(), 2);
  assert.equal(pool.running(), 1);
  done.send();
  for (const w of waiters) await w.wait();
  assert.equal(pool.waiting(), 0);
  assert.equal(pool.running(), 0);
});

Deno.test("GreenPool greenthreads interleave at switch points (test_multiple_coros)", async () => {
  const evt = new Event();
  const results: string[] = [];
  const pool = new GreenPool(2);
  const done = await pool.spawn(async () => {
    results.push("cons1");
    await evt.wait();
    results.push("cons2");
  });
  await pool.spawnN(() => {
    results.push("prod");
    evt.send();
  });
  await done.wait();
  assert.deepEqual(results, ["cons1", "prod", "cons2"]);
});

Deno.test("GreenPool: a local timer of an ended greenthread never fires (test_timer_cancel)", async () => {
  const fired: boolean[] = [];
  const pool = new GreenPool(2);
  const worker = await pool.spawn(() => {
    hub.scheduleCallLocal(0, () => fired.push(true));
  });
  await worker.wait();
  await sleep(0);
  await sleep(0);
  assert.deepEqual(fired, []);
});

Deno.test("GreenPool.spawn() from a pool greenthread of a full pool runs inline (test_reentrant)", async () => {
  const pool = new GreenPool(1);
  const outer = await pool.spawn(async () => {
    const waiter = await pool.spawn((a: string) => a, "reenter");
    assert.equal(waiter.dead, true, "it ran inline, to its end");
    return await waiter.wait();
  });
  assert.equal(await outer.wait(), "reenter");

  const evt = new Event<string>();
  await pool.spawnN(async () => {
    await pool.spawnN((a: string) => a, "reenter");
    evt.send("done");
  });
  assert.equal(await evt.wait(), "done");
  assert.equal(pool.running(), 0);
});

Deno.test("GreenPool.spawn() inline: the function runs as the caller and its error rejects", async () => {
  using reported = captureErrors();
  const pool = new GreenPool(1);
  const outer = await pool.spawn(async () => {
    const me = (await import("../green/spawn.ts")).getCurrent();
    const inner = await pool.spawn(async () => (await import("../green/spawn.ts")).getCurrent());
    assert.equal(await inner.wait(), me);
    await assert.rejects(pool.spawn(() => Promise.reject(new Error("inline boom"))), {
      message: "inline boom",
    });
    await pool.spawnN(() => {
      throw new Error("inline spawnN");
    });
    return "ok";
  });
  assert.equal(await outer.wait(), "ok");
  assert.deepEqual(reported.errors.map((e) => (e as Error).message), ["inline spawnN"]);
});

Deno.test("GreenPool.resize() changes free slots (test_resize)", async () => {
  const pool = new GreenPool(2);
  const evt = new Event();
  await pool.spawn(() => evt.wait());
  await pool.spawn(() => evt.wait());
  assert.equal(pool.free(), 0);
  assert.equal(pool.running(), 2);
  await assertPoolHasFree(pool, 0);
  pool.resize(1);
  evt.send();
  await sleep(0);
  await sleep(0);
  assert.equal(pool.free(), 1);
  assert.equal(pool.running(), 0);
  await assertPoolHasFree(pool, 1);
  pool.resize(2);
  assert.equal(pool.free(), 2);
  assert.equal(pool.running(), 0);
  await assertPoolHasFree(pool, 2);
});

Deno.test("GreenPool.resize() below running makes free() negative; growing admits spawners", async () => {
  const pool = new GreenPool(3);
  const evt = new Event();
  for (let i = 0; i < 3; i++) await pool.spawn(() => evt.wait());
  pool.resize(1);
  assert.equal(pool.free(), -2);
  assert.equal(pool.waiting(), 0, "nobody is blocked in spawn (eventlet would say 2)");
  evt.send();
  await pool.waitall();
  assert.equal(pool.free(), 1);

  const empty = new GreenPool(0);
  const spawned = empty.spawn(() => "ran");
  assert.equal(empty.waiting(), 1);
  await sleep(0);
  assert.equal(empty.running(), 0, "size 0 runs nothing");
  empty.resize(1);
  assert.equal(await (await spawned).wait(), "ran");
});

Deno.test("GreenPool.spawnN() parks only once the pool is full (test_spawn_n_2)", async () => {
  await freshTurn();
  const p = new GreenPool(2);
  assert.equal(p.free(), 2);
  const r: number[] = [];
  const foo = (a: number) => {
    r.push(a);
  };
  const gt = await p.spawn(foo, 1);
  assert.equal(p.free(), 1);
  await gt.wait();
  assert.deepEqual(r, [1]);
  await sleep(0);
  assert.equal(p.free(), 2);
  // A spawn into a pool with room takes effect before it returns (its
  // promise is already settled); awaiting it is a switch point like any
  // await, so to keep eventlet's "no yield" between them we await later.
  const s2 = p.spawnN(foo, 2);
  assert.equal(p.free(), 1);
  assert.deepEqual(r, [1]);
  const s3 = p.spawnN(foo, 3);
  assert.equal(p.free(), 0);
  assert.deepEqual(r, [1]);
  // Once the pool is exhausted, spawning forces a yield.
  const s4 = p.spawnN(foo, 4);
  assert.equal(p.waiting(), 1);
  await s4;
  assert.deepEqual(r, [1, 2, 3]);
  await sleep(0);
  assert.deepEqual(r, [1, 2, 3, 4]);
  await s2;
  await s3;
});

Deno.test("GreenPool: errors free their slot and reach hub.onError unless waited (test_exceptions)", async () => {
  using reported = captureErrors();
  const p = new GreenPool(2);
  // eventlet's raiser runs only once the test yields; here it waits for a
  // gate so that the slot is still held while assertPoolHasFree runs.
  let gate = new Event();
  const raiser = async (e: unknown) => {
    await gate.wait();
    throw e;
  };
  const boom = new Error("boom");
  const spawners: ((fn: (e: unknown) => Promise<never>, e: unknown) => Promise<unknown>)[] = [
    (fn, e) => p.spawn(fn, e),
    (fn, e) => p.spawnN(fn, e),
  ];
  for (const m of spawners) {
    for (const error of [boom, new GreenletExit()]) {
      await assertPoolHasFree(p, 2);
      await m(raiser, error);
      await assertPoolHasFree(p, 1);
      gate.send();
      gate = new Event();
      await p.waitall();
      await assertPoolHasFree(p, 2);
    }
  }
  assert.deepEqual(reported.errors, [boom, boom], "reported once each; GreenletExit never");
  const waited = await p.spawn(() => Promise.reject(new Error("waited")));
  await assert.rejects(waited.wait(), { message: "waited" });
  await p.waitall();
  assert.equal(reported.errors.length, 2, "a waited-for error is not reported");
});

Deno.test("GreenPool.waitall() with nothing running resolves (test_waitall_on_nothing)", async () => {
  await new GreenPool().waitall();
});

Deno.test("GreenPool.waitall() inside a pool greenthread rejects (test_recursive_waitall)", async () => {
  const p = new GreenPool();
  const gt = await p.spawn(() => p.waitall());
  await assert.rejects(gt.wait(), {
    message:
      "Calling waitall() from within one of the GreenPool's greenthreads will never terminate.",
  });
});

Deno.test("GreenPool.waitall() waits for greenthreads spawned while it waits", async () => {
  const pool = new GreenPool(1);
  const log: string[] = [];
  await pool.spawn(async () => {
    await sleep(0.01);
    log.push("first");
  });
  const spawner = spawn(async () => {
    await pool.spawn(async () => {
      await sleep(0.01);
      log.push("second");
    });
  });
  await sleep(0);
  assert.equal(pool.waiting(), 1);
  await pool.waitall();
  assert.deepEqual(log, ["first", "second"]);
  await spawner.wait();
});

Deno.test("GreenPool never runs more than size greenthreads and serves spawners FIFO", async () => {
  const pool = new GreenPool(3);
  let active = 0;
  let maxActive = 0;
  const started: number[] = [];
  const work = async (i: number) => {
    started.push(i);
    active++;
    maxActive = Math.max(maxActive, active);
    assert.ok(pool.running() <= 3);
    await sleep(Math.random() * 0.003);
    active--;
  };
  const spawners = range(6).map((i) => spawn(() => pool.spawn(work, i)));
  await sleep(0); // 0, 1, 2 take the slots; 3, 4, 5 wait in line
  assert.equal(pool.waiting(), 3);
  for (let i = 6; i < 20; i++) await pool.spawn(work, i);
  await pool.waitall();
  for (const s of spawners) await s.wait();
  assert.equal(maxActive, 3);
  assert.deepEqual(started.slice(0, 6), range(6), "blocked spawners got slots in order");
  assert.equal(started.length, 20);
});

Deno.test("GreenPool: a spawner killed or timed out while waiting takes no slot", async () => {
  const pool = new GreenPool(1);
  const evt = new Event();
  await pool.spawn(() => evt.wait());
  const ran: string[] = [];
  const killed = spawn(() => pool.spawn(() => ran.push("killed")));
  const timedOut = spawn(async () => {
    using _ = new Timeout(0.005);
    await pool.spawn(() => ran.push("timed out"));
  });
  await sleep(0);
  assert.equal(pool.waiting(), 2);
  await killed.kill();
  await assert.rejects(timedOut.wait(), Timeout);
  assert.equal(pool.waiting(), 0);
  evt.send();
  await pool.waitall();
  assert.deepEqual(ran, []);
  assert.equal(pool.free(), 1);
});

Deno.test("GreenPool [Symbol.asyncDispose] waits for its greenthreads", async () => {
  const log: string[] = [];
  {
    await using pool = new GreenPool(2);
    for (const n of [3, 1, 2]) {
      await pool.spawn(async () => {
        await sleep(n / 1000);
        log.push(`done ${n}`);
      });
    }
  }
  assert.deepEqual(log.sort(), ["done 1", "done 2", "done 3"]);
});

Deno.test("GreenPool.imap() yields results in input order (test_imap, test_empty_imap)", async () => {
  const p = new GreenPool(4);
  assert.deepEqual(await collect(p.imap(passthru, range(10))), range(10));
  const empty = p.imap(passthru, []);
  assert.deepEqual(await empty.next(), { value: undefined, done: true });
  const reversed = p.imap(async (n: number) => {
    await sleep((10 - n) / 2000);
    return n;
  }, range(10));
  assert.deepEqual(await collect(reversed), range(10), "order of input, not of completion");
});

Deno.test("GreenPool.imap() zips several iterables, stopping at the shortest (test_imap_multi_args)", async () => {
  const p = new GreenPool(4);
  const result = await collect(p.imap(passthru2, range(10), range(10, 10)));
  assert.deepEqual(result, range(10).map((i) => [i, i + 10]));
  let closed = false;
  function* longer() {
    try {
      for (let i = 0;; i++) yield `x${i}`;
    } finally {
      closed = true;
    }
  }
  const short = await collect(p.imap((a: number, b: string) => `${a}${b}`, [1, 2], longer()));
  assert.deepEqual(short, ["1x0", "2x1"]);
  assert.equal(closed, true, "the longer input was closed");
});

Deno.test("GreenPool.imap() takes async iterables, alone or mixed with sync ones", async () => {
  const p = new GreenPool(3);
  async function* numbers(n: number) {
    for (let i = 0; i < n; i++) {
      await sleep(0.001);
      yield i;
    }
  }
  assert.deepEqual(
    await collect(p.imap((x: number) => x * 2, numbers(8))),
    range(8).map((x) => x * 2),
  );
  const mixed = p.imap((a: number, b: string) => `${a}${b}`, numbers(5), ["a", "b", "c"]);
  assert.deepEqual(await collect(mixed), ["0a", "1b", "2c"]);
  const stream = ReadableStream.from(["s", "t"]);
  assert.deepEqual(await collect(p.imap((s: string) => s.toUpperCase(), stream)), ["S", "T"]);
});

Deno.test("GreenPool.imap() keeps at most size calls in flight", async () => {
  for (const asyncInput of [false, true]) {
    const p = new GreenPool(4);
    let started = 0;
    let read = 0;
    let maxAhead = 0;
    const work = async (x: number) => {
      started++;
      maxAhead = Math.max(maxAhead, started - read);
      await sleep(Math.random() * 0.002);
      return x;
    };
    const asyncRange = async function* (n: number) {
      for (let i = 0; i < n; i++) yield i;
    };
    const input = asyncInput ? asyncRange(40) : range(40);
    const out: number[] = [];
    for await (const x of p.imap(work, input)) {
      read++;
      out.push(x);
      if (x % 5 === 0) await sleep(0.001);
    }
    assert.deepEqual(out, range(40));
    assert.equal(maxAhead, 4, `async input: ${asyncInput}`);
    assert.equal(p.running(), 0, "imap takes no slots of the pool itself (as eventlet)");
  }
});

Deno.test("GreenPool.imap() throws the first error and ends (test_imap_raises)", async () => {
  using reported = captureErrors();
  const p = new GreenPool(4);
  const cleanedUp: number[] = [];
  const raiser = async (item: number) => {
    try {
      if (item === 1 || item === 7) throw new Error("intentional error");
      await sleep(item === 0 ? 0.005 : 1);
      return item;
    } finally {
      cleanedUp.push(item);
    }
  };
  const it = p.imap(raiser, range(10));
  const results: (number | string)[] = [];
  for (;;) {
    try {
      const r = await it.next();
      if (r.done) break;
      results.push(r.value);
    } catch {
      results.push("r");
    }
  }
  assert.deepEqual(results, [0, "r"], "deviation from eventlet: the error ends the iteration");
  await sleep(0);
  // 4 was spawned when 0 was read, and killed before it started.
  assert.deepEqual(cleanedUp.sort(), [0, 1, 2, 3], "calls in flight were killed");
  assert.deepEqual(reported.errors.map((e) => (e as Error).message), ["intentional error"]);
});

Deno.test("GreenPool.imap() rethrows an error of its input after the results before it", async () => {
  const p = new GreenPool(2);
  function* failing() {
    yield 1;
    yield 2;
    throw new Error("input broke");
  }
  const out: number[] = [];
  await assert.rejects(async () => {
    for await (const x of p.imap((x: number) => x * 10, failing())) out.push(x);
  }, { message: "input broke" });
  assert.deepEqual(out, [10, 20]);
  async function* failingAsync() {
    yield 1;
    await sleep(0);
    throw new Error("async input broke");
  }
  const it = p.imap((x: number) => x, failingAsync());
  assert.deepEqual(await it.next(), { value: 1, done: false });
  await assert.rejects(it.next(), { message: "async input broke" });
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

Deno.test("GreenPool.imap() stopped early kills calls in flight and closes the input", async () => {
  for (const asyncInput of [false, true]) {
    const p = new GreenPool(5);
    let inputClosed = false;
    const endedEarly: number[] = [];
    const asyncSource = async function* () {
      try {
        for (let i = 0;; i++) yield i;
      } finally {
        inputClosed = true;
      }
    };
    const syncSource = function* () {
      try {
        for (let i = 0;; i++) yield i;
      } finally {
        inputClosed = true;
      }
    };
    const started: number[] = [];
    const work = async (i: number) => {
      started.push(i);
      try {
        await sleep(i < 2 ? 0 : 10);
        return i;
      } catch (e) {
        endedEarly.push(i);
        throw e;
      }
    };
    const seen: number[] = [];
    for await (const x of p.imap(work, asyncInput ? asyncSource() : syncSource())) {
      seen.push(x);
      if (x === 1) break;
    }
    await sleep(0);
    assert.deepEqual(seen, [0, 1]);
    assert.equal(inputClosed, true, `input closed (async: ${asyncInput})`);
    assert.deepEqual(endedEarly.sort(), started.filter((i) => i >= 2).sort(), "all killed");
    if (!asyncInput) {
      // 0-4 started while 0 was awaited; 5 and 6 were spawned as 0 and 1 were read.
      assert.deepEqual(started.sort().slice(0, 5), [0, 1, 2, 3, 4]);
      assert.ok(started.length <= 7, "at most size in flight");
    }
    assert.equal(hub.greenthreads().length, 0, "no greenthread left behind");
  }
});

Deno.test("GreenPool.imap() rejects bad arguments", () => {
  const p = new GreenPool(2);
  assert.throws(() => p.imap(null as never, [1]), TypeError);
  assert.throws(() => p.imap((x: number) => x, 5 as never), {
    name: "TypeError",
    message: "Cannot imap: argument 2 must be an iterable or async iterable, received number",
  });
  assert.throws(() => (p.imap as (fn: () => void) => unknown)(() => {}), TypeError);
  assert.throws(() => new GreenPool(0).imap((x: number) => x, [1]), RangeError);
});

Deno.test("GreenPool.starmap() spreads each item as arguments (test_starmap)", async () => {
  const p = new GreenPool(4);
  assert.deepEqual(
    await collect(p.starmap(passthru, range(10).map((x) => [x] as [number]))),
    range(10),
  );
  const pairs = p.starmap((a: number, b: number) => a * b, [[2, 3], [4, 5]]);
  assert.deepEqual(await collect(pairs), [6, 20]);
});

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
