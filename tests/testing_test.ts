/**
 * The mock clock: virtual time for everything the hub times, the exact
 * autojump (at once when only the hub can wake anyone, after the threshold
 * while something waits on a socket or a foreign promise), jump, dispose.
 * Every test runs with Deno's sanitizers on: no timer or op is left behind.
 */

import assert from "node:assert/strict";
import {
  CappedSemaphore,
  Event,
  GreenPile,
  GreenPool,
  Queue,
  Semaphore,
  sleep,
  spawn,
  spawnAfter,
  spawnAfterLocal,
  Timeout,
  waitFor,
  withTimeout,
} from "../mod.ts";
import { getHub } from "../hub/mod.ts";
import { connect, listen, SocketTimeout } from "../net/mod.ts";
import { execute, killall } from "../tpool/mod.ts";
import { installMockClock, type MockClock } from "../testing/mod.ts";

/** Virtual seconds since `start`, to the millisecond, as text ("30.000"). */
function since(clock: MockClock, start: number): string {
  return (clock.now() - start).toFixed(3);
}

Deno.test("1000 greenthreads each sleeping an hour finish at once, in deadline order", async () => {
  {
    // Warm up the code paths (JIT) once, untimed: the bound is for the run, not the compiler.
    using _clock = installMockClock();
    await Promise.all(Array.from({ length: 100 }, (_, i) => spawn(() => sleep(i)).wait()));
  }
  for (const distinct of [false, true]) {
    // A threshold far above the bound: only the exact autojump can pass.
    using clock = installMockClock({ autojumpThreshold: 5 });
    const start = clock.now();
    const realStart = performance.now();
    const woke: number[] = [];
    const gts = [];
    for (let i = 0; i < 1000; i++) {
      // Distinct: 1000 deadlines in a scrambled spawn order, one jump each.
      const seconds = distinct ? 3600 + ((i * 7919) % 1000) / 10 : 3600;
      gts.push(spawn(async () => {
        await sleep(seconds);
        woke.push(distinct ? seconds : i);
      }));
    }
    for (const gt of gts) await gt.wait();
    const realMs = performance.now() - realStart;
    // One jump for the shared deadline; a thousand jumps (a turn of the event
    // loop each, ~25 ms when the machine is quiet) for the distinct ones.
    const bound = distinct ? 1000 : 100;
    assert.ok(realMs < bound, `took ${realMs.toFixed(1)} ms of real time`);
    assert.deepEqual(woke, [...woke].sort((a, b) => a - b), "deadline order, ties in spawn order");
    assert.equal(woke.length, 1000);
    assert.equal(since(clock, start), distinct ? "3699.900" : "3600.000");
  }
});

Deno.test("new Timeout(30) fires at virtual 30.000 s exactly", async () => {
  using clock = installMockClock();
  const start = clock.now();
  using deadline = new Timeout(30);
  await assert.rejects(sleep(3600), (e) => e === deadline);
  assert.equal(since(clock, start), "30.000");
});

/** The same nested-deadline story, at a time scale: its log of what happened when. */
async function nestedStory(scale: number, now: () => number): Promise<string[]> {
  const start = now();
  const log: string[] = [];
  const at = (what: string) => log.push(`${what}@${Math.round((now() - start) / scale)}`);
  using outer = new Timeout(5 * scale);
  try {
    using inner = new Timeout(1 * scale);
    try {
      await sleep(2 * scale);
      at("inner not fired");
    } catch (e) {
      at(e === inner ? "inner" : "other");
    }
    at(String(await withTimeout(1 * scale, () => sleep(3 * scale), { timeoutValue: "wt" })));
    at(String(
      await withTimeout(2 * scale, async () => {
        await sleep(1 * scale);
        return "value";
      }),
    ));
    await sleep(10 * scale);
    at("outer not fired");
  } catch (e) {
    at(e === outer ? "outer" : "other");
  }
  return log;
}

