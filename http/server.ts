/**
 * `serveHttp` and `HttpServer`: eventlet.wsgi's server on `Deno.serve`.
 *
 * `Deno.serve` parses HTTP (1.1, and 2 over TLS by ALPN or h2c) and owns the
 * connections; this file binds it to a request runner (every request a
 * greenthread) and adds what `Deno.serve` lacks: a shutdown with a deadline
 * that kills stragglers and waits for their `finally` blocks.
 *
 * @module
 */

import { spawnN } from "../green/spawn.ts";
import { typeName } from "../hub/checks.ts";
import { checkHandler, checkRequestOptions, type HttpHandler } from "./options.ts";
import type { ServeHttpOptions } from "./options.ts";
import { RequestRunner } from "./request_runner.ts";
import type { DrainResult, HttpStats } from "./stats.ts";

/**
 * The options of {@link HttpServer.shutdown}.
 *
 * @example
 * ```ts
 * import type { ShutdownOptions } from "@eventlet/eventlet/http";
 * const quick: ShutdownOptions = { deadline: 1 };
 * ```
 */
export interface ShutdownOptions {
  /** Seconds in-flight requests get to finish before they are killed; default 10, `Infinity` waits. */
  deadline?: number;
}

/**
 * A running HTTP server whose requests are greenthreads; `serveHttp`
 * returns one.
 *
 * - Requests start in arrival order; at most `maxSize` run, `maxQueue` more
 *   wait (first come, first served), and the rest get `503` at once.
 * - A request killed by the server (`requestTimeout`, a client that left, the
 *   shutdown deadline) gets `GreenletExit` at its switch point; its `finally`
 *   blocks run and nothing is reported as an error.
 * - `shutdown()` stops accepting, closes idle keep-alive connections, lets
 *   in-flight requests finish, kills what is left at the deadline and
 *   resolves once their `finally` blocks ran. Awaiting it is not a switch
 *   point (it runs in its own greenthread): a `Timeout` around it surfaces at
 *   the caller's next switch point.
 *
 * @example
 * ```ts
 * import { serveHttp } from "@eventlet/eventlet/http";
 * await using server = serveHttp(() => new Response("ok"), {
 *   port: 0,
 *   log: false,
 *   onListen() {},
 * });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * console.log(await response.text(), server.stats().served); // "ok" 1
 * ```
 */
export class HttpServer implements AsyncDisposable {
  readonly #runner: RequestRunner;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  #stopping: Promise<DrainResult> | null = null;
  /** Settles once the server has stopped and every request's greenthread has ended. */
  readonly finished: Promise<void>;

  /**
   * Use `serveHttp` to make a server.
   * @ignore
   */
  constructor(runner: RequestRunner, server: Deno.HttpServer<Deno.NetAddr>) {
    this.#runner = runner;
    this.#server = server;
    this.finished = server.finished.then(() => runner.whenIdle()).then(() => runner.stop());
  }

  /** The address it listens on (`port` is the real one when 0 was asked for). */
  get addr(): Deno.NetAddr {
    return this.#server.addr;
  }

  /**
   * The counters now: `active`, `queued`, `served`, `shed`, `timedOut`,
   * `killed` (see {@link HttpStats}).
   */
  stats(): HttpStats {
    return this.#runner.stats();
  }

  /**
   * Stops the server: stops accepting, closes idle keep-alive connections at
   * once, tells WebSocket sessions (they send `1001`), lets in-flight
   * requests finish, and after `deadline` seconds (default 10) kills the
   * rest — answering `503` where nothing was sent — and resolves once their
   * `finally` blocks ran. A second call returns the first call's promise.
   * A handler may call it (an admin route) but should not await it: the
   * shutdown waits for that handler too.
   *
   * Deviation (a limit of `Deno.serve`): a client still trickling a request
   * body keeps its connection open after that (Deno waits for the body, and
   * closing it by force is not possible once a shutdown began); `shutdown`
   * resolves one second after the last handler ended regardless, and
   * `finished` settles when that client finishes or leaves. A reverse proxy's
   * timeouts are the remedy. Deno also fails body reads that are still in
   * progress when the shutdown begins (`BadResource`).
   */
  shutdown(options: ShutdownOptions = {}): Promise<DrainResult> {
    const deadline = checkDeadline(options);
    this.#stopping ??= this.#stop(deadline);
    return this.#stopping;
  }

  async #stop(deadline: number): Promise<DrainResult> {
    this.#runner.beginShutdown();
    const closing = this.#server.shutdown();
    const { promise, resolve, reject } = Promise.withResolvers<DrainResult>();
    spawnN(async () => {
      try {
        resolve(await this.#runner.drain(deadline));
      } catch (error) {
        reject(error);
      }
    });
    const result = await promise;
    // Deno's own shutdown also waits, forever, for a request body a client is
    // still trickling (or never sends): give it a grace period, then resolve;
    // such a connection closes when its client finishes or leaves.
    let grace: ReturnType<typeof setTimeout> | undefined;
    const closed = await Promise.race([
      closing.then(() => true),
      new Promise<false>((resolve) => grace = setTimeout(resolve, GRACE_SECONDS * 1000, false)),
    ]);
    clearTimeout(grace);
    if (closed) await this.finished;
    this.#runner.stop();
    return result;
  }

