/**
 * Review of the hot-path changes in hub/ and green/: orderings, kills and
 * deadlines that must behave as before the memory and speed work.
 */

import assert from "node:assert/strict";
import { Event, GreenletExit, GreenPool, sleep, spawn } from "../mod.ts";
import { getHub } from "../hub/hub.ts";
import { GreenletCore } from "../hub/greenlet_core.ts";
import { EndWatchers } from "../hub/greenthread_rare.ts";
import { installMockClock } from "../testing/mod.ts";

const hub = getHub();

Deno.test("a park woken before its deadline comes due resumes at its wake-up's turn", async () => {
  using clock = installMockClock({ autojump: false });
  const first = new Event<string>();
  const second = new Event<string>();
  const order: string[] = [];
  const a = spawn(async () => order.push(`a:${await first.wait(1)}`));
  const b = spawn(async () => order.push(`b:${await second.wait()}`));
  await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0)); // both park
  first.send("x"); // a is woken first: its turn is queued
  second.send("y"); // then b
  clock.jump(1); // a's deadline comes due while its wake-up's turn waits
  await a.wait();
  await b.wait();
  assert.deepEqual(order, ["a:x", "b:y"]);
  assert.equal(hub.stats().timers, 0);
});

Deno.test("sleep(0) ping-pong interleaves, and a kill during sleep(0) stops the loop there", async () => {
  const order: string[] = [];
  let stepsAfterKill = 0;
  let killed = false;
  const a = spawn(async () => {
    for (;;) {
      await sleep(0);
      if (killed) stepsAfterKill++;
      order.push("a");
    }
  });
  const b = spawn(async () => {
    for (let i = 0; i < 3; i++) {
      order.push("b");
      await sleep(0);
    }
    killed = true;
    a.kill();
  });
  await b.wait();
  await assert.rejects(a.wait(), GreenletExit);
  assert.equal(stepsAfterKill, 0);
  assert.deepEqual(order.slice(0, 4), ["b", "a", "b", "a"]);
});

Deno.test("imap over an array leaves it untouched and reads items appended while it runs", async () => {
  const input = [1, 2, 3];
  const snapshot = [...input];
  const pool = new GreenPool(2);
  const seen: number[] = [];
  for await (const x of pool.imap((n: number) => n * 10, input)) {
    seen.push(x);
    if (x === 10) input.push(4);
  }
  assert.deepEqual(seen, [10, 20, 30, 40]);
  assert.deepEqual(input, [...snapshot, 4]);
  await pool.waitall();
});

Deno.test("a waiter of wait() killed while it waits leaves the line; the others get the result in order", async () => {
  const gate = new Event();
  const target = spawn(async () => {
    await gate.wait();
    return "done";
  });
  const order: string[] = [];
  const waiter = (name: string) =>
    spawn(async () => {
      try {
        order.push(`${name}:${await target.wait()}`);
      } catch (error) {
        order.push(`${name}:${error instanceof GreenletExit ? "killed" : error}`);
      }
    });
  const a = waiter("a");
  const b = waiter("b");
  const c = waiter("c");
  await sleep(0); // all three park in target's line of waiters
  assert.equal(hub.stats().parked, 4); // target on the gate, a, b and c on target
  await b.kill();
  assert.equal(hub.stats().parked, 3); // b left the line by itself
  gate.send();
  await Promise.all([a.wait(), b.wait(), c.wait()]);
  assert.deepEqual(order, ["b:killed", "a:done", "c:done"]);
  assert.equal(hub.stats().parked, 0);
});

Deno.test("kill() of a greenthread that others wait for: killer and waiters resume once it has ended", async () => {
  const order: string[] = [];
  const target = spawn(async () => {
    try {
      await sleep(10);
    } finally {
      await sleep(0); // cleanup with a switch point: the killer waits for it
      order.push("target cleaned up");
    }
  });
  const waiter = spawn(async () => {
    try {
      await target.wait();
    } catch (error) {
      order.push(`waiter:${error instanceof GreenletExit}`);
    }
  });
  await sleep(0);
  await target.kill();
  order.push("killer");
  await waiter.wait();
  // Woken in the order they began to wait: the waiter parked before the killer.
  assert.deepEqual(order, ["target cleaned up", "waiter:true", "killer"]);
  assert.equal(hub.stats().parked, 0);
});

Deno.test("GreenletCore and EndWatchers stay allocated inline: no state in a base class", () => {
  // V8 allocates an instance of a derived class inline only when its base
  // class does nothing (hub/greenlet_core.ts gives the figure): GreenThread's
  // base must stay empty, and EndWatchers must not extend a class with fields.
  assert.match(Function.prototype.toString.call(GreenletCore), /^class GreenletCore\s*\{\s*\}$/);
  assert.deepEqual(Reflect.ownKeys(new GreenletCore()), []);
  assert.equal(Object.getPrototypeOf(GreenletCore), Function.prototype);
  assert.equal(Object.getPrototypeOf(EndWatchers), Function.prototype);
});
