/**
 * GreenListener: a listening socket whose `accept()` is a green switch
 * point.
 *
 * @module
 */

import {
  completed,
  currentGreenlet,
  deliverPending,
  failed,
  hasPendingError,
  ParkingLot,
  rejectAfter,
  wake,
} from "../hub/lowlevel.ts";
import { fromDenoAddr, type SockAddr } from "./addr.ts";
import {
  BlockingIOError,
  checkTimeout,
  closedError,
  closeQuietly,
  failWithCallerStack,
  SocketTimeout,
} from "./errors.ts";
import { GreenSocket } from "./socket.ts";
import { typeName } from "../hub/checks.ts";

/** What `accept()` resolves: the connected socket and the peer's address. */
export type Accepted = [sock: GreenSocket, addr: SockAddr];

function accepted(conn: Deno.Conn): Accepted {
  return [new GreenSocket(conn), fromDenoAddr(conn.remoteAddr)];
}

/**
 * A listening TCP, TLS or Unix socket over a `Deno.Listener`; made by
 * `listen` (and `wrapSsl` for TLS), or by wrapping a `Deno.Listener`.
 *
 * - `accept()` is a switch point; several waiting greenthreads get
 *   connections in FIFO order.
 * - No connection is lost: Deno's `accept` cannot be cancelled, so the
 *   listener keeps at most one in flight; if the `accept()` that started it
 *   was interrupted (kill, `Timeout`, `SocketTimeout`), the connection it
 *   brings is kept for the next `accept()`.
 * - Accepted sockets start blocking (they do not inherit the listener's
 *   timeout, as in eventlet).
 * - `close()` makes every waiting and later `accept()` reject with a
 *   `BadResource` error ("Cannot accept: listener is closed"), and closes
 *   connections accepted but not yet handed out.
 * - A TLS listener hands out sockets before the handshake; it happens on
 *   their first read or write, in the handler's greenthread.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@eventlet/eventlet/net";
 * const server = listen(["127.0.0.1", 0]);
 * const client = await connect(server.addr as [string, number]);
 * const [sock, addr] = await server.accept();
 * console.log(addr); // ["127.0.0.1", <client port>]
 * sock.close();
 * client.close();
 * server.close();
 * ```
 */
export class GreenListener {
  #listener: Deno.Listener;
  #acceptors = new ParkingLot();
  #ready: Deno.Conn[] = [];
  #accepting = false;
  #closed = false;
  #timeout: number | null = null;

  /**
   * Wraps a `Deno.Listener` (from `Deno.listen` or `Deno.listenTls`).
   *
   * @example
   * ```ts
   * import { GreenListener } from "@eventlet/eventlet/net";
   * const server = new GreenListener(Deno.listen({ hostname: "127.0.0.1", port: 0 }));
   * server.close();
   * ```
   */
  constructor(listener: Deno.Listener) {
    if (
      typeof listener !== "object" || listener === null || typeof listener.accept !== "function"
    ) {
      throw new TypeError(
        `Cannot create GreenListener: listener must be a Deno.Listener, received ${
          typeName(listener)
        }`,
      );
    }
    this.#listener = listener;
  }

