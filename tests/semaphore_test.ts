/**
 * Semaphore, BoundedSemaphore, CappedSemaphore: ports of eventlet's
 * tests/semaphore_test.py plus FIFO order, hand-over, kill and timeout cases.
 */

import assert from "node:assert/strict";
import { BoundedSemaphore, Semaphore } from "../green/semaphore.ts";
import { CappedSemaphore } from "../green/capped_semaphore.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import { GreenletExit } from "../hub/greenthread.ts";
import { spendLoopBudget } from "./hub_helpers.ts";

// A fresh loop-turn budget, so "completes at once" really does not yield.
const freshTurn = () => sleep(0.001);

Deno.test("Semaphore() accepts non-negative integers and rejects bad values", () => {
  assert.equal(new Semaphore().counter, 1);
  assert.equal(new Semaphore(0).counter, 0);
  assert.equal(new Semaphore(1e2).counter, 100);
  assert.throws(() => new Semaphore("foo" as unknown as number), {
    name: "TypeError",
    message: "Cannot create Semaphore: value must be a number, received string",
  });
  assert.throws(() => new Semaphore(-1), {
    name: "RangeError",
    message: "Cannot create Semaphore: value must be a non-negative integer, received -1",
  });
  assert.throws(() => new Semaphore(NaN), RangeError);
  assert.throws(() => new Semaphore(1.5), RangeError);
  assert.throws(() => new Semaphore(Infinity), RangeError);
  assert.throws(() => new BoundedSemaphore(-1), /Cannot create BoundedSemaphore/);
});

Deno.test("Semaphore.acquire({ blocking: false }) on a locked semaphore resolves false", async () => {
  const sem = new Semaphore(0);
  assert.equal(await sem.acquire({ blocking: false }), false);
  assert.equal(sem.counter, 0);
  sem.release();
  assert.equal(await sem.acquire({ blocking: false }), true);
  assert.equal(sem.locked(), true);
});

Deno.test("Semaphore.acquire({ timeout }) resolves false once the timeout expires", async () => {
  const sem = new Semaphore(0);
  const start = performance.now();
  assert.equal(await sem.acquire({ timeout: 0.1 }), false);
  assert.ok(performance.now() - start >= 90, "waited about the timeout");
  assert.equal(sem.balance, 0, "the timed-out waiter left the line");
  assert.equal(await sem.acquire({ timeout: 0 }), false);
  assert.equal(await sem.acquire({ timeout: -1 }), false, "negative means 0");
});

Deno.test("Semaphore.acquire() rejects bad options with TypeError/RangeError", () => {
  const sem = new Semaphore();
  assert.throws(() => sem.acquire({ blocking: false, timeout: 1 }), {
    name: "TypeError",
    message:
      "Cannot acquire Semaphore: a timeout is not allowed with blocking: false, received timeout 1",
  });
  assert.throws(() => sem.acquire({ timeout: NaN }), RangeError);
  assert.throws(() => sem.acquire({ timeout: "1" as unknown as number }), TypeError);
  assert.throws(() => sem.acquire(5 as never), TypeError);
  assert.equal(sem.counter, 1, "nothing was taken");
});

Deno.test("Semaphore.acquire() wakes waiters in FIFO order", async () => {
  const sem = new Semaphore(0);
  const log: string[] = [];
  const gts = ["a", "b", "c", "d"].map((name) =>
    spawn(async () => {
      await sem.acquire();
      log.push(name);
    })
  );
  await sleep(0);
  assert.equal(sem.balance, -4);
  sem.release();
  sem.release();
  assert.deepEqual(log, [], "release never switches");
  await sleep(0);
  assert.deepEqual(log, ["a", "b"]);
  sem.release();
  sem.release();
  for (const gt of gts) await gt.wait();
  assert.deepEqual(log, ["a", "b", "c", "d"]);
  assert.equal(sem.counter, 0);
});

Deno.test("Semaphore.acquire() queues a new blocking acquirer behind existing waiters", async () => {
  await freshTurn();
  const sem = new Semaphore(1);
  await sem.acquire();
  const log: string[] = [];
  const waiter = (name: string) =>
    spawn(async () => {
      await sem.acquire();
      log.push(name);
      sem.release();
    });
  const a = waiter("a");
  const b = waiter("b");
  await sleep(0);
  sem.release(); // handed to a at once: nobody can barge in
  assert.equal(sem.counter, 0);
  assert.equal(sem.locked(), true);
  assert.equal(await sem.acquire({ blocking: false }), false);
  const c = waiter("c");
  await a.wait();
  await b.wait();
  await c.wait();
  assert.deepEqual(log, ["a", "b", "c"]);
  assert.equal(sem.counter, 1);
});

Deno.test("Semaphore: a waiter killed while parked does not consume a permit", async () => {
  const sem = new Semaphore(0);
  const log: string[] = [];
  const a = spawn(async () => {
    await sem.acquire();
    log.push("a");
  });
  const b = spawn(async () => {
    await sem.acquire();
    log.push("b");
  });
  await sleep(0);
  await a.kill();
  assert.equal(sem.balance, -1);
  sem.release();
  await b.wait();
  assert.deepEqual(log, ["b"]);
  assert.equal(sem.counter, 0);
  assert.equal(sem.balance, 0);
  await assert.rejects(a.wait(), GreenletExit);
});

