/**
 * What the inspector shows besides greenthreads and the hub's pulse: the
 * blocking-detection reports and the HTTP servers' `stats()`.
 *
 * - Blocking reports reach the program through `hub.onError` (that is how
 *   `hubBlockingDetection` delivers them), so the inspector puts a recorder
 *   in front of the handler installed when it started, which it still calls
 *   with every error. A handler installed after `inspect()` replaces the
 *   recorder: install yours first.
 * - HTTP servers join by `inspector.trackHttpServer(server)` (or the
 *   `httpServers` option): the `http` module does not depend on `debug`, and
 *   a program may run servers the inspector should not show. A server leaves
 *   the list when its `finished` promise settles.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import type { ErrorHandler } from "../hub/hub.ts";
import { BlockingDetected } from "./blocking.ts";
import { nameOf } from "./snapshot.ts";

const hub = getHub();

/** One blocking-detection report, as the page lists it. */
export interface BlockingReport {
  /** When it was reported (ms since the epoch). */
  time: number;
  /** The report's message. */
  message: string;
  /** The greenthread that blocked, when known. */
  id: number | null;
  /** Its name, when known. */
  name: string | null;
  /** How long the thread went without a switch point, in milliseconds. */
  blockedMs: number;
}

/**
 * What the inspector needs of an HTTP server: `http`'s `HttpServer` fits, and
 * so does anything with a `stats()` of numbers.
 */
export interface InspectableServer {
  /** Counters to show (an `HttpServer`'s active, queued, served, shed, …). */
  stats(): Record<string, number>;
  /** Its address, shown beside it. */
  readonly addr?: Deno.Addr;
  /** Settles when it has stopped: then it leaves the inspector's list. */
  readonly finished?: Promise<unknown>;
}

/** One HTTP server's line on the page. */
export interface ServerReport {
  /** Its name: given, or its address. */
  name: string;
  /** Its `stats()` now. */
  stats: Record<string, number>;
}

/** Keeps the last `capacity` blocking reports while attached. */
export class BlockingLog {
  readonly #capacity: number;
  #reports: BlockingReport[] = [];
  #previous: ErrorHandler | null = null;
  #recorder: ErrorHandler | null = null;

  /** Keeps the last `capacity` reports. */
  constructor(capacity = 50) {
    this.#capacity = capacity;
  }

  /** Puts the recorder in front of the hub's error handler. */
  attach(): void {
    if (this.#recorder !== null) return;
    const previous = hub.onError;
    const recorder: ErrorHandler = (error, greenthread) => {
      if (error instanceof BlockingDetected) this.#record(error);
      previous(error, greenthread);
    };
    this.#previous = previous;
    this.#recorder = recorder;
    hub.onError = recorder;
  }

  /** Takes the recorder out again, if no other handler replaced it meanwhile. */
  detach(): void {
    if (this.#recorder !== null && hub.onError === this.#recorder) hub.onError = this.#previous!;
    this.#recorder = this.#previous = null;
  }

  /** The kept reports, oldest first. */
  reports(): BlockingReport[] {
    return this.#reports.slice();
  }

  #record(error: BlockingDetected): void {
    const g = error.greenthread;
    this.#reports.push({
      time: Date.now(),
      message: error.message,
      id: g === undefined ? null : g.id,
      name: g === undefined ? null : nameOf(g),
      blockedMs: error.blockedMs,
    });
    if (this.#reports.length > this.#capacity) this.#reports.shift();
  }
}

function describeAddr(addr: Deno.Addr | undefined): string {
  if (addr === undefined) return "HTTP server";
  if (addr.transport === "tcp" || addr.transport === "udp") {
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    return `${host}:${addr.port}`;
  }
  return "path" in addr ? addr.path : String(addr.transport);
}

/** The servers the inspector shows. */
export class ServerList {
  #servers = new Map<InspectableServer, string>();

  /** Adds `server` (under `name`, or its address) until it finishes. */
  add(server: InspectableServer, name?: string): void {
    if (typeof server !== "object" || server === null || typeof server.stats !== "function") {
      throw new TypeError(
        `Cannot track an HTTP server: server must have a stats() method, received ${
          server === null ? "null" : typeof server
        }`,
      );
    }
    if (name !== undefined && typeof name !== "string") {
      throw new TypeError(
        `Cannot track an HTTP server: name must be a string, received ${typeof name}`,
      );
    }
    this.#servers.set(server, name ?? describeAddr(server.addr));
    server.finished?.then(
      () => this.#servers.delete(server),
      () => this.#servers.delete(server),
    );
  }

  /** Every server's stats now; a server whose `stats()` throws shows its error. */
  reports(): ServerReport[] {
    return [...this.#servers].map(([server, name]) => {
      try {
        return { name, stats: { ...server.stats() } };
      } catch (error) {
        return { name: `${name} (stats() failed: ${String(error)})`, stats: {} };
      }
    });
  }
}