  /** `await using server = serveHttp(…)` shuts it down with the default deadline. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}

function checkDeadline(options: unknown): number {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot shut down: options must be an object, received ${typeName(options)}`,
    );
  }
  const deadline = (options as ShutdownOptions).deadline ?? 10;
  if (typeof deadline !== "number") {
    throw new TypeError(
      `Cannot shut down: deadline must be a number of seconds, received ${typeName(deadline)}`,
    );
  }
  if (Number.isNaN(deadline) || deadline < 0) {
    throw new RangeError(
      `Cannot shut down: deadline must be a non-negative number of seconds, received ${deadline}`,
    );
  }
  return deadline;
}

const ACTION = "serve HTTP";

/** How long shutdown() waits for Deno's server after every request ended. */
const GRACE_SECONDS = 1;

function checkListenOptions(options: ServeHttpOptions): void {
  const { port, hostname, cert, key, signal, onListen } = options;
  if (port !== undefined) {
    if (typeof port !== "number") {
      throw new TypeError(`Cannot ${ACTION}: port must be a number, received ${typeName(port)}`);
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(
        `Cannot ${ACTION}: port must be an integer from 0 to 65535, received ${port}`,
      );
    }
  }
  for (const [name, value] of [["hostname", hostname], ["cert", cert], ["key", key]] as const) {
    if (value !== undefined && typeof value !== "string") {
      throw new TypeError(
        `Cannot ${ACTION}: ${name} must be a string, received ${typeName(value)}`,
      );
    }
  }
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? "cert" : "key";
    throw new TypeError(
      `Cannot ${ACTION}: cert and key go together, received ${missing} undefined`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `Cannot ${ACTION}: signal must be an AbortSignal, received ${typeName(signal)}`,
    );
  }
  if (onListen !== undefined && typeof onListen !== "function") {
    throw new TypeError(
      `Cannot ${ACTION}: onListen must be a function, received ${typeName(onListen)}`,
    );
  }
}

/**
 * Serves HTTP with `Deno.serve`, running each request's `handler` in its own
 * greenthread named `"GET /path"`: `getCurrent()`, `Timeout`, `local()` and
 * `kill` are per request, and every switch point in it is a kill point.
 * eventlet's `wsgi.server`, with `Deno.serve`'s options (`port` 8000,
 * `hostname`, `cert`/`key` for HTTPS and HTTP/2, `signal`, `onListen`) and:
 *
 * - `maxSize` (1024), `maxQueue` (1024): concurrency cap and FIFO; beyond,
 *   `503` with `Retry-After: 1`.
 * - `requestTimeout` (seconds, none by default): kills the handler and answers
 *   `503` if nothing was sent; precise to about 10 ms.
 * - `killOnDisconnect` (true): a handler whose client went away before the
 *   answer is killed within about 25 ms (the access log shows `499`).
 * - `urlLengthLimit` (8192): longer request targets get `414`.
 * - `log` (true): eventlet's access log on stderr; false, or a function.
 * - `onError(error, request)`: a handler's error (else the hub's error
 *   handler); the client gets `500` (with the stack only when `debug`), and
 *   the server goes on. A handler returning something other than a
 *   `Response` is such an error (a `TypeError`).
 *
 * Deviation: a handler killed because its client left is logged with status
 * 499 (nginx's "client closed request"); eventlet logs what it was sending.
 * Deviation: on Deno 2.9 the first request that runs longer than about 10 ms
 * makes Deno print a one-time notice about `request.signal`'s legacy abort
 * (the disconnect watch reads that signal); `--unstable-no-legacy-abort`
 * silences it and changes nothing here.
 *
 * @example
 * ```ts
 * import { serveHttp } from "@eventlet/eventlet/http";
 * import { getCurrent, sleep } from "@eventlet/eventlet";
 *
 * const server = serveHttp(async () => {
 *   await sleep(0.01);
 *   return new Response(getCurrent().name); // "GET /hello"
 * }, { port: 0, requestTimeout: 5, log: false, onListen() {} });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/hello?x=1`);
 * console.log(await response.text()); // "GET /hello"
 * console.log(await server.shutdown({ deadline: 1 })); // { drained: 0, killed: 0 }
 * ```
 */
export function serveHttp(handler: HttpHandler, options: ServeHttpOptions = {}): HttpServer {
  checkHandler(ACTION, handler);
  const settings = checkRequestOptions(ACTION, options);
  checkListenOptions(options);
  const runner = new RequestRunner(handler, settings);
  const { port, hostname, cert, key, signal, onListen } = options;
  const listen: Deno.ServeTcpOptions & Partial<Deno.TlsCertifiedKeyPem> = {};
  if (port !== undefined) listen.port = port;
  if (hostname !== undefined) listen.hostname = hostname;
  if (signal !== undefined) listen.signal = signal;
  if (onListen !== undefined) listen.onListen = onListen;
  if (cert !== undefined && key !== undefined) {
    listen.cert = cert;
    listen.key = key;
  }
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      listen as Deno.ServeTcpOptions,
      (request, info) => runner.handle(request, info),
    );
  } catch (error) {
    runner.stop(); // e.g. the port is taken
    throw error;
  }
  return new HttpServer(runner, server);
}
