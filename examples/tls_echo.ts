/**
 * A TLS echo server: `wrapSsl` turns a listener into a TLS listener, and
 * `serve` runs one greenthread per connection, as in the plain echo server.
 *
 *   deno run -A examples/tls_echo.ts [port=6443] [cert.pem key.pem]
 *
 * The certificate defaults to the test one in tests/fixtures/ (for
 * `localhost`, signed by the test CA in tests/fixtures/ca.pem). Prints
 * `TLS echo server listening on <host>:<port>` once bound. Try it with
 * `openssl s_client -connect localhost:6443 -CAfile tests/fixtures/ca.pem`.
 *
 * @module
 */

import { ConnectionReset, type GreenSocket, listen, serve, wrapSsl } from "../net/mod.ts";

const fixtures = new URL("../tests/fixtures/", import.meta.url);
const port = Number(Deno.args[0] ?? 6443);
const cert = Deno.readTextFileSync(Deno.args[1] ?? new URL("server.pem", fixtures));
const key = Deno.readTextFileSync(Deno.args[2] ?? new URL("server.key", fixtures));

async function handle(sock: GreenSocket): Promise<void> {
  try {
    // A client that closes or resets its connection, even mid-handshake
    // (a port scan, a killed `openssl s_client`), reads as EOF here.
    for (;;) {
      const data = await sock.recv(65536);
      if (data.length === 0) return;
      await sock.sendall(data);
    }
  } catch (e) {
    // Only this connection ends: a client that fails the handshake (it
    // speaks plain TCP, or does not trust the certificate), or that went
    // away while we were answering.
    if (e instanceof ConnectionReset) return;
    if (!(e instanceof Deno.errors.InvalidData)) throw e;
    console.error((e as Error).message);
  }
}

const server = wrapSsl(listen(["127.0.0.1", port]), { serverSide: true, cert, key });
const [host, boundPort] = server.addr as [string, number];
console.log(`TLS echo server listening on ${host}:${boundPort}`);
await serve(server, handle);
