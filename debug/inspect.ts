/**
 * `inspect()`: a live page of the running program's greenthreads and hub,
 * served from the program itself, plus text endpoints for `curl`.
 *
 * The pieces: snapshot.ts reads the hub (the one file that knows its
 * internals), inspect_data.ts makes the table and the grouped text,
 * inspect_pulse.ts samples the hub once a second, inspect_reports.ts keeps
 * blocking reports and HTTP servers, inspect_routes.ts answers requests and
 * inspect_page.ts is the page. This file starts and stops them.
 *
 * @module
 */

import { Pulse } from "./inspect_pulse.ts";
import { BlockingLog, type InspectableServer, ServerList } from "./inspect_reports.ts";
import { inspectorRoutes } from "./inspect_routes.ts";

export type { InspectableServer } from "./inspect_reports.ts";

/** Options of `inspect`. */
export interface InspectOptions {
  /** The port to listen on (default 0: any free port; read `inspector.url`). */
  port?: number;
  /**
   * The address to listen on (default "127.0.0.1"). Anything but a loopback
   * address needs a `token`.
   */
  hostname?: string;
  /**
   * A secret every request must carry (`Authorization: Bearer …` or
   * `?token=…`); it also allows `POST /kill/:id`. Without one, kill is off.
   */
  token?: string;
  /** HTTP servers to show (more can join with `trackHttpServer`). */
  httpServers?: Iterable<InspectableServer>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function checkOptions(
  options: InspectOptions,
): Required<Pick<InspectOptions, "port" | "hostname">> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot start the inspector: options must be an object, received ${
        options === null ? "null" : typeof options
      }`,
    );
  }
  const { port = 0, hostname = "127.0.0.1", token, httpServers } = options;
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot start the inspector: port must be a number, received ${typeof port}`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot start the inspector: port must be an integer from 0 to 65535, received ${
        String(port)
      }`,
    );
  }
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError(
      `Cannot start the inspector: hostname must be a non-empty string, received ${
        String(hostname)
      }`,
    );
  }
  if (token !== undefined && (typeof token !== "string" || token === "")) {
    throw new TypeError(
      `Cannot start the inspector: token must be a non-empty string, received ${String(token)}`,
    );
  }
  if (token === undefined && !LOOPBACK.test(hostname)) {
    throw new TypeError(
      `Cannot start the inspector: hostname ${hostname} is not a loopback address, so a token is required`,
    );
  }
  if (
    httpServers !== undefined &&
    typeof (httpServers as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `Cannot start the inspector: httpServers must be iterable, received ${
        httpServers === null ? "null" : typeof httpServers
      }`,
    );
  }
  return { port, hostname };
}

/**
 * A running inspector; `inspect()` makes one.
 *
 * - It never keeps the process alive: its server and its sampling timer are
 *   unref'd, and a page's pending update request holds nothing open.
 * - It samples the hub once a second (one `hub.stats()` call) from the
 *   start, so the page shows the last five minutes even when opened late;
 *   the greenthread table is built only for a page's update or a request.
 * - `close()` ends pending page updates (the page stops reconnecting),
 *   stops the server and the sampler, and takes its recorder out of
 *   `hub.onError`; nothing stays open.
 *
 * @example
 * ```ts
 * import { inspect } from "@eventlet/eventlet/debug";
 * await using inspector = await inspect();
 * const listing = await fetch(new URL("/greenthreads.txt", inspector.url));
 * console.log(await listing.text()); // #0 "main" running
 * ```
 */
export class Inspector {
  /** The page's address (with `?token=…` when a token was given). */
  readonly url: string;
  /** The address the server listens on. */
  readonly addr: Deno.NetAddr;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #pulse: Pulse;
  #blocking: BlockingLog;
  #servers: ServerList;
  #closing: Promise<void> | null = null;

  /**
   * Use `inspect()`.
   * @ignore
   */
  constructor(
    server: Deno.HttpServer<Deno.NetAddr>,
    token: string | undefined,
    parts: { pulse: Pulse; blocking: BlockingLog; servers: ServerList },
  ) {
    this.#server = server;
    this.#pulse = parts.pulse;
    this.#blocking = parts.blocking;
    this.#servers = parts.servers;
    this.addr = server.addr;
    const host = server.addr.hostname.includes(":")
      ? `[${server.addr.hostname}]`
      : server.addr.hostname;
    this.url = `http://${host}:${server.addr.port}/` +
      (token === undefined ? "" : `?token=${encodeURIComponent(token)}`);
  }

  /**
   * Shows `server` (an `HttpServer` from `serveHttp`, or anything with a
   * `stats()` of numbers) on the page and in `/stats.json`, under `name`
   * (default: its address), until its `finished` promise settles.
   *
   * @example
   * ```ts
   * import { inspect } from "@eventlet/eventlet/debug";
   * await using inspector = await inspect();
   * inspector.trackHttpServer({ stats: () => ({ active: 0, served: 12 }) }, "api");
   * ```
   */
  trackHttpServer(server: InspectableServer, name?: string): void {
    this.#servers.add(server, name);
  }

  /**
   * Stops the inspector; see the class comment. Calling it again returns the
   * same promise.
   *
   * @example
   * ```ts
   * import { inspect } from "@eventlet/eventlet/debug";
   * const inspector = await inspect();
   * await inspector.close();
   * ```
   */
  close(): Promise<void> {
    return this.#closing ??= (async () => {
      this.#pulse.stop();
      this.#blocking.detach();
      await this.#server.shutdown();
    })();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Serves a live page of this program's greenthreads and hub, from the
 * program itself: every greenthread (id, name, state, what it is parked on,
 * time in that state, time left on its deadline, spawn site), grouped by
 * spawn site when there are many; plots of the hub's switches/s, ready,
 * parked, timers and event-loop lag over the last five minutes; the
 * blocking-detection reports; tracked HTTP servers' `stats()`. For `curl`:
 * `/greenthreads.txt` (as `formatGreenthreads`; `?group=site` for counts by
 * spawn site) and `/stats.json`. `POST /kill/:id` kills a greenthread and
 * needs the token.
 *
 * - Binds 127.0.0.1 by default; a non-loopback `hostname` without a `token`
 *   is a `TypeError`, as is an option of the wrong type; a `port` outside
 *   0–65535 is a `RangeError`.
 * - Spawn sites are shown when `captureSpawnSites(true)` is on (a stack
 *   capture per spawn, 10–50 µs here, so `inspect` does not turn it on).
 * - Time in state is exact for a wait with a deadline, otherwise counted
 *   from when the inspector first saw it (shown as "≥").
 * - Blocking reports are taken from `hub.onError`: install your handler
 *   before `inspect()` (the inspector records in front of it).
 * - It serves with `Deno.serve`, not `serveHttp`: its server must be
 *   unref'd, and its own requests should not appear as greenthreads.
 * - Deviation: eventlet has no inspector page (its `debug` module prints);
 *   this follows Go's pprof for the text endpoints.
 *
 * @example
 * ```ts
 * import { captureSpawnSites, inspect } from "@eventlet/eventlet/debug";
 * captureSpawnSites(true);
 * const inspector = await inspect({ port: 0 });
 * console.log(`open ${inspector.url}`);
 * await inspector.close();
 * ```
 */
export async function inspect(options: InspectOptions = {}): Promise<Inspector> {
  const { port, hostname } = checkOptions(options);
  const token = options.token;
  const pulse = new Pulse();
  const blocking = new BlockingLog();
  const servers = new ServerList();
  for (const server of options.httpServers ?? []) servers.add(server);
  const handler = inspectorRoutes({ token, pulse, blocking, servers });
  const server = Deno.serve({ port, hostname, onListen: () => {} }, handler);
  server.unref();
  pulse.start();
  blocking.attach();
  // Deno.serve binds at once; inspect() is async so that a server that binds
  // asynchronously could take its place without changing the signature.
  await Promise.resolve();
  return new Inspector(server, token, { pulse, blocking, servers });
}
