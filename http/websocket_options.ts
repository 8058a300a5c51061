/**
 * The options of `websocket()`, `upgradeWebSocket()` and `GreenWebSocket`,
 * checked once when they are given (a clear `TypeError`/`RangeError` naming
 * the option), so a bad value fails at start-up, not at the first message.
 *
 * @module
 */

import { checkCount, checkPositiveInteger, typeName } from "../hub/checks.ts";

/** Limits of a {@link GreenWebSocket}: message size, unread backlog, send backpressure. */
export interface GreenWebSocketOptions {
  /**
   * Largest message accepted, in bytes (default 8 MiB; text counts its UTF-8
   * bytes). A bigger one closes the socket with 1009 and is dropped.
   */
  maxMessageSize?: number;
  /**
   * Most unread message bytes held for `receive()` (default 16 MiB; text
   * counts one byte per UTF-16 unit). The message that would cross it is
   * dropped and the socket closes with 1008.
   */
  maxReceiveBuffer?: number;
  /**
   * `send()` parks while more than this many bytes wait to go out to the
   * peer (default 1 MiB; `0` parks until everything sent before has gone).
   */
  maxBackpressure?: number;
}

/** Options of `websocket()` and `upgradeWebSocket()`: the upgrade's and the socket's. */
export interface WebSocketOptions extends GreenWebSocketOptions {
  /** The subprotocol to answer with (`Sec-WebSocket-Protocol`), as in `Deno.upgradeWebSocket`. */
  protocol?: string;
  /**
   * Seconds without a frame from the peer before Deno pings it and, without
   * a pong, closes the socket (Deno's default 120; `0` turns it off).
   */
  idleTimeout?: number;
}

/** Options with every default filled in. */
export interface CheckedOptions {
  protocol: string | undefined;
  idleTimeout: number | undefined;
  maxMessageSize: number;
  maxReceiveBuffer: number;
  maxBackpressure: number;
}

const MIB = 1024 * 1024;

function positive(action: string, name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkPositiveInteger(action, name, value);
}

/** Checks `options` for `action` ("create GreenWebSocket", …) and fills in the defaults. */
export function checkWebSocketOptions(action: string, options: unknown): CheckedOptions {
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${action}: options must be an object, received ${typeName(options)}`,
    );
  }
  const o = options as WebSocketOptions;
  if (o.protocol !== undefined && typeof o.protocol !== "string") {
    throw new TypeError(
      `Cannot ${action}: protocol must be a string, received ${typeName(o.protocol)}`,
    );
  }
  let idleTimeout: number | undefined;
  if (o.idleTimeout !== undefined) {
    if (typeof o.idleTimeout !== "number") {
      throw new TypeError(
        `Cannot ${action}: idleTimeout must be a number, received ${typeName(o.idleTimeout)}`,
      );
    }
    if (!(o.idleTimeout >= 0) || !Number.isFinite(o.idleTimeout)) {
      throw new RangeError(
        `Cannot ${action}: idleTimeout must be a finite number of seconds >= 0, received ${o.idleTimeout}`,
      );
    }
    idleTimeout = o.idleTimeout;
  }
  return {
    protocol: o.protocol,
    idleTimeout,
    maxMessageSize: positive(action, "maxMessageSize", o.maxMessageSize, 8 * MIB),
    maxReceiveBuffer: positive(action, "maxReceiveBuffer", o.maxReceiveBuffer, 16 * MIB),
    maxBackpressure: o.maxBackpressure === undefined
      ? MIB
      : checkCount(action, "maxBackpressure", o.maxBackpressure),
  };
}
