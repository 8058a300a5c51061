/**
 * The smallest HTTP server: every request runs in its own greenthread.
 *
 *   deno run -A examples/http_hello.ts [port=8090]
 *
 * Prints `listening on http://127.0.0.1:<port>/` once bound (port 0 picks a
 * free one); each request gets an access-log line on stderr, eventlet's
 * format. Try it with `curl http://127.0.0.1:8090/`.
 *
 * @module
 */

import { serveHttp } from "../http/mod.ts";

const port = Number(Deno.args[0] ?? 8090);
serveHttp(() => new Response("Hello, World!\r\n"), {
  port,
  hostname: "127.0.0.1",
  onListen: (addr) => console.log(`listening on http://${addr.hostname}:${addr.port}/`),
});
