/**
 * subprocess: GreenProcess.communicate. It writes stdin while reading
 * stdout and stderr, so 64 MB each way never deadlocks; its timeout throws
 * TimeoutExpired on time, and a later call collects everything the first
 * one did not (nothing lost, nothing repeated); a Timeout interrupting it
 * works the same (eventlet's with_timeout idiom).
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sleep, spawn, withTimeout } from "../mod.ts";
import { spawnProcess, TimeoutExpired } from "../subprocess/mod.ts";
import { dec } from "./subprocess_helpers.ts";

const MB64 = 64 * 1024 * 1024;

/**
 * `n` bytes (a multiple of 4) that name their own position: word `i` is
 * `i`, so any chunk lost, repeated or moved shows.
 */
function pattern(n: number): Uint8Array {
  const words = new Uint32Array(n / 4);
  for (let i = 0; i < words.length; i++) words[i] = i;
  return new Uint8Array(words.buffer);
}

/** Every byte equal (a memcmp, not a sample). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length)
    .equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

Deno.test("communicate() collects stdout and stderr and the exit code", async () => {
  const p = spawnProcess("sh", {
    args: ["-c", "echo out; echo err >&2; exit 2"],
    stdout: "piped",
    stderr: "piped",
  });
  const [out, err] = await p.communicate();
  assert.equal(dec(out), "out\n");
  assert.equal(dec(err), "err\n");
  assert.equal(p.returncode, 2);
  // Called again after it completed: the same result (Python's, with two pipes).
  const [out2, err2] = await p.communicate();
  assert.equal(out2, out);
  assert.equal(err2, err);
});

Deno.test("communicate() of a child with nothing piped just waits; null outputs", async () => {
  const p = spawnProcess("true");
  assert.deepEqual(await p.communicate(), [null, null]);
  assert.equal(p.returncode, 0);
});

Deno.test("communicate() never deadlocks: 64 MB on stderr before 64 MB on stdout", async () => {
  const p = spawnProcess("sh", {
    args: ["-c", `head -c ${MB64} /dev/zero >&2; head -c ${MB64} /dev/zero`],
    stdout: "piped",
    stderr: "piped",
  });
  const [out, err] = await p.communicate(undefined, { timeout: 60 });
  assert.equal(out!.length, MB64);
  assert.equal(err!.length, MB64);
  assert.equal(p.returncode, 0);
});

Deno.test("communicate() writes 64 MB to cat while reading its 64 MB back, in order", async () => {
  const input = pattern(MB64);
  const p = spawnProcess("cat", { stdin: "piped", stdout: "piped", stderr: "piped" });
  let ticks = 0;
  const ticker = spawn(async () => {
    for (;;) {
      await sleep(0.01);
      ticks++;
    }
  });
  const [out, err] = await p.communicate(input, { timeout: 60 });
  await ticker.kill();
  assert.ok(sameBytes(out!, input), "cat's output equals its input");
  assert.equal(err!.length, 0);
  assert.equal(p.returncode, 0);
  assert.ok(ticks > 0, "other greenthreads ran meanwhile");
});

Deno.test("communicate() with no input closes stdin (the child sees EOF)", async () => {
  const p = spawnProcess("cat", { stdin: "piped", stdout: "piped" });
  const [out] = await p.communicate();
  assert.equal(out!.length, 0);
  assert.equal(p.returncode, 0);
  await p.stdin!.close(); // closing the closed stdin again is harmless (eventlet's test)
});

Deno.test("communicate() ignores a child that exits without reading its input", async () => {
  const p = spawnProcess("true", { stdin: "piped" });
  await sleep(0.05);
  assert.deepEqual(await p.communicate(new Uint8Array(1024 * 1024)), [null, null]);
  assert.equal(p.returncode, 0);
});

Deno.test("communicate({ timeout }) throws TimeoutExpired on time; a second call collects all", async () => {
  const p = spawnProcess("sh", {
    args: ["-c", "echo early; sleep 0.3; echo late; echo err >&2"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const start = performance.now();
  const error = await p.communicate(undefined, { timeout: 0.1 }).catch((e) => e);
  const elapsed = (performance.now() - start) / 1000;
  assert.ok(error instanceof TimeoutExpired, String(error));
  assert.deepEqual(error.cmd, p.args);
  assert.equal(error.timeout, 0.1);
  assert.ok(elapsed >= 0.1 && elapsed < 0.2, `elapsed ${elapsed}`);
  assert.equal(p.returncode, null); // still running
  await assert.rejects(p.communicate("more"), /input cannot be sent after the exchange started/);
  const [out, err] = await p.communicate();
  assert.equal(dec(out), "early\nlate\n");
  assert.equal(dec(err), "err\n");
  assert.equal(p.returncode, 0);
});

Deno.test("communicate() input survives a TimeoutExpired: cat echoes it all once", async () => {
  const p = spawnProcess("sh", { args: ["-c", "sleep 0.2; cat"], stdin: "piped", stdout: "piped" });
  const input = pattern(3 * 1024 * 1024); // more than the pipe holds: the writer waits
  await assert.rejects(p.communicate(input, { timeout: 0.05 }), TimeoutExpired);
  await assert.rejects(p.communicate(undefined, { timeout: 0.01 }), TimeoutExpired);
  const [out] = await p.communicate();
  assert.ok(sameBytes(out!, input));
});

Deno.test("communicate() interrupted by a Timeout returns on time and can be called again", async () => {
  // eventlet's test_communicate_with_poll: with_timeout(0.1, p.communicate) stops within 0.1–0.2 s.
  const p = spawnProcess("sh", {
    args: ["-c", "sleep 0.5; echo done"],
    stdout: "piped",
    stderr: "piped",
  });
  const start = performance.now();
  const result = await withTimeout(0.1, () => p.communicate(), { timeoutValue: true });
  const elapsed = (performance.now() - start) / 1000;
  assert.equal(result, true);
  assert.ok(elapsed >= 0.1 && elapsed < 0.2, `elapsed ${elapsed}`);
  assert.equal(p.returncode, null);
  const [out, err] = await p.communicate();
  assert.equal(dec(out), "done\n");
  assert.equal(dec(err), "");
});

Deno.test("communicate() reads through the GreenFile when it was used first", async () => {
  const p = spawnProcess("sh", { args: ["-c", "echo one; echo two; echo three"], stdout: "piped" });
  assert.equal(dec(await p.stdout!.readline()), "one\n"); // the file may have read ahead
  const [out] = await p.communicate();
  assert.equal(dec(out), "two\nthree\n");
});

Deno.test("communicate() after writing to the stdin file sends that first", async () => {
  const p = spawnProcess("cat", { stdin: "piped", stdout: "piped" });
  await p.stdin!.write(new TextEncoder().encode("buffered "));
  const [out] = await p.communicate("then input");
  assert.equal(dec(out), "buffered then input");
});
