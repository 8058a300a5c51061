/**
 * sleep(0) semantics that its fast path (a yield with nothing else in the
 * run queue, taken without a park or a pump) must keep: round-robin order,
 * wake-ups queued during the yield run after it, a kill or Timeout landing
 * during the yield is thrown at that sleep(0), a due timer is not skipped.
 */

import assert from "node:assert/strict";
import { Event, sleep, spawn, Timeout } from "../mod.ts";
import { getHub } from "../hub/mod.ts";

Deno.test("sleep(0): a kill landing while it yields is thrown at that sleep(0)", async () => {
  const log: string[] = [];
  const a = spawn(async () => {
    try {
      for (let i = 0; i < 5; i++) {
        log.push(`a${i}`);
        await sleep(0);
      }
    } catch (e) {
      log.push(`a caught ${(e as Error).name}`);
      throw e;
    }
  });
  const b = spawn(async () => {
    log.push("b0");
    await sleep(0); // a yields in its sleep(0) now
    log.push("b kills");
    a.kill();
    log.push("b1");
  });
  await b.wait();
  await a.wait().catch(() => {});
  assert.deepEqual(log, ["a0", "b0", "a1", "b kills", "b1", "a caught GreenletExit"]);
});

Deno.test("sleep(0): a Timeout expiring in a loop of sleep(0) lands at one; cancel withdraws", async () => {
  const gt = spawn(async () => {
    using _t = new Timeout(0.005);
    const t0 = performance.now();
    let n = 0;
    try {
      while (performance.now() - t0 < 5000) {
        await sleep(0);
        n++;
      }
    } catch (e) {
      return `timeout after ${n > 0 ? "some" : "no"} switches: ${(e as Error).name}`;
    }
    return "no timeout";
  });
  assert.equal(await gt.wait(), "timeout after some switches: Timeout");
  const t = new Timeout(0);
  t.cancel(); // withdrawn before the sleep(0) could see it
  await sleep(0);
  assert.equal(getHub().stats().timers, 0);
});

Deno.test("sleep(0): three greenthreads alternate in round-robin order", async () => {
  const log: string[] = [];
  const loop = (name: string) => async () => {
    for (let i = 0; i < 3; i++) {
      log.push(`${name}${i}`);
      await sleep(0);
    }
  };
  const gts = [spawn(loop("a")), spawn(loop("b")), spawn(loop("c"))];
  for (const gt of gts) await gt.wait();
  assert.deepEqual(log, ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]);
});

Deno.test("sleep(0): a greenthread woken during the yield runs after the yielder resumes", async () => {
  const log: string[] = [];
  const evt = new Event<string>();
  const waiter = spawn(async () => {
    log.push(`waiter got ${await evt.wait()}`);
  });
  await sleep(0); // the waiter parks in wait()
  const a = spawn(async () => {
    log.push("a0");
    await sleep(0); // b sends while a yields: a resumes first, then the waiter
    log.push("a1");
  });
  const b = spawn(() => {
    log.push("b sends");
    evt.send("x");
  });
  await a.wait();
  await b.wait();
  await waiter.wait();
  assert.deepEqual(log, ["a0", "b sends", "a1", "waiter got x"]);
});

Deno.test("sleep(0): a timer that fell due while the greenthread was busy runs at it", async () => {
  const log: string[] = [];
  getHub().scheduleCallGlobal(0.001, () => log.push("timer"));
  const until = performance.now() + 20;
  while (performance.now() < until) { /* busy: the timer falls due */ }
  log.push("before");
  await sleep(0);
  log.push("after");
  assert.deepEqual(log, ["before", "timer", "after"]);
});
