/**
 * GreenSocket: a connected TCP, TLS or Unix socket whose I/O operations are
 * green switch points.
 *
 * @module
 */

import {
  completed,
  currentGreenlet,
  deliverPending,
  failed,
  hasPendingError,
} from "../hub/lowlevel.ts";
import { fromDenoAddr, type SockAddr } from "./addr.ts";
import {
  checkBytes,
  checkConn,
  checkShutdownHow,
  checkTimeout,
  closedError,
  closeQuietly,
  inUseError,
} from "./errors.ts";
import { checkCount } from "../hub/checks.ts";
import { ReadSide } from "./read_side.ts";
import { WriteSide } from "./write_side.ts";
import { GreenFile } from "./file.ts";
import { SocketStreams } from "./streams.ts";

/** How `shutdown` closes the connection: one half or both. */
export type ShutdownHow = "read" | "write" | "both";

/**
 * A connected socket (TCP, TLS or Unix) over a `Deno.Conn`; made by
 * `connect`, `GreenListener.accept` and `wrapSsl`, or by wrapping a
 * `Deno.Conn` yourself.
 *
 * - Every I/O method is a switch point: other greenthreads run while it
 *   waits, and a `kill` or `Timeout` lands there.
 * - No byte is lost: a `recv` interrupted by its `SocketTimeout`, a `kill`
 *   or a `Timeout` leaves the socket's single read in flight, and the next
 *   `recv` returns its bytes. Several greenthreads in `recv` are served in
 *   FIFO order.
 * - Writes are done one after another in call order; a `sendall` is never
 *   interleaved with another greenthread's. An interrupted `send`/`sendall`
 *   lets the write already in flight finish (a prefix of the data is sent,
 *   how much is not reported, as with Python's `sendall`) and sends nothing
 *   more of it.
 * - Timeouts (`settimeout`) apply to each wait: `null` blocks, `0` is
 *   non-blocking (`BlockingIOError`), `x > 0` throws `SocketTimeout` after
 *   x seconds; for `sendall` to each underlying write, as in eventlet.
 * - `close()` rejects every operation waiting on it with a `BadResource`
 *   error, and every later one too.
 * - A peer that went away ends reading as EOF, as eventlet's green sockets
 *   do: `recv` on a reset connection, or on a TLS connection the peer
 *   closed without `close_notify`, resolves empty; `send`/`sendall` to it
 *   throw `ConnectionReset`. A TLS handshake that fails (a plain-TCP
 *   client, an untrusted certificate) throws `Deno.errors.InvalidData`
 *   naming the peer from the first read or write, and from every later one.
 * - Errors thrown by an operation carry the caller's stack: the lines of
 *   the code that awaited it, not only the package's internals.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@eventlet/eventlet/net";
 * const server = listen(["127.0.0.1", 0]);
 * const client = await connect(server.addr as [string, number]);
 * const [conn] = await server.accept();
 * await client.sendall(new TextEncoder().encode("ping"));
 * console.log(new TextDecoder().decode(await conn.recv(1024))); // "ping"
 * client.close();
 * conn.close();
 * server.close();
 * ```
 */
export class GreenSocket {
  #conn: Deno.Conn;
  #reader: ReadSide;
  #writer: WriteSide;
  #timeout: number | null = null;
  #closed = false;
  #streams: SocketStreams | null = null;

  /**
   * Wraps a connected `Deno.Conn` (TCP, TLS or Unix). The socket starts in
   * blocking mode (`gettimeout()` is null).
   *
   * @example
   * ```ts
   * import { GreenSocket } from "@eventlet/eventlet/net";
   * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
   * const sock = new GreenSocket(conn);
   * sock.close();
   * listener.close();
   * ```
   */
  constructor(conn: Deno.Conn) {
    checkConn("create GreenSocket", conn);
    this.#conn = conn;
    this.#reader = new ReadSide(conn);
    this.#writer = new WriteSide(conn);
  }

