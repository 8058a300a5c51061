/**
 * The thread pool: eventlet's `tpool`, on worker threads.
 *
 * `execute(fn, ...args)` runs blocking or CPU-bound work in a worker thread
 * while the calling greenthread parks and the others keep running.
 * `proxy(factory)` keeps an object (a database connection) in a worker and
 * forwards its method calls there.
 *
 * Which await is a switch point: `execute`, every proxy call and attribute
 * read, and `proxy()` itself. A `kill` or `Timeout` there releases the
 * caller at once; a call still waiting for a worker is dropped, a call
 * already running is abandoned and its worker terminated and replaced.
 *
 * **Workers: `node:worker_threads`, not Web Workers — chosen by measurement
 * on Deno 2.9.6:**
 * - `Worker.terminate()` of a Web Worker busy in a synchronous loop returns
 *   but does not stop it: the loop keeps a CPU core and the process never
 *   exits. A `node:worker_threads` worker in the same loop stops in ~0.3 ms
 *   (its `exit` event fires). Abandoning a runaway call needs that.
 * - A live Web Worker keeps the process alive and cannot be unref'd; a
 *   `node:worker_threads` worker can (`unref()`): idle workers here never
 *   hold the process, and neither does the idle-timeout timer.
 * - Message round trips cost about the same (sequential: Web Worker ~65k/s,
 *   `node:worker_threads` ~58k/s; bench/tpool_ratios.ts measures ours).
 * - The price, and how it is paid: `node:worker_threads` in Deno loads only
 *   `file:` and `data:` URLs, so the worker script is built as a `data:` URL
 *   (it works when this package is imported from `https:`). Its
 *   `postMessage` clones a typed array element by element (~100 ms per MiB,
 *   transfer or not), so calls and replies travel over a web
 *   `MessageChannel` port handed to the worker at start (~1.5 ms per MiB
 *   copied, ~0.2 ms moved). Creating a worker blocks the calling thread for
 *   ~20-30 ms (a Web Worker ~10 ms), so the pool starts at most one worker
 *   per turn of the event loop and lets other greenthreads run in between.
 *
 * Calls beyond the number of workers are pipelined: a busy worker holds a
 * few calls (run one at a time) so it never idles during a round trip; a
 * worker that runs dry takes back calls that have not started elsewhere.
 * A call that was taken back or dropped never runs (an atomic claim in
 * shared memory decides), so nothing runs twice.
 *
 * Pool size: `EVENTLET_THREADPOOL_SIZE` when readable without a permission
 * prompt, else 20; `0` runs calls inline; a bad value is a `RangeError` at
 * first use. Workers start lazily and end after sitting idle for the idle
 * timeout (`setIdleTimeout`, default 1 s). Each `proxy()` gets a worker of
 * its own, outside the pool size. Workers inherit the process's
 * permissions. Inside a worker, `transfer` is a global, and a tpool call
 * made there runs inline (as eventlet's nested calls).
 *
 * @example
 * ```ts
 * import { spawn, sleep } from "@eventlet/eventlet";
 * import { execute } from "@eventlet/eventlet/tpool";
 * let ticks = 0;
 * const ticker = spawn(async () => { for (;;) { await sleep(0.01); ticks++; } });
 * await execute(() => { const end = Date.now() + 200; while (Date.now() < end); });
 * console.log(ticks > 5); // true: the hub kept running during the CPU loop
 * await ticker.kill();
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { execute } from "./execute.ts";
export { killall, setIdleTimeout, setNumThreads } from "./control.ts";
export { proxy } from "./proxy.ts";
export type {
  OverloadUnion,
  Proxied,
  ProxiedMember,
  ProxiedMethod,
  ProxiedObject,
  ProxyControls,
  ProxyOptions,
  Remote,
  RemoteSignature,
  UnionToIntersection,
} from "./proxy.ts";
export { transfer } from "./transfer.ts";
export type { TransferItem } from "./transfer.ts";
export { workerFunction } from "./worker_function.ts";
export type { WorkerFunction } from "./worker_function.ts";
export { TpoolError } from "./errors.ts";
