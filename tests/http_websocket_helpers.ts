/**
 * Helpers of the WebSocket tests: a server on a free port, and a client
 * built on Deno's own event-based `WebSocket` (independent of the
 * GreenWebSocket under test) that records messages and the close.
 *
 * @module
 */

import { type HttpServer, serveHttp } from "../http/mod.ts";
import { websocket, type WebSocketHandler } from "../http/websocket.ts";
import type { WebSocketOptions } from "../http/websocket_options.ts";

/** A server running `websocket(handle)` on 127.0.0.1, port 0. */
export interface WsServer extends AsyncDisposable {
  url: string;
  port: number;
  /** The `serveHttp` server (undefined under a plain `Deno.serve`). */
  http: HttpServer | undefined;
}

/**
 * Serves `websocket(handle, options)` with `serveHttp` (each session is the
 * request's greenthread), or with a plain `Deno.serve` when `plain` is set
 * (each session a greenthread of its own).
 */
export function serveWs(
  handle: WebSocketHandler,
  options?: WebSocketOptions,
  { plain = false } = {},
): WsServer {
  const handler = websocket(handle, options);
  if (plain) {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    return {
      url: `ws://127.0.0.1:${server.addr.port}/`,
      port: server.addr.port,
      http: undefined,
      [Symbol.asyncDispose]: () => server.shutdown(),
    };
  }
  const http = serveHttp(handler, { hostname: "127.0.0.1", port: 0, log: false, onListen() {} });
  return {
    url: `ws://127.0.0.1:${http.addr.port}/`,
    port: http.addr.port,
    http,
    [Symbol.asyncDispose]: async () => void await http.shutdown(),
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

/**
 * A raw TCP WebSocket client that completes the handshake and then reads
 * only when told to: a peer that stops reading, for backpressure tests.
 */
export class RawReader {
  #conn: Deno.TcpConn;
  #pending: Uint8Array = new Uint8Array(0);

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects to `port` and completes the upgrade (reads only the 101 response). */
  static async connect(port: number, path = "/"): Promise<RawReader> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    const reader = new RawReader(conn);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const chunk = await reader.#read();
      if (chunk === null) throw new Error("closed during the handshake");
      const text = new TextDecoder().decode(chunk);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) reader.#pending = chunk.subarray(end + 4);
      head += text;
    }
    if (!head.startsWith("HTTP/1.1 101")) throw new Error(`no upgrade: ${head.split("\r\n")[0]}`);
    return reader;
  }

  /** Writes raw bytes (a hand-made frame, or garbage) to the server. */
  async write(bytes: Uint8Array): Promise<void> {
    await this.#conn.write(bytes);
  }

  /** Drops the TCP connection without a close frame. */
  abort(): void {
    this.#conn.close();
  }

  async #read(): Promise<Uint8Array | null> {
    const buf = new Uint8Array(256 * 1024);
    const n = await this.#conn.read(buf);
    return n === null ? null : buf.subarray(0, n);
  }

  /**
   * Reads frames until the server's close frame (or EOF); returns the payload
   * sizes of the data frames and the close code. `pause` seconds between reads
   * make it a slow reader.
   */
  async readAll(pause = 0): Promise<{ sizes: number[]; closeCode: number | undefined }> {
    const sizes: number[] = [];
    let buffer: Uint8Array = this.#pending;
    for (;;) {
      // Parse every complete frame in the buffer (server frames are unmasked).
      for (;;) {
        if (buffer.length < 2) break;
        const opcode = buffer[0] & 0x0f;
        let length = buffer[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) break;
          length = (buffer[2] << 8) | buffer[3];
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) break;
          length = Number(new DataView(buffer.buffer, buffer.byteOffset + 2, 8).getBigUint64(0));
          offset = 10;
        }
        if (buffer.length < offset + length) break;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 8) {
          this.#conn.close();
          return { sizes, closeCode: length >= 2 ? (payload[0] << 8) | payload[1] : undefined };
        }
        if (opcode === 1 || opcode === 2) sizes.push(length);
      }
      const chunk = await this.#read();
      if (chunk === null) {
        this.#conn.close();
        return { sizes, closeCode: undefined };
      }
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer);
      joined.set(chunk, buffer.length);
      buffer = joined;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause * 1000));
    }
  }
}
