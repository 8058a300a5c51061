/**
 * Helpers for benchmarks that drive child processes: read a child's stdout
 * line by line, and read a process's CPU time from /proc.
 *
 * @module
 */

/** Reads a child's stdout line by line. */
export class Lines {
  #reader: ReadableStreamDefaultReader<string>;
  #pending = "";

  /** Reads lines from `stream` (a child's piped stdout). */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next line, without its newline; throws once the process has exited. */
  async next(): Promise<string> {
    for (;;) {
      const i = this.#pending.indexOf("\n");
      if (i >= 0) {
        const line = this.#pending.slice(0, i);
        this.#pending = this.#pending.slice(i + 1);
        return line;
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("Cannot read a line: the process exited");
      this.#pending += value;
    }
  }

  /** Stops reading (releases the stream). */
  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
}
