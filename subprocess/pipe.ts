/**
 * One piped stream of a child: the `GreenSocket` over it (see
 * pipe_conn.ts) and the `GreenFile` the program reads or writes it with,
 * plus the whole-stream read and write `communicate` uses.
 *
 * @module
 */

import { GreenSocket } from "../net/socket.ts";
import { GreenFile } from "../net/file.ts";
import { ConnectionReset } from "../net/errors.ts";

/** Bytes asked of each read while collecting a whole output. */
const READ_SIZE = 65536;

/** A pipe's `GreenFile`: closing it closes the pipe (the child sees EOF on stdin). */
class PipeFile extends GreenFile {
  #sock: GreenSocket;

  constructor(sock: GreenSocket) {
    super(sock);
    this.#sock = sock;
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      this.#sock.close();
    }
  }
}

/** One piped stream: its socket, and the file made on first use of the getter. */
export class Pipe {
  readonly sock: GreenSocket;
  file: GreenFile | null = null;

  constructor(conn: Deno.Conn) {
    this.sock = new GreenSocket(conn);
  }

  getFile(): GreenFile {
    return this.file ??= new PipeFile(this.sock);
  }

  /**
   * Everything up to EOF: through the file if it was made (it may hold
   * read-ahead), else as a list of `recv` chunks copied once at the end,
   * about twice as fast for 64 MB as `GreenFile.read()` to EOF, which grows
   * its buffer by doubling (784 against 402 ms median, bench/subprocess.ts).
   */
  async readAll(): Promise<Uint8Array> {
    if (this.file !== null) return await this.file.read();
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const chunk = await this.sock.recv(READ_SIZE);
      if (chunk.length === 0) break;
      chunks.push(chunk);
      length += chunk.length;
    }
    return concat(chunks, length);
  }

  /** Writes `input` (after what the file buffered), then closes the pipe. */
  async writeAllAndClose(input: Uint8Array): Promise<void> {
    try {
      if (this.file !== null) {
        if (input.length > 0) await this.file.write(input);
        await this.file.close();
        return;
      }
      if (input.length > 0) await this.sock.sendall(input);
      await this.sock.shutdown("write");
    } catch (error) {
      // A child that exits or closes its stdin without reading it all:
      // Python's communicate ignores the broken pipe too.
      if (!(error instanceof ConnectionReset)) throw error;
    } finally {
      this.sock.close();
    }
  }

  close(): void {
    this.sock.close();
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
