/**
 * The options of `serveHttp` and `greenHandler`, and their checks.
 *
 * Bad options fail at once with a `TypeError`/`RangeError` naming the option
 * and the value, before any port is bound. The checked options become one
 * plain {@link RequestSettings} object that the request runner reads on
 * every request (no optional chaining on the hot path).
 *
 * @module
 */

import { checkCount, checkPositiveInteger, typeName } from "../hub/checks.ts";

/**
 * A request handler: `Deno.serve`'s signature, so a framework's `app.fetch`
 * runs unchanged. It runs in its own greenthread.
 *
 * @example
 * ```ts
 * import type { HttpHandler } from "@eventlet/eventlet/http";
 * const hello: HttpHandler = (request) => new Response(`hi ${request.method}`);
 * ```
 */
export type HttpHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/**
 * What every request of a server gets, for `serveHttp` and `greenHandler`.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from "@eventlet/eventlet/http";
 * const options: RequestOptions = { maxSize: 64, requestTimeout: 5, log: false };
 * ```
 */
export interface RequestOptions {
  /** Requests handled at once (eventlet's `max_size`); default 1024. */
  maxSize?: number;
  /** Requests waiting for a slot, first come first served; default 1024; beyond: `503`. */
  maxQueue?: number;
  /** Seconds from a request's arrival until its handler is killed and `503` sent; default none. */
  requestTimeout?: number;
  /** Kill the handler when its client goes away before the answer; default true. */
  killOnDisconnect?: boolean;
  /** Longest request target (path and query); longer gets `414`; default 8192. */
  urlLengthLimit?: number;
  /** The access log: true (stderr, the default), false, or a function given each line. */
  log?: boolean | ((line: string) => void);
  /** Receives each error a handler throws (instead of the hub's error handler); `500` is sent. */
  onError?: (error: unknown, request: Request) => void;
  /** Send the error's stack in the body of a `500`; default false. */
  debug?: boolean;
}

/**
 * The options of `serveHttp`: where to listen (as `Deno.serve`) and
 * {@link RequestOptions}.
 *
 * @example
 * ```ts
 * import type { ServeHttpOptions } from "@eventlet/eventlet/http";
 * const options: ServeHttpOptions = { port: 8080, hostname: "127.0.0.1", requestTimeout: 30 };
 * ```
 */
export interface ServeHttpOptions extends RequestOptions {
  /** The port to listen on; default 8000 (0: any free port). */
  port?: number;
  /** The address to listen on; default Deno's (`0.0.0.0`). */
  hostname?: string;
  /** TLS certificate (PEM); with `key`, the server speaks HTTPS and HTTP/2 by ALPN. */
  cert?: string;
  /** TLS private key (PEM). */
  key?: string;
  /** Aborting it closes the server and every connection at once (as `Deno.serve`). */
  signal?: AbortSignal;
  /** Called with the address once listening; default: Deno's "Listening on" line. */
  onListen?: (localAddr: Deno.NetAddr) => void;
}

/** The checked options, as the request runner reads them. */
export interface RequestSettings {
  maxSize: number;
  maxQueue: number;
  /** Milliseconds; Infinity when there is no request timeout. */
  timeoutMs: number;
  killOnDisconnect: boolean;
  urlLengthLimit: number;
  /** Null when the log is off. */
  log: ((line: string) => void) | null;
  onError: ((error: unknown, request: Request) => void) | null;
  debug: boolean;
}

function writeToStderr(line: string): void {
  console.error(line);
}

function positiveInteger(action: string, name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkPositiveInteger(action, name, value);
}

function flag(action: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(`Cannot ${action}: ${name} must be a boolean, received ${typeName(value)}`);
  }
  return value;
}

function optionsObject(action: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot ${action}: options must be an object, received ${typeName(options)}`,
    );
  }
  return options as Record<string, unknown>;
}

/** Checks the per-request options; `action` names the caller in errors. */
export function checkRequestOptions(action: string, given: unknown): RequestSettings {
  const options = optionsObject(action, given);
  const maxSize = positiveInteger(action, "maxSize", options.maxSize, 1024);
  const maxQueue = options.maxQueue === undefined
    ? 1024
    : checkCount(action, "maxQueue", options.maxQueue);
  let timeoutMs = Infinity;
  const timeout = options.requestTimeout;
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== "number") {
      throw new TypeError(
        `Cannot ${action}: requestTimeout must be a number of seconds, received ${
          typeName(timeout)
        }`,
      );
    }
    if (Number.isNaN(timeout) || timeout <= 0) {
      throw new RangeError(
        `Cannot ${action}: requestTimeout must be a positive number of seconds, received ${timeout}`,
      );
    }
    timeoutMs = timeout * 1000;
  }
  let log: ((line: string) => void) | null = writeToStderr;
  if (options.log === false) log = null;
  else if (typeof options.log === "function") log = options.log as (line: string) => void;
  else if (options.log !== undefined && options.log !== true) {
    throw new TypeError(
      `Cannot ${action}: log must be a boolean or a function, received ${typeName(options.log)}`,
    );
  }
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== "function") {
    throw new TypeError(
      `Cannot ${action}: onError must be a function, received ${typeName(onError)}`,
    );
  }
  return {
    maxSize,
    maxQueue,
    timeoutMs,
    killOnDisconnect: flag(action, "killOnDisconnect", options.killOnDisconnect, true),
    urlLengthLimit: positiveInteger(action, "urlLengthLimit", options.urlLengthLimit, 8192),
    log,
    onError: (onError as RequestSettings["onError"]) ?? null,
    debug: flag(action, "debug", options.debug, false),
  };
}

/** Checks that `handler` is a function. */
export function checkHandler(action: string, handler: unknown): void {
  if (typeof handler !== "function") {
    throw new TypeError(
      `Cannot ${action}: handler must be a function, received ${typeName(handler)}`,
    );
  }
}