  /**
   * Receives up to `bufsize` bytes: what is buffered, else waits for the
   * next data. Resolves an empty array at EOF (and `recv(0)` waits for data
   * and resolves empty, as eventlet's). `bufsize` negative, NaN or
   * fractional: `RangeError` (thrown at once). A switch point; rejects with
   * `SocketTimeout`, `BlockingIOError` or (TLS) `InvalidData`; a reset
   * connection reads as EOF.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function echoOnce(sock: GreenSocket): Promise<void> {
   *   const data = await sock.recv(4096);
   *   if (data.length > 0) await sock.sendall(data);
   * }
   * ```
   */
  recv(bufsize: number): Promise<Uint8Array> {
    checkCount("recv", "bufsize", bufsize);
    return this.#reader.recv(currentGreenlet(), bufsize, this.#timeout);
  }

  /**
   * As `recv`, but copies into `buffer` and resolves the count (0 at EOF).
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function readSome(sock: GreenSocket): Promise<Uint8Array> {
   *   const buf = new Uint8Array(1024);
   *   const n = await sock.recvInto(buf);
   *   return buf.subarray(0, n);
   * }
   * ```
   */
  recvInto(buffer: Uint8Array): Promise<number> {
    checkBytes("recvInto", buffer);
    return this.#reader.recv(currentGreenlet(), buffer, this.#timeout);
  }

  /**
   * Sends some of `data` with one write; resolves how many bytes were
   * written (possibly fewer than `data.length`). A switch point.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function sendSome(sock: GreenSocket, data: Uint8Array): Promise<Uint8Array> {
   *   const n = await sock.send(data);
   *   return data.subarray(n); // what is left to send
   * }
   * ```
   */
  send(data: Uint8Array): Promise<number> {
    checkBytes("send", data);
    return this.#writer.write(currentGreenlet(), data, false, this.#timeout);
  }

  /**
   * Sends all of `data`, looping over partial writes. The socket timeout
   * applies to each underlying write, as eventlet's. A switch point.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function greet(sock: GreenSocket): Promise<void> {
   *   await sock.sendall(new TextEncoder().encode("hello\n"));
   * }
   * ```
   */
  sendall(data: Uint8Array): Promise<void> {
    checkBytes("sendall", data);
    return this.#writer.write(currentGreenlet(), data, true, this.#timeout);
  }

  /**
   * Sets the timeout of every later operation: `null` blocks (the default),
   * `0` makes the socket non-blocking, `x > 0` throws `SocketTimeout` after
   * x seconds. Negative or NaN: `RangeError`; not a number: `TypeError`.
   * Deviation: in non-blocking mode a write still waits for the write Deno
   * does (it cannot be tried without being committed); only a write behind
   * another one in flight throws `BlockingIOError`.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * function patient(sock: GreenSocket): void {
   *   sock.settimeout(2.5);
   *   console.log(sock.gettimeout()); // 2.5
   * }
   * ```
   */
  settimeout(seconds: number | null): void {
    this.#timeout = checkTimeout("settimeout", seconds);
  }

  /**
   * The timeout set by `settimeout`: `null` (blocking), `0` or seconds.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * const isBlocking = (sock: GreenSocket) => sock.gettimeout() === null;
   * ```
   */
  gettimeout(): number | null {
    return this.#timeout;
  }

  /**
   * `setblocking(true)` is `settimeout(null)`, `setblocking(false)` is
   * `settimeout(0)`.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * function poll(sock: GreenSocket): void {
   *   sock.setblocking(false); // recv with nothing buffered throws BlockingIOError
   * }
   * ```
   */
  setblocking(flag: boolean): void {
    this.#timeout = flag ? null : 0;
  }

