/**
 * serve and StopServe: eventlet's accept loop with one greenthread per
 * connection.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import { currentGreenlet } from "../hub/current.ts";
import { GreenletExit, type GreenThread } from "../green/greenthread.ts";
import { spawn } from "../green/spawn.ts";
import { GreenPool } from "../green/greenpool.ts";
import type { SockAddr } from "./addr.ts";
import { GreenListener } from "./listener.ts";
import type { GreenSocket } from "./socket.ts";
import { checkFunction, typeName } from "../hub/checks.ts";

const hub = getHub();

/**
 * Throw it from a `serve` handler to stop the server: `serve` then
 * resolves (instead of rejecting) after closing the listener.
 *
 * @example
 * ```ts
 * import { connect, listen, serve, StopServe } from "@eventlet/eventlet/net";
 * const server = listen(["127.0.0.1", 0]);
 * const done = serve(server, () => {
 *   throw new StopServe();
 * });
 * const client = await connect(server.addr as [string, number]);
 * await done; // resolves: the first connection stopped the server
 * client.close();
 * ```
 */
export class StopServe extends Error {
  /** Makes one; the message defaults to "Server stopped". */
  constructor(message = "Server stopped") {
    super(message);
    this.name = "StopServe";
  }
}

/** A connection handler for `serve`: sync or async; its result is ignored. */
export type Handler = (sock: GreenSocket, addr: SockAddr) => unknown;

/** Options of `serve`. */
export interface ServeOptions {
  /** At most this many handlers at once (default 1000, as eventlet). */
  concurrency?: number;
}

class Server {
  readonly listener: GreenListener;
  readonly handle: Handler;
  readonly pool: GreenPool;
  loop: GreenThread<void> | null = null;
  stopping = false;
  failed = false;
  failure: unknown = undefined;

  constructor(listener: GreenListener, handle: Handler, concurrency: number) {
    this.listener = listener;
    this.handle = handle;
    this.pool = new GreenPool(concurrency);
  }

  async run(): Promise<void> {
    const loop = spawn(acceptLoop, this);
    loop.name = "serve";
    this.loop = loop;
    try {
      await loop.wait();
    } catch (error) {
      // A handler's error wins over what it made the loop see.
      const reason = this.failed ? this.failure : error;
      if (reason instanceof StopServe) return;
      if (!this.failed && this.listener.closed && isListenerClosed(error)) return;
      throw reason;
    } finally {
      this.stopping = true;
      this.listener.close();
      if (!loop.dead) await loop.kill();
    }
  }

  /** A handler failed (or threw StopServe): end the accept loop with its error. */
  fail(error: unknown): void {
    if (this.stopping) {
      // serve has ended: nobody will see this error but the hub's handler.
      if (!(error instanceof StopServe)) hub.reportError(error, currentGreenlet());
      return;
    }
    this.stopping = true;
    this.failed = true;
    this.failure = error;
    hub.throwInto(this.loop!, error);
  }
}

function isListenerClosed(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource;
}

async function acceptLoop(server: Server): Promise<void> {
  for (;;) {
    const [sock, addr] = await server.listener.accept();
    let gt: GreenThread<void>;
    try {
      // Parks while `concurrency` handlers run: no accept meanwhile.
      gt = await server.pool.spawn(runHandler, server, sock, addr);
    } catch (error) {
      sock.close(); // interrupted while waiting for a slot: never handed out
      throw error;
    }
    // An exit hook runs however the handler ends (at once if it already
    // has, even killed before it started): the socket is closed exactly then.
    gt.addExitHook(() => sock.close());
  }
}

async function runHandler(server: Server, sock: GreenSocket, addr: SockAddr): Promise<void> {
  try {
    await server.handle(sock, addr);
  } catch (error) {
    if (error instanceof GreenletExit) throw error;
    server.fail(error);
  }
}

/**
 * Serves connections on `listener`: runs `handle(sock, addr)` in a new
 * greenthread for each one, and closes `sock` when `handle` returns. A
 * switch point that lasts until the server stops.
 *
 * - Handlers run in an internal `GreenPool(concurrency)`: with
 *   `concurrency` handlers running, the connection just accepted waits for
 *   a slot and no other is accepted until one ends (clients can still
 *   connect into the listen queue, but get no service), as in eventlet.
 * - An error thrown by `handle` ends `serve`: the listener is closed and
 *   `serve` rejects with that error. Throwing `StopServe` ends it the same
 *   way, but `serve` resolves. A killed handler (`GreenletExit`) is no
 *   error. Handlers still running when `serve` ends go on to their end.
 * - Closing the listener from outside also ends `serve` (it resolves).
 * - `concurrency` must be a positive integer (0, negative, NaN or
 *   fractional: `RangeError`, thrown at once).
 * - Killing the greenthread awaiting `serve` stops the accept loop and
 *   closes the listener.
 *
 * @example
 * ```ts
 * import { listen, serve } from "@eventlet/eventlet/net";
 * import type { GreenSocket } from "@eventlet/eventlet/net";
 * async function echo(sock: GreenSocket): Promise<void> {
 *   for (;;) {
 *     const data = await sock.recv(4096);
 *     if (data.length === 0) return;
 *     await sock.sendall(data);
 *   }
 * }
 * const server = listen(["127.0.0.1", 0]);
 * console.log("echo server on", server.addr);
 * // await serve(server, echo, { concurrency: 100 }); // runs until stopped
 * server.close();
 * ```
 */
export function serve(
  listener: GreenListener,
  handle: Handler,
  options: ServeOptions = {},
): Promise<void> {
  if (!(listener instanceof GreenListener)) {
    throw new TypeError(
      `Cannot serve: listener must be a GreenListener (from listen), received ${
        typeName(listener)
      }`,
    );
  }
  checkFunction("serve", handle, "handle");
  const concurrency = options?.concurrency ?? 1000;
  if (typeof concurrency !== "number") {
    throw new TypeError(
      `Cannot serve: concurrency must be a number, received ${typeof concurrency}`,
    );
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `Cannot serve: concurrency must be a positive integer, received ${concurrency}`,
    );
  }
  return new Server(listener, handle, concurrency).run();
}