Deno.test("Semaphore: a waiter killed after being woken keeps its permit", async () => {
  const sem = new Semaphore(0);
  const log: string[] = [];
  const a = spawn(async () => {
    const ok = await sem.acquire();
    log.push(`acquired ${ok}`);
    try {
      await sleep(0); // the kill surfaces here
      log.push("not reached");
    } catch (e) {
      log.push(e instanceof GreenletExit ? "killed" : "other");
      throw e;
    } finally {
      sem.release();
    }
  });
  await sleep(0);
  sem.release(); // a is woken: the permit is already a's
  await a.kill(); // arrives before a resumed
  assert.deepEqual(log, ["acquired true", "killed"]);
  assert.equal(sem.counter, 1, "the permit came back through a's finally");
});

Deno.test("Semaphore: a waiter that timed out does not consume a permit", async () => {
  const sem = new Semaphore(0);
  const a = spawn(() => sem.acquire({ timeout: 0.01 }));
  const b = spawn(() => sem.acquire());
  assert.equal(await a.wait(), false);
  assert.equal(sem.balance, -1);
  sem.release();
  assert.equal(await b.wait(), true);
  assert.equal(sem.counter, 0);
});

Deno.test("Semaphore.acquire() delivers a pending Timeout before taking a permit", async () => {
  const sem = new Semaphore(1);
  const t = new Timeout(0);
  // Not parked at a switch point when it fires: the Timeout becomes pending.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await assert.rejects(sem.acquire(), (e) => e === t);
  assert.equal(sem.counter, 1);
  t.cancel();
});

Deno.test("Semaphore.balance and counter follow eventlet", async () => {
  const sem = new Semaphore(2);
  assert.deepEqual([sem.counter, sem.balance, sem.locked()], [2, 2, false]);
  await sem.acquire();
  await sem.acquire();
  assert.deepEqual([sem.counter, sem.balance, sem.locked()], [0, 0, true]);
  const gts = [spawn(() => sem.acquire()), spawn(() => sem.acquire())];
  await sleep(0);
  assert.equal(sem.balance, -2);
  sem.release();
  assert.equal(sem.balance, -1, "eventlet: counter 1 minus 2 waiters");
  sem.release();
  assert.equal(sem.balance, 0);
  for (const gt of gts) assert.equal(await gt.wait(), true);
  sem.release();
  sem.release();
  sem.release();
  assert.equal(sem.counter, 3, "an unbounded Semaphore may exceed its initial value");
});

Deno.test("Semaphore.guard() releases at the end of a using block, once", async () => {
  const sem = new Semaphore(1);
  {
    using _ = await sem.guard();
    assert.equal(sem.locked(), true);
  }
  assert.equal(sem.counter, 1);
  const permit = await sem.guard();
  permit[Symbol.dispose]();
  permit[Symbol.dispose]();
  assert.equal(sem.counter, 1, "a second dispose does nothing");
  const holder = spawn(async () => {
    using _ = await sem.guard();
    await sleep(0.01);
    return "held";
  });
  await sleep(0);
  const log: string[] = [];
  {
    using _ = await sem.guard(); // waits for holder
    log.push(`got it after holder: ${holder.dead}`);
  }
  assert.equal(await holder.wait(), "held");
  assert.deepEqual(log, ["got it after holder: true"]);
});

Deno.test("Semaphore contention between two workers is fair", async () => {
  const mutex = new Semaphore();
  const counts = [0, 0];
  const worker = async (no: number) => {
    for (;;) {
      using _ = await mutex.guard();
      counts[no]++;
      await sleep(0.001);
    }
  };
  const t1 = spawn(worker, 0);
  const t2 = spawn(worker, 1);
  await sleep(0.1);
  await t1.kill();
  await t2.kill();
  assert.ok(Math.min(...counts) > 5, `both ran: ${counts}`);
  assert.ok(Math.abs(counts[0] - counts[1]) <= 1, `strictly alternating: ${counts}`);
  assert.equal(mutex.counter, 1);
});

Deno.test("BoundedSemaphore.release() above the initial value throws RangeError", async () => {
  const sem = new BoundedSemaphore(2);
  assert.throws(() => sem.release(), {
    name: "RangeError",
    message:
      "Cannot release BoundedSemaphore: released too many times, received a release with the count already at its initial value 2",
  });
  await sem.acquire();
  sem.release();
  assert.equal(sem.counter, 2);
  assert.throws(() => sem.release(), RangeError);
  const waiter = spawn(async () => {
    await sem.acquire();
    await sem.acquire();
    await sem.acquire(); // waits
    return sem.counter;
  });
  await sleep(0);
  sem.release();
  assert.equal(await waiter.wait(), 0);
});

