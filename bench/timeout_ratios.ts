/**
 * What a `Timeout` costs against a bare Deno timer: `new Timeout(5)` then
 * `cancel()`, against `setTimeout(fn, 5000)` then `clearTimeout`, in the
 * same process run, alternating, several rounds (medians).
 *
 *   deno run -A --v8-flags=--expose-gc bench/timeout_ratios.ts [--quick]
 *
 * `deno task bench` (bench/core_ratios.ts) prints these rows too. A deadline
 * per request (`using t = new Timeout(5)` around each one) is only
 * affordable if it costs about what a bare timer does, hence the target:
 * ours/raw ≥ 1.0 (as rates: at least as many per second as the bare pair).
 *
 * Rows:
 * 1. in an otherwise idle hub (no other timer pending): every pair may arm
 *    and clear the hub's one Deno timer;
 * 2. with another timer pending far in the future on both sides (a busy
 *    server: the earliest deadline does not change).
 *
 * @module
 */

import { Timeout } from "../green/timeout.ts";
import { getHub } from "../hub/hub.ts";
import { formatRate, median } from "./common.ts";

/** One printed row: workload, ours per second, raw per second, target. */
export type TimeoutRow = [string, number, number, string];

function noop(): void {}

/** `n` Timeouts made and cancelled; returns the milliseconds taken. */
function oursPairs(n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) new Timeout(5).cancel();
  return performance.now() - start;
}

/** `n` bare timers set and cleared; returns the milliseconds taken. */
function rawPairs(n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) clearTimeout(setTimeout(noop, 5000));
  return performance.now() - start;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Ours and raw per second, medians of `rounds` alternating runs of `n` pairs. */
async function measure(n: number, rounds: number): Promise<[number, number]> {
  const ours: number[] = [];
  const raw: number[] = [];
  oursPairs(n); // warm-up: V8 optimizes both loops
  rawPairs(n);
  for (let r = 0; r < rounds; r++) {
    // Let the hub and Deno settle what the last run left (timers to clear).
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    ours.push(oursPairs(n));
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    raw.push(rawPairs(n));
  }
  return [n / median(ours) * 1000, n / median(raw) * 1000];
}

/** Measures both rows; `quick` is a tiny smoke run. */
export async function timeoutRows(quick: boolean): Promise<TimeoutRow[]> {
  const n = quick ? 10_000 : 200_000;
  const rounds = quick ? 1 : 7;
  const rows: TimeoutRow[] = [];
  const [idleOurs, idleRaw] = await measure(n, rounds);
  rows.push(["new Timeout(5) + cancel(), idle hub (per second)", idleOurs, idleRaw, ">= 1.0"]);
  // Another deadline far away on both sides: the earliest one never changes.
  const hubTimer = getHub().scheduleCallGlobal(3600, noop);
  const denoTimer = setTimeout(noop, 3_600_000);
  try {
    const [busyOurs, busyRaw] = await measure(n, rounds);
    rows.push([
      "new Timeout(5) + cancel(), another timer pending (per second)",
      busyOurs,
      busyRaw,
      ">= 1.0",
    ]);
  } finally {
    hubTimer.cancel();
    clearTimeout(denoTimer);
  }
  return rows;
}

/** Prints the rows in bench/core_ratios.ts's table format. */
export async function printTimeoutRows(quick: boolean): Promise<void> {
  for (const [name, ours, raw, target] of await timeoutRows(quick)) {
    console.log(
      `${name} | ${formatRate(ours)} | ${formatRate(raw)} | ${(ours / raw).toFixed(3)} | ${target}`,
    );
  }
}

if (import.meta.main) {
  console.log(`workload | ours | raw Deno (setTimeout + clearTimeout) | ours/raw | target`);
  await printTimeoutRows(Deno.args.includes("--quick"));
}
