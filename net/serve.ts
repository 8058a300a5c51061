/**
 * serve and StopServe: eventlet's accept loop with one greenthread per
 * connection.
 *
 * @module
 */

import {
  addExitHook,
  currentGreenlet,
  deliverPending,
  failed,
  hasPendingError,
  newPark,
  outcomeOf,
  ParkingLot,
  reportError,
  suspend,
  throwInto,
  wake,
  wakeWithError,
} from "../hub/lowlevel.ts";
import { GreenletExit, type GreenThread } from "../hub/greenthread.ts";
import { spawn } from "../green/spawn.ts";
import { GreenPool } from "../green/greenpool.ts";
import type { SockAddr } from "./addr.ts";
import { GreenListener } from "./listener.ts";
import { closedError } from "./errors.ts";
import type { GreenSocket } from "./socket.ts";
import { checkFunction, checkPositiveInteger, typeName } from "../hub/checks.ts";

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

/** Marks a promise handled: its outcome is taken elsewhere. */
function ignore(): void {}

/**
 * The promise `serve` returns. The server runs on its own greenthread;
 * this promise parks the caller only when it is awaited (its `then` is
 * called from a later job), so a kill or Timeout meant for the caller's
 * later code never lands in the server. A `then`/`catch` chained at once,
 * in the same turn as the `serve` call, only observes the end.
 */
class ServeResult extends Promise<void> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /** Set by `serve` right after construction. */
  server: Server | null = null;

  // deno-lint-ignore no-explicit-any
  override then<A = void, B = never>(onFulfilled?: any, onRejected?: any): Promise<A | B> {
    const server = this.server;
    if (server === null || server.ended || server.fresh) {
      return super.then(onFulfilled, onRejected) as Promise<A | B>;
    }
    super.then(undefined, ignore); // the caller takes the outcome from its park
    return server.park(currentGreenlet()).then(onFulfilled, onRejected);
  }
}

class Server {
  readonly listener: GreenListener;
  readonly handle: Handler;
  readonly pool: GreenPool;
  loop: GreenThread<void> | null = null;
  stopping = false;
  failed = false;
  failure: unknown = undefined;
  /** True until the turn of the `serve` call ends (see ServeResult). */
  fresh = true;
  ended = false;
  /** The greenlets awaiting `serve`. */
  #waiters = new ParkingLot();
  #resolve: () => void = ignore;
  #reject: (error: unknown) => void = ignore;

  constructor(listener: GreenListener, handle: Handler, concurrency: number) {
    this.listener = listener;
    this.handle = handle;
    this.pool = new GreenPool(concurrency);
  }

  /** Starts the accept loop on its own greenthread; returns the serve promise. */
  start(): ServeResult {
    const result = new ServeResult((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    result.server = this;
    queueMicrotask(() => this.fresh = false);
    const loop = spawn(acceptLoop, this);
    loop.name = "serve";
    this.loop = loop;
    loop.link(() => this.#end(outcomeOf(loop)!));
    return result;
  }

  /** Parks `g` until the server ends; a kill or Timeout there stops it. */
  park(g: GreenThread): Promise<void> {
    if (hasPendingError(g)) {
      this.stop();
      return deliverPending(g);
    }
    const park = newPark(g, "serve");
    park.onInterrupt = () => this.stop();
    this.#waiters.push(park);
    return suspend(park);
  }

  /** Stops accepting (the caller was interrupted): serve ends quietly. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.listener.close();
    if (this.loop !== null && !this.loop.dead) throwInto(this.loop, new GreenletExit());
  }

  /** A handler failed (or threw StopServe): end the accept loop with its error. */
  fail(error: unknown): void {
    if (this.stopping) {
      // serve has ended: nobody will see this error but the hub's handler.
      if (!(error instanceof StopServe)) reportError(error, currentGreenlet());
      return;
    }
    this.stopping = true;
    this.failed = true;
    this.failure = error;
    throwInto(this.loop!, error);
  }

  /** The accept loop ended: close the listener, settle serve and its waiters. */
  #end(outcome: { ok: true } | { ok: false; error: unknown }): void {
    this.ended = true;
    this.stopping = true;
    this.listener.close();
    let reason: unknown = undefined;
    if (!outcome.ok) {
      const error = outcome.error;
      // A handler's error wins over what it made the loop see.
      reason = this.failed ? this.failure : error;
      if (
        reason instanceof StopServe || reason instanceof GreenletExit ||
        (!this.failed && this.listener.closed && isListenerClosed(error))
      ) reason = undefined;
    }
    const waiters = this.#waiters;
    for (let park = waiters.head; park !== null; park = waiters.head) {
      if (reason === undefined) wake(park, undefined);
      else wakeWithError(park, reason);
    }
    if (reason === undefined) this.#resolve();
    else this.#reject(reason);
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
    addExitHook(gt, () => sock.close());
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
 * greenthread for each one, and closes `sock` when `handle` returns. The
 * accept loop runs on its own greenthread (named "serve") from the call on;
 * the returned promise settles when the server stops.
 *
 * - Not awaited, the server runs on its own: a kill or `Timeout` aimed at
 *   the caller's later code never lands in it. Awaiting `serve()` is a
 *   switch point: a kill or `Timeout` landing there stops the server (as
 *   when `serve` ends) and is thrown in the caller, as in eventlet, whose
 *   accept loop runs in the caller. (A `.then`/`.catch` chained in the same
 *   turn as the call only observes the end; awaiting it later parks.)
 * - A listener already closed: rejects with a `BadResource` error
 *   ("Cannot serve: listener is closed").
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
 *
 * @example
 * ```ts
 * import { connect, listen, serve } from "@eventlet/eventlet/net";
 * import type { GreenSocket } from "@eventlet/eventlet/net";
 * async function echo(sock: GreenSocket): Promise<void> {
 *   for (;;) {
 *     const data = await sock.recv(4096);
 *     if (data.length === 0) return;
 *     await sock.sendall(data);
 *   }
 * }
 * const server = listen(["127.0.0.1", 0]);
 * const done = serve(server, echo, { concurrency: 100 }); // runs on its own
 * const client = await connect(server.addr as [string, number]);
 * await client.sendall(new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(await client.recv(10))); // "hi"
 * client.close();
 * server.close();
 * await done; // resolves: the listener was closed
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
  const concurrency = checkPositiveInteger("serve", "concurrency", options?.concurrency ?? 1000);
  if (listener.closed) {
    return failed(currentGreenlet(), closedError("serve", "listener is closed"));
  }
  return new Server(listener, handle, concurrency).start();
}
