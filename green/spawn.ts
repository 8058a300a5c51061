/**
 * Starting and stopping greenthreads: spawn, spawnN, spawnAfter,
 * spawnAfterLocal, kill, getCurrent.
 *
 * Spawning never runs the function at once: it queues it on the hub and
 * returns; the function starts when the spawner reaches a switch point and
 * the run queue gets to it (FIFO with every other spawn and wake-up).
 *
 * @module
 */

import { checkFunction, checkSeconds, typeName } from "../hub/checks.ts";
import {
  addExitHook,
  callLater,
  captureContext,
  captureSpawnSites,
  currentGreenlet,
  GreenletExit,
  GreenThread,
  isDead,
  register,
  scheduleStart,
  setSoleArgument,
  setSpawnSite,
  startAlone,
} from "../hub/lowlevel.ts";

/**
 * Schedules `fn(...args)` (sync or async) to run in a new greenthread and
 * returns it at once; the caller keeps running until its next switch point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawn } from "@eventlet/eventlet";
 * const gt = spawn(async (name: string) => `hello ${name}`, "world");
 * assert.equal(await gt.wait(), "hello world");
 * ```
 */
export function spawn<A extends unknown[], T>(
  fn: (...args: A) => T,
  ...args: A
): GreenThread<Awaited<T>> {
  checkFunction("spawn", fn);
  return spawnIn(captureContext(), fn, args);
}

/**
 * `spawn` with the AsyncLocalStorage values to start with given
 * (`captureContext()` taken where the spawn was asked for).
 * @ignore
 */
export function spawnIn<A extends unknown[], T>(
  spawnContext: unknown,
  fn: (...args: A) => T,
  args: A,
): GreenThread<Awaited<T>> {
  return launch(new GreenThread<Awaited<T>>(fn as never, args, spawnContext));
}

/**
 * `spawnIn` for a function of one argument, given without a list (imap's
 * hot path: hub/greenthread.ts `setSoleArgument`).
 * @ignore
 */
export function spawnSoleIn<A, T>(
  spawnContext: unknown,
  fn: (arg: A) => T,
  arg: A,
): GreenThread<Awaited<T>> {
  const gt = new GreenThread<Awaited<T>>(fn as never, null, spawnContext);
  setSoleArgument(gt, arg);
  return launch(gt);
}

/** Registers a new greenthread and queues its start. */
function launch<T>(gt: GreenThread<T>): GreenThread<T> {
  if (captureSpawnSites) setSpawnSite(gt, callerLine());
  register(gt);
  scheduleStart(gt);
  return gt;
}

/** The first stack frame outside this package's spawn functions. */
function callerLine(): string | undefined {
  const lines = (new Error().stack ?? "").split("\n").slice(1);
  const line = lines.find((l) => !/\/green\/(spawn|greenpool|greenpile)\.ts/.test(l));
  return line?.trim().replace(/^at /, "");
}

/**
 * As `spawn`, but returns nothing: nobody can wait for the greenthread, so
 * an error it throws goes to `hub.onError` (never an unhandled rejection).
 *
 * @example
 * ```ts
 * import { sleep, spawnN } from "@eventlet/eventlet";
 * spawnN(() => console.log("fire and forget"));
 * await sleep(0);
 * ```
 */
export function spawnN<A extends unknown[]>(
  fn: (...args: A) => unknown,
  ...args: A
): void {
  checkFunction("spawn", fn);
  spawnIn(captureContext(), fn, args);
}

/**
 * Schedules `fn(...args)` to start after `seconds` (negative means 0), even
 * if the caller has ended by then. `cancel()` before then and it never runs.
 * Seconds that are NaN or not a number: `RangeError`/`TypeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawnAfter } from "@eventlet/eventlet";
 * const gt = spawnAfter(0.01, () => "later");
 * assert.equal(await gt.wait(), "later");
 * ```
 */
export function spawnAfter<A extends unknown[], T>(
  seconds: number,
  fn: (...args: A) => T,
  ...args: A
): GreenThread<Awaited<T>> {
  // The timer's entry starts it: we are in the pump, at the timer's place.
  return spawnLater("spawnAfter", seconds, fn, args, startAlone);
}

/**
 * As `spawnAfter`, but if the spawning greenthread has ended when the delay
 * is over, the new one never runs and dies with `GreenletExit` (its
 * `wait()` rejects). Deviation: eventlet leaves it neither run nor dead, so
 * a `wait()` there hangs forever.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawn, spawnAfterLocal } from "@eventlet/eventlet";
 * const parent = spawn(() => spawnAfterLocal(0.01, () => "never runs"));
 * const child = await parent.wait();
 * await assert.rejects(child.wait(), { name: "GreenletExit" });
 * ```
 */
export function spawnAfterLocal<A extends unknown[], T>(
  seconds: number,
  fn: (...args: A) => T,
  ...args: A
): GreenThread<Awaited<T>> {
  const owner = currentGreenlet();
  return spawnLater("spawnAfterLocal", seconds, fn, args, (child) => {
    if (isDead(owner)) {
      child.kill(new GreenletExit("Greenthread was cancelled: its spawner ended first"));
    } else startAlone(child);
  });
}

/**
 * The greenthread of `spawnAfter`/`spawnAfterLocal`: registered now, handed
 * to `due` when `seconds` have passed; its timer is cancelled if it ends
 * (killed or cancelled) before then.
 */
function spawnLater<A extends unknown[], T>(
  action: string,
  seconds: number,
  fn: (...args: A) => T,
  args: A,
  due: (gt: GreenThread<Awaited<T>>) => void,
): GreenThread<Awaited<T>> {
  const delay = checkSeconds(action, seconds);
  checkFunction(action, fn);
  const gt = new GreenThread<Awaited<T>>(fn as never, args, captureContext());
  if (captureSpawnSites) setSpawnSite(gt, callerLine());
  register(gt);
  const timer = callLater(delay, due, gt);
  addExitHook(gt, () => timer.cancel()); // cancelled or killed before its start
  return gt;
}

/**
 * Same as `gt.kill(error)`: throws `error` (default `GreenletExit`) into
 * `gt` and resolves once it has ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kill, sleep, spawn } from "@eventlet/eventlet";
 * const gt = spawn(() => sleep(10));
 * await kill(gt);
 * assert.equal(gt.dead, true);
 * ```
 */
export function kill(gt: GreenThread<unknown>, error?: unknown): Promise<void> {
  if (!(gt instanceof GreenThread)) {
    throw new TypeError(`Cannot kill: gt must be a GreenThread, received ${typeName(gt)}`);
  }
  return gt.kill(error);
}

/**
 * The running greenthread; outside any spawned greenthread, the thread's
 * main greenthread (id 0, named "main"), so `Timeout` and `kill` work in
 * plain top-level code too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getCurrent, spawn } from "@eventlet/eventlet";
 * const gt = spawn(() => getCurrent());
 * assert.equal((await gt.wait()) === gt, true);
 * assert.equal(getCurrent().name, "main");
 * ```
 */
export function getCurrent(): GreenThread<unknown> {
  return currentGreenlet();
}
