/**
 * The errors of green sockets: SocketTimeout, BlockingIOError,
 * ConnectionReset, the helpers that make or translate them, and the
 * argument checks of the socket API (bytes, timeouts, connections,
 * shutdown modes) that throw the TypeError/RangeError for bad input.
 *
 * Each class extends the matching `Deno.errors` class, so code that checks
 * `instanceof Deno.errors.TimedOut` (or `WouldBlock`, `ConnectionReset`)
 * recognises them too.
 *
 * @module
 */

import { typeName } from "../hub/checks.ts";
import { describePeer } from "./addr.ts";

/**
 * Thrown by a socket operation that waited longer than the socket's
 * `settimeout(seconds)`: eventlet's `socket.timeout` (Python's
 * `TimeoutError('timed out')`). Its `isTimeout` is true, so the green
 * `isTimeout(error)` recognises it. No byte is lost: a timed-out `recv`
 * leaves its read pending and the next `recv` gets the bytes.
 *
 * @example
 * ```ts
 * import { connect, listen, SocketTimeout } from "@eventlet/eventlet/net";
 * const server = listen(["127.0.0.1", 0]);
 * const sock = await connect(server.addr as [string, number]);
 * sock.settimeout(0.01);
 * await sock.recv(10).catch((e) => console.log(e instanceof SocketTimeout)); // true
 * sock.close();
 * server.close();
 * ```
 */
export class SocketTimeout extends Deno.errors.TimedOut {
  /** Makes one; the message defaults to Python's "timed out". */
  constructor(message = "timed out") {
    super(message);
    this.name = "SocketTimeout";
  }

  /** Always true: lets `isTimeout` recognise it. */
  get isTimeout(): true {
    return true;
  }
}

/**
 * Thrown by an operation on a non-blocking socket (`setblocking(false)` or
 * `settimeout(0)`) that cannot complete at once: a `recv` with nothing
 * buffered, a `send` while an earlier write is still in flight. Python's
 * `BlockingIOError` (EAGAIN).
 *
 * @example
 * ```ts
 * import { BlockingIOError, connect, listen } from "@eventlet/eventlet/net";
 * const server = listen(["127.0.0.1", 0]);
 * const sock = await connect(server.addr as [string, number]);
 * sock.setblocking(false);
 * await sock.recv(10).catch((e) => console.log(e instanceof BlockingIOError)); // true
 * sock.close();
 * server.close();
 * ```
 */
export class BlockingIOError extends Deno.errors.WouldBlock {
  /** Makes one; the message defaults to Python's EAGAIN text. */
  constructor(message = "Resource temporarily unavailable") {
    super(message);
    this.name = "BlockingIOError";
  }
}

/**
 * Thrown by `send`/`sendall` when the peer reset the connection
 * (ECONNRESET, or EPIPE) or went away mid-handshake. Only the socket
 * concerned sees it. A `recv` on such a connection returns EOF instead, as
 * eventlet's does (its `SOCKET_CLOSED` rule), so a plain read loop ends
 * cleanly. `cause` holds Deno's original error.
 *
 * @example
 * ```ts
 * import { ConnectionReset } from "@eventlet/eventlet/net";
 * const e = new ConnectionReset("Cannot send: connection reset by peer");
 * console.log(e instanceof Deno.errors.ConnectionReset); // true
 * ```
 */
export class ConnectionReset extends Deno.errors.ConnectionReset {
  /** Makes one with `message`, and Deno's error as `cause` if given. */
  constructor(message = "Connection reset by peer", options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionReset";
  }
}

/** The error of an operation on a closed socket or listener. */
export function closedError(action: string, reason = "socket is closed"): Error {
  return new Deno.errors.BadResource(`Cannot ${action}: ${reason}`);
}

/** The error of handing over (to `wrapSsl`) a socket with I/O in progress. */
export function inUseError(action: string): Error {
  return new Error(
    `Cannot ${action}: the socket has a read or write in progress or unread data, received a socket in use`,
  );
}

/** Closes a Deno resource that Deno may have closed already (through a web stream). */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Already closed by Deno: nothing to do.
  }
}

