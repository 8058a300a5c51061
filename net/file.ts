/**
 * GreenFile: the buffered byte file `GreenSocket.makefile()` returns, for
 * line- and length-framed protocols.
 *
 * @module
 */

import { currentGreenlet, hasPendingError, takePendingError } from "../hub/lowlevel.ts";
import type { GreenSocket } from "./socket.ts";
import { checkBytes } from "./errors.ts";
import { checkCount } from "../hub/checks.ts";

/** Bytes asked of `recv` per refill. */
const CHUNK = 65536;
/** `write` sends once this many bytes are buffered (Python's buffer is 8 KiB). */
const WRITE_BUFFER = 65536;
const NEWLINE = 10;

function fileClosed(action: string): Error {
  return new Deno.errors.BadResource(`Cannot ${action}: file is closed`);
}

/**
 * A buffered file over a `GreenSocket` (Python's `sock.makefile("rwb")`).
 *
 * - `read(n)` gives exactly `n` bytes unless EOF comes first; `read()`
 *   everything up to EOF; `readline()` one line with its `\n` (the last one
 *   may lack it); all give an empty array at EOF.
 * - Interrupted by a kill, `Timeout` or `SocketTimeout`, a read keeps what
 *   it already received in the file's buffer: the next read returns it.
 * - `write` buffers; `flush()` (or 64 KiB buffered) sends with `sendall`.
 *   Data handed to an interrupted flush is sent in part (see `sendall`).
 * - `close()` flushes and closes the file, not the socket. Closing the
 *   socket makes the file fail too (see `GreenSocket.close`).
 * - Every method that waits is a switch point.
 *
 * @example
 * ```ts
 * import type { GreenSocket } from "@eventlet/eventlet/net";
 * async function lineEcho(sock: GreenSocket): Promise<void> {
 *   const file = sock.makefile();
 *   for await (const line of file) {
 *     await file.write(line);
 *     await file.flush();
 *   }
 * }
 * ```
 */
export class GreenFile {
  #sock: GreenSocket;
  #buf = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** Bytes after #start already searched for a newline. */
  #scanned = 0;
  #eof = false;
  #out: Uint8Array[] = [];
  #outLength = 0;
  #closed = false;

  /**
   * Made by `GreenSocket.makefile()`.
   * @ignore
   */
  constructor(sock: GreenSocket) {
    this.#sock = sock;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Reads exactly `n` bytes (fewer only at EOF), or without `n` everything
   * up to EOF. `n` negative, NaN or fractional: `RangeError`.
   *
   * @example
   * ```ts
   * import type { GreenFile } from "@eventlet/eventlet/net";
   * async function readFrame(file: GreenFile): Promise<Uint8Array> {
   *   const header = await file.read(4);
   *   const length = new DataView(header.buffer).getUint32(0);
   *   return await file.read(length);
   * }
   * ```
   */
  async read(n?: number): Promise<Uint8Array> {
    const want = n === undefined || n === null ? Infinity : checkCount("read", "n", n);
    deliverPendingError(); // a switch point even when the buffer has the bytes
    if (this.#closed) throw fileClosed("read");
    while (this.#end - this.#start < want && !this.#eof) await this.#fill();
    const avail = this.#end - this.#start;
    return this.#consume(want < avail ? want : avail);
  }

  /**
   * Reads one line, keeping its `\n`; at EOF the rest (maybe without `\n`),
   * then empty arrays.
   *
   * @example
   * ```ts
   * import type { GreenFile } from "@eventlet/eventlet/net";
   * async function command(file: GreenFile): Promise<string> {
   *   return new TextDecoder().decode(await file.readline()).trimEnd();
   * }
   * ```
   */
  async readline(): Promise<Uint8Array> {
    deliverPendingError(); // a switch point even when the buffer has the line
    if (this.#closed) throw fileClosed("readline");
    for (;;) {
      const from = this.#start + this.#scanned;
      const i = this.#buf.subarray(from, this.#end).indexOf(NEWLINE);
      if (i >= 0) return this.#consume(from + i + 1 - this.#start);
      this.#scanned = this.#end - this.#start;
      if (this.#eof) return this.#consume(this.#end - this.#start);
      await this.#fill();
    }
  }

  /**
   * Iterates the lines until EOF (each keeps its `\n`).
   *
   * @example
   * ```ts
   * import type { GreenFile } from "@eventlet/eventlet/net";
   * async function countLines(file: GreenFile): Promise<number> {
   *   let n = 0;
   *   for await (const _line of file) n++;
   *   return n;
   * }
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /**
   * Buffers `data`; sends the buffer once 64 KiB are waiting. Resolves
   * `data.length`.
   *
   * @example
   * ```ts
   * import type { GreenFile } from "@eventlet/eventlet/net";
   * async function reply(file: GreenFile, text: string): Promise<void> {
   *   await file.write(new TextEncoder().encode(text + "\n"));
   *   await file.flush();
   * }
   * ```
   */
  async write(data: Uint8Array): Promise<number> {
    checkBytes("write", data);
    if (this.#closed) throw fileClosed("write");
    if (data.length === 0) return 0;
    this.#out.push(data.slice());
    this.#outLength += data.length;
    if (this.#outLength >= WRITE_BUFFER) await this.flush();
    return data.length;
  }

  /**
   * Sends everything `write` buffered (with `sendall`).
   *
   * @example
   * ```ts
   * import type { GreenFile } from "@eventlet/eventlet/net";
   * async function done(file: GreenFile): Promise<void> {
   *   await file.flush();
   * }
   * ```
   */
  async flush(): Promise<void> {
    if (this.#closed) throw fileClosed("flush");
    if (this.#outLength === 0) return;
    // A kill or Timeout already pending lands here, before the buffer is
    // taken: the bytes stay buffered for a later flush instead of being
    // handed to a sendall that would reject without sending them.
    deliverPendingError();
    const out = this.#out;
    const data = out.length === 1 ? out[0] : concat(out, this.#outLength);
    this.#out = [];
    this.#outLength = 0;
    await this.#sock.sendall(data);
  }

  /**
   * Flushes, then closes the file (the socket stays open). Closing twice is
   * harmless.
   *
   * @example
   * ```ts
   * import type { GreenFile } from "@eventlet/eventlet/net";
   * async function finish(file: GreenFile): Promise<void> {
   *   await file.close();
   * }
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      this.#out = [];
      this.#outLength = 0;
    }
  }

  /** Receives one more chunk into the buffer (or notes EOF). */
  async #fill(): Promise<void> {
    const chunk = await this.#sock.recv(CHUNK);
    if (chunk.length === 0) {
      this.#eof = true;
      return;
    }
    this.#append(chunk);
  }

  #append(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#buf.length) {
      const avail = this.#end - this.#start;
      const need = avail + chunk.length;
      if (need > this.#buf.length) {
        const grown = new Uint8Array(Math.max(need, 2 * this.#buf.length));
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = avail;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  #consume(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    this.#scanned = 0;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return out;
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let off = 0;
  for (const part of parts) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}

/** Throws the current greenthread's pending kill or Timeout, if any. */
function deliverPendingError(): void {
  const g = currentGreenlet();
  if (hasPendingError(g)) throw takePendingError(g);
}
