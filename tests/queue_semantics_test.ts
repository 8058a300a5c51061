/**
 * The queue family beyond eventlet's own tests: exact orderings (docs/orderings.md), FIFO
 * putters, resize, pending errors, kill/timeout taking or adding nothing,
 * taskDone/join and close (README: the queue family).
 */

import assert from "node:assert/strict";
import { LightQueue, Queue, QueueClosed, QueueEmpty, QueueFull } from "../green/queue.ts";
import { Event } from "../green/event.ts";
import { GreenletExit } from "../hub/greenthread.ts";
import { sleep } from "../green/sleep.ts";
import { spawn } from "../green/spawn.ts";
import { getHub } from "../hub/hub.ts";

const hub = getHub();

// --------------------------------------------- switch points and orderings

Deno.test("Queue.put() into a non-full queue never switches, even with a getter waiting", async () => {
  const q = new Queue<string>();
  const log: unknown[] = [];
  const gt = spawn(async () => log.push(["got", await q.get()]));
  await sleep(0);
  await q.put("z");
  log.push("after put");
  await gt.wait();
  assert.deepEqual(log, ["after put", ["got", "z"]]);
});

Deno.test("Queue(0).putNowait() throws QueueFull without a parked getter, hands over with one", async () => {
  const q = new Queue<number>(0);
  assert.throws(() => q.putNowait(1), QueueFull);
  assert.equal(q.unfinishedTasks, 0);
  const g = spawn(() => q.get());
  await sleep(0);
  q.putNowait(2);
  assert.equal(q.getting(), 0);
  assert.equal(await g.wait(), 2);
  assert.equal(q.unfinishedTasks, 1);
});

Deno.test("Queue.put() parked putters are served first come first served", async () => {
  const q = new Queue<string>(1);
  await q.put("x");
  const order: string[] = [];
  const putters = ["a", "b", "c"].map((s) =>
    spawn(async () => {
      await q.put(s);
      order.push(s);
    })
  );
  await sleep(0);
  assert.equal(q.putting(), 3);
  const got = [];
  for (let i = 0; i < 4; i++) got.push(await q.get());
  assert.deepEqual(got, ["x", "a", "b", "c"]);
  for (const gt of putters) await gt.wait();
  assert.deepEqual(order, ["a", "b", "c"]);
});

Deno.test("Queue.resize() up admits parked putters in FIFO order, as many as fit", async () => {
  const q = new Queue<number>(1);
  q.putNowait(0);
  const putters = [1, 2, 3].map((n) => spawn(() => q.put(n)));
  await sleep(0);
  q.resize(3);
  assert.equal(q.qsize(), 3);
  assert.equal(q.putting(), 1);
  assert.deepEqual([q.getNowait(), q.getNowait(), q.getNowait()], [0, 1, 2]);
  assert.equal(q.qsize(), 1, "each get let the next putter in");
  assert.equal(q.getNowait(), 3);
  for (const gt of putters) await gt.wait();
});

Deno.test("Queue.get() delivers a pending kill even with items present; the item stays", async () => {
  const q = new Queue<number>();
  await q.put(1);
  const started = new Event();
  let release!: () => void;
  const foreign = new Promise<void>((r) => release = r);
  const gt = spawn(async () => {
    started.send();
    await foreign; // not a switch point: a kill waits for the next one
    return await q.get();
  });
  await started.wait();
  const killed = gt.kill();
  release();
  await killed;
  await assert.rejects(gt.wait(), GreenletExit);
  assert.equal(q.qsize(), 1);
  assert.equal(q.getNowait(), 1);
});

// ------------------------------------------------------------ kill, timeout

Deno.test("Queue.put() delivers a pending kill even with room; the item is not added", async () => {
  const q = new Queue<number>();
  let release!: () => void;
  const foreign = new Promise<void>((r) => release = r);
  const gt = spawn(async () => {
    await foreign;
    await q.put(1);
  });
  await sleep(0);
  const killed = gt.kill();
  release();
  await killed;
  await assert.rejects(gt.wait(), GreenletExit);
  assert.equal(q.qsize(), 0);
  assert.equal(q.unfinishedTasks, 0);
});

Deno.test("Queue.get({ timeout }) woken by a put gets the item and drops its deadline", async () => {
  const q = new Queue<string>();
  const timers = hub.stats().timers;
  const gt = spawn(() => q.get({ timeout: 5 }));
  await sleep(0);
  assert.equal(hub.stats().timers, timers + 1);
  await q.put("in time");
  assert.equal(await gt.wait(), "in time");
  assert.equal(hub.stats().timers, timers, "the 5 s timer was cancelled");
});

