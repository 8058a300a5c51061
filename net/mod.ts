/**
 * Green networking: TCP, TLS and Unix sockets whose I/O operations are
 * switch points, and eventlet's `connect`/`listen`/`serve`/`wrapSsl`.
 *
 * Every `await` on a socket operation (`recv`, `send`, `sendall`,
 * `accept`, `connect`, `shutdown`, `wrapSsl`, the `GreenFile` methods) lets
 * other greenthreads run, and is where a `kill` or `Timeout` lands. No byte
 * is lost when that happens: the next `recv` returns what the interrupted
 * one would have.
 *
 * @example
 * ```ts
 * import { connect, listen, serve } from "@eventlet/eventlet/net";
 * import type { GreenSocket } from "@eventlet/eventlet/net";
 * import { spawn } from "@eventlet/eventlet";
 *
 * async function echo(sock: GreenSocket): Promise<void> {
 *   for (let data = await sock.recv(4096); data.length > 0; data = await sock.recv(4096)) {
 *     await sock.sendall(data);
 *   }
 * }
 * const server = listen(["127.0.0.1", 0]);
 * const serving = spawn(serve, server, echo);
 * const client = await connect(server.addr as [string, number]);
 * await client.sendall(new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(await client.recv(10))); // "hi"
 * client.close();
 * server.close(); // serve resolves
 * await serving.wait();
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { GreenSocket } from "./socket.ts";
export type { ShutdownHow } from "./socket.ts";
export { GreenFile } from "./file.ts";
export { GreenListener } from "./listener.ts";
export type { Accepted } from "./listener.ts";
export { connect, listen } from "./connect.ts";
export type { ListenOptions } from "./connect.ts";
export { serve, StopServe } from "./serve.ts";
export type { Handler, ServeOptions } from "./serve.ts";
export { wrapSsl } from "./tls.ts";
export type { ClientTlsOptions, ServerTlsOptions } from "./tls.ts";
export { BlockingIOError, ConnectionReset, SocketTimeout } from "./errors.ts";
export type { Address, HostPort, SockAddr } from "./addr.ts";
