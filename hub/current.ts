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
let makeMain: () => Greenlet = () => {
  const g = new Greenlet(0);
  g.started = true;
  return g;
};

/** The running greenlet, or the thread's main greenlet outside any. */
export function currentGreenlet(): Greenlet {
  return storage.getStore() ?? (main ??= makeMain());
}

/** The thread's main greenlet (the one top-level code runs in). */
export function mainGreenlet(): Greenlet {
  return main ??= makeMain();
}

/** Lets `green/` make the main greenlet a full GreenThread. */
export function setMainGreenletFactory(factory: () => Greenlet): void {
  makeMain = factory;
}

/** Calls `fn(arg)` with `greenlet` as the current greenlet. */
export function runAs<A, R>(greenlet: Greenlet, fn: (arg: A) => R, arg: A): R {
  return storage.run(greenlet, fn, arg);
}

/** Calls `fn()` outside any greenthread (it runs as the main greenlet). */
export function runOutside<R>(fn: () => R): R {
  return storage.exit(fn);
}
