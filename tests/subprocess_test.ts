/**
 * subprocess: spawnProcess and GreenProcess's wait, returncode, kill and
 * pipes. wait({ timeout }) throws TimeoutExpired on time and leaves the
 * child running; a signalled child's returncode is minus the signal number;
 * waiting is a switch point without a polling loop; the pipes are
 * GreenFiles whose reads let other greenthreads run; bad input is refused
 * with TypeError/RangeError.
 */

import assert from "node:assert/strict";
import { getHub } from "../hub/mod.ts";
import { isTimeout, sleep, spawn, Timeout, withTimeout } from "../mod.ts";
import { GreenFile } from "../net/mod.ts";
import { GreenProcess, spawnProcess, TimeoutExpired } from "../subprocess/mod.ts";
import { alive, dec } from "./subprocess_helpers.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

Deno.test("wait() resolves the exit code; returncode is null until the child ends", async () => {
  const p = spawnProcess("sh", { args: ["-c", "sleep 0.05; exit 3"] });
  assert.ok(p instanceof GreenProcess);
  assert.equal(typeof p.pid, "number");
  assert.deepEqual(p.args, ["sh", "-c", "sleep 0.05; exit 3"]);
  assert.equal(p.returncode, null);
  assert.equal(await p.wait(), 3);
  assert.equal(p.returncode, 3);
  assert.equal(await p.wait(), 3); // again: the same code
  assert.equal(p.stdin, null);
  assert.equal(p.stdout, null);
  assert.equal(p.stderr, null);
});

Deno.test("wait({ timeout }) throws TimeoutExpired within 20 ms of the deadline; the child runs on", async () => {
  const lateness: number[] = [];
  for (let i = 0; i < 5; i++) {
    const p = spawnProcess("sleep", { args: ["0.5"] });
    const start = performance.now();
    const error = await p.wait({ timeout: 0.1 }).catch((e) => e);
    const elapsed = (performance.now() - start) / 1000;
    assert.ok(error instanceof TimeoutExpired, String(error));
    assert.deepEqual(error.cmd, ["sleep", "0.5"]);
    assert.equal(error.timeout, 0.1);
    assert.equal(error.name, "TimeoutExpired");
    assert.equal(error.message, `Command '["sleep","0.5"]' timed out after 0.1 seconds`);
    assert.equal(isTimeout(error), false);
    assert.ok(elapsed >= 0.1, `returned early: ${elapsed}`);
    assert.ok(elapsed < 0.2, `far too late: ${elapsed}`);
    lateness.push(elapsed - 0.1);
    assert.equal(p.returncode, null);
    assert.ok(alive(p.pid), "the child must keep running after TimeoutExpired");
    p.kill("SIGKILL");
    assert.equal(await p.wait(), -9);
  }
  assert.ok(median(lateness) < 0.02, `median lateness ${median(lateness)} s`);
});

Deno.test("wait({ timeout }) on a child that ends in time resolves its code", async () => {
  const p = spawnProcess("sh", { args: ["-c", "exit 0"] });
  assert.equal(await p.wait({ timeout: 5 }), 0);
  assert.equal(await p.wait({ timeout: 0 }), 0); // already ended: no TimeoutExpired
});

Deno.test("returncode is minus the signal number for a signalled child", async () => {
  const selfTerm = spawnProcess("sh", { args: ["-c", "kill -TERM $$"] });
  assert.equal(await selfTerm.wait(), -15);
  const killed = spawnProcess("sleep", { args: ["10"] });
  killed.kill("SIGKILL");
  assert.equal(await killed.wait(), -9);
  const terminated = spawnProcess("sleep", { args: ["10"] });
  terminated.kill(); // SIGTERM by default
  assert.equal(await terminated.wait(), -15);
  terminated.kill(); // after the end: nothing happens
  assert.equal(terminated.returncode, -15);
});

