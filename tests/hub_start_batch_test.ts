/**
 * Spawns made one after the other share one run-queue entry and one
 * microtask (a start group, hub/greenthread_start.ts). That must not be
 * visible: every start keeps its place in run-queue order among
 * resumptions, before what the starts ahead of it queued, and after what
 * its spawner did at once; a start made from a timer (spawnAfter) comes
 * after what the timer's instruments queued; `hub.stats()` counts each
 * start as an entry. A kill that lands on a greenthread of a group before
 * its turn, and a start that throws, leave the rest of the group as they
 * were. (That the newest group keeps no ended greenthread alive is
 * tests/local_test.ts's test_no_leaking, which failed while it did.)
 */

import assert from "node:assert/strict";
import {
  Event,
  getHub,
  GreenletExit,
  type GreenThread,
  Queue,
  sleep,
  spawn,
  spawnAfter,
} from "../mod.ts";
import { RUN, RunQueue } from "../hub/run_queue.ts";
import { installMockClock } from "../testing/mod.ts";

Deno.test("start batches: starts keep run-queue order around a resumption", async () => {
  const log: string[] = [];
  const event = new Event<string>();
  const waiter = spawn(async () => {
    log.push(`waiter got ${await event.wait()}`);
  });
  await sleep(0); // the waiter parks in event.wait()
  const starter = (name: string) =>
    spawn(async () => {
      log.push(`${name} started`);
      await Promise.resolve(); // a foreign await: resumes behind what was queued before
      log.push(`${name} continued`);
    });
  // Run queue: a, b, the waiter's wake-up, c, d.
  const gts = [starter("a"), starter("b")];
  event.send("x");
  gts.push(starter("c"), starter("d"));
  await Promise.all([waiter.wait(), ...gts.map((gt) => gt.wait())]);
  assert.deepEqual(log, [
    "a started",
    "b started",
    "waiter got x",
    "c started",
    "d started",
    "a continued",
    "b continued",
    "c continued",
    "d continued",
  ]);
});

Deno.test("start batches: what the spawner does at once comes before the new greenthreads", async () => {
  const log: string[] = [];
  const queue = new Queue<number>(10);
  spawn(() => log.push("a"));
  spawn(() => log.push("b"));
  await queue.put(1); // room: completes at once, no switch to a or b
  log.push("spawner after put");
  await sleep(0);
  assert.deepEqual(log, ["spawner after put", "a", "b"]);
});

