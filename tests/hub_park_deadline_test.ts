/**
 * A park's deadline: the park is itself the entry of the hub's timer heap.
 * What must hold: a deadline decides "timed out" only at its turn in the
 * run queue (a wake-up sent after it came due but before that turn wins),
 * equal deadlines fire in scheduling order whatever kind of entry they
 * are, a deadline set again replaces the old one (also when the old one
 * already came due), and nothing is left counted once waits end.
 */

import assert from "node:assert/strict";
import { Event, GreenletExit, sleep, spawn, Timeout } from "../mod.ts";
import { getHub } from "../hub/hub.ts";
import {
  currentGreenlet,
  type GreenThread,
  newPark,
  type Park,
  resolveAfter,
  setDeadline,
  suspend,
} from "../hub/lowlevel.ts";
import { installMockClock } from "../testing/mod.ts";

const hub = getHub();

/** A greenthread parked on a bare park whose deadline resolves "first" after 1 s. */
async function parkedWithDeadline(): Promise<{ gt: GreenThread<string>; park: Park }> {
  let park: Park | null = null;
  const gt = spawn(() => {
    park = newPark(currentGreenlet(), "renewed");
    setDeadline(park, resolveAfter(1, "first"));
    return suspend<string>(park);
  });
  await sleep(0);
  return { gt, park: park! };
}

Deno.test("a wake-up sent after the deadline came due but before its turn wins", async () => {
  using clock = installMockClock({ autojump: false });
  const evt = new Event<string>();
  const gt = spawn(() => evt.wait(1));
  await sleep(0); // it parks, with its deadline in the heap
  clock.jump(1); // the deadline is collected: its turn is queued
  evt.send("sent");
  assert.equal(await gt.wait(), "sent");
  assert.equal(hub.stats().timers, 0);
});

Deno.test("a deadline that came due with no wake-up ends the wait at its turn", async () => {
  using clock = installMockClock({ autojump: false });
  const evt = new Event<string>();
  const gt = spawn(() => evt.wait(1));
  await sleep(0);
  clock.jump(0.999);
  await sleep(0);
  assert.equal(hub.stats().parked, 1);
  clock.jump(0.001);
  assert.equal(await gt.wait(), undefined);
  evt.send("late"); // nobody waits any more
  assert.equal(hub.stats().timers, 0);
});

Deno.test("equal deadlines fire in scheduling order, parks and hub timers alike", async () => {
  using clock = installMockClock({ autojump: false });
  const order: string[] = [];
  spawn(async () => {
    await sleep(1);
    order.push("sleep A");
  });
  await sleep(0); // A parks first
  const timer = hub.scheduleCallGlobal(1, () => order.push("timer"));
  const b = spawn(async () => {
    try {
      using _ = new Timeout(1);
      await new Event().wait();
    } catch (error) {
      if (!(error instanceof Timeout)) throw error;
      order.push("Timeout B");
    }
  });
  spawn(async () => {
    await sleep(1);
    order.push("sleep C");
  });
  await sleep(0);
  clock.jump(1);
  await sleep(0);
  await b.wait();
  await sleep(0);
  assert.deepEqual(order, ["sleep A", "timer", "Timeout B", "sleep C"]);
  assert.equal(timer.pending, false);
});

Deno.test("a deadline set again while parked replaces the old one", async () => {
  using clock = installMockClock({ autojump: false });
  const { gt, park } = await parkedWithDeadline();
  clock.jump(0.5);
  setDeadline(park, resolveAfter(1, "second")); // now due at 1.5
  assert.equal(hub.stats().timers, 1);
  clock.jump(0.75); // past the first deadline
  await sleep(0);
  assert.equal(gt.dead, false);
  clock.jump(0.25);
  assert.equal(await gt.wait(), "second");
  assert.equal(hub.stats().timers, 0);
});

Deno.test("a deadline set again after the old one came due: the old turn does nothing", async () => {
  using clock = installMockClock({ autojump: false });
  const { gt, park } = await parkedWithDeadline();
  clock.jump(1); // the first deadline is collected: its turn is queued
  setDeadline(park, resolveAfter(1, "second"));
  await sleep(0); // the stale turn runs
  await sleep(0);
  assert.equal(gt.dead, false);
  assert.equal(hub.stats().timers, 1);
  clock.jump(1);
  assert.equal(await gt.wait(), "second");
  assert.equal(hub.stats().timers, 0);
});

Deno.test("a kill after the deadline came due: the queued turn does nothing", async () => {
  using clock = installMockClock({ autojump: false });
  const gt = spawn(() => sleep(1));
  await sleep(0);
  clock.jump(1);
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
  await sleep(0);
  assert.equal(hub.stats().timers, 0);
});

Deno.test("many parks with deadlines, most woken early: counts and heap stay right", async () => {
  const evt = new Event<number>();
  const early = Array.from({ length: 3000 }, () => spawn(() => evt.wait(30)));
  const late = Array.from({ length: 5 }, () => spawn(() => evt.wait(0.02)));
  await sleep(0);
  assert.equal(hub.stats().timers, 3005);
  for (const gt of late) assert.equal(await gt.wait(), undefined);
  evt.send(7);
  for (const gt of early) assert.equal(await gt.wait(), 7);
  assert.equal(hub.stats().timers, 0);
  assert.equal(hub.stats().parked, 0);
});
