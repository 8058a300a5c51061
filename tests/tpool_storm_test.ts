/**
 * A storm of 160 thread-pool calls over 4 workers: plain values, async
 * values, synchronous throws, crashes in timers, unhandled rejections and
 * never-settling calls cut by a Timeout, all at once. Every call settles
 * with its own outcome; a crash fails only the call running when it
 * happened, with the crash as its `cause`; a value already produced is
 * never lost; unstarted calls on a crashed worker run elsewhere.
 */

import assert from "node:assert/strict";
import { spawn, Timeout } from "../mod.ts";
import { execute, killall, proxy, setNumThreads, TpoolError } from "../tpool/mod.ts";

type Kind = "value" | "async" | "throw" | "timerCrash" | "unhandled" | "hang";
const KINDS: Kind[] = [
  "value",
  "async",
  "value",
  "throw",
  "async",
  "timerCrash",
  "value",
  "async",
  "throw",
  "unhandled",
  "value",
  "async",
  "hang",
  "value",
  "async",
  "throw",
];

function call(kind: Kind, i: number): Promise<unknown> {
  switch (kind) {
    case "value":
      return execute((n: number) => n * 2, i);
    case "async":
      return execute(async (n: number) => {
        await new Promise((r) => setTimeout(r, 2 + (n % 5)));
        return n * 2;
      }, i);
    case "throw":
      return execute((n: number) => {
        throw new RangeError(`boom ${n}`);
      }, i);
    case "timerCrash":
      return execute((n: number) => {
        setTimeout(() => {
          throw new Error(`timer crash ${n}`);
        }, 1);
        return n * 2;
      }, i);
    case "unhandled":
      return execute((n: number) => {
        Promise.reject(new Error(`unhandled ${n}`));
        return n * 2;
      }, i);
    case "hang":
      return execute(() => new Promise(() => {}));
  }
}

const CRASH = /^(timer crash|unhandled) \d+$/;

Deno.test("a storm of 160 calls over 4 workers: each settles with its own outcome, crashes fail only the running call", async () => {
  setNumThreads(4);
  try {
    const outcomes: string[] = new Array(160);
    const problems: string[] = [];
    const gts = [];
    for (let i = 0; i < 160; i++) {
      const kind = KINDS[i % KINDS.length];
      gts.push(spawn(async () => {
        const t = kind === "hang" ? new Timeout(0.3) : null;
        try {
          const value = await call(kind, i);
          outcomes[i] = `value ${value}`;
          if (kind === "throw" || kind === "hang") problems.push(`${i} ${kind}: resolved ${value}`);
          else if (value !== i * 2) problems.push(`${i} ${kind}: wrong value ${value}`);
        } catch (e) {
          outcomes[i] = `error ${(e as Error).message}`;
          if (kind === "hang") {
            if (e !== t) problems.push(`${i} hang: ${String(e)}`);
          } else if (kind === "throw") {
            if (!(e instanceof RangeError) || e.message !== `boom ${i}`) {
              problems.push(`${i} throw: ${String(e)} (cause ${String((e as Error).cause)})`);
            }
          } else if (kind === "async") {
            // Only a call running when a crash happened may fail, with the crash as its cause.
            const cause = (e as Error).cause;
            if (
              !(e instanceof TpoolError) || !(cause instanceof Error) || !CRASH.test(cause.message)
            ) {
              problems.push(`${i} async: ${String(e)} (cause ${String(cause)})`);
            }
            if (/close\(\) or process\.exit\(\)/.test((e as Error).message)) {
              problems.push(`${i} async: blamed on close()/exit: ${(e as Error).message}`);
            }
          } else {
            // Plain values and calls that crash later produced their value first.
            problems.push(
              `${i} ${kind}: lost its value: ${String(e)} (cause ${String((e as Error).cause)})`,
            );
          }
        } finally {
          t?.cancel();
        }
      }));
    }
    const started = performance.now();
    for (const gt of gts) await gt.wait();
    const seconds = (performance.now() - started) / 1000;
    assert.deepEqual(problems, []);
    assert.equal(outcomes.filter((o) => o !== undefined).length, 160);
    assert.ok(seconds < 30, `the storm took ${seconds} s`);
    // Most async calls were not hit by a crash.
    const asyncFailed = outcomes.filter((o, i) =>
      KINDS[i % KINDS.length] === "async" && o.startsWith("error")
    ).length;
    assert.ok(asyncFailed <= 20, `${asyncFailed} async calls failed`);
  } finally {
    await killall();
    setNumThreads(20);
  }
});

Deno.test("calls queued behind an awaiting call run on another worker meanwhile", async () => {
  setNumThreads(2);
  try {
    // Submitted in one turn: the calls after the first queue on the first
    // worker (one worker starts per turn) behind a call that awaits 3 s.
    let slowDone = false;
    const slow = execute(async () => {
      await new Promise((r) => setTimeout(r, 3000));
      return "slow";
    }).then((value) => {
      slowDone = true;
      return value;
    });
    slow.catch(() => {}); // awaited below; a failed assertion must not leave it unhandled
    const quick = [1, 2, 3, 4, 5].map((n) => execute((x: number) => x * 10, n));
    assert.deepEqual(await Promise.all(quick), [10, 20, 30, 40, 50]);
    assert.equal(slowDone, false, "the quick calls waited for the awaiting one");
    assert.equal(await slow, "slow");
  } finally {
    await killall();
    setNumThreads(20);
  }
});

Deno.test("a worker crashing while idle takes no call with it; an unstarted call on it runs elsewhere", async () => {
  setNumThreads(1);
  try {
    // The crash comes 50 ms after the call returned, while the worker is idle.
    const first = await execute(() => {
      setTimeout(() => {
        throw new Error("late crash");
      }, 50);
      return "first";
    });
    assert.equal(first, "first");
    await new Promise((r) => setTimeout(r, 20));
    // Posted just before the crash, or after it: it runs (on the replacement if needed).
    const values = await Promise.all([1, 2, 3].map((n) => execute((x: number) => x + 1, n)));
    assert.deepEqual(values, [2, 3, 4]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await execute(() => "after"), "after");
  } finally {
    await killall();
    setNumThreads(20);
  }
});

Deno.test("a loop of calls on a released proxy, each failing at once, lets Deno's timers run", async () => {
  const counter = await proxy(() => new Map<string, number>());
  await counter.release();
  let fired = false;
  setTimeout(() => fired = true, 10);
  const deadline = performance.now() + 3000;
  let failures = 0;
  while (!fired && performance.now() < deadline) {
    try {
      await counter.get("n");
    } catch (e) {
      if (!(e instanceof TpoolError)) throw e;
      failures++;
    }
  }
  assert.ok(fired, `the timer never fired during ${failures} failing calls`);
});