Deno.test("nested Timeouts and withTimeout behave as under the real clock", async () => {
  const real = await nestedStory(0.05, () => performance.now() / 1000);
  using clock = installMockClock();
  const virtual = await nestedStory(60, () => clock.now());
  assert.deepEqual(virtual, ["inner@1", "wt@2", "value@3", "outer@5"]);
  assert.deepEqual(real, virtual);
});

Deno.test("jump fires exactly the due timers, in deadline order, ties in scheduling order", async () => {
  using clock = installMockClock({ autojump: false });
  const fired: string[] = [];
  const hub = getHub();
  hub.scheduleCallGlobal(3, () => fired.push("c@3"));
  hub.scheduleCallGlobal(2, () => fired.push("b1@2"));
  hub.scheduleCallGlobal(1, () => fired.push("a@1"));
  hub.scheduleCallGlobal(2, () => fired.push("b2@2"));
  const sleeper = spawn(async () => {
    await sleep(2);
    fired.push("sleeper@2");
  });
  await sleep(0); // the sleeper starts and parks
  clock.jump(1.999);
  await sleep(0); // due timers run before main resumes
  assert.deepEqual(fired, ["a@1"]);
  clock.jump(0.001);
  await sleep(0);
  await sleep(0);
  assert.deepEqual(fired, ["a@1", "b1@2", "b2@2", "sleeper@2"]);
  clock.jump(0.999);
  await sleep(0);
  assert.equal(fired.length, 4);
  clock.jump(0.001);
  await sleep(0);
  await sleep(0);
  assert.deepEqual(fired.at(-1), "c@3");
  await sleeper.wait();
});

Deno.test("without autojump no hub timer fires on real time", async () => {
  using clock = installMockClock({ autojump: false });
  const start = clock.now();
  const woke = new Event();
  const sleeper = spawn(async () => {
    await sleep(0.01);
    woke.send();
  });
  await new Promise((resolve) => setTimeout(resolve, 100)); // ten times its delay, really
  assert.equal(woke.ready(), false);
  assert.equal(clock.now(), start);
  clock.jump(0.01);
  await woke.wait();
  await sleeper.wait();
});

Deno.test("everything the hub times follows the mock clock", async (t) => {
  const cases: [string, (clock: MockClock) => Promise<unknown>][] = [
    ["sleep", () => sleep(7)],
    ["withTimeout", () => withTimeout(7, () => sleep(60), { timeoutValue: 0 })],
    ["spawnAfter", () => spawnAfter(7, () => 1).wait()],
    ["spawnAfterLocal", () => spawnAfterLocal(7, () => 1).wait()],
    ["scheduleCallGlobal", () => {
      const called = new Event();
      getHub().scheduleCallGlobal(7, () => called.send());
      return called.wait();
    }],
    ["scheduleCallLocal", () => {
      const called = new Event();
      getHub().scheduleCallLocal(7, () => called.send());
      return called.wait();
    }],
    ["Event.wait(timeout)", () => new Event().wait(7)],
    ["Queue.get({ timeout })", () => assert.rejects(new Queue().get({ timeout: 7 }))],
    ["Queue.put({ timeout })", async () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      await assert.rejects(q.put(2, { timeout: 7 }));
    }],
    ["Semaphore.acquire({ timeout })", async () => {
      assert.equal(await new Semaphore(0).acquire({ timeout: 7 }), false);
    }],
  ];
  for (const [name, run] of cases) {
    await t.step(name, async () => {
      using clock = installMockClock({ autojumpThreshold: 5 });
      const start = clock.now();
      const realStart = performance.now();
      await run(clock);
      assert.equal(since(clock, start), "7.000");
      assert.ok(performance.now() - realStart < 1000);
    });
  }
});

