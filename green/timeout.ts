/**
 * Timeout, withTimeout, isTimeout: deadlines that throw into a greenthread.
 *
 * A `Timeout` is a timer that, when it expires, throws into the greenthread
 * that started it, at the switch point where it is parked (or its next one).
 *
 * @module
 */

import { checkFunction, checkSeconds } from "../hub/checks.ts";
import {
  callLater,
  captureSpawnSites,
  currentGreenlet,
  type GreenThread,
  type HubTimer,
  isDead,
  parksOf,
  throwInto,
  withdrawPendingError,
} from "../hub/lowlevel.ts";

function describeSeconds(seconds: number | null): string {
  if (seconds === null) return "Timeout that never fires";
  return `Timed out after ${seconds} second${seconds === 1 ? "" : "s"}`;
}

/**
 * What `super()` in Timeout's constructor calls (see the end of this file):
 * nothing. Hot path: on Deno, constructing any Error costs ~1.5 µs even with
 * Error.stackTraceLimit = 0, more than a bare setTimeout + clearTimeout
 * (bench/timeout_ratios.ts). Timeout.prototype still inherits from
 * Error.prototype: a Timeout is `instanceof Error` and prints as an error.
 */
function constructWithoutStack(): void {}

/** Throws the Timeout into its greenthread (its hub timer's callback). */
let fire: (timeout: Timeout) => void;

/**
 * A deadline for the greenthread that creates it. It starts at once; when
 * `seconds` pass it throws `error` (or, if none, the Timeout itself) into
 * that greenthread.
 *
 * - `seconds` undefined, null or `Infinity`: it never fires. Negative means
 *   0 (fires at the greenthread's next switch point); NaN is a `RangeError`.
 * - Nested timeouts are independent: an inner one expiring does not disturb
 *   the outer; the outer expiring inside an inner block throws the outer.
 * - `cancel()` (or leaving a `using` block) stops it; a Timeout that fired
 *   but whose error has not reached its greenthread yet is withdrawn.
 * - It expiring after its greenthread ended does nothing.
 * - Deviation: eventlet's `Timeout(seconds, False)` leaves the block
 *   quietly; a `using` block cannot swallow an error, so `error === false`
 *   is a `TypeError` pointing to `withTimeout(seconds, fn, { timeoutValue })`.
 * - Identity works: `catch (e) { if (e === t) … }`. Deviation: eventlet's
 *   Timeout is a BaseException that `except Exception` skips; JavaScript
 *   has no such split, so catch blocks see it (use `isTimeout`).
 * - Costs no more than a bare `setTimeout` + `clearTimeout` to create and
 *   cancel (`deno task bench`, "Timeout" rows), so one per request is fine.
 * - Deviation: its `stack` says where it landed, not where it was created:
 *   once it fires, `Timeout: Timed out after 5 seconds\n    at
 *   GreenThread-12, parked in sleep` (the switch point its greenthread was
 *   parked at, or "at its next switch point"); before that, the first line
 *   only. With `debug.captureSpawnSites` on, it keeps the line that created
 *   it instead (~1.5 µs a Timeout). On Deno, constructing any Error costs
 *   ~1.5 µs even without a stack, so the constructor skips Error's.
 * - Deviation: it is `instanceof Error` (its prototype chain is Error's) and
 *   prints as one, but V8's error brand is missing: `Error.isError(t)` is
 *   false, `Object.prototype.toString.call(t)` is `[object Object]`, and
 *   `structuredClone(t)` gives a plain object, not an Error.
 *
 * @example
 * ```ts
 * import { sleep, Timeout } from "@eventlet/eventlet";
 * using t = new Timeout(0.01);
 * try {
 *   await sleep(1);
 * } catch (e) {
 *   if (e !== t) throw e;
 *   console.log("timed out");
 * }
 * ```
 */
export class Timeout extends Error {
  /** The delay in seconds; null if it never fires. */
  readonly seconds: number | null;
  /** What it throws when it expires (undefined: the Timeout itself). */
  readonly error: unknown;
  #timer: HubTimer | null = null;
  #owner: GreenThread | null = null;
  /** Its stack: set when it fires (or at construction with captureSpawnSites). */
  #stack: string | undefined = undefined;

  /** Starts a timeout of `seconds` for the current greenthread. */
  constructor(seconds?: number | null, error?: unknown) {
    if (error === false) {
      throw new TypeError(
        "Cannot create Timeout: error must not be false (eventlet's quiet exit cannot carry over), use withTimeout(seconds, fn, { timeoutValue }) instead",
      );
    }
    const delay = seconds === undefined || seconds === null || seconds === Infinity
      ? null
      : checkSeconds("create Timeout", seconds);
    super();
    this.seconds = delay;
    this.error = error;
    if (captureSpawnSites) {
      // debug.captureSpawnSites: keep the line that created it (~1.5 µs).
      const holder: { stack?: string } = {};
      Error.captureStackTrace(holder, Timeout);
      this.#stack = `${this.name}: ${this.message}${holder.stack!.slice("Error".length)}`;
    }
    this.start();
  }

