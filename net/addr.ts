/**
 * Socket addresses: parsing the forms `connect`/`listen` take, turning
 * Deno's addresses into eventlet's (`[host, port]` or a Unix path), and
 * naming a connection's peer for debug output.
 *
 * @module
 */

import { typeName } from "../hub/checks.ts";

/** A TCP address as eventlet writes it: `[host, port]`. */
export type HostPort = [host: string, port: number];

/**
 * An address `connect` and `listen` take: `[host, port]`,
 * `{ hostname, port }`, or a Unix socket path. An empty host means all
 * interfaces for `listen` and `localhost` for `connect`, as in Python.
 */
export type Address =
  | HostPort
  | readonly [string, number]
  | { hostname: string; port: number }
  | string;

/** An address as sockets report it: `[host, port]` for TCP/TLS, the path for Unix. */
export type SockAddr = HostPort | string;

/** A parsed address: TCP (hostname and port) or Unix (path). */
export type ParsedAddress =
  | { transport: "tcp"; hostname: string; port: number }
  | { transport: "unix"; path: string };

function checkPort(action: string, port: unknown, allowZero: boolean): number {
  if (typeof port !== "number") {
    throw new TypeError(`Cannot ${action}: port must be a number, received ${typeof port}`);
  }
  const low = allowZero ? 0 : 1;
  if (!Number.isInteger(port) || port < low || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: port must be an integer from ${low} to 65535, received ${port}`,
    );
  }
  return port;
}

function checkHostname(action: string, hostname: unknown, empty: string): string {
  if (typeof hostname !== "string") {
    throw new TypeError(
      `Cannot ${action}: hostname must be a string, received ${typeName(hostname)}`,
    );
  }
  return hostname === "" ? empty : hostname;
}

/**
 * Validates `addr` and returns its parsed form; throws `TypeError` for a
 * wrong shape or a non-string hostname, `RangeError` for a port outside
 * 0–65535 (1–65535 when connecting).
 */
export function parseAddress(action: string, addr: unknown, connecting: boolean): ParsedAddress {
  const empty = connecting ? "localhost" : "0.0.0.0";
  if (typeof addr === "string") {
    if (addr === "") {
      throw new TypeError(`Cannot ${action}: a Unix socket path must not be empty, received ""`);
    }
    return { transport: "unix", path: addr };
  }
  if (Array.isArray(addr)) {
    if (addr.length !== 2) {
      throw new TypeError(
        `Cannot ${action}: address must be [host, port], received an array of ${addr.length}`,
      );
    }
    return {
      transport: "tcp",
      hostname: checkHostname(action, addr[0], empty),
      port: checkPort(action, addr[1], !connecting),
    };
  }
  if (typeof addr === "object" && addr !== null) {
    const { hostname, port } = addr as { hostname?: unknown; port?: unknown };
    return {
      transport: "tcp",
      hostname: checkHostname(action, hostname === undefined ? empty : hostname, empty),
      port: checkPort(action, port, !connecting),
    };
  }
  throw new TypeError(
    `Cannot ${action}: address must be [host, port], { hostname, port } or a Unix path, received ${
      typeName(addr)
    }`,
  );
}

/** Deno's address as eventlet gives it: `[host, port]`, or the Unix path ("" if unnamed). */
export function fromDenoAddr(addr: Deno.Addr): SockAddr {
  if (addr.transport === "tcp" || addr.transport === "udp") return [addr.hostname, addr.port];
  if (addr.transport === "vsock") return [String(addr.cid), addr.port];
  return (addr as Deno.UnixAddr).path ?? "";
}

/**
 * The peer of `conn` as debug output names it: "127.0.0.1:5000", the Unix
 * path, or "a closed connection" once Deno no longer knows it.
 */
export function describePeer(conn: Deno.Conn): string {
  let addr: SockAddr;
  try {
    addr = fromDenoAddr(conn.remoteAddr);
  } catch {
    return "a closed connection";
  }
  return typeof addr === "string" ? addr : `${addr[0]}:${addr[1]}`;
}

/**
 * What a GreenSocket operation parked on `conn` waits on, for
 * `debug.formatGreenthreads`: `socketWaitLabel("recv from", conn)` is
 * "GreenSocket.recv from 127.0.0.1:5000". Naming the peer costs a
 * getpeername, so each side makes its labels at its first park and keeps
 * them.
 */
export function socketWaitLabel(op: string, conn: Deno.Conn): string {
  return `GreenSocket.${op} ${describePeer(conn)}`;
}
