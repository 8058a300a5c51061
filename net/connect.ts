/**
 * connect and listen: eventlet's convenience functions for making sockets.
 *
 * @module
 */

import { awaitForeign, currentGreenlet } from "../hub/lowlevel.ts";
import { denoIo } from "./deno_io.ts";
import { type Address, parseAddress } from "./addr.ts";
import { checkCount, typeName } from "../hub/checks.ts";
import { GreenSocket } from "./socket.ts";
import { GreenListener } from "./listener.ts";

/** Closes a connection that arrived after its wait was interrupted. */
export function closeConn(conn: Deno.Conn): void {
  conn.close();
}

/**
 * The host name each socket was connected to (by `connect`, or the one
 * `wrapSsl` verified): `wrapSsl`'s default name to verify. Kept beside the
 * socket, not in it, as only a TLS upgrade asks.
 */
const hostnames = new WeakMap<GreenSocket, string>();

/** Records the host name `sock` was connected to (see `hostnames`). */
export function rememberHostname(sock: GreenSocket, hostname: string): void {
  hostnames.set(sock, hostname);
}

/** The host name `sock` was connected to, if `connect` or `wrapSsl` made it. */
export function hostnameOf(sock: GreenSocket): string | undefined {
  return hostnames.get(sock);
}

/**
 * Connects to `addr` — `[host, port]`, `{ hostname, port }`, or a Unix
 * socket path — and resolves a blocking `GreenSocket`. A switch point: a
 * `kill` or `Timeout` interrupts the wait (a connection made afterwards is
 * closed). A refused connection rejects with `Deno.errors.ConnectionRefused`
 * (eventlet's `ConnectionRefusedError`). A port outside 1–65535:
 * `RangeError`; a hostname that is not a string: `TypeError` (thrown at
 * once). Deviation: eventlet's `bind` (a local address for the client) is
 * not offered, as Deno cannot bind a client socket; an empty host means
 * `localhost`.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@eventlet/eventlet/net";
 * const server = listen(["127.0.0.1", 0]);
 * const [, port] = server.addr as [string, number];
 * const sock = await connect({ hostname: "127.0.0.1", port });
 * console.log(sock.getpeername()); // ["127.0.0.1", port]
 * sock.close();
 * server.close();
 * ```
 */
export function connect(addr: Address): Promise<GreenSocket> {
  const parsed = parseAddress("connect", addr, true);
  const start: () => Promise<Deno.Conn> = parsed.transport === "unix"
    ? () => denoIo.connect({ transport: "unix", path: parsed.path })
    : () => denoIo.connect({ hostname: parsed.hostname, port: parsed.port });
  return awaitForeign(
    currentGreenlet(),
    "connect",
    start,
    (conn) => {
      const sock = new GreenSocket(conn);
      if (parsed.transport === "tcp") rememberHostname(sock, parsed.hostname);
      return sock;
    },
    closeConn,
  );
}

/** Options of `listen`. */
export interface ListenOptions {
  /**
   * The listen queue length (default 50, as eventlet). Validated (a
   * negative, NaN or fractional value is a `RangeError`) but not applied:
   * Deno's listen API uses its own backlog.
   */
  backlog?: number;
}

/**
 * Listens on `addr` — `[host, port]`, `{ hostname, port }` or a Unix socket
 * path — and returns a `GreenListener`. Port 0 picks a free port
 * (`listener.addr` tells which); an empty host means all interfaces.
 * SO_REUSEADDR is as Deno sets it. A port outside 0–65535: `RangeError`; a
 * hostname that is not a string: `TypeError`. Deviations: SO_REUSEPORT
 * (eventlet's `reuse_port`) needs Deno's unstable API and is not offered;
 * `backlog` is checked but Deno applies its own.
 *
 * @example
 * ```ts
 * import { listen } from "@eventlet/eventlet/net";
 * const server = listen(["127.0.0.1", 0], { backlog: 100 });
 * console.log(server.addr); // ["127.0.0.1", <a free port>]
 * server.close();
 * ```
 */
export function listen(addr: Address, options: ListenOptions = {}): GreenListener {
  const parsed = parseAddress("listen", addr, false);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot listen: options must be an object, received ${typeName(options)}`,
    );
  }
  if (options.backlog !== undefined) checkCount("listen", "backlog", options.backlog);
  const listener = parsed.transport === "unix"
    ? denoIo.listen({ transport: "unix", path: parsed.path })
    : denoIo.listen({ hostname: parsed.hostname, port: parsed.port });
  return new GreenListener(listener);
}