Deno.test("Queue(0).put({ block: false }) hands over to a parked getter in lockstep", async () => {
  const q = new Queue<number>(0);
  const log: string[] = [];
  const g = spawn(async () => log.push(`got ${await q.get()}`));
  await sleep(0);
  await q.put(1, { block: false });
  log.push("put done");
  assert.deepEqual(log, ["got 1", "put done"]);
  await g.wait();
  await assert.rejects(q.put(2, { block: false }), QueueFull);
});

Deno.test("Queue.get() killed while parked takes no item; the next getter gets it", async () => {
  const q = new Queue<string>();
  const first = spawn(() => q.get());
  const second = spawn(() => q.get());
  await sleep(0);
  await first.kill();
  assert.equal(q.getting(), 1);
  await q.put("item");
  assert.equal(await second.wait(), "item");
  await assert.rejects(first.wait(), GreenletExit);
});

Deno.test("Queue.put() killed while parked does not add its item", async () => {
  const q = new Queue<string>(1);
  await q.put("a");
  const gt = spawn(() => q.put("lost"));
  const after = spawn(() => q.put("b"));
  await sleep(0);
  assert.equal(q.putting(), 2);
  await gt.kill();
  assert.equal(q.putting(), 1);
  assert.equal(await q.get(), "a");
  assert.equal(await q.get(), "b");
  assert.equal(q.qsize(), 0);
  assert.equal(q.unfinishedTasks, 2, "the killed put added no task");
  await after.wait();
});

Deno.test("Queue.put() whose item was taken completes; a kill meanwhile waits for the next switch point", async () => {
  const q = new Queue<string>(0);
  const log: string[] = [];
  const putter = spawn(async () => {
    await q.put("x");
    log.push("put done");
    await sleep(0);
    log.push("never");
  });
  await sleep(0);
  assert.equal(q.getNowait(), "x"); // the putter is woken: its put has succeeded
  await putter.kill();
  assert.deepEqual(log, ["put done"]);
  await assert.rejects(putter.wait(), GreenletExit);
});

Deno.test("Queue.get() handed an item keeps it when killed before it resumes", async () => {
  const q = new Queue<string>();
  const got: string[] = [];
  const gt = spawn(async () => {
    got.push(await q.get());
    await sleep(0);
  });
  await sleep(0);
  q.putNowait("mine");
  await gt.kill();
  assert.deepEqual(got, ["mine"], "the effect happened; the kill came at the next switch point");
  assert.equal(q.qsize(), 0);
  await assert.rejects(gt.wait(), GreenletExit);
});

Deno.test("Queue.get({ timeout }) rejects QueueEmpty; items are neither lost nor duplicated", async () => {
  const q = new Queue<number>();
  const t0 = performance.now();
  await assert.rejects(q.get({ timeout: 0.02 }), QueueEmpty);
  assert.ok(performance.now() - t0 >= 15);
  assert.equal(q.getting(), 0);
  // Mixed: getters with short timeouts and a steady one; every item lands once.
  const got: number[] = [];
  const timedOut: number[] = [];
  const gts = [0, 1, 2].map((i) =>
    spawn(async () => {
      try {
        got.push(await q.get({ timeout: 0.005 }));
      } catch (e) {
        assert.ok(e instanceof QueueEmpty);
        timedOut.push(i);
      }
    })
  );
  await sleep(0);
  await q.put(10);
  await sleep(0.03);
  await q.put(11);
  for (const gt of gts) await gt.wait();
  assert.deepEqual(got, [10]);
  assert.deepEqual(timedOut, [1, 2]);
  assert.equal(q.getNowait(), 11);
  assert.equal(q.unfinishedTasks, 2);
});

Deno.test("Queue.put({ timeout }) rejects QueueFull and does not add the item", async () => {
  const q = new Queue<number>(1);
  await q.put(1);
  await assert.rejects(q.put(2, { timeout: 0.01 }), (e: unknown) => {
    assert.ok(e instanceof QueueFull);
    assert.match((e as Error).message, /full for 0\.01 seconds/);
    return true;
  });
  await assert.rejects(q.put(3, { timeout: 0 }), QueueFull);
  await assert.rejects(q.put(4, { timeout: -5 }), QueueFull);
  assert.equal(q.putting(), 0);
  assert.equal(q.qsize(), 1);
  assert.equal(q.unfinishedTasks, 1);
  assert.equal(q.getNowait(), 1);
  assert.throws(() => q.getNowait(), QueueEmpty);
});

