/**
 * Controls of the thread pool: setNumThreads, setIdleTimeout, killall.
 *
 * @module
 */

import { checkCount } from "../hub/checks.ts";
import { pool } from "./pool.ts";

/**
 * Sets the number of pool workers (eventlet's `set_num_threads`). Growing
 * takes effect at once (waiting calls start on new workers); shrinking as
 * workers go idle (a busy worker finishes its call first). `0` makes later
 * calls run inline in the calling thread. Overrides
 * `EVENTLET_THREADPOOL_SIZE`. A negative, NaN or non-integer `n` is a
 * `RangeError`, a non-number a `TypeError`. Proxies' workers do not count.
 *
 * @example
 * ```ts
 * import { execute, setNumThreads } from "@eventlet/eventlet/tpool";
 * setNumThreads(2); // at most two calls run at once
 * console.log(await Promise.all([1, 2, 3].map((n) => execute((x: number) => x * 2, n))));
 * ```
 */
export function setNumThreads(n: number): void {
  pool.setSize(checkCount("set the number of tpool threads", "n", n));
}

/**
 * Sets how long (in seconds) a pool worker may sit idle before it is
 * terminated; default 1. `0` ends workers as soon as they are idle (the
 * next call starts a fresh one, ~30 ms); `Infinity` keeps them. Idle workers
 * never keep the process alive either way. Negative or NaN: `RangeError`.
 *
 * @example
 * ```ts
 * import { setIdleTimeout } from "@eventlet/eventlet/tpool";
 * setIdleTimeout(30); // keep warm workers around for half a minute
 * ```
 */
export function setIdleTimeout(seconds: number): void {
  if (typeof seconds !== "number") {
    throw new TypeError(
      `Cannot set the tpool idle timeout: seconds must be a number, received ${typeof seconds}`,
    );
  }
  if (Number.isNaN(seconds) || seconds < 0) {
    throw new RangeError(
      `Cannot set the tpool idle timeout: seconds must be 0 or more, received ${seconds}`,
    );
  }
  pool.setIdleTimeout(seconds);
}

/**
 * Stops the thread pool (eventlet's `killall`): every worker thread is
 * terminated, including those of proxies. Calls waiting or running reject
 * with a `TpoolError` (code `ERR_TPOOL_KILLED`); later calls on existing
 * proxies reject the same way. The pool stays usable: the next `execute`
 * starts fresh workers (reading `EVENTLET_THREADPOOL_SIZE` again unless
 * `setNumThreads` was called). Resolves once every worker has stopped.
 *
 * @example
 * ```ts
 * import { execute, killall } from "@eventlet/eventlet/tpool";
 * console.log(await execute(() => 1 + 1)); // 2
 * await killall();
 * console.log(await execute(() => 2 + 2)); // 4: a fresh worker
 * ```
 */
export function killall(): Promise<void> {
  return pool.killall({ reason: "killall() stopped the thread pool", code: "ERR_TPOOL_KILLED" });
}
