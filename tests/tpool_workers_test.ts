/**
 * tpool's workers: the pool size (setNumThreads and, in child processes,
 * eventlet's tests/env_test.py test_tpool_size, test_tpool_negative and
 * test_tpool_zero), FIFO hand-over to free workers, Timeouts and kills of
 * callers, crashed and idle workers, killall (eventlet's test_killall and
 * test_killall_remaining_results), nested calls and a prompt process exit.
 */

import assert from "node:assert/strict";
import { sleep, spawn, Timeout } from "../mod.ts";
import { execute, killall, setIdleTimeout, setNumThreads, TpoolError } from "../tpool/mod.ts";
import { rejection, threadId } from "./tpool_helpers.ts";

const TPOOL_URL = new URL("../tpool/mod.ts", import.meta.url).href;

/** Runs `code` in a child `deno eval` and returns its output. */
async function child(
  code: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    ms: performance.now() - started,
  };
}

/**
 * A busy loop that records concurrency in `cells` ([running, peak]) and is
 * self-contained (it is shipped to workers). It first waits (up to 10 s)
 * until `want` calls have run at once, so that the peak does not depend on
 * how fast workers start on a loaded machine, then spins `ms` milliseconds.
 */
function busy(cells: Int32Array, ms: number, want: number): number {
  const now = Atomics.add(cells, 0, 1) + 1;
  for (let seen = Atomics.load(cells, 1); now > seen; seen = Atomics.load(cells, 1)) {
    if (Atomics.compareExchange(cells, 1, seen, now) === seen) break;
  }
  const giveUp = Date.now() + 10_000;
  while (Atomics.load(cells, 1) < want && Date.now() < giveUp) { /* wait for company */ }
  const end = Date.now() + ms;
  while (Date.now() < end) { /* spin */ }
  Atomics.sub(cells, 0, 1);
  return now;
}

function counters(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(16));
}

Deno.test("setNumThreads(n) caps how many calls run at once, FIFO beyond that", async () => {
  setNumThreads(2);
  try {
    const cells = counters();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => execute(busy, cells, 40, 2)),
    );
    assert.equal(cells[1], 2, "two ran at once, never more");
    assert.ok(results.every((n) => n <= 2));
    // 20 quick calls in flight on 2 workers all come back, in order of values.
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, i) => execute((x: number) => x * x, i)),
    );
    assert.deepEqual(many, Array.from({ length: 20 }, (_, i) => i * i));
  } finally {
    setNumThreads(20);
  }
  assert.throws(() => setNumThreads(-1), RangeError);
  assert.throws(() => setNumThreads(1.5), RangeError);
  assert.throws(() => setNumThreads(NaN), RangeError);
  assert.throws(() => setNumThreads("2" as never), TypeError);
});

