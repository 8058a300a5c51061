/**
 * Which greenlet is running: tracked with `AsyncLocalStorage`.
 *
 * Each greenthread's body runs inside `runAs(greenthread, …)`, and the
 * async context follows every `await` in it, so `currentGreenlet()` is right
 * in any continuation. Code outside any greenthread (top-level code, test
 * bodies, foreign callbacks) belongs to the thread's main greenlet.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { Greenlet } from "./greenlet.ts";

const storage = new AsyncLocalStorage<Greenlet>();
let main: Greenlet | undefined;
let hubOwn: Greenlet | undefined;
let makeSpecial: (id: number) => Greenlet = (id) => {
  const g = new Greenlet(id);
  g.started = true;
  return g;
};

/** The running greenlet, or the thread's main greenlet outside any. */
export function currentGreenlet(): Greenlet {
  return storage.getStore() ?? (main ??= makeSpecial(0));
}

/** The thread's main greenlet (id 0: the one top-level code runs in). */
export function mainGreenlet(): Greenlet {
  return main ??= makeSpecial(0);
}

/**
 * The hub's own greenlet (id -1): hub timer callbacks run in it, so a
 * switch point called there parks it, not the main greenthread (whose
 * kills and Timeouts it would otherwise take).
 */
export function hubGreenlet(): Greenlet {
  return hubOwn ??= makeSpecial(-1);
}

/** Lets `green/` make the main and hub greenlets full GreenThreads. */
export function setSpecialGreenletFactory(factory: (id: number) => Greenlet): void {
  makeSpecial = factory;
}

/** Calls `fn(arg)` with `greenlet` as the current greenlet. */
export function runAs<A, R>(greenlet: Greenlet, fn: (arg: A) => R, arg: A): R {
  return storage.run(greenlet, fn, arg);
}
