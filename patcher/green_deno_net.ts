/**
 * Green versions of `Deno.connect`, `connectTls`, `listen`, `listenTls`
 * and `startTls`, built on net's sockets and the real functions.
 *
 * @module
 */

import { denoIo } from "../net/deno_io.ts";
import { closeConn } from "../net/connect.ts";
import { GreenSocket } from "../net/socket.ts";
import { awaitForeign, currentGreenlet, deliverPending, hasPendingError } from "../hub/lowlevel.ts";
import { GreenConn, GreenDenoListener } from "./green_conn.ts";

function toGreenConn(conn: Deno.Conn): GreenConn {
  return new GreenConn(new GreenSocket(conn));
}

/** Waits for a platform connection at a switch point; hands out a GreenConn. */
function connectGreen(what: string, start: () => Promise<Deno.Conn>): Promise<GreenConn> {
  return awaitForeign(currentGreenlet(), what, start, toGreenConn, closeConn);
}

/** Gives `green` the `length` of the function it replaces (its name is already the same). */
function sameShape<F>(green: F, original: unknown): F {
  Object.defineProperty(green, "length", { value: (original as { length: number }).length });
  return green;
}

/** The functions `monkeyPatch({ net: true })` installs on `Deno`. */
export const greenDenoNet = {
  connect: sameShape(function connect(options: Deno.ConnectOptions | Deno.UnixConnectOptions) {
    return connectGreen("Deno.connect", () => denoIo.connect(options as Deno.ConnectOptions));
  }, denoIo.connect) as unknown as typeof Deno.connect,

  connectTls: sameShape(function connectTls(options: Deno.ConnectTlsOptions) {
    return connectGreen("Deno.connectTls", () => denoIo.connectTls(options));
  }, denoIo.connectTls) as unknown as typeof Deno.connectTls,

  listen: sameShape(function listen(options: Deno.TcpListenOptions | Deno.UnixListenOptions) {
    return new GreenDenoListener(denoIo.listen(options as Deno.TcpListenOptions));
  }, denoIo.listen) as unknown as typeof Deno.listen,

  listenTls: sameShape(
    function listenTls(options: Deno.ListenTlsOptions & Deno.TlsCertifiedKeyPem) {
      return new GreenDenoListener(denoIo.listenTls(options));
    },
    denoIo.listenTls,
  ) as unknown as typeof Deno.listenTls,

  startTls: sameShape(function startTls(conn: Deno.TcpConn, options?: Deno.StartTlsOptions) {
    const g = currentGreenlet();
    // A pending kill or Timeout surfaces before the connection is handed over.
    if (hasPendingError(g)) return deliverPending(g);
    const raw = conn instanceof GreenConn
      ? conn.socket.detach("startTls", "connection was upgraded to TLS")
      : conn;
    return connectGreen("Deno.startTls", () => denoIo.startTls(raw as Deno.TcpConn, options));
  }, denoIo.startTls) as unknown as typeof Deno.startTls,
};
