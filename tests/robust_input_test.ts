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
import { hubBlockingDetection } from "../debug/blocking.ts";
import { original } from "../patcher/monkey_patch.ts";

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

Deno.test("hubBlockingDetection rejects a resolution of null or a string with a TypeError naming it", () => {
  for (const resolution of [null, "1"]) {
    assert.throws(
      () => hubBlockingDetection(true, { resolution } as unknown as { resolution: number }),
      (e: unknown) =>
        e instanceof TypeError && /resolution must be a number/.test(e.message) &&
        e.message.endsWith(`received ${resolution === null ? "null" : "string"}`),
    );
  }
  assert.throws(
    () => hubBlockingDetection("yes" as unknown as boolean),
    (e: unknown) =>
      e instanceof TypeError && /on must be a boolean, received string/.test(e.message),
  );
  assert.throws(
    () => hubBlockingDetection(true, null as unknown as { resolution: number }),
    (e: unknown) => e instanceof TypeError && /options must be an object/.test(e.message),
  );
});

Deno.test("original(undefined | NaN | 5) is a TypeError naming the name argument", () => {
  for (const name of [undefined, NaN, 5]) {
    assert.throws(
      () => original(name as unknown as "fetch"),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message === `Cannot give the original: name must be a string, received ${typeof name}`,
    );
  }
  assert.throws(() => original("Deno.nothing" as "fetch"), /unknown name/);
});
