/**
 * local: green-local storage, each greenthread seeing its own attributes
 * (eventlet's `eventlet.corolocal.local`).
 *
 * How it works: `local()` returns a `Proxy` whose every operation (get,
 * set, `in`, delete, keys, property descriptors) is redirected to a plain
 * object belonging to the running greenthread, found with
 * `currentGreenlet()` in a `WeakMap`. Top-level code (outside any spawned
 * greenthread) is the main greenthread and has its own object too. A
 * greenthread's object is garbage once the greenthread is, so nothing leaks.
 *
 * @module
 */

import { currentGreenlet, type GreenThread } from "../hub/lowlevel.ts";
import { checkFunction } from "../hub/checks.ts";

/**
 * Makes green-local storage: an object on which each greenthread sees only
 * the attributes it set itself, as `threading.local` does for threads.
 *
 * - An attribute set in one greenthread is invisible in every other one,
 *   and in top-level code (the main greenthread): it reads `undefined`
 *   there and `"name" in l` is false (eventlet raises AttributeError).
 * - `init(self)`, if given, runs for the greenthread that calls `local`
 *   right away, then the first time each other greenthread touches the
 *   object (eventlet re-runs a subclass's `__init__` the same way), so it
 *   can set per-greenthread defaults and methods. Methods called as
 *   `l.method()` see the proxy as `this`, hence the caller's attributes.
 * - `Object.keys(l)`, `JSON.stringify(l)`, `delete l.x` and spreading all
 *   act on the current greenthread's attributes.
 * - An object is kept only as long as its greenthread is (a `WeakMap`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { local } from "@eventlet/eventlet/green";
 * import { spawn } from "@eventlet/eventlet";
 * const ctx = local<{ user?: string }>();
 * ctx.user = "main";
 * await spawn(() => {
 *   assert.equal(ctx.user, undefined); // set in another greenthread
 *   ctx.user = "worker";
 * }).wait();
 * assert.equal(ctx.user, "main");
 * ```
 *
 * @example Per-greenthread defaults
 * ```ts
 * import assert from "node:assert/strict";
 * import { local } from "@eventlet/eventlet/green";
 * import { spawn } from "@eventlet/eventlet";
 * const stats = local<{ hits: number }>((self) => {
 *   self.hits = 0;
 * });
 * stats.hits++;
 * assert.deepEqual([await spawn(() => stats.hits).wait(), stats.hits], [0, 1]);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function local<T extends object = Record<PropertyKey, any>>(
  init?: (self: T) => void,
): T {
  if (init !== undefined) checkFunction("create local", init, "init");
  const perGreenthread = new WeakMap<GreenThread, Record<PropertyKey, unknown>>();
  const attributes = (): Record<PropertyKey, unknown> => {
    const g = currentGreenlet();
    let own = perGreenthread.get(g);
    if (own === undefined) {
      own = {};
      // Stored before init runs, so that init's own accesses find it.
      perGreenthread.set(g, own);
      init?.(proxy);
    }
    return own;
  };
  const target = {
    // console.log shows the current greenthread's attributes.
    [Symbol.for("Deno.customInspect")]: (
      inspect: (value: unknown, options: unknown) => string,
      options: unknown,
    ): string => `local ${inspect(attributes(), options)}`,
  };
  const proxy = new Proxy(target as unknown as T, {
    get: (_, key) => Reflect.get(attributes(), key),
    set: (_, key, value) => Reflect.set(attributes(), key, value),
    has: (_, key) => Reflect.has(attributes(), key),
    deleteProperty: (_, key) => Reflect.deleteProperty(attributes(), key),
    ownKeys: () => Reflect.ownKeys(attributes()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(attributes(), key),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(attributes(), key, descriptor),
  });
  if (init !== undefined) attributes();
  return proxy;
}
