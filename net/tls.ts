/**
 * wrapSsl: TLS for green sockets, on `Deno.startTls` (client) and
 * `Deno.listenTls` (server).
 *
 * @module
 */

import { awaitForeign, currentGreenlet, deliverPending, hasPendingError } from "../hub/lowlevel.ts";
import { denoIo } from "./deno_io.ts";
import { GreenSocket } from "./socket.ts";
import { GreenListener } from "./listener.ts";
import { hostnameOf, rememberHostname } from "./connect.ts";
import { typeName } from "../hub/checks.ts";

/** Options of a client-side `wrapSsl`. */
export interface ClientTlsOptions {
  /** Not server side (the default). */
  serverSide?: false;
  /**
   * The name the server certificate must carry (and the SNI sent). Default:
   * the host given to `connect`, else the peer's IP address.
   */
  hostname?: string;
  /** PEM root certificates trusted in addition to the system's (a private CA). */
  caCerts?: string[];
  /** ALPN protocols to offer. */
  alpnProtocols?: string[];
}

/** Options of a server-side `wrapSsl` (TLS listener). */
export interface ServerTlsOptions {
  /** Must be true: this wraps a listener. */
  serverSide: true;
  /** The certificate chain, PEM. */
  cert: string;
  /** The private key, PEM (PKCS#8, RSA or EC). */
  key: string;
  /** ALPN protocols to accept. */
  alpnProtocols?: string[];
}

function checkStrings(name: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new TypeError(
      `Cannot wrapSsl: ${name} must be an array of strings, received ${typeof value}`,
    );
  }
}

/**
 * Client side: upgrades a connected `GreenSocket` to TLS with
 * `Deno.startTls` and completes the handshake; resolves the TLS socket (the
 * old one is then closed for use). The server certificate is verified
 * (chain and host name) against the system roots plus `caCerts`; a bad one
 * rejects with `Deno.errors.InvalidData` naming the peer ("Cannot wrapSsl:
 * TLS handshake with 127.0.0.1:8443 failed: invalid peer certificate: …",
 * Deno's error as `cause`).
 * The socket must be idle (no read or write in progress, nothing unread).
 * A switch point. Deviation: eventlet's `wrap_ssl` is synchronous; here the
 * handshake is awaited.
 *
 * @example
 * ```ts
 * import { connect, wrapSsl } from "@eventlet/eventlet/net";
 * const caCert = Deno.readTextFileSync("./tests/fixtures/ca.pem");
 * async function secure(port: number) {
 *   return await wrapSsl(await connect(["localhost", port]), { caCerts: [caCert] });
 * }
 * ```
 */
export function wrapSsl(sock: GreenSocket, options?: ClientTlsOptions): Promise<GreenSocket>;
/**
 * Server side: turns a TCP `GreenListener` (from `listen`) into a TLS
 * listener on the same address: the plain listener is closed and
 * `Deno.listenTls` binds the address again (Deno cannot add TLS to an open
 * listener). Its `accept()` hands out TLS sockets; each handshake happens on
 * the socket's first read or write (a failed one throws `InvalidData`
 * naming the peer there).
 *
 * `cert` and `key` are checked first: if Deno refuses them (a 1024-bit RSA
 * key, a key that does not match the certificate, a damaged PEM), it throws
 * `Deno.errors.InvalidData` naming `cert` or `key` with Deno's reason (also
 * its `cause`), and the plain listener stays open.
 *
 * @example
 * ```ts
 * import { listen, wrapSsl } from "@eventlet/eventlet/net";
 * const server = wrapSsl(listen(["127.0.0.1", 0]), {
 *   serverSide: true,
 *   cert: Deno.readTextFileSync("./tests/fixtures/server.pem"),
 *   key: Deno.readTextFileSync("./tests/fixtures/server.key"),
 * });
 * server.close();
 * ```
 */
