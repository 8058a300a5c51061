/**
 * Test helpers shared by the test files: run code with `hub.onError`
 * replaced by a collector (and put the handler back afterwards), and spend
 * the hub's loop budget.
 */

import assert from "node:assert/strict";
import { getHub, type GreenThread } from "../hub/mod.ts";
import { budgetSpent } from "../hub/lowlevel.ts";

/**
 * Collects what reaches hub.onError until disposed (`using capture = captureErrors()`):
 * each error, and beside it the greenthread it came from (undefined for a timer callback).
 */
export function captureErrors(): {
  errors: unknown[];
  greenthreads: (GreenThread | undefined)[];
} & Disposable {
  const hub = getHub();
  const previous = hub.onError;
  const errors: unknown[] = [];
  const greenthreads: (GreenThread | undefined)[] = [];
  hub.onError = (error, greenthread) => {
    errors.push(error);
    greenthreads.push(greenthread);
  };
  return { errors, greenthreads, [Symbol.dispose]: () => (hub.onError = previous) };
}

/** Runs `fn(errors)` while every error reported to `hub.onError` lands in `errors`. */
export async function collectingErrors(fn: (errors: unknown[]) => Promise<void>): Promise<void> {
  using capture = captureErrors();
  await fn(capture.errors);
}

/**
 * Blocks the thread past the hub's ~1 ms loop budget, so that the next
 * operation that would complete at once yields for a turn of the event loop
 * instead (the order it resumes in must not change).
 */
export function spendLoopBudget(): void {
  const end = performance.now() + 2;
  while (performance.now() < end) { /* block the thread */ }
  // The budget reads the clock only every few thousand checks.
  for (let i = 0; i < 10_000 && !budgetSpent(); i++) { /* count down */ }
  assert.ok(budgetSpent(), "the loop budget is spent");
}
