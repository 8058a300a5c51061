/**
 * `GreenWebSocket`: the event-based `WebSocket` of Deno turned into
 * eventlet's blocking shape, where receiving and sending are switch points
 * a kill or `Timeout` can interrupt without losing a message:
 *
 * ```ts ignore
 * for (;;) {
 *   const message = await ws.receive(); // null once closed
 *   if (message === null) break;
 *   await ws.send(message);
 * }
 * ```
 *
 * Received messages wait in a `LightQueue`, so a `receive()` interrupted
 * while parked leaves the next message to the next call. The browser API
 * has no read backpressure (a `Deno.serve` connection cannot be paused), so
 * the unread backlog is bounded instead (`maxReceiveBuffer`, close 1008).
 *
 * @module
 */

import { Event } from "../green/event.ts";
import { LightQueue } from "../green/light_queue.ts";
import { getHub } from "../hub/hub.ts";
import { ConnectionReset } from "../net/errors.ts";
import { checkWebSocketOptions, type GreenWebSocketOptions } from "./websocket_options.ts";
import { checkClose, closeSoon, utf8Length, waitForDrain } from "./websocket_wire.ts";

/** What `receive()` gives: text as a string, binary as bytes. */
export type WebSocketMessage = string | Uint8Array;

/**
 * The last item of a closed socket's inbox; a receiver that takes it puts it
 * back for the next one. (Closing the queue instead would make an error
 * object per parked receiver: ~50 µs each, measured, for nothing.)
 */
const END: unique symbol = Symbol("end of messages");

/** An event sent once: awaiting it is a switch point that completes at once. */
const READY = new Event();
READY.send();

/**
 * Called by `upgradeWebSocket`: records the agreed subprotocol (Deno shows
 * it on the socket only once open) and counts the socket closed if `open`
 * has not come `seconds` later.
 */
export let adoptUpgrade: (ws: GreenWebSocket, protocol: string, seconds: number) => void;

/**
 * A WebSocket for greenthreads: `receive()` and `send()` are switch points
 * (kill and `Timeout` points), eventlet's `WebSocket.wait()`/`send()`.
 * `upgradeWebSocket()` and `websocket()` make one on the server side; any
 * `WebSocket` (a client's `new WebSocket(url)` too) can be wrapped.
 *
 * - Order: messages come out of `receive()` in the order they arrived;
 *   several greenthreads receiving share them first-come first-served.
 * - Nothing is lost: a kill or `Timeout` during `receive()` leaves the
 *   message for the next call. A kill or `Timeout` during a parked `send()`
 *   sends nothing (the message is handed to Deno only once it may go).
 * - Closing: `receive()` returns the messages that arrived before the close,
 *   then `null` for ever. `send()` on a closed socket throws a
 *   `Deno.errors.ConnectionReset` (net's `ConnectionReset`).
 * - Limits: a message above `maxMessageSize` closes with 1009, an unread
 *   backlog above `maxReceiveBuffer` with 1008 (that message is dropped);
 *   `send()` parks while more than `maxBackpressure` bytes are buffered.
 * - Deviation: messages that arrive after this side called `close()` are
 *   dropped (eventlet's socket stops reading at close too).
 *
 * @example
 * ```ts
 * import { GreenWebSocket, upgradeWebSocket } from "@eventlet/eventlet/http";
 * import { spawn } from "@eventlet/eventlet";
 * const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
 *   const { response, socket } = upgradeWebSocket(request);
 *   spawn(async () => {
 *     for await (const message of socket) await socket.send(message);
 *   });
 *   return response;
 * });
 * const client = new GreenWebSocket(new WebSocket(`ws://localhost:${server.addr.port}`));
 * await client.send("hello");
 * console.log(await client.receive()); // "hello"
 * client.close();
 * await server.shutdown();
 * ```
 */
export class GreenWebSocket implements AsyncIterable<WebSocketMessage> {
  #socket: WebSocket;
  #inbox = new LightQueue<WebSocketMessage | typeof END>();
  #unread = 0;
  /** At least `bufferedAmount`: its last reading plus the bytes sent since. */
  #bufferedBound = 0;
  #maxMessageSize: number;
  #maxReceiveBuffer: number;
  #maxBackpressure: number;
  #opened = new Event();
  #closed = false;
  #closeCode: number | undefined;
  #closeReason: string | undefined;
  #watchdog: { cancel(): void } | undefined;
  #protocol = "";