Deno.test("the autojump is immediate while greenthreads wait on any hub primitive", async () => {
  // Each waits on a different primitive; only main's sleep has a deadline.
  // With a 5 s threshold, a wait the clock did not know as the hub's would
  // hold the jump for 5 s of real time.
  using clock = installMockClock({ autojumpThreshold: 5 });
  const start = clock.now();
  const realStart = performance.now();
  const full = new Queue<number>(1);
  full.putNowait(0);
  const joined = new Queue<number>();
  joined.putNowait(1);
  const capped = new CappedSemaphore(0, 1);
  const pool = new GreenPool(1);
  pool.spawnN(() => new Event().wait());
  const pile = new GreenPile();
  pile.spawn(() => new Event().wait());
  const blocker = spawn(() => new Event().wait());
  const waits = [
    spawn(() => new Event().wait()),
    spawn(() => new Queue().get()),
    spawn(() => full.put(1)),
    spawn(() => joined.join()),
    spawn(() => new Semaphore(0).acquire()),
    spawn(() => capped.acquire()),
    spawn(() => pool.spawn(() => 1)),
    spawn(() => pool.waitall()),
    spawn(() => pile.next()),
    spawn(() => blocker.wait()),
  ];
  await sleep(30);
  assert.equal(since(clock, start), "30.000");
  assert.ok(performance.now() - realStart < 1000, "a hub wait held the clock");
  assert.ok(waits.every((gt) => !gt.dead));
  for (const gt of getHub().greenthreads()) await gt.kill();
});

Deno.test("a Timeout around a wait on the hub fires exactly; the clock then stands still", async () => {
  using clock = installMockClock();
  const start = clock.now();
  const q = new Queue<number>();
  const result = await withTimeout(90, () => q.get(), { timeoutValue: "none" });
  assert.equal(result, "none");
  assert.equal(since(clock, start), "90.000");
  await sleep(0);
  assert.equal(since(clock, start), "90.000"); // no timer pending: nothing to jump to
});