Deno.test("waiting is no polling loop: no timer, one switch", async () => {
  const hub = getHub();
  const p = spawnProcess("sleep", { args: ["0.3"] });
  const waiter = spawn(() => p.wait());
  await sleep(0.1);
  // The waiter parks on the exit status, not on a timer (main's sleep has fired).
  assert.equal(hub.stats().timers, 0);
  assert.equal(hub.stats().parked, 1);
  assert.equal(await waiter.wait(), 0);
  // The main greenthread's wait below costs a switch or two, not one per poll.
  const q = spawnProcess("sleep", { args: ["0.2"] });
  const switches = hub.stats().switches;
  await q.wait();
  assert.ok(hub.stats().switches - switches < 10, `${hub.stats().switches - switches} switches`);
});

Deno.test("other greenthreads run while one waits", async () => {
  let ticks = 0;
  const ticker = spawn(async () => {
    for (;;) {
      await sleep(0.01);
      ticks++;
    }
  });
  const p = spawnProcess("sleep", { args: ["0.3"] });
  assert.equal(await spawn(() => p.wait()).wait(), 0);
  await ticker.kill();
  assert.ok(ticks >= 10, `ticks ${ticks}`);
});

Deno.test("several children run at once: three 0.3 s sleeps take about 0.3 s", async () => {
  const start = performance.now();
  const waits = [1, 2, 3].map(() => spawn(() => spawnProcess("sleep", { args: ["0.3"] }).wait()));
  for (const gt of waits) assert.equal(await gt.wait(), 0);
  const elapsed = (performance.now() - start) / 1000;
  assert.ok(elapsed < 0.8, `took ${elapsed} s`);
});

Deno.test("a Timeout interrupting wait() leaves the child running", async () => {
  const p = spawnProcess("sleep", { args: ["5"] });
  const result = await withTimeout(0.05, () => p.wait(), { timeoutValue: "late" });
  assert.equal(result, "late");
  await sleep(0.05);
  assert.equal(p.returncode, null);
  assert.ok(alive(p.pid));
  p.kill();
  assert.equal(await p.wait(), -15);
});

Deno.test("stdin and stdout are GreenFiles: a line goes through cat while others run", async () => {
  const p = spawnProcess("cat", { stdin: "piped", stdout: "piped" });
  assert.ok(p.stdin instanceof GreenFile);
  assert.ok(p.stdout instanceof GreenFile);
  assert.equal(p.stdout, p.stdout); // one file per pipe
  let ticks = 0;
  const ticker = spawn(async () => {
    for (;;) {
      await sleep(0.005);
      ticks++;
    }
  });
  const reader = spawn(() => p.stdout!.readline());
  await sleep(0.05); // the reader waits, the ticker ticks
  assert.equal(reader.dead, false);
  await p.stdin!.write(enc("hello\n"));
  await p.stdin!.flush();
  assert.equal(dec(await reader.wait()), "hello\n");
  await p.stdin!.write(enc("tail without newline"));
  await p.stdin!.close(); // flushes and closes the pipe: cat sees EOF
  assert.equal(dec(await p.stdout!.read()), "tail without newline");
  assert.equal((await p.stdout!.read()).length, 0); // EOF
  assert.equal(await p.wait(), 0);
  await p.stdout!.close();
  await ticker.kill();
  assert.ok(ticks >= 5, `ticks ${ticks}`);
});

Deno.test("a read of a pipe interrupted by a Timeout loses no bytes", async () => {
  const p = spawnProcess("sh", {
    args: ["-c", "sleep 0.1; echo first; echo second"],
    stdout: "piped",
  });
  const early = await withTimeout(0.02, () => p.stdout!.readline(), { timeoutValue: null });
  assert.equal(early, null);
  assert.equal(dec(await p.stdout!.readline()), "first\n");
  assert.equal(dec(await p.stdout!.readline()), "second\n");
  await p.stdout!.close();
  assert.equal(await p.wait(), 0);
});

