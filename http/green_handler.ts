/**
 * `greenHandler`: the per-request greenthreads of `serveHttp` for
 * `export default` under `deno serve`.
 *
 * `deno serve --parallel` starts one isolate per core (`DENO_JOBS` sets the
 * count), each with its own module state and so its own hub: the way to use
 * every core. Each isolate gets its own `maxSize`, queue and timer.
 *
 * @module
 */

import { checkHandler, checkRequestOptions, type HttpHandler } from "./options.ts";
import type { RequestOptions } from "./options.ts";
import { RequestRunner } from "./request_runner.ts";
import type { HttpStats } from "./stats.ts";

/**
 * What `greenHandler` returns: a `deno serve` default export, plus the
 * counters of this isolate.
 *
 * @example
 * ```ts
 * import { greenHandler, type GreenHandler } from "@eventlet/eventlet/http";
 * const app: GreenHandler = greenHandler(() => new Response("hi"), { log: false });
 * console.log(app.stats().served); // 0
 * ```
 */
export interface GreenHandler {
  /** `Deno.serve`'s handler: runs the request in its own greenthread. */
  fetch(request: Request, info: Deno.ServeHandlerInfo): Response | Promise<Response>;
  /** This isolate's counters, as `HttpServer.stats()`. */
  stats(): HttpStats;
}

/**
 * Wraps `handler` so that every request runs in its own greenthread with
 * `serveHttp`'s per-request semantics (`maxSize`, `maxQueue`,
 * `requestTimeout`, `killOnDisconnect`, `urlLengthLimit`, `log`, `onError`,
 * `debug`), for `export default` under `deno serve [--parallel]`.
 *
 * Deviation: `deno serve` owns the server, so there is no `shutdown()` here:
 * on SIGINT/SIGTERM Deno stops accepting and waits for in-flight requests
 * without a deadline, and WebSocket sessions hear no shutdown (no `1001`).
 *
 * @example
 * ```ts
 * // server.ts — run with: deno serve --parallel --port 8000 server.ts
 * import { greenHandler } from "@eventlet/eventlet/http";
 * import { sleep } from "@eventlet/eventlet";
 *
 * export default greenHandler(async () => {
 *   await sleep(0.01);
 *   return new Response("hello");
 * }, { requestTimeout: 30 }) satisfies Deno.ServeDefaultExport;
 * ```
 */
export function greenHandler(handler: HttpHandler, options: RequestOptions = {}): GreenHandler {
  const action = "create greenHandler";
  checkHandler(action, handler);
  const runner = new RequestRunner(handler, checkRequestOptions(action, options));
  return {
    fetch: (request, info) => runner.handle(request, info),
    stats: () => runner.stats(),
  };
}
