/**
 * Which greenlet is running: the async-context carrier of this thread.
 *
 * Each greenthread's body runs inside `runAs(greenthread, …)`, and the
 * async context carries the greenlet across every `await` in it
 * (`async_context.ts`), so `currentCarried()` is right in any
 * continuation. Code outside any greenthread (top-level code, test bodies,
 * foreign callbacks) carries nothing: `currentGreenlet()` (greenthread.ts)
 * answers the thread's main greenthread there.
 *
 * @module
 */

import type { GreenletCore } from "./greenlet_core.ts";
import { makeContextCarrier } from "./async_context.ts";

const carrier = makeContextCarrier<GreenletCore>();

/** Which carrier this thread uses: "native" or "portable" (async_context.ts). */
export const contextCarrierKind: "native" | "portable" = carrier.kind;

/** The greenlet the running code belongs to, or undefined outside any. */
export function currentCarried(): GreenletCore | undefined {
  return carrier.get();
}

/**
 * The `AsyncLocalStorage` values of the running code, for a greenthread
 * spawned here to start with; undefined when there are none.
 */
export function captureContext(): unknown {
  return carrier.capture();
}

/**
 * Calls `fn(arg)` with `greenlet` as the current greenlet and the
 * `AsyncLocalStorage` values `captured` earlier by `captureContext()`,
 * whatever the context of the caller.
 */
export function runAs<A, R>(
  greenlet: GreenletCore,
  fn: (arg: A) => R,
  arg: A,
  captured: unknown,
): R {
  return carrier.run(greenlet, fn, arg, captured);
}
