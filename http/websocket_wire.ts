/**
 * What GreenWebSocket needs from Deno's event-based socket beyond its
 * methods: waiting for `bufferedAmount` to drain (Deno fires no event for
 * it), sending a close frame without losing the code to a reset, and the
 * checks and sizes of the close frame and of text messages.
 *
 * @module
 */

import { sleep } from "../green/sleep.ts";

/**
 * Drain polling, the only way to learn that `bufferedAmount` fell: Deno
 * lowers it when its Rust-side write finishes and fires no event for it.
 * A parked sender re-reads it (an op call: about 0.2 µs a read, measured
 * over 100k reads) after a sleep that starts at 1 ms and doubles up to 50 ms
 * while nothing drains, and falls back to 1 ms as soon as something did:
 * a sender wakes at most one poll interval after the drain, and one parked
 * on a stalled peer costs about 20 reads a second. Only a sender over the
 * limit polls; the fast path reads `bufferedAmount` once per send.
 */
const DRAIN_POLL_FIRST = 0.001;
const DRAIN_POLL_MAX = 0.05;

/**
 * Parks (a switch point: a kill or `Timeout` lands here) until `socket`
 * buffers at most `limit` bytes or `closed()` turns true.
 */
export async function waitForDrain(
  socket: WebSocket,
  limit: number,
  closed: () => boolean,
): Promise<void> {
  let pause = DRAIN_POLL_FIRST;
  let before = socket.bufferedAmount;
  while (before > limit && !closed()) {
    await sleep(pause);
    const now = socket.bufferedAmount;
    pause = now < before ? DRAIN_POLL_FIRST : Math.min(pause * 2, DRAIN_POLL_MAX);
    before = now;
  }
}

/**
 * Sends the close frame on the next macrotask, not at once. Deno (2.9.6)
 * drops the connection with a reset, and the peer never sees the code, when
 * the close goes out while frames the peer sent are still unread: measured
 * with a 50-message burst and a close at the 10th, the client saw code 0
 * (reset) 3 times in 3 when closed inside the message event or from a
 * greenthread, and the sent code 3 times in 3 after `setTimeout(0)`, which
 * lets the frames already received be read first. A client-side socket may
 * only send 1000 and 3000–4999 (the browser API's rule): it falls back to
 * 1000 there.
 */
export function closeSoon(socket: WebSocket, code: number, reason: string): void {
  setTimeout(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    try {
      socket.close(code, reason);
    } catch {
      socket.close(1000, reason);
    }
  }, 0);
}

/** UTF-8 size of `text` (the `maxMessageSize` check of long texts, close reasons). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x800) {
      if (c >= 0xd800 && c <= 0xdbff) i++; // a surrogate pair: 4 bytes for 2 units
      bytes += 2;
    } else if (c >= 0x80) bytes += 1;
  }
  return bytes;
}

/** Throws the `close()` errors: a code outside 1000–4999, a reason too long or not a string. */
export function checkClose(code: unknown, reason: unknown): void {
  if (typeof code !== "number" || !Number.isInteger(code) || code < 1000 || code > 4999) {
    throw new RangeError(
      `Cannot close WebSocket: code must be an integer from 1000 to 4999, received ${code}`,
    );
  }
  if (typeof reason !== "string") {
    throw new TypeError(
      `Cannot close WebSocket: reason must be a string, received ${
        reason === null ? "null" : typeof reason
      }`,
    );
  }
  const bytes = utf8Length(reason);
  if (bytes > 123) {
    throw new RangeError(
      `Cannot close WebSocket: reason must be at most 123 UTF-8 bytes, received ${bytes}`,
    );
  }
}
