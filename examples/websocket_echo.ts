/**
 * eventlet's WebSocket example (examples/websocket.py): `/echo` sends back
 * every message, `/data` streams `0 <i> <random>` lines every 0.1 s, and `/`
 * serves the page (`websocket_echo.html`) that uses both.
 *
 *   deno run -A examples/websocket_echo.ts [port=7000]
 *
 * Prints `Visit http://127.0.0.1:<port>/` once listening (port 0 picks a free
 * one). Try it with a browser, or with any WebSocket client:
 * `python3 -m websockets ws://127.0.0.1:7000/echo`.
 *
 * @module
 */

import { sleep } from "../mod.ts";
import { serveHttp, websocket } from "../http/mod.ts";

const page = await Deno.readTextFile(new URL("./websocket_echo.html", import.meta.url));

/** One handler for both paths: it can dispatch on the request, as eventlet's on `ws.path`. */
const handle = websocket(async (ws, request) => {
  const path = new URL(request.url).pathname;
  if (path === "/echo") {
    for (;;) {
      const message = await ws.receive();
      if (message === null) break;
      await ws.send(message);
    }
  } else if (path === "/data") {
    for (let i = 0; i < 10_000 && !ws.closed; i++) {
      await ws.send(`0 ${i} ${Math.random()}\n`);
      await sleep(0.1);
    }
  }
});

const port = Number(Deno.args[0] ?? 7000);
// Every request is a greenthread (eventlet's wsgi.server); the access log goes to stderr.
serveHttp((request) => {
  const path = new URL(request.url).pathname;
  if (path === "/echo" || path === "/data") return handle(request);
  return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
}, {
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => console.log(`Visit http://127.0.0.1:${port}/`),
});
