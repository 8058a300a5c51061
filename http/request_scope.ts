/**
 * The link between a request's greenthread and the server running it.
 *
 * `serveHttp` and `greenHandler` run each request in its own greenthread and
 * add themselves here as a {@link ScopeSource} that knows each request's
 * {@link RequestScope}. Code running inside that
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

/** Something that knows the scopes of the greenthreads it runs (a server's runner). */
export interface ScopeSource {
  /** The scope of `greenthread`, if this source runs it. */
  scopeOf(greenthread: object): RequestScope | undefined;
}

// Registration is per request and lookups are rare (once per WebSocket
// upgrade), so servers are asked when a lookup happens instead of filling a
// table per request: a WeakMap keyed by greenthread made GC take most of the
// request path's time (58% of a profile, ~9 µs a request), and even a Map's
// set and delete showed as 6% of a server's CPU under wrk.
const sources = new Set<ScopeSource>();

/** The scope of the greenthread running now, if a server runs it. */
export function currentRequestScope(): RequestScope | undefined {
  const current = getCurrent();
  for (const source of sources) {
    const scope = source.scopeOf(current);
    if (scope !== undefined) return scope;
  }
  return undefined;
}

/** Adds a source asked by {@link currentRequestScope}; returns a function that removes it. */
export function addScopeSource(source: ScopeSource): () => void {
  sources.add(source);
  return () => void sources.delete(source);
}
