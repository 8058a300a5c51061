/**
 * `Deno.Conn` and `Deno.Listener` faces over green sockets: what the
 * patched `Deno.connect`, `Deno.listen`, … hand out.
 *
 * Reads and writes go through net's `GreenSocket` (one implementation of
 * green I/O), so they are switch points that `kill` and `Timeout` interrupt
 * without losing bytes; everything else is the real connection's.
 *
 * @module
 */

import type { GreenSocket } from "../net/socket.ts";
import { GreenListener } from "../net/listener.ts";

/**
 * A `Deno.Conn` (also `TcpConn`, `TlsConn`, `UnixConn`) whose `read` and
 * `write` are green switch points.
 *
 * - `read` resolves `null` at EOF, as Deno's; bytes of a read interrupted
 *   by a kill or Timeout come with the next read.
 * - `write` writes some of the data (a switch point) and resolves the count.
 * - `setNoDelay`, `setKeepAlive`, `handshake`, `ref`, `unref` and the
 *   addresses are the underlying connection's.
 */
export class GreenConn implements Deno.TcpConn, Deno.TlsConn {
  #sock: GreenSocket;
  #conn: Deno.Conn;

  /** Wraps `sock`, a GreenSocket over a platform connection. */
  constructor(sock: GreenSocket) {
    this.#sock = sock;
    this.#conn = sock.rawConn;
  }

  /** The green socket underneath (for `startTls`). */
  get socket(): GreenSocket {
    return this.#sock;
  }

  get localAddr(): Deno.NetAddr {
    return this.#conn.localAddr as Deno.NetAddr;
  }

  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr as Deno.NetAddr;
  }

  read(p: Uint8Array): Promise<number | null> {
    if (p.length === 0) return Promise.resolve(0);
    return this.#sock.recvInto(p).then(eofAsNull);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#sock.send(p);
  }

  close(): void {
    this.#sock.close();
  }

  closeWrite(): Promise<void> {
    return this.#sock.shutdown("write");
  }

  ref(): void {
    this.#conn.ref();
  }

  unref(): void {
    this.#conn.unref();
  }

  setNoDelay(noDelay?: boolean): void {
    (this.#conn as Deno.TcpConn).setNoDelay?.(noDelay);
  }

  setKeepAlive(keepAlive?: boolean): void {
    (this.#conn as Deno.TcpConn).setKeepAlive?.(keepAlive);
  }

  handshake(): Promise<Deno.TlsHandshakeInfo> {
    const tls = this.#conn as Deno.TlsConn;
    if (typeof tls.handshake !== "function") {
      return Promise.reject(new TypeError("Cannot handshake: this is not a TLS connection"));
    }
    return tls.handshake();
  }

  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#sock.readable as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  get writable(): WritableStream<Uint8Array<ArrayBufferLike>> {
    return this.#sock.writable;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function eofAsNull(n: number): number | null {
  return n === 0 ? null : n;
}

/**
 * A `Deno.Listener` whose `accept` (and async iteration) is a green switch
 * point, handing out `GreenConn`s. No connection is lost when an accept is
 * interrupted (net's `GreenListener` keeps it for the next one).
 */
export class GreenDenoListener implements Deno.Listener<GreenConn, Deno.NetAddr> {
  #green: GreenListener;
  #listener: Deno.Listener;

  /** Wraps a platform listener. */
  constructor(listener: Deno.Listener) {
    this.#listener = listener;
    this.#green = new GreenListener(listener);
  }

  get addr(): Deno.NetAddr {
    return this.#listener.addr as Deno.NetAddr;
  }

  accept(): Promise<GreenConn> {
    return this.#green.accept().then(([sock]) => new GreenConn(sock));
  }

  close(): void {
    this.#green.close();
  }

  ref(): void {
    this.#listener.ref();
  }

  unref(): void {
    this.#listener.unref();
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<GreenConn> {
    for (;;) {
      try {
        yield await this.accept();
      } catch (error) {
        if (this.#green.closed) return; // closed: the iteration ends, as Deno's
        throw error;
      }
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
