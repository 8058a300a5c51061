/**
 * Timeout, withTimeout, isTimeout.
 * Ported scenarios: eventlet's tests/timeout_test.py,
 * tests/timeout_with_statement_test.py and api_test.py::test_nested_with_timeout.
 */

import assert from "node:assert/strict";
import { Event, getCurrent, isTimeout, sleep, spawn, Timeout, withTimeout } from "../mod.ts";
import { getHub } from "../hub/mod.ts";

Deno.test("Timeout throws itself into the greenthread that created it", async () => {
  const t = new Timeout(0.01);
  assert.equal(t.pending, true);
  await assert.rejects(sleep(1), (e) => e === t);
  assert.equal(t.pending, false);
  assert.equal(t.name, "Timeout");
  assert.equal(t.message, "Timed out after 0.01 seconds");
  assert.ok(t instanceof Error);
});

Deno.test("Timeout throws the given error instead of itself", async () => {
  const error = new RangeError("too slow");
  using _t = new Timeout(0.001, error);
  await assert.rejects(sleep(1), (e) => e === error);
});

Deno.test("Timeout with using is cancelled when the block is left", async () => {
  {
    using t = new Timeout(0.01);
    await sleep(0);
    assert.equal(t.pending, true);
  }
  await sleep(0.03); // would have fired here
  assert.equal(getHub().stats().timers, 0);
});

Deno.test("Timeout(null), Timeout() and Timeout(Infinity) never fire", async () => {
  for (const t of [new Timeout(null), new Timeout(), new Timeout(Infinity)]) {
    assert.equal(t.pending, false);
    assert.equal(t.seconds, null);
    assert.equal(t.message, "Timeout that never fires");
  }
  await sleep(0.005);
});

Deno.test("Timeout.cancel() before expiry: nothing is thrown; cancel twice is harmless", async () => {
  const t = new Timeout(0.005);
  t.cancel();
  t.cancel();
  await sleep(0.02);
  assert.equal(t.pending, false);
});

Deno.test("Timeout.start() restarts a cancelled one and throws if already pending", async () => {
  const t = new Timeout(0.005);
  assert.throws(() => t.start(), /Cannot start Timeout: it is already pending/);
  t.cancel();
  t.start();
  await assert.rejects(sleep(1), (e) => e === t);
});

Deno.test("Timeout that fired into a running greenthread is withdrawn by cancel()", async () => {
  const gt = spawn(async () => {
    const t = new Timeout(0);
    // Not parked when it fires: the error waits for the next switch point.
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 5));
    t.cancel(); // withdrawn before it surfaced
    await sleep(0);
    return "survived";
  });
  assert.equal(await gt.wait(), "survived");
});

Deno.test("Timeout that fired into a running greenthread lands at its next switch point", async () => {
  const log: string[] = [];
  const gt = spawn(async () => {
    const t = new Timeout(0);
    await new Promise((r) => setTimeout(r, 5)); // foreign await: not a switch point
    log.push("foreign await finished");
    try {
      await sleep(0);
    } catch (e) {
      log.push(e === t ? "timeout at sleep(0)" : "other");
    }
  });
  await gt.wait();
  assert.deepEqual(log, ["foreign await finished", "timeout at sleep(0)"]);
});

Deno.test("a pending Timeout is delivered even by an operation that completes at once", async () => {
  const evt = new Event<number>();
  evt.send(1);
  const gt = spawn(async () => {
    const t = new Timeout(0);
    await new Promise((r) => setTimeout(r, 5));
    try {
      await evt.wait(); // ready: would complete at once
      return "no timeout";
    } catch (e) {
      return e === t ? "timeout" : "other";
    }
  });
  assert.equal(await gt.wait(), "timeout");
});

Deno.test("nested Timeouts: the inner expiring does not disturb the outer", async () => {
  using outer = new Timeout(1);
  const inner = new Timeout(0.005);
  await assert.rejects(sleep(0.5), (e) => e === inner);
  assert.equal(outer.pending, true);
  await sleep(0.01);
});

Deno.test("nested Timeouts: the outer expiring inside an inner block throws the outer", async () => {
  const outer = new Timeout(0.005);
  try {
    using _inner = new Timeout(1);
    await sleep(0.5);
    assert.fail("not reached");
  } catch (e) {
    assert.equal(e, outer);
  }
});