export function wrapSsl(listener: GreenListener, options: ServerTlsOptions): GreenListener;
export function wrapSsl(
  target: GreenSocket | GreenListener,
  options: ClientTlsOptions | ServerTlsOptions = {},
): Promise<GreenSocket> | GreenListener {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot wrapSsl: options must be an object, received ${typeName(options)}`,
    );
  }
  checkStrings("alpnProtocols", options.alpnProtocols);
  if (options.serverSide === true) {
    if (!(target instanceof GreenListener)) {
      throw new TypeError(
        "Cannot wrapSsl: serverSide needs a GreenListener (from listen), received a " +
          (target instanceof GreenSocket ? "GreenSocket" : typeof target),
      );
    }
    return wrapServer(target, options);
  }
  if (!(target instanceof GreenSocket)) {
    throw new TypeError(
      "Cannot wrapSsl: the client side needs a GreenSocket (from connect), received " +
        (target instanceof GreenListener
          ? "a GreenListener (pass serverSide: true)"
          : typeof target),
    );
  }
  return wrapClient(target, options as ClientTlsOptions);
}

function wrapServer(listener: GreenListener, options: ServerTlsOptions): GreenListener {
  for (const name of ["cert", "key"] as const) {
    if (typeof options[name] !== "string" || options[name] === "") {
      throw new TypeError(
        `Cannot wrapSsl: ${name} must be a non-empty PEM string, received ${typeof options[name]}`,
      );
    }
    // Checked before the plain listener is closed: a file path passed
    // instead of the file's text must not cost the caller its listener.
    if (!/-----BEGIN [A-Z0-9 ]+-----/.test(options[name])) {
      throw new TypeError(
        `Cannot wrapSsl: ${name} must be PEM text (the file's contents, not its path), ` +
          `received ${JSON.stringify(options[name].slice(0, 40))}`,
      );
    }
  }
  checkUsable(options.cert, options.key);
  const { hostname, port } = listener.detachForTls("wrapSsl");
  const tls = denoIo.listenTls({
    hostname,
    port,
    cert: options.cert,
    key: options.key,
    alpnProtocols: options.alpnProtocols,
  });
  return new GreenListener(tls);
}

/**
 * Checks that Deno accepts `cert` and `key` before the plain listener is
 * given up: a TLS listener on a throwaway loopback port is made and closed
 * at once (Deno has no other way to parse them). On refusal, throws
 * `InvalidData` naming `cert` or `key`, with Deno's reason in the message
 * and as `cause`. Without the permission for that port, the check is
 * skipped and `Deno.listenTls` reports any problem itself.
 */
function checkUsable(cert: string, key: string): void {
  let probe: Deno.TlsListener;
  try {
    probe = denoIo.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Deno.errors.InvalidData(
      `Cannot wrapSsl: ${refusedPart(reason)}: ${reason}; the plain listener is still open`,
      { cause: error },
    );
  }
  probe.close();
}

/** Which of cert or key Deno's `reason` is about. */
function refusedPart(reason: string): string {
  if (/KeyMismatch|not be consistent/i.test(reason)) {
    return "key was refused (it does not match cert)";
  }
  if (/key/i.test(reason)) {
    return "key was refused (Deno takes RSA keys of 2048 bits or more, ECDSA or Ed25519, as PEM)";
  }
  if (/certificate/i.test(reason)) return "cert was refused";
  return "cert or key was refused";
}

function wrapClient(sock: GreenSocket, options: ClientTlsOptions): Promise<GreenSocket> {
  if (options.hostname !== undefined && typeof options.hostname !== "string") {
    throw new TypeError(
      `Cannot wrapSsl: hostname must be a string, received ${typeof options.hostname}`,
    );
  }
  checkStrings("caCerts", options.caCerts);
  const peer = sock.getpeername();
  if (typeof peer === "string") {
    throw new TypeError("Cannot wrapSsl: TLS needs a TCP socket, received a Unix socket");
  }
  const hostname = options.hostname ?? hostnameOf(sock) ?? peer[0];
  const g = currentGreenlet();
  // A pending kill or Timeout surfaces before the socket is handed over, so
  // the plain connection is not left detached and unclosed.
  if (hasPendingError(g)) return deliverPending(g);
  const conn = sock.detach(
    "wrapSsl",
    "socket was upgraded to TLS; use the socket wrapSsl returned",
  );
  const tlsOptions = {
    hostname,
    caCerts: options.caCerts,
    alpnProtocols: options.alpnProtocols,
  };
  return awaitForeign(g, "wrapSsl", async () => {
    let tls: Deno.TlsConn;
    try {
      tls = await denoIo.startTls(conn as Deno.TcpConn, tlsOptions);
    } catch (error) {
      conn.close();
      throw error;
    }
    try {
      await tls.handshake();
    } catch (error) {
      tls.close();
      if (!(error instanceof Deno.errors.InvalidData)) throw error;
      throw new Deno.errors.InvalidData(
        `Cannot wrapSsl: TLS handshake with ${peer[0]}:${peer[1]} failed: ${error.message}`,
        { cause: error },
      );
    }
    return tls;
  }, (tls) => {
    const secure = new GreenSocket(tls);
    rememberHostname(secure, hostname);
    return secure;
  }, (tls) => tls.close());
}
