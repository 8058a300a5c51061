/**
 * Stopping greenthreads: kill() before start, while parked (sleep,
 * Event.wait, sleep(0), a foreign promise, several switch points at once),
 * of a dead greenthread and of itself; the abort signal; cancel(); waitFor
 * interrupted. Ported scenarios: eventlet's tests/api_test.py
 * (test_killing_dormant; docs/orderings.md, 8).
 */

import assert from "node:assert/strict";
import {
  Event,
  getCurrent,
  GreenletExit,
  kill,
  sleep,
  spawn,
  spawnAfter,
  spawnAfterLocal,
  Timeout,
  waitFor,
} from "../mod.ts";
import { parksOf } from "../hub/lowlevel.ts";
import { getHub } from "../hub/mod.ts";
import { captureErrors } from "./hub_helpers.ts";

const hub = getHub();

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
  using capture = captureErrors();
  const gt = spawn(() => 1);
  await gt.kill(error);
  await assert.rejects(gt.wait(), (e) => e === error);
  assert.deepEqual(capture.errors, [error], "an unobserved custom kill error is reported once");
});

Deno.test("GreenThread.kill() of one parked in sleep runs its finally and resolves after", async () => {
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
  {
    using capture = captureErrors();
    await kill(gt, error);
    assert.deepEqual(capture.errors, [error], "as in eventlet, an uncaught kill error is reported");
  }
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

Deno.test("waitFor() is interrupted at once by kill while the promise never settles", async () => {
  const gt = spawn(() => waitFor(new Promise(() => {})));
  await sleep(0);
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("a greenthread may await several switch points at once; kill rejects them all", async () => {
  const gt = spawn(() => Promise.all([sleep(10), sleep(20), new Event().wait()]));
  await sleep(0);
  assert.equal(parksOf(gt).length, 3, "parked in all three at once");
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
  assert.equal(hub.stats().timers, 0);
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

Deno.test("spawnAfter() killed before it starts leaves no timer behind", async () => {
  const before = hub.stats().timers;
  const gt = spawnAfter(3, () => {});
  const local = spawnAfterLocal(3, () => {});
  await gt.kill();
  await local.cancel();
  assert.equal(hub.stats().timers, before);
});