Deno.test("CappedSemaphore: eventlet's test_bounded", async () => {
  const sem = new CappedSemaphore(2, 3);
  assert.equal(await sem.acquire(), true);
  assert.equal(await sem.acquire(), true);
  const gt1 = spawn(() => sem.release());
  assert.equal(await sem.acquire(), true);
  assert.equal(sem.balance, -3);
  await sem.release();
  await sem.release();
  await sem.release();
  const gt2 = spawn(() => sem.acquire());
  await sem.release(); // at the limit: waits for gt2's acquire
  assert.equal(sem.balance, 3);
  assert.equal(await gt1.wait(), true);
  assert.equal(await gt2.wait(), true);
});

Deno.test("CappedSemaphore(0, 0): an acquire and a release complete each other", async () => {
  const sem = new CappedSemaphore(0, 0);
  const gt = spawn(() => sem.acquire());
  assert.equal(await sem.release(), true);
  assert.equal(await gt.wait(), true);
  assert.equal(sem.balance, 0);
});

Deno.test("CappedSemaphore hand-overs resume the caller before the waiter, even when the budget yields", async () => {
  for (const spent of [false, true]) {
    await freshTurn();
    const log: string[] = [];
    const full = new CappedSemaphore(1, 1);
    const releaser = spawn(async () => log.push(`releaser ${await full.release()}`));
    await sleep(0);
    if (spent) spendLoopBudget();
    log.push(`acquirer ${await full.acquire()}`);
    await releaser.wait();
    const empty = new CappedSemaphore(0, 1);
    const acquirer = spawn(async () => log.push(`acquirer ${await empty.acquire()}`));
    await sleep(0);
    if (spent) spendLoopBudget();
    log.push(`releaser ${await empty.release()}`);
    await acquirer.wait();
    assert.deepEqual(
      log,
      ["acquirer true", "releaser true", "releaser true", "acquirer true"],
      `budget spent: ${spent}`,
    );
  }
});

Deno.test("CappedSemaphore balance, locked() and bounded() follow eventlet", async () => {
  assert.equal(new CappedSemaphore(1, 2).balance, 0);
  assert.equal(new CappedSemaphore(2, 3).balance, 1);
  const sem = new CappedSemaphore(0, 1);
  assert.deepEqual([sem.locked(), sem.bounded()], [true, false]);
  const acquirer = spawn(() => sem.acquire());
  await sleep(0);
  assert.equal(sem.balance, -3, "lower 0-1, upper 2-0");
  assert.equal(sem.bounded(), false);
  await sem.release();
  assert.equal(await acquirer.wait(), true);
  await sem.release();
  assert.deepEqual([sem.locked(), sem.bounded(), sem.balance], [false, true, 1]);
  const releaser = spawn(() => sem.release());
  await sleep(0);
  assert.equal(sem.balance, 3, "lower 2-0, upper 0-1");
  assert.equal(sem.locked(), false);
  assert.equal(await sem.acquire(), true);
  assert.equal(await releaser.wait(), true);
  assert.equal(sem.balance, 1);
});

Deno.test("CappedSemaphore with blocking: false resolves false instead of waiting", async () => {
  const sem = new CappedSemaphore(0, 1);
  assert.equal(await sem.acquire({ blocking: false }), false);
  assert.equal(await sem.release({ blocking: false }), true);
  assert.equal(await sem.release({ blocking: false }), false);
  assert.equal(await sem.acquire({ blocking: false }), true);
  assert.equal(sem.balance, -1);
});

Deno.test("CappedSemaphore: waiters killed while parked change no count", async () => {
  const sem = new CappedSemaphore(0, 1);
  const acquirer = spawn(() => sem.acquire());
  await sleep(0);
  await acquirer.kill();
  assert.equal(sem.balance, -1);
  await sem.release();
  const releaser = spawn(() => sem.release());
  await sleep(0);
  await releaser.kill();
  assert.deepEqual([sem.balance, sem.bounded()], [1, true]);
  const log: string[] = [];
  const a = spawn(async () => log.push(`a ${await sem.acquire()}`));
  const b = spawn(async () => log.push(`b ${await sem.acquire()}`));
  await sleep(0);
  await sem.release();
  await a.wait();
  await b.wait();
  assert.deepEqual(log, ["a true", "b true"], "FIFO, and the killed ones took nothing");
});

Deno.test("CappedSemaphore.guard() releases at the end of an await using block", async () => {
  const sem = new CappedSemaphore(1, 1);
  {
    await using _ = await sem.guard();
    assert.equal(sem.locked(), true);
  }
  assert.deepEqual([sem.locked(), sem.bounded()], [false, true]);
});

Deno.test("CappedSemaphore() rejects bad count and limit", () => {
  assert.throws(() => new CappedSemaphore(-1, 2), {
    name: "RangeError",
    message: "Cannot create CappedSemaphore: count must be a non-negative integer, received -1",
  });
  assert.throws(() => new CappedSemaphore(3, 2), {
    name: "RangeError",
    message:
      "Cannot create CappedSemaphore: count must not exceed limit, received count 3 and limit 2",
  });
  assert.throws(() => new CappedSemaphore(1, NaN), RangeError);
  assert.throws(() => new CappedSemaphore(1, "2" as unknown as number), TypeError);
  assert.throws(() => new CappedSemaphore(0, 1).acquire(1 as never), TypeError);
});
