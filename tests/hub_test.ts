/**
 * Hub: run-queue order, timers, the loop budget, error reporting, stats.
 * Ported scenarios: eventlet's tests/hub_test.py (TestScheduleCall,
 * ordering) and the orderings of docs/orderings.md.
 */

import assert from "node:assert/strict";
import { Event, getCurrent, sleep, spawn, spawnAfter, spawnN, Timeout } from "../mod.ts";
import { getHub, Timer } from "../hub/mod.ts";
import { awaitForeign, currentGreenlet } from "../hub/lowlevel.ts";
import { collectingErrors } from "./hub_helpers.ts";

const hub = getHub();

Deno.test("hub runs spawned greenthreads round-robin with main on sleep(0)", async () => {
  const log: string[] = [];
  const f = async (name: string) => {
    for (let i = 0; i < 2; i++) {
      log.push(`${name}${i}`);
      await sleep(0);
    }
  };
  spawn(f, "a");
  spawn(f, "b");
  log.push("main-before");
  await sleep(0);
  log.push("main-after1");
  await sleep(0);
  log.push("main-after2");
  await sleep(0);
  log.push("main-after3");
  assert.deepEqual(log, [
    "main-before",
    "a0",
    "b0",
    "main-after1",
    "a1",
    "b1",
    "main-after2",
    "main-after3",
  ]);
});

Deno.test("hub runs spawnAfter(0), spawn and spawnN in scheduling order", async () => {
  const log: string[] = [];
  spawnAfter(0, (x: string) => log.push(x), "after0");
  spawn((x: string) => log.push(x), "spawn");
  spawnN((x: string) => log.push(x), "spawnN");
  assert.deepEqual(log, [], "nothing runs before the spawner yields");
  await sleep(0);
  assert.deepEqual(log, ["after0", "spawn", "spawnN"]);
});

Deno.test("hub delivers Timeout(0) between greenthreads spawned before and after it", async () => {
  const log: string[] = [];
  spawn(() => log.push("before"));
  const t = new Timeout(0);
  spawn(() => log.push("after"));
  try {
    await sleep(0.01);
  } catch (e) {
    assert.equal(e, t);
    log.push("timeout");
  }
  await sleep(0);
  assert.deepEqual(log, ["before", "timeout", "after"]);
});

Deno.test("hub lets a due Timeout win over an Event sent in the same pass", async () => {
  const evt = new Event<string>();
  spawn(() => evt.send("hello"));
  const error = new RangeError("timeout wins");
  const t = new Timeout(0, error);
  await assert.rejects(evt.wait(), (e) => e === error);
  t.cancel();
});

Deno.test("hub.scheduleCallGlobal runs callbacks in deadline order, FIFO on ties", async () => {
  const log: number[] = [];
  hub.scheduleCallGlobal(0.02, () => log.push(3));
  hub.scheduleCallGlobal(0.01, () => log.push(1));
  hub.scheduleCallGlobal(0.01, () => log.push(2));
  for (let i = 0; i < 200; i++) hub.scheduleCallGlobal(0, (n: number) => log.push(100 + n), i);
  await sleep(0);
  assert.deepEqual(log, Array.from({ length: 200 }, (_, i) => 100 + i));
  await sleep(0.05);
  assert.deepEqual(log.slice(200), [1, 2, 3]);
});

Deno.test("hub.scheduleCallGlobal passes args; cancel() stops the call", async () => {
  const log: string[] = [];
  const t1 = hub.scheduleCallGlobal(0.001, (a: string, b: string) => log.push(a + b), "x", "y");
  const t2 = hub.scheduleCallGlobal(0.001, () => log.push("cancelled"));
  assert.ok(t1 instanceof Timer);
  assert.equal(t2.pending, true);
  t2.cancel();
  t2.cancel(); // twice is harmless
  assert.equal(t2.pending, false);
  await sleep(0.02);
  assert.deepEqual(log, ["xy"]);
  assert.equal(t1.pending, false);
  assert.equal(t1.seconds, 0.001);
});

Deno.test("hub.scheduleCallLocal drops the call when its greenthread has ended", async () => {
  const log: string[] = [];
  const gt = spawn(() => {
    hub.scheduleCallLocal(0.001, () => log.push("local"));
    hub.scheduleCallGlobal(0.001, () => log.push("global"));
    return hub.scheduleCallLocal(0.001, () => {});
  });
  const localTimer = await gt.wait();
  assert.equal(localTimer.pending, false, "a local timer whose owner died is not pending");
  await sleep(0.02);
  assert.deepEqual(log, ["global"]);
});

