/**
 * What a cheap Timeout still promises: it is an Error to everyone who asks
 * with `instanceof`, its stack says where it landed (or, with spawn-site
 * capture on, where it was created), and creating and cancelling one keeps
 * no Deno timer holding the process.
 */

import assert from "node:assert/strict";
import { sleep, spawn, Timeout } from "../mod.ts";
import { captureSpawnSites } from "../debug/mod.ts";

Deno.test("Timeout is an Error with a name, message and string form, without a stack walk", () => {
  const t = new Timeout(5);
  t.cancel();
  assert.ok(t instanceof Error);
  assert.ok(t instanceof Timeout);
  assert.equal(t.name, "Timeout");
  assert.equal(t.message, "Timed out after 5 seconds");
  assert.equal(String(t), "Timeout: Timed out after 5 seconds");
  assert.equal(t.stack, "Timeout: Timed out after 5 seconds");
  assert.equal(new Timeout(1).message, "Timed out after 1 second");
  const never = new Timeout(null);
  assert.equal(never.message, "Timeout that never fires");
});

Deno.test("a fired Timeout's stack names its greenthread and the switch point it was parked at", async () => {
  const gt = spawn(async () => {
    const t = new Timeout(0.005);
    try {
      await sleep(1);
    } catch (e) {
      if (e !== t) throw e;
      return t.stack;
    }
  });
  const stack = await gt.wait();
  assert.equal(
    stack,
    `Timeout: Timed out after 0.005 seconds\n    at ${gt.name}, parked in sleep`,
  );
});

Deno.test("a Timeout firing while its greenthread runs says it lands at the next switch point", async () => {
  const t = new Timeout(0.001);
  await new Promise((r) => setTimeout(r, 20)); // fires here: not a switch point
  await assert.rejects(sleep(0), (e) => e === t);
  assert.match(
    t.stack!,
    /^Timeout: Timed out after 0\.001 seconds\n {4}at .+, at its next switch point$/,
  );
});

Deno.test("with captureSpawnSites on, a Timeout's stack is the line that created it", async () => {
  captureSpawnSites(true);
  try {
    const t = new Timeout(0.001);
    await assert.rejects(sleep(1), (e) => e === t);
    const lines = t.stack!.split("\n");
    assert.equal(lines[0], "Timeout: Timed out after 0.001 seconds");
    assert.match(lines[1], /timeout_cost_test\.ts:\d+:\d+/);
  } finally {
    captureSpawnSites(false);
  }
});

Deno.test("a Timeout's stack can be replaced, as an Error's can", () => {
  const t = new Timeout(5);
  t.cancel();
  t.stack = "Timeout: replaced";
  assert.equal(t.stack, "Timeout: replaced");
});

Deno.test("a process that creates and cancels Timeouts exits at once", async () => {
  const script = `
    import { sleep, Timeout } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
    for (let i = 0; i < 1000; i++) new Timeout(30).cancel();
    const t = new Timeout(60);
    await sleep(0);
    t.cancel();
    console.log("done");
  `;
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  assert.equal(new TextDecoder().decode(out.stderr), "");
  assert.equal(new TextDecoder().decode(out.stdout), "done\n");
  assert.equal(out.code, 0);
  assert.ok(seconds < 20, `took ${seconds} s: a cancelled 30 s or 60 s timer held the process`);
});
