/**
 * GreenProcess: a running child process whose waits are green switch
 * points (eventlet's green `subprocess.Popen`).
 *
 * Waiting is never a polling loop: `wait` parks on Deno's exit status,
 * which the runtime delivers when the child ends (and reaps it). The pipes
 * are `GreenSocket`s over the child's streams, read and written through
 * `GreenFile`s, so an interrupted read loses nothing.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import { checkSeconds, typeName } from "../hub/checks.ts";
import { waitFor } from "../green/sleep.ts";
import { isTimeout, Timeout } from "../green/timeout.ts";
import type { GreenFile } from "../net/file.ts";
import { ConnectionReset } from "../net/errors.ts";
import { inputConn, outputConn } from "./pipe_conn.ts";
import { Pipe } from "./pipe.ts";
import { Communication, type Outcome, type Output } from "./communicate.ts";
import { TimeoutExpired } from "./timeout_expired.ts";

export type { Output };

const hub = getHub();

/** Seconds between SIGTERM and SIGKILL for a child whose waiter was killed. */
const GRACE_SECONDS = 5;

/** Options of `GreenProcess.wait`. */
export interface WaitOptions {
  /**
   * Seconds to wait before throwing `TimeoutExpired` (the child keeps
   * running). Default: no limit. Negative means 0; NaN is a `RangeError`.
   */
  timeout?: number;
}

/** Options of `GreenProcess.communicate`. */
export interface CommunicateOptions {
  /** As `WaitOptions.timeout`, for the whole exchange. */
  timeout?: number;
}

