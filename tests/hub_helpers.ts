/**
 * Test helpers shared by the test files: run code with `hub.onError`
 * replaced by a collector, and put the handler back afterwards.
 */

import { getHub } from "../hub/mod.ts";

/** Collects what reaches hub.onError until disposed (`using capture = captureErrors()`). */
export function captureErrors(): { errors: unknown[] } & Disposable {
  const hub = getHub();
  const previous = hub.onError;
  const errors: unknown[] = [];
  hub.onError = (error) => errors.push(error);
  return { errors, [Symbol.dispose]: () => (hub.onError = previous) };
}

/** Runs `fn(errors)` while every error reported to `hub.onError` lands in `errors`. */
export async function collectingErrors(fn: (errors: unknown[]) => Promise<void>): Promise<void> {
  using capture = captureErrors();
  await fn(capture.errors);
}
