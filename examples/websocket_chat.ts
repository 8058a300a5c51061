/**
 * eventlet's WebSocket chat (examples/websocket_chat.py): every message goes
 * to every participant, and joins and leaves are announced. The page
 * (`websocket_chat.html`) is served by this program at `/`, the socket at
 * `/chat`.
 *
 *   deno run -A examples/websocket_chat.ts [port=7000]
 *
 * Prints `Visit http://127.0.0.1:<port>/` once listening (port 0 picks a free
 * one); open that page in two browser tabs and talk.
 *
 * Each participant's session is a greenthread parked in `receive()`. A
 * broadcast `send()` to a slow participant parks the sender (backpressure),
 * as eventlet's does; a participant that has gone is skipped, and its own
 * session announces the leave.
 *
 * @module
 */

import { ConnectionReset } from "../net/mod.ts";
import { type GreenWebSocket, serveHttp, websocket } from "../http/mod.ts";

const page = await Deno.readTextFile(new URL("./websocket_chat.html", import.meta.url));
const participants = new Map<GreenWebSocket, string>();
let guests = 0;

/** Sends `line` to everyone still here. */
async function broadcast(line: string): Promise<void> {
  for (const ws of [...participants.keys()]) {
    try {
      await ws.send(line);
    } catch (error) {
      if (!(error instanceof ConnectionReset)) throw error; // gone: its session says so
    }
  }
}

const chat = websocket(async (ws) => {
  const name = `guest ${++guests}`;
  participants.set(ws, name);
  await broadcast(`* ${name} joined`);
  try {
    for await (const message of ws) {
      if (typeof message === "string") await broadcast(`${name}: ${message}`);
    }
  } finally {
    participants.delete(ws);
    await broadcast(`* ${name} left`);
  }
});

const port = Number(Deno.args[0] ?? 7000);
// Every request is a greenthread (eventlet's wsgi.server); the access log goes to stderr.
serveHttp((request) => {
  if (new URL(request.url).pathname === "/chat") return chat(request);
  return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
}, {
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => console.log(`Visit http://127.0.0.1:${port}/`),
});