/** The `timeout` of `wait`'s or `communicate`'s options, checked as every timeout is. */
function checkTimeout(action: string, options: unknown): number | undefined {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${action}: options must be an object, received ${typeName(options)}`,
    );
  }
  const timeout = (options as WaitOptions).timeout;
  return timeout === undefined ? undefined : checkSeconds(action, timeout, "timeout");
}

function toBytes(input: unknown): Uint8Array | undefined {
  if (input === undefined || input === null) return undefined;
  if (input instanceof Uint8Array) return input;
  if (typeof input === "string") return new TextEncoder().encode(input);
  throw new TypeError(
    `Cannot communicate: input must be a Uint8Array or a string, received ${typeName(input)}`,
  );
}

/**
 * A child process started by `spawnProcess`.
 *
 * - `wait()` and `communicate()` are switch points: other greenthreads run
 *   while the child does. With a `timeout` they throw `TimeoutExpired` once
 *   it passes (to within a few milliseconds) and the child keeps running.
 * - `returncode` is the exit code once the child has ended (`null` before),
 *   or minus the signal number for a child ended by a signal (`-15` for
 *   SIGTERM), as Python's. It is set as soon as Deno reports the exit
 *   (Python's only when `poll` or `wait` is called).
 * - `communicate` writes the input, reads stdout and stderr, all at once,
 *   then waits for the exit: a child writing megabytes to both pipes never
 *   deadlocks it. Interrupted (its `timeout`, a `Timeout`), it loses
 *   nothing: the pipes keep being drained and the next call collects
 *   everything.
 * - A greenthread killed in `wait` or `communicate` leaves no orphan: the
 *   child gets SIGTERM, SIGKILL 5 s later if still alive, and is reaped.
 *   Any error thrown into the wait that is not a timeout (`isTimeout`)
 *   counts as a kill. Only the child itself is signalled: its own
 *   children (a shell's) live on unless it passes the signal on.
 * - `communicate` reads to EOF: a grandchild that inherited a pipe keeps
 *   it open after the child ended (`sh -c "… &"`), as in Python.
 * - `stdin`, `stdout`, `stderr` are `GreenFile`s for piped streams (else
 *   `null`); closing one closes its pipe. Write to `stdin` with `write`
 *   then `flush` or `close`.
 * - `await using p = spawnProcess(…)` closes the pipes and waits for the
 *   child at the end of the block (Python's `with Popen(…)`).
 *
 * @example
 * ```ts
 * import { spawnProcess } from "@eventlet/eventlet/subprocess";
 * const p = spawnProcess("cat", { stdin: "piped", stdout: "piped" });
 * const [out] = await p.communicate("through cat", { timeout: 5 });
 * console.log(new TextDecoder().decode(out!)); // through cat
 * ```
 */
export class GreenProcess {
  /** The child's process id. */
  readonly pid: number;
  /** The command followed by its arguments (Python's `Popen.args`). */
  readonly args: readonly string[];
  #child: Deno.ChildProcess;
  #exited: Promise<number>;
  #returncode: number | null = null;
  #stdin: Pipe | null;
  #stdout: Pipe | null;
  #stderr: Pipe | null;
  #communication: Communication | null = null;
  #result: Output | null = null;
  #abandoned = false;

  /**
   * Made by `spawnProcess`.
   * @ignore
   */
  constructor(child: Deno.ChildProcess, args: readonly string[]) {
    this.#child = child;
    this.pid = child.pid;
    this.args = Object.freeze([...args]);
    this.#stdin = pipeOf(child, "stdin");
    this.#stdout = pipeOf(child, "stdout");
    this.#stderr = pipeOf(child, "stderr");
    this.#exited = child.status.then((status) => {
      const code = status.signal === null ? status.code : -(status.code - 128);
      this.#returncode = code;
      return code;
    });
  }

  /** The exit code once the child has ended; minus the signal number if a signal ended it; else `null`. */
  get returncode(): number | null {
    return this.#returncode;
  }

  /** The child's stdin as a `GreenFile` when it is piped, else `null`. */
  get stdin(): GreenFile | null {
    return this.#stdin?.getFile() ?? null;
  }

  /** The child's stdout as a `GreenFile` when it is piped, else `null`. */
  get stdout(): GreenFile | null {
    return this.#stdout?.getFile() ?? null;
  }

  /** The child's stderr as a `GreenFile` when it is piped, else `null`. */
  get stderr(): GreenFile | null {
    return this.#stderr?.getFile() ?? null;
  }

  /**
   * Waits for the child to end and resolves its `returncode`. A switch
   * point. With `timeout`, throws `TimeoutExpired` after that many seconds
   * (the child keeps running). Killed while waiting: see the class notes.
   *
   * @example
   * ```ts
   * import { spawnProcess } from "@eventlet/eventlet/subprocess";
   * const p = spawnProcess("sh", { args: ["-c", "exit 3"] });
   * console.log(await p.wait({ timeout: 5 })); // 3
   * ```
   */
  async wait(options: WaitOptions = {}): Promise<number> {
    const timeout = checkTimeout("wait", options);
    if (this.#returncode !== null) return await waitFor(this.#returncode);
    return await this.#guard(timeout, () => waitFor(this.#exited));
  }

  /**
   * Sends `input` (a string is sent as UTF-8) to the child's stdin and
   * closes it, reads stdout and stderr to their end, waits for the exit,
   * and resolves `[stdout, stderr]` (`null` for a stream not piped). A
   * switch point.
   *
   * - With `timeout`, throws `TimeoutExpired` after that many seconds; the
   *   child runs on and its pipes keep being drained. Call `communicate()`
   *   again (without input) to collect everything, Python's idiom.
   * - Called after it completed, resolves the same result again.
   * - Input given when stdin is not piped, or given again once the
   *   exchange has started: `TypeError` (deviation: Python ignores the
   *   first and raises `ValueError` for the second).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { spawnProcess, TimeoutExpired } from "@eventlet/eventlet/subprocess";
   * const p = spawnProcess("sh", { args: ["-c", "echo early; sleep 0.2; echo late"], stdout: "piped" });
   * await assert.rejects(p.communicate(undefined, { timeout: 0.05 }), TimeoutExpired);
   * const [out] = await p.communicate(); // collects what the first call read too
   * assert.equal(new TextDecoder().decode(out!), "early\nlate\n");
   * ```
   */
  async communicate(
    input?: Uint8Array | string | null,
    options: CommunicateOptions = {},
  ): Promise<Output> {
    const bytes = toBytes(input);
    const timeout = checkTimeout("communicate", options);
    if (bytes !== undefined && this.#stdin === null) {
      throw new TypeError(
        'Cannot communicate: input needs stdin: "piped", received input for a stdin that is not piped',
      );
    }
    if (this.#result !== null || this.#communication !== null) {
      if (bytes !== undefined) {
        throw new TypeError(
          "Cannot communicate: input cannot be sent after the exchange started, received input",
        );
      }
      if (this.#result !== null) return await waitFor(this.#result);
    }
    const communication = this.#communication ??= this.#startPumps(bytes ?? new Uint8Array(0));
    const outcome: Outcome<Output> = await this.#guard(timeout, async () => {
      const finished = await communication.finish();
      await waitFor(this.#exited);
      return finished;
    });
    if (!outcome.ok) throw outcome.error;
    this.#result = outcome.value;
    this.#communication = null;
    return outcome.value;
  }

  /**
   * Sends `signal` to the child (default SIGTERM, as `Deno.ChildProcess`).
   * Does nothing once the child has ended. An unknown signal name throws
   * Deno's `TypeError`. Deviation: Python's `kill()` sends SIGKILL (its
   * `terminate()` SIGTERM); this follows `Deno.ChildProcess.kill`.
   *
   * @example
   * ```ts
   * import { spawnProcess } from "@eventlet/eventlet/subprocess";
   * const p = spawnProcess("sleep", { args: ["10"] });
   * p.kill("SIGKILL");
   * console.log(await p.wait()); // -9
   * ```
   */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (this.#returncode !== null) return;
    try {
      this.#child.kill(signal);
    } catch (error) {
      // Ended, but its status has not been delivered yet: nothing to signal.
      if (error instanceof TypeError && /already terminated/.test(error.message)) return;
      throw error;
    }
  }

  /**
   * Closes the pipes (flushing stdin) and waits for the child, as Python's
   * `with Popen(…)` does at the end of the block.
   *
   * @example
   * ```ts
   * import { spawnProcess } from "@eventlet/eventlet/subprocess";
   * {
   *   await using p = spawnProcess("cat", { stdin: "piped" });
   *   await p.stdin!.write(new TextEncoder().encode("bye\n"));
   * } // stdin flushed and closed, cat ends, the wait is done
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#stdout?.close();
    this.#stderr?.close();
    try {
      if (this.#stdin?.file) await this.#stdin.file.close();
    } catch (error) {
      if (!(error instanceof ConnectionReset)) throw error;
    } finally {
      this.#stdin?.close();
      await this.wait();
    }
  }

  /** Starts the pumps of `communicate`: input, stdout, stderr at once. */
  #startPumps(input: Uint8Array): Communication {
    const stdin = this.#stdin;
    const stdout = this.#stdout;
    const stderr = this.#stderr;
    return new Communication({
      stdin: stdin === null ? null : () => stdin.writeAllAndClose(input),
      stdout: stdout === null ? null : () => stdout.readAll().finally(() => stdout.close()),
      stderr: stderr === null ? null : () => stderr.readAll().finally(() => stderr.close()),
    }, `process ${this.pid}`);
  }

  /**
   * Runs the wait `fn` under `timeout`: its expiry becomes `TimeoutExpired`;
   * any other interruption that is not a timeout (a kill) ends the child.
   */
  async #guard<T>(timeout: number | undefined, fn: () => Promise<T>): Promise<T> {
    const deadline = timeout === undefined ? null : new Timeout(timeout);
    try {
      return await fn();
    } catch (error) {
      if (deadline !== null && error === deadline) throw new TimeoutExpired(this.args, timeout!);
      if (!isTimeout(error)) this.#abandon();
      throw error;
    } finally {
      deadline?.cancel();
    }
  }

  /**
   * The greenthread that waited on the child was killed: SIGTERM now,
   * SIGKILL after the grace period, and the pipes closed once it is reaped.
   */
  #abandon(): void {
    if (this.#returncode !== null || this.#abandoned) return;
    this.#abandoned = true;
    this.kill("SIGTERM");
    const hardKill = hub.scheduleCallGlobal(GRACE_SECONDS, () => this.kill("SIGKILL"));
    this.#exited.then(() => {
      hardKill.cancel();
      this.#stdin?.close();
      this.#stdout?.close();
      this.#stderr?.close();
    });
  }
}

function pipeOf(child: Deno.ChildProcess, name: "stdin" | "stdout" | "stderr"): Pipe | null {
  // Deno's getters throw for a stream that is not piped.
  let stream: ReadableStream<Uint8Array> | WritableStream<Uint8Array>;
  try {
    stream = child[name];
  } catch {
    return null;
  }
  return new Pipe(
    name === "stdin"
      ? inputConn(stream as WritableStream<Uint8Array>, child.pid)
      : outputConn(stream as ReadableStream<Uint8Array>, name, child.pid),
  );
}
