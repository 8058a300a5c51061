/**
 * debug: blocking detection and the greenthread and timer listings.
 * Ported scenarios: eventlet's tests/hub_test.py::TestHubBlockingDetector
 * and tests/debug_test.py (format_hub_timers).
 */

import assert from "node:assert/strict";
import {
  BlockingDetected,
  captureSpawnSites,
  formatGreenthreads,
  formatHubTimers,
  hubBlockingDetection,
} from "../debug/mod.ts";
import { Event, sleep, spawn } from "../mod.ts";
import { getHub } from "../hub/mod.ts";
import { installMockClock } from "../testing/mod.ts";
import { greenthreadTable } from "../debug/inspect_data.ts";
import { collectingErrors } from "./hub_helpers.ts";

const hub = getHub();

function busyLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* block the thread */ }
}

Deno.test("hubBlockingDetection() reports a greenthread that busy-loops, by name", async () => {
  await collectingErrors(async (errors) => {
    hubBlockingDetection(true, { resolution: 0.1 });
    try {
      const gt = spawn(async () => {
        await sleep(0.05); // let the watchdog start watching
        busyLoop(300);
        await sleep(0); // the next switch point: the report names this greenthread
      });
      gt.name = "cruncher";
      await gt.wait();
    } finally {
      hubBlockingDetection(false);
    }
    assert.equal(errors.length, 1, `one report, got ${errors.length}`);
    const report = errors[0] as BlockingDetected;
    assert.ok(report instanceof BlockingDetected);
    assert.match(report.message, /Greenthread "cruncher" \(id \d+\) ran for about \d+ ms/);
    assert.ok(report.blockedMs >= 100, `blocked ${report.blockedMs} ms`);
    assert.equal((report.greenthread as { name?: string }).name, "cruncher");
  });
});

Deno.test("hubBlockingDetection() reports nothing for a well-behaved program", async () => {
  await collectingErrors(async (errors) => {
    hubBlockingDetection(true, { resolution: 0.25 });
    try {
      const workers = Array.from({ length: 10 }, () =>
        spawn(async () => {
          for (let i = 0; i < 20; i++) {
            busyLoop(1);
            await sleep(0.005);
          }
        }));
      for (const gt of workers) await gt.wait();
      await sleep(0.2); // idle time is not blocking
    } finally {
      hubBlockingDetection(false);
    }
    assert.deepEqual(errors, []);
  });
});

Deno.test("hubBlockingDetection() rejects a resolution that is not positive", () => {
  assert.throws(() => hubBlockingDetection(true, { resolution: 0 }), RangeError);
  assert.throws(() => hubBlockingDetection(true, { resolution: -1 }), RangeError);
  assert.throws(() => hubBlockingDetection(true, { resolution: NaN }), RangeError);
});

Deno.test("formatGreenthreads() names each greenthread, its state and what it waits on", async () => {
  const evt = new Event();
  const waiter = spawn(() => evt.wait());
  waiter.name = "waiter";
  const sleeper = spawn(() => sleep(5));
  sleeper.name = "sleeper";
  const fresh = spawn(() => {});
  fresh.name = "fresh";
  let listing = formatGreenthreads();
  assert.match(listing, /#0 "main" running/);
  assert.match(listing, /"fresh" ready \(not started\)/);
  await sleep(0);
  listing = formatGreenthreads();
  assert.match(listing, new RegExp(`#${waiter.id} "waiter" parked on Event.wait`));
  assert.match(listing, /"sleeper" parked on sleep \(\d\.\d{3} s left\)/);
  assert.doesNotMatch(listing, /"fresh"/, "dead greenthreads are not listed");
  evt.send();
  await sleeper.kill();
  await waiter.wait();
});

Deno.test("formatGreenthreads() shows where a greenthread was spawned when asked", async () => {
  captureSpawnSites(true);
  let gt;
  try {
    gt = spawn(() => sleep(1));
  } finally {
    captureSpawnSites(false);
  }
  await sleep(0);
  assert.match(formatGreenthreads(), /spawned at .*debug_test\.ts:\d+:\d+/);
  await gt.kill();
  const untracked = spawn(() => sleep(1));
  await sleep(0);
  assert.doesNotMatch(formatGreenthreads(), new RegExp(`#${untracked.id} .*spawned at`));
  await untracked.kill();
});

Deno.test("formatHubTimers() lists pending timers in due order", async () => {
  const late = hub.scheduleCallGlobal(5, function flushLater() {});
  const soon = hub.scheduleCallGlobal(1, function flushSoon() {});
  const gt = spawn(() => sleep(3));
  gt.name = "napper";
  await sleep(0);
  const lines = formatHubTimers().split("\n");
  assert.equal(lines[0], "TIMERS:");
  assert.match(lines[1], /^in 0\.\d{3} s: flushSoon\(\)$|^in 1\.000 s: flushSoon\(\)$/);
  assert.match(lines[2], /^in [23]\.\d{3} s: deadline of #\d+ "napper" in sleep$/);
  assert.match(lines[3], /^in [45]\.\d{3} s: flushLater\(\)$/);
  late.cancel();
  soon.cancel();
  await gt.kill();
  assert.equal(formatHubTimers(), "TIMERS:");
});

Deno.test("formatGreenthreads() names the peer a socket recv waits on", async () => {
  const { connect, listen } = await import("../net/mod.ts");
  const server = listen(["127.0.0.1", 0]);
  const client = await connect(server.addr as [string, number]);
  const [peer] = await server.accept();
  const reader = spawn(() => client.recv(16));
  reader.name = "reader";
  await sleep(0);
  const [, port] = server.addr as [string, number];
  assert.match(
    formatGreenthreads(),
    new RegExp(`"reader" parked on GreenSocket\\.recv from 127\\.0\\.0\\.1:${port}`),
  );
  await reader.kill();
  client.close();
  peer.close();
  server.close();
});

Deno.test("the listings measure time left on the hub's clock: right under a MockClock", async () => {
  using clock = installMockClock({ autojump: false });
  const sleeper = spawn(() => sleep(3600));
  sleeper.name = "hour";
  await sleep(0);
  const leftIn = () => {
    const listed = new RegExp(`"hour" parked on sleep \\((\\d+\\.\\d{3}) s left\\)`)
      .exec(formatGreenthreads());
    const timer = /^in (\d+\.\d{3}) s: deadline of #\d+ "hour" in sleep$/m.exec(formatHubTimers());
    const row = greenthreadTable().rows.find((r) => r.id === sleeper.id);
    assert.ok(listed && timer && row, "the sleeper is listed");
    return [Number(listed[1]), Number(timer[1]), row.deadlineLeft!];
  };
  for (const left of leftIn()) assert.ok(Math.abs(left - 3600) < 1, `${left} s left, not 3600`);
  clock.jump(600);
  for (const left of leftIn()) assert.ok(Math.abs(left - 3000) < 1, `${left} s left, not 3000`);
  await sleeper.kill();
});
