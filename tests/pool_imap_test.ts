/**
 * GreenPool.imap and starmap: ports of eventlet's tests/greenpool_test.py
 * (test_imap, test_empty_imap, test_imap_multi_args, test_imap_raises,
 * test_starmap) plus async inputs, the in-flight bound, errors of the
 * input, stopping early and argument checks.
 */

import assert from "node:assert/strict";
import { GreenPool } from "../green/greenpool.ts";
import { sleep } from "../green/sleep.ts";
import { getHub } from "../hub/hub.ts";
import { captureErrors } from "./hub_helpers.ts";
import { collect, passthru, range } from "./pool_helpers.ts";
import { spendLoopBudget } from "./hub_helpers.ts";

const hub = getHub();

async function passthru2<A, B>(a: A, b: B): Promise<[A, B]> {
  await sleep(0.01);
  return [a, b];
}

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

Deno.test("GreenPool.imap() reading a finished result resumes the reader before the calls it refills", async () => {
  for (const spent of [false, true]) {
    await sleep(0.001); // a fresh budget
    const log: string[] = [];
    const it = new GreenPool(2).imap((x: number) => log.push(`call ${x}`), range(4));
    await it.next(); // calls 0 and 1 run; reading 0 refills 2
    await sleep(0); // call 2 runs; 1 is finished and waits to be read
    log.length = 0;
    if (spent) spendLoopBudget();
    await it.next(); // reads 1 at once and refills 3
    log.push("reader");
    await sleep(0);
    assert.deepEqual(log, ["reader", "call 3"], `budget spent: ${spent}`);
    await collect(it);
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

Deno.test("GreenPool.imap() reads an array as its iterator would: items added meanwhile, holes", async () => {
  const p = new GreenPool(2);
  const input: number[] = [1, 2];
  // The calls run while the map is read: the array grows under it.
  const grown = await collect(p.imap((n: number) => {
    if (input.length < 5) input.push(n + 10);
    return n;
  }, input));
  assert.deepEqual(grown, [1, 2, 11, 12, 21]);
  // deno-lint-ignore no-sparse-arrays
  const holey = [1, , 3];
  assert.deepEqual(await collect(p.imap((x?: number) => x ?? "hole", holey)), [1, "hole", 3]);
  const shrunk = [1, 2, 3, 4];
  const seen = await collect(p.imap((n: number) => {
    shrunk.length = 2;
    return n;
  }, shrunk));
  assert.deepEqual(seen, [1, 2], "the length is read at each step");
});

Deno.test("GreenPool.imap() over an array: a throwing element ends the map after the results before it; each call gets exactly one argument", async () => {
  const p = new GreenPool(2);
  const input = [1, 2, 3, 4];
  Object.defineProperty(input, 2, {
    get() {
      throw new Error("element 2 broke");
    },
  });
  const out: number[] = [];
  await assert.rejects(async () => {
    for await (const x of p.imap((x: number) => x * 10, input)) out.push(x);
  }, { message: "element 2 broke" });
  assert.deepEqual(out, [10, 20]);
  // As the built-in iterator's imap would: one argument, even an undefined one.
  const counts = await collect(p.imap(function (this: unknown, ..._args: unknown[]) {
    return [arguments.length, this === undefined];
  }, [undefined, 0, [1, 2]]));
  assert.deepEqual(counts, [[1, true], [1, true], [1, true]]);
});

Deno.test("GreenPool.imap() reads an array through its own iterator if it has one", async () => {
  const p = new GreenPool(2);
  const evens = [1, 2, 3, 4];
  Object.defineProperty(evens, Symbol.iterator, {
    value: function* () {
      for (const n of Array.prototype.values.call(evens)) if (n % 2 === 0) yield n;
    },
  });
  assert.deepEqual(await collect(p.imap((n: number) => n * 10, evens)), [20, 40]);
  class Doubled extends Array<number> {
    override *[Symbol.iterator](): ArrayIterator<number> {
      for (let i = 0; i < this.length; i++) yield 2 * this[i];
    }
  }
  const doubled = Doubled.from([1, 2]) as Doubled;
  assert.deepEqual(await collect(p.imap((n: number) => n, doubled)), [2, 4]);
});
