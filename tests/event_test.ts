/**
 * Event. Ported scenarios: eventlet's tests/event_test.py and test__event.py.
 */

import assert from "node:assert/strict";
import { Event, GreenletExit, sleep, spawn, Timeout } from "../mod.ts";

Deno.test("Event.send() wakes every waiter with the value, in FIFO order", async () => {
  const evt = new Event<string>();
  const log: string[] = [];
  const waiters = ["a", "b", "c", "d", "e"].map((name) =>
    spawn(async () => log.push(`${name}:${await evt.wait()}`))
  );
  await sleep(0);
  evt.send("go");
  assert.deepEqual(log, [], "send never switches");
  for (const w of waiters) await w.wait();
  assert.deepEqual(log, ["a:go", "b:go", "c:go", "d:go", "e:go"]);
});

Deno.test("Event.wait() after send returns the value at once, every time", async () => {
  const evt = new Event<number>();
  evt.send(5);
  assert.equal(await evt.wait(), 5);
  assert.equal(await evt.wait(), 5);
  assert.equal(evt.ready(), true);
  assert.equal(evt.hasResult(), true);
  assert.equal(evt.hasException(), false);
});

Deno.test("Event.send() twice throws eventlet's message", () => {
  const evt = new Event();
  evt.send();
  assert.throws(() => evt.send(), {
    message: "Trying to re-send() an already-triggered event.",
  });
  assert.throws(() => evt.sendException(new Error("x")), /re-send/);
});

Deno.test("Event.sendException() makes every wait() reject with the error", async () => {
  const evt = new Event();
  const error = new Error("failed");
  const waiter = spawn(() => evt.wait());
  await sleep(0);
  evt.sendException(error);
  await assert.rejects(waiter.wait(), (e) => e === error);
  await assert.rejects(evt.wait(), (e) => e === error);
  assert.equal(evt.hasException(), true);
  assert.equal(evt.hasResult(), false);
});

Deno.test("Event.wait(timeout) resolves undefined when nobody sends in time", async () => {
  const evt = new Event<string>();
  const start = performance.now();
  assert.equal(await evt.wait(0.01), undefined);
  assert.ok(performance.now() - start >= 5);
  assert.equal(await evt.wait(0), undefined, "wait(0) yields then times out");
  evt.send("late");
  assert.equal(await evt.wait(0.01), "late");
});

Deno.test("Event.wait(timeout) returns the value when sent before the timeout", async () => {
  const evt = new Event<string>();
  spawn(async () => {
    await sleep(0.001);
    evt.send("in time");
  });
  assert.equal(await evt.wait(1), "in time");
});

Deno.test("Event.reset() makes it fresh; reset() of a fresh event throws", async () => {
  const evt = new Event<number>();
  assert.throws(() => evt.reset(), { message: "Trying to reset() a fresh event." });
  evt.sendException(new Error("old"));
  evt.reset();
  assert.equal(evt.ready(), false);
  evt.send(2);
  assert.equal(await evt.wait(), 2, "the old exception is not re-delivered");
});

Deno.test("Event.poll() returns the value, notReady, or throws the error", () => {
  const evt = new Event<number>();
  assert.equal(evt.poll(), undefined);
  assert.equal(evt.poll("nope"), "nope");
  evt.send(3);
  assert.equal(evt.poll("nope"), 3);
  const failed = new Event();
  failed.sendException(new Error("bad"));
  assert.throws(() => failed.poll(), /bad/);
});

Deno.test("Event.wait() interrupted by kill leaves the line; later waiters still get the value", async () => {
  const evt = new Event<string>();
  const first = spawn(() => evt.wait());
  const second = spawn(() => evt.wait());
  await sleep(0);
  await first.kill();
  evt.send("value");
  await assert.rejects(first.wait(), GreenletExit);
  assert.equal(await second.wait(), "value");
});

Deno.test("Event.wait() interrupted by a Timeout rejects with it", async () => {
  const evt = new Event();
  const t = new Timeout(0.001);
  await assert.rejects(evt.wait(), (e) => e === t);
});

Deno.test("Event.wait() rejects bad timeouts", () => {
  const evt = new Event();
  assert.throws(() => evt.wait(NaN), RangeError);
  assert.throws(() => evt.wait("1" as unknown as number), TypeError);
});
