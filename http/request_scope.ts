/**
 * The link between a request's greenthread and the server running it.
 *
 * `serveHttp` and `greenHandler` run each request in its own greenthread and
 * register a {@link RequestScope} for it here. Code running inside that
 * greenthread (the WebSocket layer) asks {@link currentRequestScope} to answer
 * the request early — a `101` upgrade — while the greenthread keeps running as
 * a session, and to hear when the server's shutdown begins (to send `1001`).
 * Outside a server's greenthread there is no scope, and callers fall back to
 * doing the work themselves. Internal: not exported by `http/mod.ts`.
 *
 * @module
 */

import { getCurrent } from "../green/spawn.ts";

/** What a request's greenthread may ask of the server that runs it. */
export interface RequestScope {
  /**
   * Answers the request now with `response` while the greenthread keeps
   * running (a WebSocket upgrade). From then on the request is a session:
   * `requestTimeout` and `killOnDisconnect` spare it, the access log records
   * `response.status`, and the handler's later return value is ignored. The
   * request stays in `stats().active` until its greenthread ends.
   */
  respondEarly(response: Response): void;
  /**
   * Runs `callback` once when the server's shutdown begins (before any
   * deadline); returns a function that unregisters it.
   */
  onShutdown(callback: () => void): () => void;
}

// A Map with explicit removal, not a WeakMap: at 100k requests a second a
// WeakMap's ephemeron bookkeeping made GC take most of the time (58% of a
// profile of the request path; ~9 µs a request against ~1 µs with a Map).
const scopes = new Map<object, RequestScope>();

/** The scope of the greenthread running now, if a server runs it. */
export function currentRequestScope(): RequestScope | undefined {
  return scopes.get(getCurrent());
}

/**
 * Registers `scope` for `greenthread` (called by the server when it spawns
 * it); the server calls {@link clearRequestScope} when the greenthread ends.
 */
export function setRequestScope(greenthread: object, scope: RequestScope): void {
  scopes.set(greenthread, scope);
}

/** Forgets the scope of `greenthread` (called by the server when it ends). */
export function clearRequestScope(greenthread: object): void {
  scopes.delete(greenthread);
}