Deno.test("start batches: a kill before its turn skips one start, the rest run in order", async () => {
  const log: string[] = [];
  const names = ["a", "b", "c", "d", "e"];
  const gts: GreenThread<unknown>[] = names.map((name) =>
    spawn(() => {
      log.push(name);
      // a kills d, queued behind it in the same pump and not started yet.
      if (name === "a") gts[3].kill();
    })
  );
  gts[1].kill(); // b: killed before the pump reached it
  const outcomes = await Promise.allSettled(gts.map((gt) => gt.wait()));
  assert.deepEqual(log, ["a", "c", "e"]);
  assert.deepEqual(outcomes.map((o) => o.status), [
    "fulfilled",
    "rejected",
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);
  for (const i of [1, 3]) {
    const outcome = outcomes[i] as PromiseRejectedResult;
    assert.ok(outcome.reason instanceof GreenletExit, `${names[i]} ended by its kill`);
  }
});

Deno.test("start batches: a start that throws leaves the others of its pump running", async () => {
  const log: string[] = [];
  const gts = [0, 1, 2, 3].map((i) =>
    spawn(() => {
      log.push(`start ${i}`);
      if (i === 1) throw new RangeError("boom in 1");
      return i * 10;
    })
  );
  await assert.rejects(gts[1].wait(), { name: "RangeError", message: "boom in 1" });
  assert.deepEqual(await Promise.all([0, 2, 3].map((i) => gts[i].wait())), [0, 20, 30]);
  assert.deepEqual(log, ["start 0", "start 1", "start 2", "start 3"]);
});

Deno.test("start batches: a greenthread spawned by a start begins after the whole burst", async () => {
  const log: string[] = [];
  const inner: Promise<unknown>[] = [];
  const gts = [0, 1, 2].map((i) =>
    spawn(() => {
      log.push(`outer ${i}`);
      if (i === 0) inner.push(spawn(() => log.push("inner")).wait());
    })
  );
  await Promise.all(gts.map((gt) => gt.wait()));
  await Promise.all(inner);
  assert.deepEqual(log, ["outer 0", "outer 1", "outer 2", "inner"]);
});

Deno.test("start batches: 10,000 spawns in one burst each start once, in spawn order", async () => {
  const order: number[] = [];
  const gts = Array.from({ length: 10_000 }, (_, i) => spawn(() => order.push(i)));
  await Promise.all(gts.map((gt) => gt.wait()));
  assert.equal(order.length, 10_000);
  assert.ok(order.every((value, i) => value === i), "started in spawn order");
});

// A start made from a timer's entry (spawnAfter) comes after the timer's
// instruments, which may run user code: what that code queued must still
// run before the start, as with a microtask per start.

/**
 * Adds an instrument that, at the `n`th timer to fire, removes itself and
 * settles a promise whose reaction logs "observer"; then runs `spawnBoth`
 * (which logs "a" and "b" from two greenthreads) and returns the log.
 */
async function startsAroundAnObserver(
  n: number,
  spawnBoth: (log: string[]) => GreenThread<unknown>[],
): Promise<string[]> {
  const log: string[] = [];
  let settle!: () => void;
  new Promise<void>((resolve) => settle = resolve).then(() => log.push("observer"));
  let fired = 0;
  const observer = {
    timerFired() {
      if (++fired < n) return;
      getHub().instruments.remove(observer);
      settle();
    },
  };
  getHub().instruments.add(observer);
  await Promise.all(spawnBoth(log).map((gt) => gt.wait()));
  await sleep(0);
  return log;
}

Deno.test("start batches: a spawnAfter(0) start comes after what its timer's instrument queued", async () => {
  const log = await startsAroundAnObserver(1, (log) => [
    spawn(() => log.push("a")),
    spawnAfter(0, () => log.push("b")),
  ]);
  assert.deepEqual(log, ["a", "observer", "b"]);
});

Deno.test("start batches: two spawnAfter timers due in one pump keep an instrument's work between them", async () => {
  const log = await startsAroundAnObserver(2, (log) => [
    spawnAfter(0.005, () => log.push("a")),
    spawnAfter(0.005, () => log.push("b")),
  ]);
  assert.deepEqual(log, ["a", "observer", "b"]);
});

Deno.test("start batches: a throwing timerFired hook's hub.onError work runs before the spawnAfter start", async () => {
  const log: string[] = [];
  const hub = getHub();
  const old = hub.onError;
  hub.onError = () => queueMicrotask(() => log.push("onError"));
  const failing = {
    timerFired() {
      throw new Error("hook fails");
    },
  };
  hub.instruments.add(failing);
  try {
    const a = spawn(() => log.push("a"));
    const b = spawnAfter(0, () => log.push("b"));
    await Promise.all([a.wait(), b.wait()]);
    await sleep(0);
  } finally {
    hub.onError = old;
    hub.instruments.remove(failing); // the hub dropped it when it threw; this is a no-op then
  }
  assert.deepEqual(log, ["a", "onError", "b"]);
});

Deno.test("start groups: a step joins only the newest entry, and only until a pump takes it", async () => {
  const ran: string[] = [];
  const runq = new RunQueue({ pumping() {}, loopResumed() {} });
  const entry = (name: string) => ({
    [RUN]() {
      ran.push(name);
      if (name === "a") runq.ranJoined(1); // as a StartGroup does for the step that joined it
      // Inside the pump: the pump took it, so nothing may join it now.
      ran.push(`${name} newest: ${runq.newest === this}`);
    },
  });
  const a = entry("a");
  const b = entry("b");
  runq.schedule(a);
  assert.equal(runq.newest, a);
  runq.joinedNewest();
  assert.equal(runq.length, 2, "a step that joined counts as an entry");
  runq.schedule(b);
  assert.notEqual(runq.newest, a, "b is queued after a");
  assert.equal(runq.newest, b);
  const switches = runq.switches;
  await Promise.resolve(); // the pump is a microtask
  assert.deepEqual(ran, ["a", "a newest: false", "b", "b newest: false"]);
  assert.equal(runq.newest, null, "b was taken by the pump");
  assert.equal(runq.length, 0);
  assert.equal(runq.switches - switches, 3, "a, the step that joined it, and b");
});

Deno.test("start groups: hub.stats() counts each start as ready, then as a switch", async () => {
  const hub = getHub();
  const before = hub.stats();
  const gts = Array.from({ length: 150 }, (_, i) => spawn(() => i)); // three groups
  assert.equal(hub.stats().ready, before.ready + 150);
  assert.equal((await Promise.all(gts.map((gt) => gt.wait()))).length, 150);
  const after = hub.stats();
  assert.equal(after.ready, 0);
  assert.ok(
    after.switches - before.switches >= 150,
    `${after.switches - before.switches} switches`,
  );
});

Deno.test("start groups: nothing joins an entry a due timer queued once the pump took it", async () => {
  // A due timer runs first in its pump, and what it queues runs in the same
  // pump. An entry that ran before that one must not be able to add to it:
  // a spawn there would start a pump early, ahead of the next pump's due
  // timers (found by review: a sleeper's wake-up came after such a start).
  const seen: string[] = [];
  const runq = new RunQueue({ pumping() {}, loopResumed() {} });
  const queuedByTimer = { [RUN]: () => seen.push("entry the timer queued") };
  runq.schedule({
    [RUN]: () =>
      seen.push(`entry queued first: may join the other? ${runq.newest === queuedByTimer}`),
  });
  runq.scheduleDue({
    [RUN]() {
      runq.schedule(queuedByTimer);
      seen.push(`due timer: may join what it queued? ${runq.newest === queuedByTimer}`);
    },
  });
  await Promise.resolve();
  assert.deepEqual(seen, [
    "due timer: may join what it queued? true",
    "entry queued first: may join the other? false",
    "entry the timer queued",
  ]);
});

Deno.test("start groups: a spawn from a due timer does not join a group queued before the pump (it requests the next pump, as an entry of its own did)", async () => {
  const hub = getHub();
  const clock = installMockClock({ autojump: false });
  const log: string[] = [];
  try {
    const event = new Event();
    spawn(async () => {
      await event.wait();
      queueMicrotask(() => log.push("m1"));
    });
    await sleep(0); // it parks
    hub.scheduleCallGlobal(1, () => {}); // due at t=1
    let spawnedX = false;
    const instrument = {
      timerFired(deadline: number) {
        if (deadline > 0 && !spawnedX) { // the due phase
          spawnedX = true;
          spawn(() => log.push("X"));
        } else if (deadline === 0) spawn(() => log.push("Z")); // an entry after the wake-up
      },
    };
    hub.instruments.add(instrument);
    try {
      clock.jump(1);
      event.send(); // entry 1: the wake-up (its greenthread then queues m1)
      hub.scheduleCallGlobal(0, () => {}); // entry 2: spawns Z
      const a = spawn(() => log.push("A")); // entry 3: A's group, the newest entry
      await a.wait();
      await sleep(0);
      await sleep(0);
    } finally {
      hub.instruments.remove(instrument);
    }
  } finally {
    clock[Symbol.dispose]();
  }
  assert.deepEqual(log, ["A", "X", "Z", "m1"]);
});

Deno.test("start groups: hub.stats() seen from inside a pump still counts the starts queued behind", async () => {
  const hub = getHub();
  const event = new Event();
  const resumed = spawn(() => event.wait());
  await sleep(0); // it parks
  let seen = -1;
  const instrument = {
    beforeSwitch(gt: GreenThread<unknown>) {
      if (gt === resumed) seen = hub.stats().ready; // in the pump, at the wake-up's turn
    },
  };
  hub.instruments.add(instrument);
  try {
    event.send(); // the wake-up: an entry
    const gts = [spawn(() => 1), spawn(() => 2), spawn(() => 3)]; // one group behind it
    await Promise.all([resumed.wait(), ...gts.map((gt) => gt.wait())]);
  } finally {
    hub.instruments.remove(instrument);
  }
  assert.equal(seen, 3, "the three starts behind the wake-up are still ready");
});
