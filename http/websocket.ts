/**
 * WebSocket servers whose sessions are greenthreads: `websocket(handle)` is
 * eventlet's `WebSocketWSGI`, `upgradeWebSocket(request)` the lower-level
 * form. The handler gets a {@link GreenWebSocket} and runs in the request's
 * greenthread (under `serveHttp`/`greenHandler`) or in a greenthread of its
 * own (under a plain `Deno.serve`); when it ends the socket closes.
 *
 * @module
 */

import { isKill } from "../hub/greenlet_exit.ts";
import { spawn } from "../green/spawn.ts";
import { checkFunction } from "../hub/checks.ts";
import { ConnectionReset } from "../net/errors.ts";
import { adoptUpgrade, GreenWebSocket } from "./green_websocket.ts";
import { currentRequestScope } from "./request_scope.ts";
import { checkWebSocketOptions, type WebSocketOptions } from "./websocket_options.ts";

/** A WebSocket session: runs as long as the socket is used; the socket closes when it ends. */
export type WebSocketHandler = (ws: GreenWebSocket, request: Request) => unknown;

/** What `upgradeWebSocket` returns: the `101` response to answer with, and the socket. */
export interface WebSocketUpgrade {
  /** The `101 Switching Protocols` response; return it from the HTTP handler. */
  response: Response;
  /** The socket, usable once the response went out (its `send` waits for that). */
  socket: GreenWebSocket;
}

/** A client that has not opened the socket this long after the upgrade went away before it. */
const UPGRADE_DEADLINE = 1;

function badRequest(text: string): Response {
  return new Response(`${text}\n`, {
    status: 400,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

function isUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * Upgrades `request` to a WebSocket: Deno's `upgradeWebSocket` with a
 * {@link GreenWebSocket} instead of the event-based socket. Options are
 * checked first (`TypeError`/`RangeError` naming the option). Throws a
 * `TypeError` for a request that is not a WebSocket upgrade or whose
 * handshake is malformed.
 *
 * - A client that vanished before the upgrade completed (Deno then fires no
 *   event) counts as closed one second later: `receive()` returns `null`,
 *   `closeCode` is 1006.
 *
 * @example
 * ```ts
 * import { spawn } from "@eventlet/eventlet";
 * import { upgradeWebSocket } from "@eventlet/eventlet/http";
 * const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
 *   const { response, socket } = upgradeWebSocket(request, { maxMessageSize: 4096 });
 *   spawn(async () => {
 *     await socket.send("hello");
 *     socket.close();
 *   });
 *   return response;
 * });
 * const client = new WebSocket(`ws://localhost:${server.addr.port}`);
 * client.onmessage = (e) => console.log(e.data); // "hello"
 * await new Promise((resolve) => client.onclose = resolve);
 * await server.shutdown();
 * ```
 */
export function upgradeWebSocket(request: Request, options?: WebSocketOptions): WebSocketUpgrade {
  const checked = checkWebSocketOptions("upgrade to WebSocket", options);
  if (!(request instanceof Request)) {
    throw new TypeError(
      `Cannot upgrade to WebSocket: request must be a Request, received ${
        request === null ? "null" : typeof request
      }`,
    );
  }
  if (!isUpgrade(request)) {
    throw new TypeError(
      `Cannot upgrade to WebSocket: the request has no "Upgrade: websocket" header, received ${
        JSON.stringify(request.headers.get("upgrade"))
      }`,
    );
  }
  const upgrade: Deno.UpgradeWebSocketOptions = {};
  if (checked.protocol !== undefined) upgrade.protocol = checked.protocol;
  if (checked.idleTimeout !== undefined) upgrade.idleTimeout = checked.idleTimeout;
  let upgraded: { response: Response; socket: WebSocket };
  try {
    upgraded = Deno.upgradeWebSocket(request, upgrade);
  } catch (error) {
    // A malformed handshake (no Sec-WebSocket-Key, no "Connection: Upgrade"…).
    throw new TypeError(`Cannot upgrade to WebSocket: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { response, socket } = upgraded;
  const ws = new GreenWebSocket(socket, checked);
  adoptUpgrade(ws, checked.protocol ?? "", UPGRADE_DEADLINE);
  return { response, socket: ws };
}

/**
 * Makes an HTTP handler that upgrades each request and runs
 * `handle(ws, request)` with a {@link GreenWebSocket} — eventlet's
 * `WebSocketWSGI`. Use it with `serveHttp`, `greenHandler` or a plain
 * `Deno.serve`. Options are checked when it is called.
 *
 * - Under `serveHttp`/`greenHandler`, `handle` runs in the request's own
 *   greenthread (a session: `requestTimeout` spares it) and the server's
 *   `shutdown()` closes the socket with 1001 when it begins. Under a plain
 *   `Deno.serve`, `handle` runs in a greenthread spawned for it.
 * - When `handle` returns the socket closes with 1000. A kill closes it with
 *   1000 (`GreenletExit`) or 1011 (any other error), and so does an error
 *   `handle` throws (1011; the error goes on to the server's `onError`, or
 *   the hub's error report).
 * - A peer gone while `handle` sends (`send()` throws `ConnectionReset` on
 *   the closed socket) ends the session quietly, as eventlet does.
 * - A request that is not a WebSocket upgrade, or a malformed handshake (no
 *   `Sec-WebSocket-Key`, …), gets `400` saying why.
 *
 * @example
 * ```ts
 * import { websocket } from "@eventlet/eventlet/http";
 * const server = Deno.serve(
 *   { port: 0, onListen() {} },
 *   websocket(async (ws) => {
 *     for await (const message of ws) await ws.send(message);
 *   }),
 * );
 * const client = new WebSocket(`ws://localhost:${server.addr.port}`);
 * client.onopen = () => client.send("echo me");
 * console.log(await new Promise((r) => client.onmessage = (e) => r(e.data))); // "echo me"
 * client.close();
 * await server.shutdown();
 * ```
 */
export function websocket(
  handle: WebSocketHandler,
  options?: WebSocketOptions,
): (request: Request) => Response | Promise<Response> {
  checkFunction("create websocket handler", handle, "handle");
  const checked = checkWebSocketOptions("create websocket handler", options);
  return (request) => {
    if (!isUpgrade(request)) return badRequest("Expected a WebSocket upgrade request");
    let upgraded: WebSocketUpgrade;
    try {
      upgraded = upgradeWebSocket(request, checked);
    } catch (error) {
      return badRequest((error as Error).message);
    }
    const { response, socket } = upgraded;
    const scope = currentRequestScope();
    if (scope === undefined) {
      spawn(runSession, handle, socket, request);
      return response;
    }
    scope.respondEarly(response);
    const unregister = scope.onShutdown(() => socket.close(1001, "server shutting down"));
    return runSession(handle, socket, request).then(() => response).finally(unregister);
  };
}

/** Runs `handle` and closes the socket after it, the way its end asks. */
async function runSession(
  handle: WebSocketHandler,
  ws: GreenWebSocket,
  request: Request,
): Promise<void> {
  try {
    await handle(ws, request);
  } catch (error) {
    if (isKill(error)) {
      ws.close(1000);
    } else if (error instanceof ConnectionReset && ws.closed) {
      return; // the peer went away while the handler sent: nobody's error
    } else {
      ws.close(1011, "internal error");
    }
    throw error;
  }
  ws.close(1000);
}
