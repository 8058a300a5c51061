/**
 * GreenThread links and error reporting: link() order, arguments, context
 * and failures, links added by a link, unlink(), and which errors of
 * greenthreads nobody waits for reach hub.onError.
 */

import assert from "node:assert/strict";
import { getCurrent, type GreenThread, sleep, spawn } from "../mod.ts";
import { captureErrors } from "./hub_helpers.ts";

Deno.test("GreenThread.link() calls links in order with args, and at once after death", async () => {
  const log: unknown[] = [];
  const gt = spawn(() => "result");
  gt.link((g, tag: string) => log.push([tag, g === gt]), "first");
  gt.link(() => log.push("second"));
  assert.equal(await gt.wait(), "result");
  assert.deepEqual(log, [["first", true], "second"]);
  gt.link(() => log.push("late"));
  assert.deepEqual(log.at(-1), "late", "linking a dead greenthread calls at once");
});

Deno.test("GreenThread.link() runs in the dying greenthread's context", async () => {
  let seen: GreenThread<unknown> | undefined;
  const gt = spawn(() => 1);
  gt.link(() => seen = getCurrent());
  await gt.wait();
  assert.equal(seen, gt);
});

Deno.test("GreenThread.link() that throws skips later links; wait() keeps the result", async () => {
  using capture = captureErrors();
  const log: string[] = [];
  const gt = spawn(() => 7);
  gt.link(() => {
    throw new Error("link failed");
  });
  gt.link(() => log.push("skipped"));
  assert.equal(await gt.wait(), 7);
  assert.deepEqual(log, []);
  assert.deepEqual(capture.errors.map((e) => (e as Error).message), ["link failed"]);
  assert.deepEqual(capture.greenthreads, [gt]);
});

Deno.test("GreenThread.unlink() removes a link and says whether it found one", async () => {
  const log: string[] = [];
  const fn = () => log.push("called");
  const gt = spawn(() => 1);
  assert.equal(gt.unlink(fn), false);
  gt.link(fn);
  assert.equal(gt.unlink(fn), true);
  assert.equal(gt.unlink(fn), false);
  await gt.wait();
  assert.deepEqual(log, []);
});

Deno.test("an error nobody waits for or links is reported once; a waited-for one is not", async () => {
  using capture = captureErrors();
  const lonely = spawn(() => {
    throw new Error("lonely");
  });
  const watched = spawn(async () => {
    await sleep(0);
    throw new Error("watched");
  });
  const linked = spawn(() => {
    throw new Error("linked");
  });
  linked.link(() => {});
  const killed = spawn(() => sleep(10));
  await assert.rejects(watched.wait(), /watched/);
  await sleep(0);
  await killed.kill();
  assert.deepEqual(
    capture.errors.map((e) => (e as Error).message),
    ["lonely"],
    "GreenletExit is never reported",
  );
  assert.deepEqual(capture.greenthreads, [lonely]);
});

Deno.test("GreenThread.link() added by a link runs after the other links, in the same pass", async () => {
  const log: string[] = [];
  const gt = spawn(() => 1);
  gt.link((g) => {
    log.push("l1");
    g.link(() => log.push("l1-added"));
  });
  gt.link(() => log.push("l2"));
  await gt.wait();
  assert.deepEqual(log, ["l1", "l2", "l1-added"]);
});
