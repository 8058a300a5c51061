/**
 * Which greenlet is running.
 *
 * Each greenthread's body runs inside `runAs(greenthread, …)`, and the
 * async context carries the greenlet across every `await` in it
 * (`async_context.ts`), so `currentGreenlet()` is right in any
 * continuation. Code outside any greenthread (top-level code, test bodies,
 * foreign callbacks) belongs to the thread's main greenlet.
 *
 * @module
 */

import { Greenlet } from "./greenlet.ts";
import { makeContextCarrier } from "./async_context.ts";

const carrier = makeContextCarrier<Greenlet>();

/** Which carrier this thread uses: "native" or "portable" (async_context.ts). */
export const contextCarrierKind: "native" | "portable" = carrier.kind;

let main: Greenlet | undefined;
let hubOwn: Greenlet | undefined;
let makeSpecial: (id: number) => Greenlet = (id) => new Greenlet(id);

/** The main or hub greenlet: it is already running when first asked for. */
function special(id: number): Greenlet {
  const g = makeSpecial(id);
  g.started = true;
  return g;
}

/** The running greenlet, or the thread's main greenlet outside any. */
export function currentGreenlet(): Greenlet {
  return carrier.get() ?? (main ??= special(0));
}

/** The thread's main greenlet (id 0: the one top-level code runs in). */
export function mainGreenlet(): Greenlet {
  return main ??= special(0);
}

/**
 * The hub's own greenlet (id -1): hub timer callbacks run in it, so a
 * switch point called there parks it, not the main greenthread (whose
 * kills and Timeouts it would otherwise take).
 */
export function hubGreenlet(): Greenlet {
  return hubOwn ??= special(-1);
}

/**
 * Lets `green/` make the main and hub greenlets full GreenThreads (marked
 * started here).
 */
export function setSpecialGreenletFactory(factory: (id: number) => Greenlet): void {
  makeSpecial = factory;
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
  greenlet: Greenlet,
  fn: (arg: A) => R,
  arg: A,
  captured: unknown,
): R {
  return carrier.run(greenlet, fn, arg, captured);
}