Deno.test("no jump while a greenthread waits on a socket, until the threshold", async () => {
  using listener = listen(["127.0.0.1", 0]);
  const client = await connect(listener.addr);
  const [server] = await listener.accept();
  try {
    using clock = installMockClock({ autojumpThreshold: 0.3 });
    const start = clock.now();
    // The peer answers after 50 ms of real time, within the threshold: the
    // clock must not have moved when the bytes arrive. Then the reader
    // waits on the socket again, and the clock jumps only after the threshold.
    const decode = (data: Uint8Array) => new TextDecoder().decode(data);
    let seenAt = "";
    const reader = spawn(async () => {
      const first = decode(await server.recv(10));
      seenAt = since(clock, start);
      return first + decode(await server.recv(10));
    });
    const writer = setTimeout(() => client.send(new TextEncoder().encode("hi")), 50);
    const realStart = performance.now();
    await sleep(5); // would jump at once without the reader
    const realMs = performance.now() - realStart;
    clearTimeout(writer);
    assert.equal(seenAt, "0.000");
    assert.equal(since(clock, start), "5.000");
    assert.ok(realMs >= 300, `jumped after ${realMs.toFixed(0)} ms, before the threshold`);
    await client.send(new TextEncoder().encode(" there"));
    assert.equal(await reader.wait(), "hi there");
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("a socket timeout fires on virtual time, after the threshold", async () => {
  using listener = listen(["127.0.0.1", 0]);
  const client = await connect(listener.addr);
  const [server] = await listener.accept();
  try {
    using clock = installMockClock({ autojumpThreshold: 0.05 });
    const start = clock.now();
    server.settimeout(45);
    const realStart = performance.now();
    await assert.rejects(server.recv(10), SocketTimeout);
    assert.equal(since(clock, start), "45.000");
    assert.ok(performance.now() - realStart >= 50);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("no jump while a greenthread waits on a tpool worker", async () => {
  using clock = installMockClock({ autojumpThreshold: 5 });
  const start = clock.now();
  const caller = spawn(async () => {
    const value = await execute((ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); // busy for 50 ms
      return "done";
    }, 50);
    return `${value}@${since(clock, start)}`;
  });
  const sleeper = spawn(async () => {
    await sleep(5);
    return since(clock, start);
  });
  assert.equal(await caller.wait(), "done@0.000"); // the worker's reply came first
  assert.equal(await sleeper.wait(), "5.000");
  await killall();
});

Deno.test("waitFor of a foreign promise holds the clock until the threshold", async () => {
  using clock = installMockClock({ autojumpThreshold: 0.2 });
  const start = clock.now();
  const foreign = new Promise<string>((resolve) => setTimeout(() => resolve("late"), 20));
  const waiter = spawn(async () => {
    const value = await waitFor(foreign);
    return `${value}@${since(clock, start)}`;
  });
  const sleeper = spawn(async () => {
    await sleep(1);
    return since(clock, start);
  });
  assert.equal(await waiter.wait(), "late@0.000");
  assert.equal(await sleeper.wait(), "1.000");
});

Deno.test("disposing restores real time; a pending timer keeps its remaining virtual time", async () => {
  const clock = installMockClock({ autojump: false });
  const woke = new Event<number>();
  const sleeper = spawn(async () => {
    await sleep(0.3);
    woke.send(performance.now());
  });
  await sleep(0);
  clock.jump(0.2); // 0.1 s left
  const disposedAt = performance.now();
  clock[Symbol.dispose]();
  clock[Symbol.dispose](); // twice: nothing more
  const wokeAt = await woke.wait();
  const waitedMs = wokeAt - disposedAt;
  assert.ok(waitedMs >= 95 && waitedMs < 1000, `woke ${waitedMs.toFixed(0)} ms after dispose`);
  await sleeper.wait();
  assert.throws(() => clock.jump(1), { name: "Error", message: /disposed/ });
});

Deno.test("a timer pending before installation keeps its remaining time on the virtual clock", async () => {
  const timeout = new Timeout(0.5);
  try {
    using clock = installMockClock();
    const start = clock.now();
    await assert.rejects(sleep(3600), (e) => e === timeout);
    const elapsed = clock.now() - start;
    assert.ok(elapsed > 0.45 && elapsed <= 0.501, `fired after ${elapsed} virtual s`);
  } finally {
    timeout.cancel();
  }
});

Deno.test("installing a second mock clock is a clear error; after dispose it works", () => {
  using first = installMockClock();
  assert.throws(() => installMockClock(), {
    name: "Error",
    message:
      "Cannot install a mock clock: one is already installed on this thread; dispose of it first",
  });
  first[Symbol.dispose]();
  using second = installMockClock();
  assert.equal(typeof second.now(), "number");
});

Deno.test("bad arguments name the argument and the value", () => {
  assert.throws(() => installMockClock({ autojump: 1 as unknown as boolean }), {
    name: "TypeError",
    message: "Cannot install a mock clock: autojump must be a boolean, received number",
  });
  assert.throws(() => installMockClock({ autojumpThreshold: -1 }), {
    name: "RangeError",
    message:
      "Cannot install a mock clock: autojumpThreshold must be a non-negative finite number, received -1",
  });
  using clock = installMockClock({ autojump: false });
  assert.throws(() => clock.jump(-1), {
    name: "RangeError",
    message:
      "Cannot jump the mock clock: seconds must be a non-negative finite number, received -1",
  });
  assert.throws(() => clock.jump(NaN), RangeError);
  assert.throws(() => clock.jump("1" as unknown as number), {
    name: "TypeError",
    message: "Cannot jump the mock clock: seconds must be a number, received string",
  });
});

Deno.test("a greenthread killed while the clock is mocked leaves nothing behind", async () => {
  using _clock = installMockClock();
  const sleeper = spawn(() => sleep(1e6));
  await sleep(0);
  await sleeper.kill();
  assert.equal(getHub().stats().timers, 0);
});
