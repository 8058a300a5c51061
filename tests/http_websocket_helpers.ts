/**
 * Helpers of the WebSocket tests: a server on a free port, and a client
 * built on Deno's own event-based `WebSocket` (independent of the
 * GreenWebSocket under test) that records messages and the close.
 *
 * @module
 */

import { websocket, type WebSocketHandler } from "../http/websocket.ts";
import type { WebSocketOptions } from "../http/websocket_options.ts";

/** A `Deno.serve` running `websocket(handle)` on 127.0.0.1, port 0. */
export interface WsServer extends AsyncDisposable {
  url: string;
  port: number;
  server: Deno.HttpServer<Deno.NetAddr>;
}

/** Serves `websocket(handle, options)` with a plain `Deno.serve`. */
export function serveWs(handle: WebSocketHandler, options?: WebSocketOptions): WsServer {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    websocket(handle, options),
  );
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    port: server.addr.port,
    server,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** The close a client saw. */
export interface Closed {
  code: number;
  reason: string;
}

/** A Deno `WebSocket` client that queues what it receives. */
export class Client {
  readonly socket: WebSocket;
  readonly messages: (string | Uint8Array)[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  #wake: (() => void) | undefined;

  constructor(url: string, protocols?: string | string[]) {
    this.socket = new WebSocket(url, protocols);
    this.socket.binaryType = "arraybuffer";
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener("open", () => resolve());
      this.socket.addEventListener("error", () => reject(new Error("client socket failed")));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener("close", (e) => {
        resolve({ code: e.code, reason: e.reason });
        this.#wake?.();
      });
    });
    this.socket.addEventListener("message", (e) => {
      this.messages.push(typeof e.data === "string" ? e.data : new Uint8Array(e.data));
      this.#wake?.();
    });
  }

  /** Opens a client and waits until it is open. */
  static async open(url: string, protocols?: string | string[]): Promise<Client> {
    const client = new Client(url, protocols);
    await client.opened;
    return client;
  }

  /** The next message (waits up to `seconds`); throws if the socket closes first. */
  async next(seconds = 10): Promise<string | Uint8Array> {
    const deadline = Date.now() + seconds * 1000;
    while (this.messages.length === 0) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error("closed before a message");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message in ${seconds} s`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
    return this.messages.shift()!;
  }

  /** Sends `data` once open. */
  send(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  /** Closes (if still open) and waits for the close to complete. */
  async close(code?: number, reason?: string): Promise<Closed> {
    if (this.socket.readyState <= WebSocket.OPEN) this.socket.close(code, reason);
    return await this.closed;
  }
}

/** Resolves once `predicate()` is true, polling every 5 ms; throws after `seconds`. */
export async function until(
  predicate: () => boolean,
  seconds = 10,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${seconds} s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
