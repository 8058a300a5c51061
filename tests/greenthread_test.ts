/**
 * GreenThread, spawn family, kill, link, signal, waitFor.
 * Ported scenarios: eventlet's tests/greenthread_test.py (Spawn, SpawnAfter,
 * SpawnAfterLocal) and tests/api_test.py (test_killing_dormant, O3, O8).
 */

import assert from "node:assert/strict";
import {
  Event,
  getCurrent,
  GreenletExit,
  GreenThread,
  kill,
  sleep,
  spawn,
  spawnAfter,
  spawnAfterLocal,
  spawnN,
  Timeout,
  waitFor,
} from "../mod.ts";
import { getHub } from "../hub/mod.ts";

const hub = getHub();

Deno.test("spawn() starts the function only when the spawner yields, in FIFO order", async () => {
  const log: string[] = [];
  const a = spawn(() => log.push("a"));
  const b = spawn(() => log.push("b"));
  assert.deepEqual(log, []);
  assert.equal(a.started, false);
  assert.equal(a.dead, false);
  await sleep(0);
  assert.deepEqual(log, ["a", "b"]);
  assert.equal(a.dead, true);
  assert.equal(a.started, true, "started stays true after it ended");
  assert.equal(await b.wait(), 2);
});

Deno.test("spawn() passes arguments and wait() returns the value of a sync or async fn", async () => {
  const sum = spawn((x: number, y: number) => x + y, 2, 3);
  const later = spawn(async (s: string) => {
    await sleep(0.001);
    return s.toUpperCase();
  }, "ok");
  assert.equal(await sum.wait(), 5);
  assert.equal(await later.wait(), "OK");
});

Deno.test("GreenThread.wait() rethrows the error, to every waiter, every time", async () => {
  const boom = new Error("boom");
  const gt = spawn(async () => {
    await sleep(0);
    throw boom;
  });
  const waiters = [spawn(() => gt.wait()), spawn(() => gt.wait())];
  const outcomes = await Promise.allSettled(waiters.map((w) => w.wait()));
  assert.deepEqual(outcomes.map((o) => o.status === "rejected" && o.reason), [boom, boom]);
  await assert.rejects(gt.wait(), (e) => e === boom);
  await assert.rejects(gt.wait(), (e) => e === boom);
});

Deno.test("GreenThread is running-but-not-dead only while suspended inside it (O3)", async () => {
  const evt = new Event();
  const gt = spawn(() => evt.wait());
  assert.equal(gt.started, false);
  await sleep(0);
  assert.equal(gt.started, true);
  assert.equal(gt.dead, false);
  evt.send();
  await gt.wait();
  assert.equal(gt.dead, true);
});

Deno.test("getCurrent() is the greenthread inside spawn and the main greenthread outside", async () => {
  const gt = spawn(async () => {
    const before = getCurrent();
    await sleep(0);
    return [before, getCurrent()];
  });
  const [before, after] = await gt.wait();
  assert.equal(before, gt);
  assert.equal(after, gt);
  const main = getCurrent();
  assert.ok(main instanceof GreenThread);
  assert.equal(main.id, 0);
  assert.equal(main.name, "main");
  assert.equal(main.started, true);
  assert.equal(main.dead, false);
});

Deno.test("getCurrent() follows a greenthread through nested async functions", async () => {
  const inner = async () => {
    await sleep(0);
    await Promise.resolve();
    return getCurrent();
  };
  const gts = [spawn(inner), spawn(inner)];
  for (const gt of gts) assert.equal(await gt.wait(), gt);
});