  /**
   * Closes the connection. Operations waiting on the socket and later ones
   * reject with a `BadResource` error; closing twice is harmless. A write
   * still in flight may be cut short. Files made by `makefile()` stop
   * working too (deviation: Python keeps the connection open until they
   * are closed; JavaScript has no reference counting to close a forgotten
   * file, so that would leak the connection).
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * function done(sock: GreenSocket): void {
   *   sock.close();
   *   console.log(sock.closed); // true
   * }
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.close();
    this.#writer.close();
    closeQuietly(this.#conn);
  }

  /** True once `close()` was called (or the socket was upgraded by `wrapSsl`). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Same as `close()`: `using sock = await connect(addr)` closes it at block end. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Shuts down one half of the connection, or both (the default). "write"
   * sends EOF to the peer after the writes already asked for; later sends
   * throw `BrokenPipe`. "read": later `recv`s resolve empty (buffered bytes
   * are dropped; Deno has no SHUT_RD, so the peer is not told). A switch
   * point.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function finish(sock: GreenSocket): Promise<Uint8Array> {
   *   await sock.shutdown("write"); // the peer sees EOF
   *   return await sock.recv(4096); // its answer can still come in
   * }
   * ```
   */
  shutdown(how: ShutdownHow = "both"): Promise<void> {
    checkShutdownHow(how);
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#closed) return failed(g, closedError("shutdown"));
    if (how !== "write") this.#reader.shutdown();
    if (how === "read") return completed(g, undefined);
    return this.#writer.shutdown(g, this.#timeout);
  }

  /**
   * The peer's address: `[host, port]`, or the path for a Unix socket.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * const who = (sock: GreenSocket) => sock.getpeername(); // e.g. ["127.0.0.1", 51234]
   * ```
   */
  getpeername(): SockAddr {
    if (this.#closed) throw closedError("getpeername");
    return fromDenoAddr(this.#conn.remoteAddr);
  }

  /**
   * This end's address: `[host, port]`, or the path for a Unix socket ("" if
   * unnamed).
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * const me = (sock: GreenSocket) => sock.getsockname();
   * ```
   */
  getsockname(): SockAddr {
    if (this.#closed) throw closedError("getsockname");
    return fromDenoAddr(this.#conn.localAddr);
  }

  /**
   * A buffered file over the socket: `read(n?)`, `readline()`, `write`,
   * `flush`, `close`. Bytes it has read ahead are no longer available to
   * `recv`, as with Python's `makefile`.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function firstLine(sock: GreenSocket): Promise<string> {
   *   const file = sock.makefile();
   *   return new TextDecoder().decode(await file.readline());
   * }
   * ```
   */
  makefile(): GreenFile {
    return new GreenFile(this);
  }

  /**
   * The received bytes as a web stream (for `pipeTo` and Deno APIs). It
   * reads through the same buffer as `recv`, is not interrupted by kills or
   * Timeouts (it is not a switch point), ends at EOF, and `cancel()` shuts
   * the read half down. Slower than `recv`: keep it off hot paths.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function readAll(sock: GreenSocket): Promise<Uint8Array> {
   *   return await new Response(sock.readable).bytes();
   * }
   * ```
   */
  get readable(): ReadableStream<Uint8Array> {
    return this.#webStreams().readable;
  }

  /**
   * A web stream writing to the socket in order with `send`/`sendall`;
   * closing it shuts the write half down, aborting it closes the socket.
   *
   * @example
   * ```ts
   * import type { GreenSocket } from "@eventlet/eventlet/net";
   * async function upload(sock: GreenSocket, body: ReadableStream<Uint8Array>): Promise<void> {
   *   await body.pipeTo(sock.writable); // then the peer sees EOF
   * }
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#webStreams().writable;
  }

  /** The web streams of `readable` and `writable`, made on first use. */
  #webStreams(): SocketStreams {
    return this.#streams ??= new SocketStreams(this.#reader, this.#writer, () => this.close());
  }

  /**
   * The `Deno.Conn` underneath (for the patched `Deno.connect`'s
   * addresses and options). Do not read or write it directly.
   * @ignore
   */
  get rawConn(): Deno.Conn {
    return this.#conn;
  }

  /**
   * Hands the `Deno.Conn` over (to `wrapSsl`) and marks this socket closed.
   * Throws if a read or write is in flight or unread bytes are buffered.
   * @ignore
   */
  detach(action: string, reason: string): Deno.Conn {
    if (this.#closed) throw closedError(action);
    if (!this.#reader.idle || this.#writer.busy) throw inUseError(action);
    this.#closed = true;
    this.#reader.close(reason);
    this.#writer.close(reason);
    return this.#conn;
  }
}
