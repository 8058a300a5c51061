/**
 * A child's pipe seen as a connection, so that a `GreenSocket` (and the
 * `GreenFile` it makes) can drive it: the same green reads and writes, with
 * the same guarantee that an interrupted read loses no bytes.
 *
 * Deno gives a child's pipes as web streams; a `GreenSocket` wants a
 * `Deno.Conn` (`read`, `write`, `closeWrite`, `close`, the addresses for
 * its labels). This file adapts one stream to that shape and nothing more.
 *
 * @module
 */

/** The part of `Deno.Conn` a `GreenSocket` uses. */
type ConnLike = Pick<
  Deno.Conn,
  "read" | "write" | "closeWrite" | "close" | "localAddr" | "remoteAddr"
>;

/** Names the pipe in `formatGreenthreads` listings: "stdout of process 1234". */
function pipeAddr(name: string, pid: number): Deno.UnixAddr {
  return { transport: "unix", path: `${name} of process ${pid}` };
}

function notReadable(): never {
  throw new Deno.errors.NotSupported("Cannot read: the pipe is the child's stdin");
}

function notWritable(): never {
  throw new Deno.errors.NotSupported("Cannot write: the pipe is the child's output");
}

/**
 * The reading end of the child's stdout or stderr. A chunk larger than the
 * buffer `read` is given is kept for the next `read`.
 */
class OutputPipe implements ConnLike {
  readonly localAddr: Deno.UnixAddr;
  readonly remoteAddr: Deno.UnixAddr;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #rest: Uint8Array | null = null;
  #closed = false;

  constructor(stream: ReadableStream<Uint8Array>, name: string, pid: number) {
    this.#reader = stream.getReader();
    this.localAddr = this.remoteAddr = pipeAddr(name, pid);
  }

  async read(p: Uint8Array): Promise<number | null> {
    let chunk = this.#rest;
    this.#rest = null;
    if (chunk === null) {
      const { value, done } = await this.#reader.read();
      if (done) return null;
      chunk = value;
    }
    if (chunk.length <= p.length) {
      p.set(chunk);
      return chunk.length;
    }
    p.set(chunk.subarray(0, p.length));
    this.#rest = chunk.subarray(p.length);
    return p.length;
  }

  write(): Promise<number> {
    return Promise.reject(notWritable());
  }

  closeWrite(): Promise<void> {
    return Promise.reject(notWritable());
  }

  /** Cancels the stream: Deno closes the pipe. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rest = null;
    // Closing is best effort, as a socket's close(): a cancel can only fail
    // when the child already closed its end, and then nothing is left to free.
    this.#reader.cancel().catch(() => {});
  }
}

/** The writing end of the child's stdin. */
class InputPipe implements ConnLike {
  readonly localAddr: Deno.UnixAddr;
  readonly remoteAddr: Deno.UnixAddr;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #closed = false;

  constructor(stream: WritableStream<Uint8Array>, pid: number) {
    this.#writer = stream.getWriter();
    this.localAddr = this.remoteAddr = pipeAddr("stdin", pid);
  }

  read(): Promise<number | null> {
    return Promise.reject(notReadable());
  }

  /** Writes all of `p` (Deno's pipe stream loops over partial writes). */
  async write(p: Uint8Array): Promise<number> {
    await this.#writer.write(p);
    return p.length;
  }

  /** Closes the pipe after the writes already made: the child sees EOF. */
  async closeWrite(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Best effort, as above: a close fails only on a pipe the child already
    // broke (it exited or closed stdin), which `write` has reported already.
    this.#writer.close().catch(() => {});
  }
}

/**
 * Wraps a child's output stream (`name` is "stdout" or "stderr") as a
 * `Deno.Conn` for `new GreenSocket(...)`; only read and close work.
 */
export function outputConn(
  stream: ReadableStream<Uint8Array>,
  name: string,
  pid: number,
): Deno.Conn {
  // A GreenSocket calls only the ConnLike members (checked by the type above).
  return new OutputPipe(stream, name, pid) as unknown as Deno.Conn;
}

/** Wraps a child's stdin stream as a `Deno.Conn`; only write, closeWrite and close work. */
export function inputConn(stream: WritableStream<Uint8Array>, pid: number): Deno.Conn {
  return new InputPipe(stream, pid) as unknown as Deno.Conn;
}