  static {
    adoptUpgrade = (ws, protocol, seconds) => {
      ws.#protocol = protocol;
      if (ws.#socket.readyState !== WebSocket.CONNECTING) return;
      ws.#watchdog = getHub().scheduleCallGlobal(seconds, () => {
        ws.#watchdog = undefined;
        if (ws.#socket.readyState === WebSocket.CONNECTING) {
          ws.#ended(1006, "the client went away before the upgrade completed");
        }
      });
    };
  }

  /**
   * Wraps `socket` (its `binaryType` becomes `"arraybuffer"`). Options are
   * checked at once (`TypeError`/`RangeError` naming the option).
   *
   * @example
   * ```ts
   * import { GreenWebSocket } from "@eventlet/eventlet/http";
   * const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = Deno.upgradeWebSocket(request);
   *   socket.onopen = () => socket.send("hi");
   *   return response;
   * });
   * const ws = new GreenWebSocket(new WebSocket(`ws://localhost:${server.addr.port}`), {
   *   maxMessageSize: 1024,
   * });
   * console.log(await ws.receive()); // "hi"
   * ws.close();
   * await server.shutdown();
   * ```
   */
  constructor(socket: WebSocket, options?: GreenWebSocketOptions) {
    if (!(socket instanceof WebSocket)) {
      throw new TypeError(
        `Cannot create GreenWebSocket: socket must be a WebSocket, received ${
          socket === null ? "null" : typeof socket
        }`,
      );
    }
    const checked = checkWebSocketOptions("create GreenWebSocket", options);
    this.#maxMessageSize = checked.maxMessageSize;
    this.#maxReceiveBuffer = checked.maxReceiveBuffer;
    this.#maxBackpressure = checked.maxBackpressure;
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", this.#onMessage);
    socket.addEventListener("close", this.#onClose);
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.addEventListener("open", this.#onOpen);
    } else {
      this.#opened.send();
      if (socket.readyState !== WebSocket.OPEN) this.#ended(1006, "");
    }
  }

  #onOpen = (): void => {
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
    if (!this.#opened.ready()) this.#opened.send();
    // Closed before it opened (by close() or the watchdog): end it for the peer too.
    if (this.#closed) closeSoon(this.#socket, this.#closeCode ?? 1000, this.#closeReason ?? "");
  };

  #onMessage = (event: MessageEvent): void => {
    if (this.#closed) return;
    const data = event.data;
    let message: WebSocketMessage;
    let size: number;
    if (typeof data === "string") {
      message = data;
      size = data.length;
      const limit = this.#maxMessageSize;
      if (size > limit || (size * 3 > limit && utf8Length(data) > limit)) {
        this.close(1009, "message too big");
        return;
      }
    } else {
      message = new Uint8Array(data as ArrayBuffer);
      size = message.byteLength;
      if (size > this.#maxMessageSize) {
        this.close(1009, "message too big");
        return;
      }
    }
    if (this.#unread + size > this.#maxReceiveBuffer) {
      this.close(1008, "too many unread messages");
      return;
    }
    this.#unread += size;
    this.#inbox.putNowait(message);
  };

  #onClose = (event: CloseEvent): void => {
    // Deno reports a connection that ended without a close frame as code 0;
    // RFC 6455 names that 1006 (abnormal closure), as browsers report it.
    this.#ended(event.code === 0 ? 1006 : event.code, event.reason);
  };

  /** Marks it closed (keeping the first code) and lets `receive()` drain, then return null. */
  #ended(code: number, reason: string): void {
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
    if (!this.#opened.ready()) this.#opened.send();
    if (this.#closed) return;
    this.#closed = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#inbox.putNowait(END);
  }

  /**
   * The next message: a string (text) or a `Uint8Array` (binary); `null`
   * once the socket is closed and the messages that came before the close
   * were taken. A switch point; parks while nothing has arrived. A kill or
   * `Timeout` while parked takes no message.
   *
   * @example
   * ```ts
   * import { Timeout } from "@eventlet/eventlet";
   * import { GreenWebSocket } from "@eventlet/eventlet/http";
   * const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = Deno.upgradeWebSocket(request);
   *   socket.onopen = () => setTimeout(() => socket.send("late"), 100);
   *   return response;
   * });
   * const ws = new GreenWebSocket(new WebSocket(`ws://localhost:${server.addr.port}`));
   * try {
   *   using _ = new Timeout(0.01);
   *   await ws.receive();
   * } catch (e) {
   *   console.log((e as Error).name); // "Timeout"
   * }
   * console.log(await ws.receive()); // "late": the timeout lost nothing
   * ws.close();
   * await server.shutdown();
   * ```
   */
  async receive(): Promise<WebSocketMessage | null> {
    const message = await this.#inbox.get();
    if (message === END) {
      this.#inbox.putNowait(END); // for the next receive(), here or in another greenthread
      return null;
    }
    this.#unread -= typeof message === "string" ? message.length : message.byteLength;
    return message;
  }

  /**
   * Sends a text (`string`) or binary (`Uint8Array`, `ArrayBuffer`) message.
   * A switch point: parks while more than `maxBackpressure` bytes are
   * buffered for the peer (and, on a client socket, until it is open), then
   * hands the message to Deno. A kill or `Timeout` while parked sends
   * nothing. Throws `ConnectionReset` once the socket is closed.
   *
   * @example
   * ```ts
   * import { GreenWebSocket } from "@eventlet/eventlet/http";
   * const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = Deno.upgradeWebSocket(request);
   *   socket.onmessage = (e) => socket.send(e.data);
   *   return response;
   * });
   * const ws = new GreenWebSocket(new WebSocket(`ws://localhost:${server.addr.port}`));
   * await ws.send(new Uint8Array([1, 2, 3]));
   * console.log(await ws.receive()); // Uint8Array(3) [ 1, 2, 3 ]
   * ws.close();
   * await server.shutdown();
   * ```
   */
  async send(data: string | Uint8Array | ArrayBuffer): Promise<void> {
    if (
      typeof data !== "string" && !(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)
    ) {
      throw new TypeError(
        `Cannot send on WebSocket: data must be a string, Uint8Array or ArrayBuffer, received ${
          data === null ? "null" : typeof data
        }`,
      );
    }
    const socket = this.#socket;
    if (!this.#opened.ready()) await this.#opened.wait();
    // `bufferedAmount` is an op call; it only grows by our sends, so while
    // the last reading plus what was sent since stays under the limit the
    // socket is under it too, and the reading can wait.
    if (this.#bufferedBound > this.#maxBackpressure) {
      this.#bufferedBound = socket.bufferedAmount;
    }
    if (this.#bufferedBound > this.#maxBackpressure) {
      await waitForDrain(socket, this.#maxBackpressure, () => this.#closed);
      this.#bufferedBound = socket.bufferedAmount;
    } else await READY.wait();
    if (this.#closed) {
      throw new ConnectionReset(
        `Cannot send on WebSocket: the socket is closed (code ${this.#closeCode})`,
      );
    }
    socket.send(data as string | BufferSource);
    // Text goes out as UTF-8: at most 3 bytes per UTF-16 unit.
    this.#bufferedBound += typeof data === "string" ? data.length * 3 : data.byteLength;
  }

  /**
   * Closes the socket with `code` (default 1000; 1000–4999) and `reason`
   * (at most 123 UTF-8 bytes). Messages already received stay readable,
   * then `receive()` returns `null`. Closing twice does nothing. Never
   * switches.
   *
   * @example
   * ```ts
   * import { GreenWebSocket } from "@eventlet/eventlet/http";
   * const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = Deno.upgradeWebSocket(request);
   *   socket.onopen = () => socket.close(4000, "bye");
   *   return response;
   * });
   * const ws = new GreenWebSocket(new WebSocket(`ws://localhost:${server.addr.port}`));
   * console.log(await ws.receive(), ws.closeCode, ws.closeReason); // null 4000 "bye"
   * await server.shutdown();
   * ```
   */
  close(code = 1000, reason = ""): void {
    checkClose(code, reason);
    if (this.#closed) return;
    this.#ended(code, reason);
    if (this.#socket.readyState === WebSocket.OPEN) closeSoon(this.#socket, code, reason);
  }

  /**
   * `for await (const message of ws)`: each step is a `receive()`; the loop
   * ends when the socket is closed. Leaving the loop early does not close it.
   *
   * @example
   * ```ts
   * import { GreenWebSocket } from "@eventlet/eventlet/http";
   * const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = Deno.upgradeWebSocket(request);
   *   socket.onopen = () => {
   *     socket.send("a");
   *     socket.send("b");
   *     socket.close();
   *   };
   *   return response;
   * });
   * const ws = new GreenWebSocket(new WebSocket(`ws://localhost:${server.addr.port}`));
   * for await (const message of ws) console.log(message); // "a", then "b"
   * await server.shutdown();
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<WebSocketMessage> {
    const iterator = {
      next: async (): Promise<IteratorResult<WebSocketMessage, undefined>> => {
        const message = await this.receive();
        return message === null
          ? { done: true, value: undefined }
          : { done: false, value: message };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator as AsyncIterableIterator<WebSocketMessage>;
  }

  /** The subprotocol agreed at the upgrade (`""` when none). */
  get protocol(): string {
    return this.#socket.protocol || this.#protocol;
  }

  /** True once either side closed it (or the client vanished before the upgrade). */
  get closed(): boolean {
    return this.#closed;
  }

  /** The close code (the peer's, or the one this side sent); `undefined` while open. */
  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  /** The close reason that came with {@link closeCode}; `undefined` while open. */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /** Bytes handed to Deno and not yet written to the peer (`WebSocket.bufferedAmount`). */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }
}