Deno.test("hub.scheduleCallGlobal rejects bad input with clear errors", () => {
  assert.throws(() => hub.scheduleCallGlobal(NaN, () => {}), RangeError);
  assert.throws(() => hub.scheduleCallGlobal("1" as unknown as number, () => {}), TypeError);
  assert.throws(
    () => hub.scheduleCallGlobal(1, 42 as unknown as () => void),
    /Cannot schedule a call: fn must be a function, received number/,
  );
});

Deno.test("hub reports a timer callback's error and an async callback's rejection to onError", async () => {
  await collectingErrors(async (errors) => {
    hub.scheduleCallGlobal(0, () => {
      throw new Error("sync boom");
    });
    hub.scheduleCallGlobal(0, () => Promise.reject(new Error("async boom")));
    await sleep(0);
    await sleep(0);
    assert.deepEqual(errors.map((e) => (e as Error).message), ["sync boom", "async boom"]);
  });
});

Deno.test("hub reports a spawnN error once and the program keeps running", async () => {
  await collectingErrors(async (errors) => {
    spawnN(() => {
      throw new Error("spawnN failed");
    });
    await sleep(0);
    await sleep(0);
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as Error).message, "spawnN failed");
  });
});

Deno.test("hub keeps timers firing while 100 greenthreads loop on sleep(0)", async () => {
  let stop = false;
  let spins = 0;
  const spinners = Array.from({ length: 100 }, () =>
    spawn(async () => {
      while (!stop) {
        spins++;
        await sleep(0);
      }
    }));
  const start = performance.now();
  await sleep(0.01);
  const elapsed = performance.now() - start;
  stop = true;
  for (const gt of spinners) await gt.wait();
  assert.ok(spins > 100, `the spinners ran (${spins} spins)`);
  assert.ok(elapsed < 1000, `a 10 ms sleep finished in ${elapsed.toFixed(1)} ms`);
});

Deno.test("hub keeps a socket echo working while greenthreads loop on sleep(0)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(16);
    const n = await conn.read(buf);
    await conn.write(buf.subarray(0, n ?? 0));
    conn.close();
  })();
  let stop = false;
  const spinners = Array.from({ length: 100 }, () =>
    spawn(async () => {
      while (!stop) await sleep(0);
    }));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  await conn.write(new TextEncoder().encode("ping"));
  const buf = new Uint8Array(16);
  const n = await conn.read(buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n ?? 0)), "ping");
  conn.close();
  await server;
  listener.close();
  stop = true;
  for (const gt of spinners) await gt.wait();
});

Deno.test("hub.stats() counts ready, parked, timers and switches", async () => {
  const before = hub.stats();
  const evt = new Event();
  const waiter = spawn(() => evt.wait());
  const sleeper = spawn(() => sleep(10));
  assert.equal(hub.stats().ready, before.ready + 2);
  await sleep(0);
  const during = hub.stats();
  assert.equal(during.parked, before.parked + 2);
  assert.equal(during.timers, before.timers + 1);
  assert.ok(during.switches > before.switches);
  assert.deepEqual(hub.greenthreads().slice(-2), [waiter, sleeper]);
  evt.send();
  await sleeper.kill();
  await waiter.wait();
  const after = hub.stats();
  assert.equal(after.parked, before.parked);
  assert.equal(after.timers, before.timers);
  assert.ok(!hub.greenthreads().includes(waiter));
});

Deno.test("hub holds no Deno timer once every timer is cancelled", async () => {
  // The test sanitizer fails this test if a Deno timer is left armed.
  const timers = Array.from({ length: 50 }, (_, i) => hub.scheduleCallGlobal(10 + i, () => {}));
  for (const t of timers) t.cancel();
  assert.equal(hub.stats().timers, 0);
  await sleep(0);
});

Deno.test("hub compacts many cancelled timers and still fires the live one", async () => {
  let fired = false;
  const live = hub.scheduleCallGlobal(0.005, () => fired = true);
  for (let i = 0; i < 3000; i++) hub.scheduleCallGlobal(60, () => {}).cancel();
  assert.equal(hub.stats().timers, 1);
  await sleep(0.03);
  assert.equal(fired, true);
  assert.equal(live.pending, false);
});

Deno.test("hub yields to the event loop when a producer and consumer never block", async () => {
  // Both sides complete at once (an Event already sent): promise jobs only.
  const evt = new Event<number>();
  evt.send(1);
  let timerFired = false;
  const timer = setTimeout(() => timerFired = true, 5);
  const start = performance.now();
  while (!timerFired && performance.now() - start < 2000) await evt.wait();
  clearTimeout(timer);
  assert.equal(
    timerFired,
    true,
    "a Deno timer fired while the loop only awaited at-once operations",
  );
});

