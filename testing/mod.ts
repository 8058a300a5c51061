/**
 * Test tooling for concurrent code: virtual time and settling, after
 * trio's `trio.testing`.
 *
 * - `installMockClock()` — the hub's clock becomes virtual; with autojump
 *   it jumps to the next deadline exactly when nothing but a timer could
 *   wake anyone, so a test of hour-long timeouts runs in milliseconds.
 * - `waitAllBlocked()` — parks until every other greenthread is parked.
 * - `assertSwitches(fn)` / `assertNoSwitches(fn)` — check that code does
 *   (does not) pass a switch point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep, spawn, withTimeout } from "@eventlet/eventlet";
 * import { installMockClock } from "@eventlet/eventlet/testing";
 *
 * using clock = installMockClock();
 * const start = clock.now();
 * const slow = spawn(async () => {
 *   await sleep(600); // ten minutes
 *   return "done";
 * });
 * const result = await withTimeout(60, () => slow.wait(), { timeoutValue: "too slow" });
 * assert.equal(result, "too slow");
 * assert.equal(clock.now() - start, 60); // at once, in real time
 * await slow.kill();
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { installMockClock, MockClock } from "./mock_clock.ts";
export type { MockClockOptions } from "./mock_clock.ts";
export { waitAllBlocked } from "./wait_all_blocked.ts";
export type { WaitAllBlockedOptions } from "./wait_all_blocked.ts";
export { assertNoSwitches, assertSwitches } from "./switches.ts";
