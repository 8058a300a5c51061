/**
 * Web streams over a GreenSocket, for interop with Deno APIs (`pipeTo`,
 * `Response`, `TextDecoderStream`). They go through the socket's own read
 * buffer and write line, so they mix safely with `recv`/`sendall`; they are
 * slower than those, so keep them off hot paths.
 *
 * @module
 */

import { GreenThread } from "../hub/lowlevel.ts";
import type { ReadSide } from "./read_side.ts";
import type { WriteSide } from "./write_side.ts";
import { checkBytes } from "./errors.ts";

/** Bytes asked for per pull of the readable stream. */
const PULL_SIZE = 65536;

/**
 * A readable byte stream fed by `recv(n)`; ends when `recv` resolves empty
 * (EOF); `cancel` calls `onCancel`.
 */
function readableFrom(
  recv: (n: number) => Promise<Uint8Array>,
  onCancel: () => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await recv(PULL_SIZE);
      if (chunk.length === 0) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      onCancel();
    },
  }, { highWaterMark: 0 });
}

/**
 * A writable byte stream whose writes go through `sendall`; `close` calls
 * `onClose` (shut the write half down), `abort` calls `onAbort`.
 */
function writableTo(
  sendall: (data: Uint8Array) => Promise<void>,
  onClose: () => Promise<void>,
  onAbort: () => void,
): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write(chunk) {
      return sendall(checkBytes("write to GreenSocket.writable", chunk, "chunk"));
    },
    close() {
      return onClose();
    },
    abort() {
      onAbort();
    },
  });
}

/**
 * The two web streams of one socket (`GreenSocket.readable` and `writable`),
 * each made on first use over the socket's read and write sides. Their
 * waits park as a private greenlet that nothing kills.
 */
export class SocketStreams {
  #reader: ReadSide;
  #writer: WriteSide;
  #abort: () => void;
  #greenlet: GreenThread | null = null;
  #readable: ReadableStream<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;

  /** `abort` is what aborting the writable does: close the socket. */
  constructor(reader: ReadSide, writer: WriteSide, abort: () => void) {
    this.#reader = reader;
    this.#writer = writer;
    this.#abort = abort;
  }

  /** Reads through the socket's buffer; ends at EOF; `cancel()` shuts the read half. */
  get readable(): ReadableStream<Uint8Array> {
    if (this.#readable === null) {
      const g = this.#ownGreenlet();
      const reader = this.#reader;
      this.#readable = readableFrom(
        (n) => reader.recv(g, n, null, "GreenSocket.readable"),
        () => reader.shutdown(),
      );
    }
    return this.#readable;
  }

  /** Writes in line with `sendall`; `close()` shuts the write half, `abort()` closes. */
  get writable(): WritableStream<Uint8Array> {
    if (this.#writable === null) {
      const g = this.#ownGreenlet();
      const writer = this.#writer;
      this.#writable = writableTo(
        (data) => writer.write(g, data, true, null, "GreenSocket.writable"),
        () => writer.shutdown(g, null),
        this.#abort,
      );
    }
    return this.#writable;
  }

  /** Web-stream waits park as a private greenlet that nothing kills. */
  #ownGreenlet(): GreenThread {
    return this.#greenlet ??= new GreenThread();
  }
}
