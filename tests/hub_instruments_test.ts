/**
 * The hub's instrument slot: which hooks fire, in what order, with what;
 * adding, removing, bad input; a throwing instrument is removed and its
 * error reported.
 */

import assert from "node:assert/strict";
import { Event, type GreenThread, sleep, spawn } from "../mod.ts";
import { getHub, type Instrument } from "../hub/mod.ts";
import { captureErrors } from "./hub_helpers.ts";

const hub = getHub();

/** Installs `instrument` for the duration of a `using` block. */
function installed(instrument: Instrument): Disposable {
  hub.instruments.add(instrument);
  return { [Symbol.dispose]: () => void hub.instruments.remove(instrument) };
}

Deno.test("instruments see a greenthread's life: spawn, switches, park and wake, end", async () => {
  const log: string[] = [];
  const evt = new Event();
  let gt: GreenThread | undefined;
  const mine = (g: GreenThread) => g === gt;
  using _ = installed({
    spawned: (g) => {
      gt ??= g; // the first spawn below
      if (mine(g)) log.push("spawned");
    },
    beforeSwitch: (g) => mine(g) && log.push("before"),
    afterSwitch: (g) => mine(g) && log.push("after"),
    parked: (g, what) => mine(g) && log.push(`parked ${what}`),
    woken: (g, what) => mine(g) && log.push(`woken ${what}`),
    ended: (g) => mine(g) && log.push("ended"),
  });
  gt = spawn(async () => {
    await evt.wait();
    await sleep(0);
  });
  await sleep(0); // it starts and parks
  evt.send();
  await gt.wait();
  assert.deepEqual(log, [
    "spawned",
    "before",
    "parked Event.wait",
    "after",
    "woken Event.wait",
    "before",
    "after", // sleep(0) yields
    "before",
    "after",
    "ended",
  ]);
});

Deno.test("instruments see hub timers armed and fired, with their deadline", async () => {
  const armed: number[] = [];
  const fired: number[] = [];
  using _ = installed({ timerArmed: (d) => armed.push(d), timerFired: (d) => fired.push(d) });
  const before = performance.now() / 1000;
  await sleep(0.01);
  assert.equal(armed.length, 1);
  assert.ok(armed[0] >= before + 0.01 && armed[0] < before + 1, `deadline ${armed[0]}`);
  assert.deepEqual(fired, armed);
});

Deno.test("instruments: add twice is once, remove says whether it was there, size counts", () => {
  const a: Instrument = {};
  assert.equal(hub.instruments.size, 0);
  hub.instruments.add(a);
  hub.instruments.add(a);
  assert.equal(hub.instruments.size, 1);
  assert.equal(hub.instruments.has(a), true);
  assert.equal(hub.instruments.remove(a), true);
  assert.equal(hub.instruments.remove(a), false);
  assert.equal(hub.instruments.size, 0);
  assert.throws(
    () => hub.instruments.add(null as unknown as Instrument),
    {
      name: "TypeError",
      message: "Cannot add instrument: instrument must be an object, received null",
    },
  );
});

Deno.test("instruments: one that throws is removed and its error goes to hub.onError", async () => {
  using capture = captureErrors();
  const boom = new Error("instrument failed");
  const calls: string[] = [];
  const bad: Instrument = {
    spawned: () => {
      throw boom;
    },
  };
  const good: Instrument = { spawned: () => calls.push("good") };
  hub.instruments.add(bad);
  using _ = installed(good);
  await spawn(() => {}).wait();
  await spawn(() => {}).wait();
  assert.equal(hub.instruments.has(bad), false);
  assert.deepEqual(capture.errors, [boom]);
  assert.deepEqual(calls, ["good", "good"]);
});