Deno.test("Timeout expiring after its greenthread ended does nothing", async () => {
  const gt = spawn(() => {
    new Timeout(0.001); // leaked on purpose
    return "done";
  });
  assert.equal(await gt.wait(), "done");
  await sleep(0.01); // it fired meanwhile; main (this test) was not touched either
  assert.equal(gt.signal.aborted, false, "nothing was thrown into the dead greenthread");
});

Deno.test("Timeout works in plain top-level code (the main greenthread)", async () => {
  assert.equal(getCurrent().id, 0);
  const t = new Timeout(0.001);
  await assert.rejects(new Event().wait(), (e) => e === t);
});

Deno.test("withTimeout() returns the value, or timeoutValue, or rethrows the Timeout", async () => {
  assert.equal(await withTimeout(1, () => "fast"), "fast");
  assert.equal(
    await withTimeout(1, () => Promise.resolve(undefined), { timeoutValue: "x" }),
    undefined,
  );
  assert.equal(
    await withTimeout(0.001, () => sleep(1).then(() => "slow"), { timeoutValue: "late" }),
    "late",
  );
  await assert.rejects(withTimeout(0.001, () => sleep(1)), (e) => e instanceof Timeout);
  assert.equal(getHub().stats().timers, 0);
});

Deno.test("withTimeout() lets an outer Timeout pass through its timeoutValue", async () => {
  const outer = new Timeout(0.001);
  await assert.rejects(
    withTimeout(1, () => sleep(1), { timeoutValue: "inner value" }),
    (e) => e === outer,
  );
});

Deno.test("withTimeout() passes the function's own errors through", async () => {
  await assert.rejects(
    withTimeout(1, () => {
      throw new Error("own");
    }, { timeoutValue: 1 }),
    /own/,
  );
  assert.throws(() => withTimeout(1, 5 as unknown as () => void), TypeError);
});

Deno.test("isTimeout() is true for Timeouts and isTimeout-marked objects only", () => {
  assert.equal(isTimeout(new Timeout(null)), true);
  assert.equal(isTimeout({ isTimeout: true }), true);
  assert.equal(isTimeout(new Error("x")), false);
  assert.equal(isTimeout(null), false);
  assert.equal(isTimeout("timeout"), false);
});

Deno.test("Timeout rejects bad seconds and treats negative as 0", async () => {
  assert.throws(() => new Timeout(NaN), RangeError);
  assert.throws(() => new Timeout("1" as unknown as number), TypeError);
  const t = new Timeout(-1);
  assert.equal(t.seconds, 0);
  await assert.rejects(sleep(1), (e) => e === t);
});

Deno.test("Timeout inside a spawned greenthread does not touch other greenthreads", async () => {
  const bystander = spawn(() => sleep(0.02).then(() => "fine"));
  const victim = spawn(async () => {
    using _t = new Timeout(0.001);
    await sleep(1);
  });
  await assert.rejects(victim.wait(), Timeout);
  assert.equal(await bystander.wait(), "fine");
});

Deno.test("Timeout(0) lands in the sleep(0) it fires during", async () => {
  const t = new Timeout(0);
  await assert.rejects(sleep(0), (e) => e === t);
});

Deno.test("two Timeouts firing while not parked: neither is lost, first one first", async () => {
  const outer = new Timeout(0.005);
  const delivered: unknown[] = [];
  {
    using inner = new Timeout(0.01);
    await new Promise((r) => setTimeout(r, 30)); // both fire here; not a switch point
    try {
      await sleep(0);
    } catch (e) {
      delivered.push(e === outer ? "outer" : e === inner ? "inner" : e);
    }
  } // inner is cancelled here: its undelivered error is withdrawn
  assert.deepEqual(delivered, ["outer"]);
  await sleep(0); // nothing left: outer was delivered, inner withdrawn with its block
});

Deno.test("Timeout.cancel() withdraws only its own error, even when errors are shared", async () => {
  const shared = new Error("shared");
  const fired = new Timeout(0, shared);
  const other = new Timeout(10, shared);
  await new Promise((r) => setTimeout(r, 10)); // `fired` fires; not a switch point
  other.cancel();
  await assert.rejects(sleep(0), (e) => e === shared);
  fired.cancel();
});