Deno.test("a free worker takes calls queued behind a long one elsewhere", async () => {
  setNumThreads(2);
  try {
    await Promise.all([execute(threadId), execute(threadId)]); // two warm workers
    const started = performance.now();
    const long = execute(() => {
      const end = Date.now() + 400;
      while (Date.now() < end) { /* spin */ }
      return "long";
    });
    const quick = await Promise.all(
      Array.from({ length: 10 }, (_, i) => execute((x: number) => x, i)),
    );
    assert.deepEqual(quick, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(performance.now() - started < 300, "the quick calls did not wait for the long one");
    assert.equal(await long, "long");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("a Timeout interrupts execute at once and the runaway worker is replaced", async () => {
  setNumThreads(1);
  try {
    const before = await execute(threadId);
    const timeout = new Timeout(0.05);
    const started = performance.now();
    const error = await rejection(execute(() => {
      for (;;) { /* runaway */ }
    }));
    timeout.cancel();
    assert.equal(error, timeout);
    assert.ok(performance.now() - started < 1000);
    const after = await execute(threadId);
    assert.notEqual(after, before, "a fresh worker took the slot");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("kill of a caller whose call waits behind another drops it; the worker lives", async () => {
  setNumThreads(1);
  try {
    const cells = counters();
    const id = await execute(threadId);
    const running = execute((c: Int32Array) => {
      const end = Date.now() + 200;
      while (Date.now() < end) { /* spin */ }
      return Atomics.add(c, 2, 1);
    }, cells);
    const waiter = spawn(() => execute((c: Int32Array) => Atomics.add(c, 3, 1), cells));
    await sleep(0.02);
    await waiter.kill();
    assert.equal(await running, 0);
    assert.equal(await execute(threadId), id, "same worker: nothing was terminated");
    assert.equal(cells[3], 0, "the dropped call never ran");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("a call waiting behind an interrupted runaway runs on the replacement", async () => {
  setNumThreads(1);
  try {
    await execute(threadId);
    const runaway = spawn(async () => {
      using t = new Timeout(0.1);
      const error = await rejection(execute(() => {
        for (;;) { /* runaway */ }
      }));
      return error === t;
    });
    await sleep(0.01);
    const behind = execute((x: number) => x + 1, 41);
    assert.equal(await behind, 42);
    assert.equal(await runaway.wait(), true, "the runaway's caller got its Timeout");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("a crashed worker is replaced and its call rejects with TpoolError", async () => {
  setNumThreads(1);
  try {
    const closed = await rejection(
      execute(() => (globalThis as unknown as { close(): void }).close()),
    );
    assert.ok(closed instanceof TpoolError);
    assert.equal(closed.code, "ERR_TPOOL_WORKER_EXITED");
    const uncaught = await rejection(execute(() => {
      setTimeout(() => {
        throw new SyntaxError("late failure");
      }, 0);
      return new Promise(() => {});
    }));
    assert.equal(uncaught.code, "ERR_TPOOL_WORKER_EXITED");
    assert.ok(uncaught.cause instanceof SyntaxError);
    assert.match(uncaught.message, /late failure/);
    const exited = await rejection(
      execute(() =>
        (globalThis as unknown as { process: { exit(n: number): void } }).process.exit(3)
      ),
    );
    assert.match(exited.message, /code 3/);
    assert.equal(await execute(() => "alive"), "alive");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("a call queued in a worker that exits runs on the replacement", async () => {
  setNumThreads(1);
  try {
    const before = await execute(threadId);
    // Same turn: the second call is posted behind the first, in the same worker.
    const exiting = execute(() =>
      (globalThis as unknown as { process: { exit(n: number): void } }).process.exit(3)
    );
    const behind = execute(threadId);
    const error = await rejection(exiting);
    assert.equal(error.code, "ERR_TPOOL_WORKER_EXITED");
    const after = await behind;
    assert.equal(typeof after, "number");
    assert.notEqual(after, before, "it ran on the replacement worker, once");
  } finally {
    setNumThreads(20);
  }
});

Deno.test("killall() then execute() in the same turn: the call runs on a fresh pool", async () => {
  // A fresh process, so that no earlier setNumThreads() fixed the size.
  const mod = new URL("../tpool/mod.ts", import.meta.url).href;
  const code = `
    import { execute, killall } from "${mod}";
    const first = execute(() => 1); // the pool starts growing
    const killed = killall();
    const second = execute(() => 5);
    await first.catch(() => {});
    await killed;
    const timer = setTimeout(() => { console.log("hung"); Deno.exit(1); }, 10000);
    console.log("second:", await second);
    clearTimeout(timer);
  `;
  const { code: status, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(new TextDecoder().decode(stdout).trim(), "second: 5");
  assert.equal(status, 0);
});

Deno.test("killall() rejects pending calls, then the pool starts afresh", async () => {
  const pending = execute(() => new Promise((r) => setTimeout(r, 5000)));
  const before = await execute(threadId);
  await killall();
  const error = await rejection(pending);
  assert.ok(error instanceof TpoolError);
  assert.equal(error.code, "ERR_TPOOL_KILLED");
  assert.match(error.message, /killall/);
  const after = await execute(threadId);
  assert.notEqual(after, before);
});

Deno.test("idle workers end after the idle timeout", async () => {
  setNumThreads(1);
  setIdleTimeout(0.05);
  try {
    const first = await execute(threadId);
    await sleep(0.2);
    assert.notEqual(await execute(threadId), first, "the idle worker was terminated");
    assert.throws(() => setIdleTimeout(-1), RangeError);
  } finally {
    setIdleTimeout(1);
    setNumThreads(20);
  }
});

Deno.test("execute() inside a tpool worker runs inline (nested call)", async () => {
  const outer = async (url: string) => {
    const { execute } = await import(url);
    const { threadId } = await import("node:worker_threads");
    const inner = await execute(async () => (await import("node:worker_threads")).threadId);
    return [threadId, inner];
  };
  const [outerId, innerId] = await execute(outer, TPOOL_URL);
  assert.equal(innerId, outerId);
});

Deno.test("a process that used execute exits by itself promptly", async () => {
  const out = await child(
    `import { execute } from "${TPOOL_URL}";
     console.log(await execute((x: number) => x + 1, 1));`,
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), "2");
  assert.ok(out.ms < 5000, `took ${out.ms} ms`);
});

Deno.test("EVENTLET_THREADPOOL_SIZE=3 caps the pool at 3 workers", async () => {
  const out = await child(
    `import { execute } from "${TPOOL_URL}";
     ${busy.toString()}
     const cells = new Int32Array(new SharedArrayBuffer(16));
     await Promise.all(Array.from({ length: 12 }, () => execute(busy, cells, 100, 3)));
     console.log(cells[1]);`,
    { EVENTLET_THREADPOOL_SIZE: "3" },
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), "3", "three ran at once at most, and at some point three did");
});

Deno.test("EVENTLET_THREADPOOL_SIZE: bad value is a RangeError, 0 runs inline", async () => {
  const bad = await child(
    `import { execute } from "${TPOOL_URL}";
     await execute(() => 1).catch((e) => console.log(e.name, e.message));`,
    { EVENTLET_THREADPOOL_SIZE: "-2" },
  );
  assert.match(bad.stdout, /^RangeError .*EVENTLET_THREADPOOL_SIZE.*"-2"/);
  const zero = await child(
    `import { execute } from "${TPOOL_URL}";
     const { threadId } = await import("node:worker_threads");
     const id = await execute(async () => (await import("node:worker_threads")).threadId);
     let outer = 5;
     console.log(id === threadId, await execute(() => outer + 1));`,
    { EVENTLET_THREADPOOL_SIZE: "0" },
  );
  assert.equal(zero.stdout.trim(), "true 6");
  assert.match(zero.stderr, /Zero threads in tpool/);
});
