/**
 * Test helpers shared by the test files: run code with `hub.onError`
 * replaced by a collector, and put the handler back afterwards.
 */

import { getHub, type Greenlet } from "../hub/mod.ts";

/**
 * Collects what reaches hub.onError until disposed (`using capture = captureErrors()`):
 * each error, and beside it the greenthread it came from (undefined for a timer callback).
 */
export function captureErrors(): {
  errors: unknown[];
  greenthreads: (Greenlet | undefined)[];
} & Disposable {
  const hub = getHub();
  const previous = hub.onError;
  const errors: unknown[] = [];
  const greenthreads: (Greenlet | undefined)[] = [];
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
