/**
 * HTTP servers whose requests are greenthreads: eventlet.wsgi, the Deno way.
 *
 * `serveHttp` runs each request of a `Deno.serve` server in its own
 * greenthread, so a `Timeout`, `local()` or `kill` is per request, a client
 * that goes away or a `requestTimeout` kills the handler at its next switch
 * point (its `finally` blocks run), and `shutdown()` drains with a deadline.
 * `greenHandler` gives the same to `export default` under `deno serve`.
 *
 * @example
 * ```ts
 * import { serveHttp } from "@eventlet/eventlet/http";
 * import { sleep } from "@eventlet/eventlet";
 *
 * const server = serveHttp(async (request) => {
 *   await sleep(0.01); // a switch point: other requests run meanwhile
 *   return new Response(`hello from ${new URL(request.url).pathname}`);
 * }, { port: 0, log: false, onListen() {} });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/x`);
 * console.log(await response.text()); // "hello from /x"
 * await server.shutdown();
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { HttpServer, serveHttp } from "./server.ts";
export type { ShutdownOptions } from "./server.ts";
export { greenHandler } from "./green_handler.ts";
export type { GreenHandler } from "./green_handler.ts";
export type { HttpHandler, RequestOptions, ServeHttpOptions } from "./options.ts";
export type { DrainResult, HttpStats } from "./stats.ts";
export { upgradeWebSocket, websocket } from "./websocket.ts";
export type { WebSocketHandler, WebSocketUpgrade } from "./websocket.ts";
export { GreenWebSocket } from "./green_websocket.ts";
export type { WebSocketMessage } from "./green_websocket.ts";
export type { GreenWebSocketOptions, WebSocketOptions } from "./websocket_options.ts";