/**
 * True for the errors of a peer that went away: a reset, a broken pipe, or
 * a TLS peer that closed without `close_notify` (Deno's `UnexpectedEof`;
 * rustls reports some ragged closes as a reset). A read takes them as EOF,
 * as eventlet's `SOCKET_CLOSED` rule and `suppress_ragged_eofs` do.
 */
export function isPeerGone(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.UnexpectedEof;
}

function isTls(conn: Deno.Conn | undefined): boolean {
  return conn !== undefined && typeof (conn as Deno.TlsConn).handshake === "function";
}

/**
 * Translates an error of Deno's read/write into this package's, fresh for
 * each caller: a peer that went away becomes `ConnectionReset`; a TLS
 * failure an `InvalidData` naming the peer ("Cannot recv: TLS handshake
 * with 127.0.0.1:5000 failed: …", `cause` Deno's error); anything else
 * passes as is.
 */
export function translateIoError(
  action: string,
  error: unknown,
  conn?: Deno.Conn,
  handshakeDone = false,
): unknown {
  if (isPeerGone(error)) {
    return new ConnectionReset(`Cannot ${action}: connection reset by peer`, { cause: error });
  }
  if (error instanceof Deno.errors.InvalidData && isTls(conn)) {
    const what = handshakeDone ? "TLS connection with" : "TLS handshake with";
    return new Deno.errors.InvalidData(
      `Cannot ${action}: ${what} ${describePeer(conn!)} failed: ${error.message}`,
      { cause: error },
    );
  }
  return error;
}

/**
 * What a parked operation is woken with to fail with `error` after the
 * fact (a reset, a close, a failed handshake): a thenable that rejects
 * when the awaiting code adopts it. Made there, the error's stack names the
 * awaiting functions — the line of user code that awaited the operation —
 * instead of only the package's callbacks (V8 records the async frames of
 * the promise being resolved).
 */
export function failWithCallerStack(error: unknown): PromiseLike<never> {
  const thenable = {
    then(_resolve: unknown, reject: (reason: unknown) => void): void {
      if (error instanceof Error) Error.captureStackTrace(error, thenable.then);
      reject(error);
    },
  };
  return thenable as unknown as PromiseLike<never>;
}

/** Throws a TypeError unless `data` is a Uint8Array. */
export function checkBytes(action: string, data: unknown, name = "data"): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    const got = data === null
      ? "null"
      : typeof data === "object"
      ? (data.constructor?.name ?? "object")
      : typeof data;
    throw new TypeError(`Cannot ${action}: ${name} must be a Uint8Array, received ${got}`);
  }
  return data;
}

/** Throws a TypeError unless `conn` has the `read` and `write` of a `Deno.Conn`. */
export function checkConn(action: string, conn: unknown): void {
  if (
    typeof conn !== "object" || conn === null ||
    typeof (conn as Deno.Conn).read !== "function" ||
    typeof (conn as Deno.Conn).write !== "function"
  ) {
    throw new TypeError(`Cannot ${action}: conn must be a Deno.Conn, received ${typeName(conn)}`);
  }
}

/** Throws a TypeError unless `how` is a `shutdown` mode: "read", "write" or "both". */
export function checkShutdownHow(how: unknown): void {
  if (how !== "read" && how !== "write" && how !== "both") {
    throw new TypeError(
      `Cannot shutdown: how must be "read", "write" or "both", received ${String(how)}`,
    );
  }
}

/**
 * Validates a socket timeout: null (blocking), 0 (non-blocking) or seconds;
 * `Infinity` means null. Negative or NaN: RangeError; not a number: TypeError.
 */
export function checkTimeout(action: string, seconds: unknown): number | null {
  if (seconds === null) return null;
  if (typeof seconds !== "number") {
    throw new TypeError(
      `Cannot ${action}: seconds must be a number or null, received ${typeof seconds}`,
    );
  }
  if (Number.isNaN(seconds) || seconds < 0) {
    throw new RangeError(
      `Cannot ${action}: seconds must be non-negative or null, received ${seconds}`,
    );
  }
  return seconds === Infinity ? null : seconds;
}
