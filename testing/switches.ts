/**
 * assertSwitches and assertNoSwitches: check that code passes (or does not
 * pass) a switch point — trio's `assert_checkpoints` and
 * `assert_no_checkpoints`.
 *
 * Counted with an instrument while `fn` runs: a park or a yield of the
 * calling greenthread (`afterSwitch`), and a switch point of it that
 * completed at once (`completedAtOnce`).
 *
 * @module
 */

import { AssertionError } from "node:assert";
import { checkFunction } from "../hub/checks.ts";
import { getHub } from "../hub/hub.ts";
import type { Instrument } from "../hub/instruments.ts";
import { currentGreenlet, type GreenThread } from "../hub/lowlevel.ts";

/** Runs `fn`, counting the switch points the calling greenthread passes. */
async function countSwitches<T>(
  what: string,
  fn: () => T | PromiseLike<T>,
): Promise<{ value: T; count: number }> {
  checkFunction(what, fn);
  const caller: GreenThread = currentGreenlet();
  let count = 0;
  const counter: Instrument = {
    afterSwitch: (gt) => {
      if (gt === caller) count++;
    },
    completedAtOnce: (gt) => {
      if (gt === caller) count++;
    },
  };
  const instruments = getHub().instruments;
  instruments.add(counter);
  try {
    const value = await fn();
    return { value, count };
  } finally {
    instruments.remove(counter);
  }
}

/**
 * Runs `fn` and resolves its value; rejects with an `AssertionError` if
 * the calling greenthread passed no switch point meanwhile.
 *
 * - Every await of one of this package's operations counts, even one that
 *   completes at once (`q.get()` with an item waiting, `acquire()` of a
 *   free semaphore, `wait()` of an Event already sent).
 * - Switch points of greenthreads that `fn` spawns do not count, nor
 *   plain awaits of foreign promises (`waitFor` makes one a switch point).
 * - An error `fn` throws passes through unchanged.
 *
 * @example
 * ```ts
 * import { Queue } from "@eventlet/eventlet";
 * import { assertSwitches } from "@eventlet/eventlet/testing";
 * const q = new Queue<number>();
 * q.putNowait(1);
 * await assertSwitches(() => q.get()); // an item was waiting: still a switch point
 * ```
 */
export async function assertSwitches<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  const { value, count } = await countSwitches("assert switches", fn);
  if (count === 0) {
    throw new AssertionError({
      message: "Expected a switch point, but fn passed none",
      actual: 0,
      expected: "at least 1",
      operator: "assertSwitches",
    });
  }
  return value;
}

/**
 * Runs `fn` and resolves its value; rejects with an `AssertionError` if
 * the calling greenthread passed any switch point meanwhile: between two
 * switch points a greenthread runs alone, so this checks that `fn` keeps
 * the thread (no other greenthread runs, no kill or Timeout can land).
 * Counted as in `assertSwitches`.
 *
 * @example
 * ```ts
 * import { Event, Queue } from "@eventlet/eventlet";
 * import { assertNoSwitches } from "@eventlet/eventlet/testing";
 * const q = new Queue<number>();
 * await assertNoSwitches(() => {
 *   q.putNowait(1);
 *   new Event().send();
 * });
 * ```
 */
export async function assertNoSwitches<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  const { value, count } = await countSwitches("assert no switches", fn);
  if (count !== 0) {
    throw new AssertionError({
      message: `Expected no switch point, but fn passed ${count}`,
      actual: count,
      expected: 0,
      operator: "assertNoSwitches",
    });
  }
  return value;
}