  /** "Timeout". */
  override get name(): string {
    return "Timeout";
  }

  /** "Timed out after 5 seconds", or "Timeout that never fires". */
  override get message(): string {
    return describeSeconds(this.seconds);
  }

  /**
   * Where it landed once it fired: the switch point its greenthread was
   * parked at (or "at its next switch point"); with
   * `debug.captureSpawnSites` on, the line that created it.
   */
  override get stack(): string {
    return this.#stack ?? `${this.name}: ${this.message}`;
  }
  override set stack(value: string) {
    this.#stack = value;
  }

  /** Always true: lets `isTimeout` recognise it. */
  get isTimeout(): true {
    return true;
  }

  /** True while it is scheduled and has neither fired nor been cancelled. */
  get pending(): boolean {
    return this.#timer !== null && this.#timer.live;
  }

  /**
   * (Re)starts it for the current greenthread with the same `seconds`.
   * Throws if it is already pending.
   *
   * @example
   * ```ts
   * import { Timeout } from "@eventlet/eventlet";
   * const t = new Timeout(5);
   * t.cancel();
   * t.start(); // five more seconds
   * t.cancel();
   * ```
   */
  start(): this {
    if (this.pending) {
      throw new Error("Cannot start Timeout: it is already pending; cancel it first");
    }
    this.#owner = currentGreenlet();
    if (this.seconds !== null) {
      this.#timer = callLater(this.seconds, fire, this);
    }
    return this;
  }

  /**
   * Stops it. If it fired but its error has not yet reached its
   * greenthread, the error is withdrawn. Cancelling twice is harmless.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Timeout } from "@eventlet/eventlet";
   * const t = new Timeout(1);
   * t.cancel();
   * assert.equal(t.pending, false);
   * ```
   */
  cancel(): void {
    if (this.#timer !== null) this.#timer.cancel();
    this.#timer = null;
    if (this.#owner !== null) withdrawPendingError(this.#owner, this);
  }

  /** Cancels it: `using t = new Timeout(5)` scopes it to a block. */
  [Symbol.dispose](): void {
    this.cancel();
  }

  static {
    fire = (timeout) => {
      const owner = timeout.#owner;
      if (owner === null || isDead(owner)) return;
      if (timeout.#stack === undefined) {
        const parks = parksOf(owner);
        const where = parks.length > 0 ? `parked in ${parks[0].what}` : "at its next switch point";
        timeout.#stack = `${timeout.name}: ${timeout.message}\n    at ${owner.name}, ${where}`;
      }
      throwInto(owner, timeout.error ?? timeout, timeout);
    };
  }
}

// Only what `super()` calls changes: the prototype chain stays Timeout → Error.
Object.setPrototypeOf(Timeout, constructWithoutStack);

/** Options of `withTimeout`. */
export interface WithTimeoutOptions<V> {
  /** Resolve with this instead of throwing when the timeout expires. */
  timeoutValue: V;
}

/**
 * Runs `fn()` under a `Timeout(seconds)`. If that timeout expires, resolves
 * `timeoutValue` when one is given, else rethrows the Timeout. Another
 * timeout (an outer one) passes through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep, withTimeout } from "@eventlet/eventlet";
 * const r = await withTimeout(0.01, async () => { await sleep(1); return "done"; }, {
 *   timeoutValue: "late",
 * });
 * assert.equal(r, "late");
 * ```
 */
export function withTimeout<T, V = never>(
  seconds: number | null | undefined,
  fn: () => T | PromiseLike<T>,
  options?: WithTimeoutOptions<V>,
): Promise<T | V> {
  // Bad arguments throw here, synchronously, like every other entry point.
  checkFunction("run withTimeout", fn);
  return runUnderTimeout(new Timeout(seconds), fn, options);
}

async function runUnderTimeout<T, V>(
  timeout: Timeout,
  fn: () => T | PromiseLike<T>,
  options: WithTimeoutOptions<V> | undefined,
): Promise<T | V> {
  try {
    return await fn();
  } catch (error) {
    if (error === timeout && options !== undefined && "timeoutValue" in options) {
      return options.timeoutValue;
    }
    throw error;
  } finally {
    timeout.cancel();
  }
}

/**
 * True for a `Timeout`, for net's `SocketTimeout`, and for any object with
 * an `isTimeout` property that is true.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTimeout, Timeout } from "@eventlet/eventlet";
 * const t = new Timeout(null);
 * assert.deepEqual([isTimeout(t), isTimeout(new Error("x"))], [true, false]);
 * ```
 */
export function isTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { isTimeout?: unknown }).isTimeout === true;
}