  /**
   * The address it listens on: `[host, port]` (the real port when listening
   * on port 0) or the Unix path.
   *
   * @example
   * ```ts
   * import { listen } from "@eventlet/eventlet/net";
   * const server = listen(["127.0.0.1", 0]);
   * const [host, port] = server.addr as [string, number];
   * console.log(host, port > 0); // "127.0.0.1" true
   * server.close();
   * ```
   */
  get addr(): SockAddr {
    return fromDenoAddr(this.#listener.addr);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Waits for a connection; resolves `[sock, addr]`. A switch point; with
   * `settimeout(x)` rejects with `SocketTimeout` after x seconds.
   *
   * @example
   * ```ts
   * import type { GreenListener } from "@eventlet/eventlet/net";
   * async function acceptOne(server: GreenListener): Promise<void> {
   *   const [sock, addr] = await server.accept();
   *   console.log("connection from", addr);
   *   sock.close();
   * }
   * ```
   */
  accept(): Promise<Accepted> {
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#closed) return failed(g, closedError("accept", "listener is closed"));
    if (this.#ready.length > 0) return completed(g, accepted(this.#ready.shift()!));
    if (this.#timeout === 0) {
      this.#startAccept();
      return failed(g, new BlockingIOError("Cannot accept: no connection is waiting"));
    }
    const parked = this.#timeout === null
      ? this.#acceptors.park<Accepted>(g, "GreenListener.accept")
      : this.#acceptors.parkFor<Accepted>(
        g,
        "GreenListener.accept",
        rejectAfter(this.#timeout, new SocketTimeout()),
      );
    this.#startAccept();
    return parked;
  }

  #startAccept(): void {
    if (this.#accepting || this.#closed) return;
    this.#accepting = true;
    this.#listener.accept().then(this.#onAccept, this.#onAcceptError);
  }

  #onAccept = (conn: Deno.Conn): void => {
    this.#accepting = false;
    if (this.#closed) {
      conn.close();
      return;
    }
    const park = this.#acceptors.head;
    if (park === null) this.#ready.push(conn);
    else wake(park, accepted(conn));
    if (this.#acceptors.length > 0) this.#startAccept();
  };

  #onAcceptError = (error: unknown): void => {
    this.#accepting = false;
    if (this.#closed) return;
    const acceptors = this.#acceptors;
    for (let park = acceptors.head; park !== null; park = acceptors.head) {
      wake(park, failWithCallerStack(error));
    }
  };

  /**
   * Sets the timeout of `accept()`: `null` waits forever (the default), `0`
   * is non-blocking (throws `BlockingIOError` when no connection is
   * waiting), `x > 0` throws `SocketTimeout` after x seconds. Negative or
   * NaN: `RangeError`.
   *
   * @example
   * ```ts
   * import { listen } from "@eventlet/eventlet/net";
   * const server = listen(["127.0.0.1", 0]);
   * server.settimeout(0.01);
   * await server.accept().catch((e) => console.log(e.name)); // "SocketTimeout"
   * server.close();
   * ```
   */
  settimeout(seconds: number | null): void {
    this.#timeout = checkTimeout("settimeout", seconds);
  }

  /**
   * The timeout of `accept()`: `null`, `0` or seconds.
   *
   * @example
   * ```ts
   * import { listen } from "@eventlet/eventlet/net";
   * const server = listen(["127.0.0.1", 0]);
   * console.log(server.gettimeout()); // null
   * server.close();
   * ```
   */
  gettimeout(): number | null {
    return this.#timeout;
  }

  /**
   * Stops listening. Waiting and later `accept()`s reject with a
   * `BadResource` error; closing twice is harmless. Sockets already
   * accepted stay open.
   *
   * @example
   * ```ts
   * import { listen } from "@eventlet/eventlet/net";
   * const server = listen(["127.0.0.1", 0]);
   * server.close();
   * await server.accept().catch((e) => console.log(e.message)); // "Cannot accept: listener is closed"
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.#listener);
    for (const conn of this.#ready) conn.close();
    this.#ready = [];
    const acceptors = this.#acceptors;
    for (let park = acceptors.head; park !== null; park = acceptors.head) {
      wake(park, failWithCallerStack(closedError("accept", "listener is closed")));
    }
  }

  /** Same as `close()`: `using server = listen(addr)` closes it at block end. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes this listener for `wrapSsl`, which listens again on its address
   * with TLS. Throws if an `accept()` is waiting.
   * @ignore
   */
  detachForTls(action: string): Deno.NetAddr {
    if (this.#closed) throw closedError(action, "listener is closed");
    const addr = this.#listener.addr;
    if (addr.transport !== "tcp") {
      throw new TypeError(
        `Cannot ${action}: TLS needs a TCP listener, received a ${addr.transport} listener`,
      );
    }
    if (this.#acceptors.length > 0 || this.#accepting) {
      throw new Error(`Cannot ${action}: the listener has an accept() in progress`);
    }
    this.close();
    return addr;
  }
}
