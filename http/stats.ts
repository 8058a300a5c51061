/**
 * What a server reports: its counters, and the outcome of its shutdown.
 *
 * @module
 */

/**
 * A server's counters (`HttpServer.stats()`).
 *
 * @example
 * ```ts
 * import type { HttpStats } from "@eventlet/eventlet/http";
 * const idle: HttpStats = { active: 0, queued: 0, served: 0, shed: 0, timedOut: 0, killed: 0 };
 * ```
 */
export type HttpStats = {
  /** Handlers running: a request leaves it when its greenthread ends. */
  active: number;
  /** Requests waiting for a slot (`maxSize` reached). */
  queued: number;
  /** Handlers that ended with an answer (500s and finished WebSocket sessions included). */
  served: number;
  /** Requests answered `503` because the queue was full. */
  shed: number;
  /** Requests answered `503` by `requestTimeout` (their handlers killed). */
  timedOut: number;
  /** Handlers killed for a client that left, by shutdown, or by anyone else's `kill`. */
  killed: number;
};

/** What `shutdown()` resolves with. */
export type DrainResult = {
  /** Requests that ended during the shutdown without being killed. */
  drained: number;
  /** Requests killed (or never started and answered `503`) at the deadline. */
  killed: number;
};
