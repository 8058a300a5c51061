/**
 * execute(): run a function in a worker thread while the caller's
 * greenthread parks.
 *
 * @module
 */

import {
  awaitForeign,
  completed,
  currentGreenlet,
  deliverPending,
  failed,
  type GreenThread,
  hasPendingError,
  newPark,
  suspend,
} from "../hub/lowlevel.ts";
import { functionInfo } from "./function_source.ts";
import { pool } from "./pool.ts";
import { IN_WORKER_KEY, OP } from "./protocol.ts";
import { Task } from "./task.ts";
import { isTransferBox, type TransferBox, unpackArgs } from "./transfer.ts";
import { isWorkerFunction, type WorkerFunction } from "./worker_function.ts";

const inWorker = (globalThis as Record<symbol, unknown>)[Symbol.for(IN_WORKER_KEY)] === true;
let warnedZero = false;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

/**
 * Runs `fn(...args)` in a worker thread of the pool and resolves its result;
 * the calling greenthread parks meanwhile and the others keep running (a
 * switch point). The eventlet name is `tpool.execute`.
 *
 * - `fn` is a self-contained function (sync or async): it is sent as source
 *   text, compiled once per worker and cached by that text, so it must not
 *   use variables from outside its own body (a clear `ReferenceError` says
 *   so when it does). It may `await import(...)` absolute specifiers. Or `fn`
 *   is a `workerFunction(url, name)`, imported once per worker.
 * - Arguments and the result are structured-cloned (objects, arrays, `Map`,
 *   `Set`, `Date`, typed arrays, errors…); `transfer(value, buffers)` moves
 *   buffers instead, either way. An argument that cannot be cloned (a
 *   function, a socket) rejects with a `DataCloneError`; the pool is unharmed.
 * - An error thrown in the worker rejects with an error of the same name and
 *   message, its own properties (`code`, …) and the worker's stack.
 * - Calls beyond the pool size wait in FIFO order for a free worker.
 * - A `kill` or `Timeout` releases the caller at once; a call still waiting
 *   is dropped, a running one is abandoned and its worker terminated and
 *   replaced (a worker cannot stop a call half-way).
 * - A worker that crashes (an uncaught error, even one thrown in a timer
 *   of an earlier call, an unhandled rejection, `close()`, `process.exit()`)
 *   is replaced. Only the call running there when it crashed rejects, with
 *   a `TpoolError` whose `cause` is the uncaught error; results it sent
 *   before are delivered, and calls queued on it that had not started run
 *   on another worker. A call that awaits does not hold back the calls
 *   queued behind it while another worker is free.
 * - Pool size 0, or a call made inside a tpool worker: `fn` runs inline in
 *   the calling thread (as eventlet), with no cloning.
 *
 * @example
 * ```ts
 * import { execute } from "@eventlet/eventlet/tpool";
 * const n = await execute((limit: number) => {
 *   let primes = 0;
 *   for (let i = 2; i < limit; i++) {
 *     let p = true;
 *     for (let d = 2; d * d <= i; d++) if (i % d === 0) { p = false; break; }
 *     if (p) primes++;
 *   }
 *   return primes;
 * }, 10_000);
 * console.log(n); // 1229
 * ```
 */
export function execute<A extends unknown[], R>(
  fn: ((...args: A) => R) | WorkerFunction<(...args: A) => R>,
  ...args: A
): Promise<Awaited<R>> {
  let msg: unknown[];
  let fnId = 0;
  let source: string | null = null;
  if (typeof fn === "function") {
    const info = functionInfo(fn, "execute fn in a worker");
    fnId = info.id;
    source = info.source;
    msg = [OP.CALL, 0, fnId, null, args, -1, 0];
  } else if (isWorkerFunction(fn)) {
    msg = [OP.MCALL, 0, fn.url, fn.exportName, args, -1, 0];
  } else {
    throw new TypeError(
      `Cannot execute: fn must be a function or a workerFunction(), received ${describe(fn)}`,
    );
  }
  const g = currentGreenlet();
  if (hasPendingError(g)) return deliverPending(g);
  let size: number;
  try {
    size = pool.size();
  } catch (error) {
    return failed(g, error);
  }
  if (size === 0 || inWorker) return runInline(g, fn, args, size === 0);
  const task = new Task(msg, unpackArgs(args), fnId, source, null, "execute fn in a worker");
  try {
    pool.submit(task);
  } catch (error) {
    return failed(g, error);
  }
  const park = newPark(g, "tpool.execute");
  task.attach(park);
  return suspend(park);
}

function unbox(value: unknown): unknown {
  return isTransferBox(value) ? (value as TransferBox).value : value;
}

/** Pool size 0 or nested in a worker: call `fn` here, as eventlet does. */
// deno-lint-ignore no-explicit-any
function runInline(g: GreenThread, fn: unknown, args: unknown[], zero: boolean): Promise<any> {
  if (zero && !warnedZero) {
    warnedZero = true;
    console.warn(
      "Zero threads in tpool: calls run inline in the calling thread " +
        "(EVENTLET_THREADPOOL_SIZE=0 or setNumThreads(0))",
    );
  }
  unpackArgs(args);
  if (isWorkerFunction(fn)) {
    return awaitForeign(
      g,
      "tpool.execute",
      () =>
        import(fn.url).then((mod: Record<string, unknown>) => {
          const f = mod[fn.exportName];
          if (typeof f !== "function") {
            throw new TypeError(
              `Cannot run workerFunction: the module ${fn.url} has no exported function ` +
                `${JSON.stringify(fn.exportName)}, received ${typeof f}`,
            );
          }
          return f(...args);
        }),
      unbox,
    );
  }
  let result: unknown;
  try {
    result = (fn as (...a: unknown[]) => unknown)(...args);
  } catch (error) {
    return failed(g, error);
  }
  if (
    result !== null && (typeof result === "object" || typeof result === "function") &&
    typeof (result as PromiseLike<unknown>).then === "function"
  ) return awaitForeign(g, "tpool.execute", () => result as PromiseLike<unknown>, unbox);
  return completed(g, unbox(result));
}