Deno.test("stderr is piped separately; stdio 'null' gives null files", async () => {
  const p = spawnProcess("sh", {
    args: ["-c", "echo out; echo err >&2"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
  assert.equal(p.stdin, null);
  assert.equal(p.stdout, null);
  assert.equal(dec(await p.stderr!.read()), "err\n");
  await p.stderr!.close();
  assert.equal(await p.wait(), 0);
});

Deno.test("env replaces the environment (Python's env=); cwd sets the directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const p = spawnProcess("/bin/sh", {
      args: ["-c", 'echo "$ONLY:$HOME:$(pwd)"'],
      env: { ONLY: "yes" },
      cwd: dir,
      stdout: "piped",
    });
    const [out] = await p.communicate();
    assert.equal(dec(out), `yes::${await Deno.realPath(dir)}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("await using closes the pipes and waits for the child", async () => {
  let pid = 0;
  {
    await using p = spawnProcess("cat", { stdin: "piped", stdout: "piped" });
    pid = p.pid;
    await p.stdin!.write(enc("buffered, never flushed by hand\n"));
  }
  assert.ok(!alive(pid), "the child was waited for (and reaped)");
});

Deno.test("kill() with an unknown signal throws Deno's TypeError", async () => {
  const p = spawnProcess("sleep", { args: ["5"] });
  assert.throws(() => p.kill("SIGNOPE" as Deno.Signal), TypeError);
  p.kill();
  assert.equal(await p.wait(), -15);
});

Deno.test("bad arguments throw TypeError/RangeError naming them", async () => {
  const bad = (fn: () => unknown, type: ErrorConstructor, pattern: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof type && pattern.test((e as Error).message));
  // deno-lint-ignore no-explicit-any
  const sp = spawnProcess as any;
  bad(
    () => sp(42),
    TypeError,
    /^Cannot spawnProcess: command must be a string or a URL, received number$/,
  );
  bad(() => sp(""), TypeError, /command must not be empty/);
  bad(() => sp("ls", null), TypeError, /options must be an object, received null/);
  bad(
    () => sp("ls", { args: "-l" }),
    TypeError,
    /args must be an array of strings, received string/,
  );
  bad(() => sp("ls", { args: ["-l", 1] }), TypeError, /received number at index 1/);
  bad(
    () => sp("ls", { stdout: "pipe" }),
    TypeError,
    /stdout must be "piped", "inherit" or "null", received "pipe"/,
  );
  bad(
    () => sp("ls", { env: { A: 1 } }),
    TypeError,
    /env must be an object of strings, received number for A/,
  );
  bad(() => sp("ls", { cwd: 5 }), TypeError, /cwd must be a string or a URL, received number/);
  assert.throws(() => spawnProcess("/nonexistent/program"), Deno.errors.NotFound);

  const p = spawnProcess("cat", { stdin: "piped", stdout: "piped" });
  // deno-lint-ignore no-explicit-any
  const anyP = p as any;
  await assert.rejects(
    anyP.wait({ timeout: NaN }),
    /^RangeError: Cannot wait: timeout must not be NaN, received NaN$/,
  );
  await assert.rejects(
    anyP.wait({ timeout: "1" }),
    /^TypeError: Cannot wait: timeout must be a number, received string$/,
  );
  await assert.rejects(
    anyP.wait(null),
    /^TypeError: Cannot wait: options must be an object, received null$/,
  );
  await assert.rejects(
    anyP.communicate(42),
    /^TypeError: Cannot communicate: input must be a Uint8Array or a string, received number$/,
  );
  const [out] = await p.communicate("ok");
  assert.equal(dec(out), "ok");

  const noStdin = spawnProcess("true");
  await assert.rejects(
    noStdin.communicate("x"),
    /^TypeError: Cannot communicate: input needs stdin: "piped"/,
  );
  assert.equal(await noStdin.wait(), 0);
});

Deno.test("a Timeout of the caller still lands in wait() when the child is long gone", async () => {
  const p = spawnProcess("true");
  await p.wait();
  using t = new Timeout(0);
  await assert.rejects(p.wait(), (e) => e === t); // wait() is a switch point
});
