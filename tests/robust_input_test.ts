/**
 * Bad input found by trying the package as a new user: eventlet idioms that
 * cannot carry over and arguments of the wrong type get a clear TypeError
 * naming the argument, never an engine error from deeper down.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Timeout, withTimeout } from "../green/timeout.ts";
import { sleep } from "../green/sleep.ts";

Deno.test("new Timeout(seconds, false) is a TypeError pointing to withTimeout's timeoutValue", () => {
  assert.throws(
    () => new Timeout(5, false),
    (e: unknown) =>
      e instanceof TypeError && /Cannot create Timeout/.test(e.message) &&
      /withTimeout\(seconds, fn, \{ timeoutValue \}\)/.test(e.message),
  );
});

Deno.test("withTimeout's timeoutValue is the quiet exit the TypeError points to", async () => {
  const value = await withTimeout(0.01, () => sleep(1), { timeoutValue: false });
  assert.equal(value, false);
});

Deno.test("new Timeout(seconds, error) with another falsy error still throws that error", async () => {
  const t = new Timeout(0, 0);
  await assert.rejects(sleep(0.05), (e: unknown) => e === 0);
  t.cancel();
});