Deno.test("Queue put/get with block: false ignore timeout and reject at once", async () => {
  const q = new Queue<number>(1);
  const timers = hub.stats().timers;
  const t0 = performance.now();
  await assert.rejects(q.get({ block: false, timeout: 10 }), QueueEmpty);
  await q.put(1, { block: false, timeout: 10 });
  await assert.rejects(q.put(2, { block: false, timeout: 10 }), QueueFull);
  assert.equal(hub.stats().timers, timers, "no timer was armed");
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(await q.get({ block: false }), 1);
});

Deno.test("Queue.get() with block: false on a channel takes a parked putter's item", async () => {
  const q = new Queue<number>(0);
  const p = spawn(() => q.put(7));
  await sleep(0);
  assert.equal(await q.get({ block: false }), 7);
  await p.wait();
  await assert.rejects(q.get({ block: false }), QueueEmpty);
});

// -------------------------------------------------------------- task_done

Deno.test("Queue.taskDone() called more times than items were put throws RangeError", () => {
  const q = new Queue<number>();
  assert.throws(() => q.taskDone(), RangeError);
  q.putNowait(1);
  q.taskDone();
  assert.throws(() => q.taskDone(), /more times than items were put/);
});

Deno.test("Queue.join() waits until taskDone() was called for every item", async () => {
  const q = new Queue<number>();
  const log: string[] = [];
  for (let i = 0; i < 3; i++) await q.put(i);
  const joiners = ["j1", "j2"].map((name) =>
    spawn(async () => {
      await q.join();
      log.push(name);
    })
  );
  const worker = spawn(async () => {
    for (let i = 0; i < 3; i++) {
      log.push(`got ${await q.get()}`);
      await sleep(0);
      q.taskDone();
    }
  });
  await worker.wait();
  for (const gt of joiners) await gt.wait();
  assert.deepEqual(log, ["got 0", "got 1", "got 2", "j1", "j2"]);
  assert.equal(q.unfinishedTasks, 0);
});

Deno.test("Queue.join() killed while waiting just leaves", async () => {
  const q = new Queue<number>();
  q.putNowait(1);
  const gt = spawn(() => q.join());
  await sleep(0);
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
  q.getNowait();
  q.taskDone();
  await q.join();
});

Deno.test("LightQueue has no taskDone() or join()", () => {
  const q = new LightQueue<number>();
  assert.equal("taskDone" in q, false);
  assert.equal("join" in q, false);
});

// ------------------------------------------------------------------- close

Deno.test("Queue.close(): getters drain what is left, then reject QueueClosed", async () => {
  const q = new Queue<number>();
  await q.put(1);
  await q.put(2);
  q.close();
  assert.equal(q.closed, true);
  assert.equal(await q.get(), 1);
  assert.equal(q.getNowait(), 2);
  await assert.rejects(q.get(), QueueClosed);
  assert.throws(() => q.getNowait(), QueueClosed);
  await assert.rejects(q.get({ block: false }), QueueClosed);
  q.close(); // twice: nothing
});

Deno.test("Queue.close(): later puts throw QueueClosed; parked putters reject without adding", async () => {
  const q = new Queue<string>(1);
  await q.put("kept");
  const parked = spawn(() => q.put("dropped"));
  await sleep(0);
  q.close();
  await assert.rejects(parked.wait(), QueueClosed);
  await assert.rejects(q.put("late"), QueueClosed);
  assert.throws(() => q.putNowait("late"), QueueClosed);
  assert.equal(q.putting(), 0);
  assert.equal(q.qsize(), 1);
  assert.equal(await q.get(), "kept");
  await assert.rejects(q.get(), QueueClosed);
  assert.equal(q.unfinishedTasks, 1);
});

Deno.test("Queue.close() wakes parked getters with QueueClosed", async () => {
  const q = new Queue<number>();
  const gts = [0, 1].map(() => spawn(() => q.get().catch((e: unknown) => e)));
  await sleep(0);
  q.close();
  assert.equal(q.getting(), 0);
  for (const gt of gts) assert.ok((await gt.wait()) instanceof QueueClosed);
});
