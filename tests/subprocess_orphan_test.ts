/**
 * subprocess: a greenthread killed while it waits on its child leaves no
 * orphan. The child gets SIGTERM (and SIGKILL after the grace period when
 * it ignores SIGTERM), is reaped (its pid disappears from /proc), and its
 * pipes are closed, so nothing leaks.
 */

import assert from "node:assert/strict";
import { kill, sleep, spawn } from "../mod.ts";
import { GreenletExit } from "../green/mod.ts";
import { getHub } from "../hub/mod.ts";
import { type GreenProcess, spawnProcess } from "../subprocess/mod.ts";
import { installMockClock } from "../testing/mod.ts";
import { captureErrors } from "./hub_helpers.ts";
import { alive } from "./subprocess_helpers.ts";

/** Waits (up to `seconds`) for the pid to leave /proc; resolves how long that took. */
async function gone(pid: number, seconds: number): Promise<number> {
  const start = performance.now();
  while (alive(pid)) {
    if (performance.now() - start > seconds * 1000) {
      throw new Error(`process ${pid} still exists after ${seconds} s`);
    }
    await sleep(0.01);
  }
  return (performance.now() - start) / 1000;
}

Deno.test("killing the greenthread in wait() terminates and reaps the child", async () => {
  const p = spawnProcess("sleep", { args: ["30"] });
  const waiter = spawn(() => p.wait());
  await sleep(0.05);
  assert.ok(alive(p.pid));
  await waiter.kill();
  await assert.rejects(waiter.wait(), GreenletExit);
  const took = await gone(p.pid, 2);
  assert.ok(took < 1, `took ${took} s`);
  // Reaped first, then Deno delivers the status: wait() sees it at once.
  assert.equal(await p.wait({ timeout: 1 }), -15);
  assert.equal(p.returncode, -15);
});

Deno.test("killing the greenthread in communicate() ends the child and its pumps", async () => {
  const p = spawnProcess("sh", {
    args: ["-c", "echo started; exec sleep 30"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const talker = spawn(() => p.communicate("input nobody reads"));
  await sleep(0.1);
  const pumps = () => getHub().greenthreads().filter((g) => /^communicate: /.test(g.name));
  assert.equal(pumps().length, 2); // stdout and stderr: the input fit in the pipe
  {
    using capture = captureErrors(); // a kill with a custom error ends the greenthread as failed
    await kill(talker, new Error("custom kill"));
    assert.match(String(capture.errors[0]), /custom kill/);
  }
  await assert.rejects(talker.wait(), /custom kill/);
  await gone(p.pid, 2);
  assert.equal(await p.wait(), -15);
  await sleep(0.02); // the pumps see their pipes closed and end
  assert.equal(pumps().length, 0);
});

Deno.test("a child that ignores SIGTERM gets SIGKILL after the grace period", async () => {
  // exec keeps the ignored SIGTERM: sleep itself ignores it.
  const p = spawnProcess("sh", { args: ["-c", "trap '' TERM; exec sleep 30"] });
  await sleep(0.1); // let the shell install the trap before the kill
  const waiter = spawn((proc: GreenProcess) => proc.wait(), p);
  await sleep(0.01);
  {
    // The grace period is a hub timer: on the mock clock it passes at once.
    // A threshold far above the real waits below: only our sleeps move it.
    using clock = installMockClock({ autojumpThreshold: 60 });
    const start = clock.now();
    await waiter.kill();
    await new Promise((resolve) => setTimeout(resolve, 200)); // real time for SIGTERM to land
    assert.ok(alive(p.pid), "SIGTERM is ignored: still alive during the grace period");
    await sleep(4.99);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(alive(p.pid), "no SIGKILL before the grace period ends");
    await sleep(0.01); // the grace timer, scheduled before this sleep, fires first
    assert.equal((clock.now() - start).toFixed(3), "5.000");
  }
  await gone(p.pid, 2); // SIGKILL was sent: the child goes in real time
  assert.equal(await p.wait({ timeout: 1 }), -9);
});

Deno.test("a kill landing in wait() after the child ended signals nothing and arms no timer", async () => {
  const p = spawnProcess("true");
  assert.equal(await p.wait(), 0);
  const waiter = spawn(async () => {
    // A foreign await: the kill waits for the next switch point, wait().
    await new Promise((resolve) => setTimeout(resolve, 20));
    return await p.wait();
  });
  await sleep(0.001);
  await waiter.kill();
  await assert.rejects(waiter.wait(), GreenletExit);
  assert.equal(getHub().stats().timers, 0, "no SIGKILL scheduled for a child long gone");
  assert.equal(p.returncode, 0);
});
