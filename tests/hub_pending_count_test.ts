/**
 * The hub's count of greenlets holding a pending error: `sleep(0)` and the
 * queue's buffered put/get skip looking up their greenlet while it is 0, so
 * it must be exact — never 0 while some greenlet holds one (an error would
 * be skipped), and back to 0 once none does (else those fast paths stay off
 * for good). These tests make pending errors the ways users do (a kill or a
 * Timeout landing while a greenthread awaits a foreign promise) and check
 * both sides.
 */

import assert from "node:assert/strict";
import { GreenletExit, Queue, sleep, spawn, Timeout } from "../mod.ts";
import { pendingErrorCount } from "../hub/lowlevel.ts";

/** A foreign promise (not a switch point) the test settles itself. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => open = resolve);
  return { promise, open };
}

Deno.test("pending count: a greenthread that ends before its kill surfaces leaves none counted", async () => {
  const foreign = gate();
  const gt = spawn(async () => {
    await foreign.promise; // not a switch point: a kill here is kept pending
    return "ended without another switch point";
  });
  await sleep(0);
  const killed = gt.kill();
  assert.equal(pendingErrorCount, 1, "the kill waits for its next switch point");
  foreign.open();
  await killed;
  assert.equal(gt.dead, true);
  assert.equal(pendingErrorCount, 0, "dropped with the greenthread that can no longer see it");
});

Deno.test("pending count: another greenthread's pending kill reaches neither sleep(0) nor a buffered queue", async () => {
  const foreign = gate();
  const log: string[] = [];
  const holder = spawn(async () => {
    await foreign.promise;
    log.push("holder resumed");
    await sleep(0); // its pending kill surfaces here
    log.push("holder went on");
  });
  await sleep(0);
  const killed = holder.kill();
  assert.equal(pendingErrorCount, 1);
  const q = new Queue<number>(10);
  const worker = spawn(async () => {
    for (let i = 0; i < 5; i++) {
      await q.put(i); // buffered: the fast path is off while the count is 1
      await sleep(0);
      log.push(`got ${await q.get()}`);
    }
  });
  await worker.wait();
  assert.deepEqual(log, ["got 0", "got 1", "got 2", "got 3", "got 4"]);
  foreign.open();
  await killed;
  await assert.rejects(holder.wait(), GreenletExit);
  assert.deepEqual(log.slice(5), ["holder resumed"]);
  assert.equal(pendingErrorCount, 0);
});

Deno.test("pending count: a kill pending on a greenthread surfaces at a buffered get and keeps the item", async () => {
  const foreign = gate();
  const q = new Queue<string>(4);
  q.putNowait("kept");
  const gt = spawn(async () => {
    await foreign.promise;
    return await q.get(); // its pending kill surfaces here, before an item is taken
  });
  await sleep(0);
  const killed = gt.kill();
  foreign.open();
  await killed;
  await assert.rejects(gt.wait(), GreenletExit);
  assert.equal(q.qsize(), 1);
  assert.equal(q.getNowait(), "kept");
  assert.equal(pendingErrorCount, 0);
});

Deno.test("pending count: a Timeout that fired during a foreign wait and is cancelled withdraws its count", async () => {
  const gt = spawn(async () => {
    const t = new Timeout(0.001);
    await new Promise((resolve) => setTimeout(resolve, 30)); // foreign: the Timeout fires meanwhile
    const during = pendingErrorCount;
    t.cancel(); // withdraws the error it left pending
    const after = pendingErrorCount;
    await sleep(0); // nothing surfaces now
    return [during, after];
  });
  assert.deepEqual(await gt.wait(), [1, 0]);
  assert.equal(pendingErrorCount, 0);
});