Deno.test("GreenThread.kill() before start: it never runs and wait() rejects GreenletExit", async () => {
  let ran = false;
  const gt = spawn(() => ran = true);
  const linked: string[] = [];
  gt.link(() => linked.push("link called"));
  await gt.kill();
  linked.push("after kill");
  assert.deepEqual(linked, ["link called", "after kill"], "links run before kill returns");
  await sleep(0);
  assert.equal(ran, false);
  assert.equal(gt.dead, true);
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("GreenThread.kill() before start with a custom error: wait() rejects with it", async () => {
  const error = new RangeError("custom");
  const errors: unknown[] = [];
  const saved = hub.onError;
  hub.onError = (e) => errors.push(e);
  try {
    const gt = spawn(() => 1);
    await gt.kill(error);
    await assert.rejects(gt.wait(), (e) => e === error);
  } finally {
    hub.onError = saved;
  }
  assert.deepEqual(errors, [error], "an unobserved custom kill error is reported once");
});

Deno.test("GreenThread.kill() of one parked in sleep runs its finally and resolves after (O8)", async () => {
  const log: string[] = [];
  const gt = spawn(async () => {
    try {
      await sleep(10);
    } catch (e) {
      log.push(`caught ${(e as Error).name}`);
      throw e;
    } finally {
      log.push("finally");
    }
  });
  await sleep(0);
  await gt.kill();
  log.push("kill returned");
  assert.deepEqual(log, ["caught GreenletExit", "finally", "kill returned"]);
  assert.equal(gt.dead, true);
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("GreenThread.kill() of one parked in Event.wait delivers the given error", async () => {
  const evt = new Event();
  const gt = spawn(() => evt.wait());
  await sleep(0);
  const error = new Error("stop");
  const reported: unknown[] = [];
  const saved = hub.onError;
  hub.onError = (e) => reported.push(e);
  try {
    await kill(gt, error);
  } finally {
    hub.onError = saved;
  }
  assert.deepEqual(reported, [error], "as in eventlet, an uncaught kill error is reported");
  await assert.rejects(gt.wait(), (e) => e === error);
  evt.send(); // the killed waiter left the line: nothing to wake
  await sleep(0);
});

Deno.test("GreenThread.kill() of a dead greenthread does nothing", async () => {
  const gt = spawn(() => "done");
  assert.equal(await gt.wait(), "done");
  await gt.kill();
  assert.equal(await gt.wait(), "done");
});

Deno.test("GreenThread.kill() of itself throws GreenletExit at that point", async () => {
  const log: string[] = [];
  const gt = spawn(async () => {
    log.push("before");
    await getCurrent().kill();
    log.push("unreachable");
  });
  await assert.rejects(gt.wait(), GreenletExit);
  assert.deepEqual(log, ["before"]);
});

Deno.test("GreenThread.kill() of one awaiting a foreign promise lands at its next switch point", async () => {
  const log: string[] = [];
  let release!: () => void;
  const foreign = new Promise<void>((r) => release = r);
  const gt = spawn(async () => {
    await foreign; // not a switch point: the kill waits
    log.push("foreign done");
    await sleep(0); // the switch point where GreenletExit lands
    log.push("unreachable");
  });
  await sleep(0);
  const killed = gt.kill();
  assert.equal(gt.signal.aborted, true, "its signal aborts at once");
  release();
  await killed;
  assert.deepEqual(log, ["foreign done"]);
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("GreenThread.signal aborts on kill and is fresh after the error surfaced", async () => {
  const seen: boolean[] = [];
  const gt = spawn(async () => {
    const first = getCurrent().signal;
    try {
      await sleep(10);
    } catch {
      seen.push(first.aborted);
      seen.push(getCurrent().signal.aborted);
    }
    await sleep(10);
  });
  await sleep(0);
  // Throw a non-fatal error in: the greenthread catches it and parks again.
  const interrupted = gt.kill(new Error("interrupt"));
  await sleep(0);
  assert.deepEqual(seen, [true, false]);
  await gt.kill();
  await interrupted;
});

Deno.test("GreenThread.signal aborts when a Timeout fires into it", async () => {
  const gt = spawn(async () => {
    const signal = getCurrent().signal;
    const t = new Timeout(0.001);
    try {
      await sleep(1);
    } catch (e) {
      assert.equal(e, t);
      return [signal.aborted, signal.reason === t, getCurrent().signal.aborted];
    }
  });
  assert.deepEqual(await gt.wait(), [true, true, false]);
});

Deno.test("GreenThread.cancel() before start prevents the run; after start it does nothing", async () => {
  const log: string[] = [];
  const early = spawnAfter(0.01, () => log.push("early"));
  await early.cancel();
  await assert.rejects(early.wait(), GreenletExit);
  const started = spawn(async () => {
    await sleep(0.001);
    log.push("started");
  });
  await sleep(0);
  await started.cancel();
  await started.wait();
  await sleep(0.02);
  assert.deepEqual(log, ["started"]);
});

Deno.test("GreenThread.link() calls links in order with args, and at once after death", async () => {
  const log: unknown[] = [];
  const gt = spawn(() => "result");
  gt.link((g, tag: string) => log.push([tag, g === gt]), "first");
  gt.link(() => log.push("second"));
  assert.equal(await gt.wait(), "result");
  assert.deepEqual(log, [["first", true], "second"]);
  gt.link(() => log.push("late"));
  assert.deepEqual(log.at(-1), "late", "linking a dead greenthread calls at once");
});

Deno.test("GreenThread.link() runs in the dying greenthread's context", async () => {
  let seen: GreenThread<unknown> | undefined;
  const gt = spawn(() => 1);
  gt.link(() => seen = getCurrent());
  await gt.wait();
  assert.equal(seen, gt);
});

Deno.test("GreenThread.link() that throws skips later links; wait() keeps the result", async () => {
  const errors: unknown[] = [];
  const saved = hub.onError;
  hub.onError = (e) => errors.push(e);
  try {
    const log: string[] = [];
    const gt = spawn(() => 7);
    gt.link(() => {
      throw new Error("link failed");
    });
    gt.link(() => log.push("skipped"));
    assert.equal(await gt.wait(), 7);
    assert.deepEqual(log, []);
    assert.equal((errors[0] as Error).message, "link failed");
  } finally {
    hub.onError = saved;
  }
});

Deno.test("GreenThread.unlink() removes a link and says whether it found one", async () => {
  const log: string[] = [];
  const fn = () => log.push("called");
  const gt = spawn(() => 1);
  assert.equal(gt.unlink(fn), false);
  gt.link(fn);
  assert.equal(gt.unlink(fn), true);
  assert.equal(gt.unlink(fn), false);
  await gt.wait();
  assert.deepEqual(log, []);
});

Deno.test("an error nobody waits for or links is reported once; a waited-for one is not", async () => {
  const errors: unknown[] = [];
  const saved = hub.onError;
  hub.onError = (e, gt) => errors.push([(e as Error).message, gt?.id]);
  try {
    const lonely = spawn(() => {
      throw new Error("lonely");
    });
    const watched = spawn(async () => {
      await sleep(0);
      throw new Error("watched");
    });
    const linked = spawn(() => {
      throw new Error("linked");
    });
    linked.link(() => {});
    const killed = spawn(() => sleep(10));
    await assert.rejects(watched.wait(), /watched/);
    await sleep(0);
    await killed.kill();
    assert.deepEqual(errors, [["lonely", lonely.id]], "GreenletExit is never reported");
  } finally {
    hub.onError = saved;
  }
});

Deno.test("spawnAfter() starts after the delay, even if the spawner ended", async () => {
  const start = performance.now();
  const parent = spawn(() => spawnAfter(0.02, () => performance.now() - start));
  const child = await parent.wait();
  assert.equal(parent.dead, true);
  const elapsed = await child.wait();
  assert.ok(elapsed >= 15, `started after ${elapsed.toFixed(1)} ms`);
});

Deno.test("spawnAfterLocal() never runs when the spawner ended first: it dies GreenletExit", async () => {
  let ran = false;
  const parent = spawn(() => spawnAfterLocal(0.005, () => ran = true));
  const child = await parent.wait();
  await assert.rejects(child.wait(), GreenletExit);
  assert.equal(ran, false);
  assert.equal(child.dead, true);
});

Deno.test("spawnAfterLocal() runs when the spawner is still alive", async () => {
  const parent = spawn(async () => {
    const child = spawnAfterLocal(0.001, () => "ran");
    return await child.wait();
  });
  assert.equal(await parent.wait(), "ran");
});

Deno.test("spawnN() runs the function and returns nothing", async () => {
  const log: number[] = [];
  assert.equal(spawnN((x: number) => log.push(x), 1), undefined);
  await sleep(0);
  assert.deepEqual(log, [1]);
});

Deno.test("waitFor() resolves a foreign promise's value and rethrows its error", async () => {
  assert.equal(await waitFor(Promise.resolve(3)), 3);
  assert.equal(await waitFor(4), 4);
  await assert.rejects(waitFor(Promise.reject(new Error("nope"))), /nope/);
});

Deno.test("waitFor() is interrupted at once by kill while the promise never settles", async () => {
  const gt = spawn(() => waitFor(new Promise(() => {})));
  await sleep(0);
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("a greenthread may await several switch points at once; kill rejects them all", async () => {
  const gt = spawn(() => Promise.all([sleep(10), sleep(20), new Event().wait()]));
  await sleep(0);
  assert.equal(gt.parkSlot !== null, true);
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
  assert.equal(hub.stats().timers, 0);
});

Deno.test("GreenThread.wait() on itself or on main rejects instead of hanging", async () => {
  const gt = spawn(() => getCurrent().wait());
  await assert.rejects(gt.wait(), /would wait for itself forever/);
  await assert.rejects(getCurrent().wait(), /main greenthread/);
});

Deno.test("GreenThread.name defaults to its id and can be set", async () => {
  const gt = spawn(() => {});
  assert.equal(gt.name, `GreenThread-${gt.id}`);
  gt.name = "worker";
  assert.equal(gt.name, "worker");
  await gt.wait();
});

Deno.test("spawn family and kill reject bad input with TypeError/RangeError", () => {
  assert.throws(() => spawn(42 as unknown as () => void), {
    name: "TypeError",
    message: "Cannot spawn: fn must be a function, received number",
  });
  assert.throws(() => spawnN(null as unknown as () => void), /received null/);
  assert.throws(() => spawnAfter(NaN, () => {}), RangeError);
  assert.throws(() => spawnAfter("1" as unknown as number, () => {}), TypeError);
  assert.throws(() => spawnAfterLocal(1, "x" as unknown as () => void), TypeError);
  assert.throws(() => kill({} as GreenThread<unknown>), TypeError);
  assert.throws(() => sleep(NaN), RangeError);
  assert.throws(() => sleep("1" as unknown as number), TypeError);
});

Deno.test("sleep() with a negative delay yields like sleep(0)", async () => {
  const log: string[] = [];
  spawn(() => log.push("other"));
  await sleep(-5);
  assert.deepEqual(log, ["other"]);
});

Deno.test("GreenThread.kill() of one yielding in sleep(0) lands there, with no extra step", async () => {
  const log: string[] = [];
  const gt = spawn(async () => {
    try {
      for (let i = 0;; i++) {
        log.push(`tick ${i}`);
        await sleep(0);
      }
    } finally {
      log.push("finally");
    }
  });
  await sleep(0); // gt ran tick 0 and is queued in sleep(0)
  await gt.kill();
  assert.deepEqual(log, ["tick 0", "finally"]);
});

Deno.test("GreenThread.kill() of itself in a sync function throws at once", async () => {
  const gt = spawn(() => {
    getCurrent().kill();
    return "unreachable";
  });
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("GreenThread.link() added by a link runs after the other links, in the same pass", async () => {
  const log: string[] = [];
  const gt = spawn(() => 1);
  gt.link((g) => {
    log.push("l1");
    g.link(() => log.push("l1-added"));
  });
  gt.link(() => log.push("l2"));
  await gt.wait();
  assert.deepEqual(log, ["l1", "l2", "l1-added"]);
});

Deno.test("spawnAfter() killed before it starts leaves no timer behind", async () => {
  const before = hub.stats().timers;
  const gt = spawnAfter(3, () => {});
  const local = spawnAfterLocal(3, () => {});
  await gt.kill();
  await local.cancel();
  assert.equal(hub.stats().timers, before);
});
