/**
 * An echo server on `serve` (eventlet's examples/echoserver.py): every byte
 * a client sends comes straight back, one greenthread per connection.
 *
 *   deno run -A examples/echo_server.ts [port=6000] [host=127.0.0.1]
 *
 * Prints `echo server listening on <host>:<port>` once bound (port 0 picks
 * a free one). Try it with `nc 127.0.0.1 6000`.
 *
 * @module
 */

import { ConnectionReset, type GreenSocket, listen, serve, type SockAddr } from "../net/mod.ts";

async function handle(sock: GreenSocket, addr: SockAddr): Promise<void> {
  console.log("client connected:", addr);
  try {
    for (;;) {
      const data = await sock.recv(65536);
      if (data.length === 0) break;
      await sock.sendall(data);
    }
  } catch (e) {
    // A client that resets its connection ends only its own handler; any
    // other error ends `serve` (eventlet's rule for errors from `handle`).
    if (!(e instanceof ConnectionReset)) throw e;
  }
  console.log("client disconnected:", addr);
}

const port = Number(Deno.args[0] ?? 6000);
const host = Deno.args[1] ?? "127.0.0.1";
const server = listen([host, port]);
const [boundHost, boundPort] = server.addr as [string, number];
console.log(`echo server listening on ${boundHost}:${boundPort}`);
await serve(server, handle);