Deno.test("hub runs timer callbacks in its own greenthread, not in main", async () => {
  let seen = "";
  const sleeper = spawn(() => sleep(10));
  hub.scheduleCallGlobal(0, async () => {
    seen = (getCurrent() as { name: string }).name;
    await sleeper.kill(); // a switch point here parks the hub greenthread
  });
  const t = new Timeout(0.02);
  await assert.rejects(sleep(1), (e) => e === t, "main's Timeout still reaches main");
  assert.equal(seen, "hub");
  assert.equal(sleeper.dead, true);
});

Deno.test("hub: a loop of operations that fail at once does not starve Deno timers", async () => {
  const evt = new Event();
  evt.sendException(new Error("always"));
  let fired = false;
  const timer = setTimeout(() => fired = true, 5);
  const start = performance.now();
  while (!fired && performance.now() - start < 2000) await evt.wait().catch(() => {});
  clearTimeout(timer);
  assert.equal(fired, true);
});

Deno.test("hub disarms its Deno timer when the last heap timer is cancelled behind a zero-delay one", async () => {
  // The sanitizer fails this test if a Deno timer is left armed.
  const t = hub.scheduleCallGlobal(3, () => {});
  hub.scheduleCallGlobal(0, () => {});
  t.cancel();
  await sleep(0);
});

Deno.test("hub arms delays longer than 24.8 days without Deno's 1 ms clamp", async () => {
  const before = hub.stats().switches;
  const gt = spawn(() => sleep(3e6)); // 34.7 days
  await sleep(0.05);
  // A clamped Deno timer would fire every ~1 ms and pump each time.
  assert.ok(hub.stats().switches - before < 20, `${hub.stats().switches - before} switches`);
  await gt.kill();
});

Deno.test("awaitForeign(): a wrap that throws rejects the wait with its error", async () => {
  const boom = new Error("wrap failed");
  const gt = spawn(() =>
    awaitForeign(currentGreenlet(), "test", () => Promise.resolve(1), () => {
      throw boom;
    })
  );
  await assert.rejects(gt.wait(), (e) => e === boom);
});

/** Keeps the thread busy, with no switch point, for `ms` milliseconds. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* no switch point */ }
}

Deno.test("hub fires a Timeout that expired while its greenthread was busy at the next sleep(0)", async () => {
  // 3 ms busy also spends the loop budget, so sleep(0) waits for a turn of
  // Deno's event loop, in which the hub's Deno timer fires too.
  for (const [seconds, busyMs] of [[0.01, 50], [0.001, 3]]) {
    const t = new Timeout(seconds);
    busy(busyMs);
    let caught: unknown = "nothing";
    try {
      await sleep(0);
    } catch (e) {
      caught = e;
    } finally {
      t.cancel();
    }
    assert.equal(caught, t, `after ${busyMs} ms busy, the first sleep(0) throws the Timeout`);
  }
});

Deno.test("hub runs a due timer before a greenthread woken after it became due", async () => {
  const log: string[] = [];
  const evt = new Event();
  const waiter = spawn(async () => {
    await evt.wait();
    log.push("waiter");
  });
  await sleep(0); // the waiter parks
  hub.scheduleCallGlobal(0.005, () => log.push("timer"));
  busy(20);
  evt.send(); // woken after the timer's deadline passed
  await waiter.wait();
  await sleep(0);
  assert.deepEqual(log, ["timer", "waiter"]);
});

Deno.test("hub makes the main greenthread a GreenThread whatever the import order", async () => {
  // A fresh process: ./hub alone, a local timer (which needs the current
  // greenthread) before ./green is loaded at all.
  const script = `
    const { getHub } = await import(${
    JSON.stringify(new URL("../hub/mod.ts", import.meta.url).href)
  });
    const hub = getHub();
    const timer = hub.scheduleCallLocal(0.001, () => {});
    timer.cancel();
    hub.scheduleCallGlobal(0, () => {});
    await new Promise((r) => setTimeout(r, 10));
    const green = await import(${JSON.stringify(new URL("../green/mod.ts", import.meta.url).href)});
    const me = green.getCurrent();
    console.log(JSON.stringify({
      isGreenThread: me instanceof green.GreenThread,
      name: me.name,
      waits: typeof me.wait,
      hub: hub.greenthreads().length,
    }));
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, text.decode(stderr));
  assert.deepEqual(JSON.parse(text.decode(stdout)), {
    isGreenThread: true,
    name: "main",
    waits: "function",
    hub: 0,
  });
});
