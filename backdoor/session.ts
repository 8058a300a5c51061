/**
 * One backdoor session: the read-eval-print loop of one connection, run in
 * the connection's own greenthread.
 *
 * Two helper greenthreads keep the connection live while an input runs:
 * a reader that queues the lines as they arrive (and ends the session when
 * the client goes away, even in the middle of a long `await`), and a
 * writer that sends what the session prints (so `console.log` output of a
 * running input shows at once, in order with the prompts).
 *
 * @module
 */

import { getCurrent, spawn } from "../green/spawn.ts";
import { waitFor } from "../green/sleep.ts";
import { withTimeout } from "../green/timeout.ts";
import { GreenletExit, type GreenThread } from "../hub/greenthread.ts";
import { LightQueue } from "../green/light_queue.ts";
import { isThenable } from "../hub/greenthread_start.ts";
import { reportError } from "../hub/lowlevel.ts";
import { isPeerGone } from "../net/errors.ts";
import type { GreenSocket } from "../net/socket.ts";
import type { GreenFile } from "../net/file.ts";
import type { SockAddr } from "../net/addr.ts";
import { Scope } from "./evaluate.ts";
import { inspect, sessionHelpers, type SessionOutput } from "./helpers.ts";
import { catchRejections } from "./rejections.ts";

const PROMPT = "> ";
const CONTINUE = "... ";
/** Discards an unfinished multi-line input (as in Node's REPL). */
const BREAK = ".break";
/** How long a closing session waits for its last output to be sent. */
const DRAIN_SECONDS = 1;

/** What a session needs from its server. */
export interface SessionOptions {
  /** When set, the first line must equal it. */
  token: string | undefined;
  /** Extra names in the session's scope. */
  globals: Record<string, unknown>;
}

/** "127.0.0.1:5000", or the Unix socket path. */
export function describeAddr(addr: SockAddr): string {
  return typeof addr === "string" ? addr || "a Unix socket" : `${addr[0]}:${addr[1]}`;
}

/** An error as Deno's REPL reports it: "Uncaught TypeError: boom". */
function describeError(error: unknown, prefix = "Uncaught"): string {
  if (typeof error === "object" && error !== null && "message" in error) {
    const name = (error as { name?: unknown }).name ?? "Error";
    return `${prefix} ${String(name)}: ${String((error as Error).message)}\n`;
  }
  return `${prefix} ${inspect(error)}\n`;
}

/** The errors of a client that went away, or of its socket closed under a read. */
function isClientGone(error: unknown): boolean {
  return isPeerGone(error) || error instanceof Deno.errors.BadResource;
}

/** Compares without stopping at the first difference. */
function sameToken(given: string, token: string): boolean {
  const length = Math.max(given.length, token.length);
  let diff = given.length ^ token.length;
  for (let i = 0; i < length; i++) {
    diff |= (given.charCodeAt(i) | 0) ^ (token.charCodeAt(i) | 0); // NaN | 0 is 0
  }
  return diff === 0;
}

/** Queues each line (without its line ending); ends the session at EOF. */
async function readLines(
  file: GreenFile,
  lines: LightQueue<string>,
  session: GreenThread<unknown>,
): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const line = await file.readline();
      if (line.length === 0) break;
      lines.putNowait(decoder.decode(line).replace(/\r?\n$/, ""));
    }
  } catch (error) {
    // Killed: the session is over and cleaning up after itself.
    if (error instanceof GreenletExit) throw error;
    // A client that went away ends the input as EOF does; anything else
    // is a fault of ours, reported, and the session ends all the same.
    if (!isClientGone(error)) reportError(error);
  }
  if (!session.dead) await session.kill();
}

/** Sends what the session prints until the output queue is closed and drained. */
async function writeOutput(sock: GreenSocket, output: LightQueue<string>): Promise<void> {
  const encoder = new TextEncoder();
  try {
    for await (const text of output) await sock.sendall(encoder.encode(text));
  } catch (error) {
    if (error instanceof GreenletExit) throw error; // the session gave up draining
    // A client that went away can be shown nothing more.
    if (!isClientGone(error)) reportError(error);
  }
}

/** Runs one session on `sock` until the client leaves or calls `close()`. */
export async function runSession(
  sock: GreenSocket,
  addr: SockAddr,
  options: SessionOptions,
): Promise<void> {
  const session = getCurrent();
  session.name = `backdoor ${describeAddr(addr)}`;
  const lines = new LightQueue<string>();
  const output = new LightQueue<string>();
  let closing = false;
  const out: SessionOutput = {
    // Late output (a rejection, a greenthread the session spawned) after
    // the session ended has nowhere to go: dropped.
    write: (text) => {
      if (!output.closed) output.putNowait(text);
    },
    close: () => (closing = true),
  };
  const writer = spawn(writeOutput, sock, output);
  writer.name = `${session.name} (writer)`;
  const reader = spawn(readLines, sock.makefile(), lines, session);
  reader.name = `${session.name} (reader)`;
  try {
    if (options.token !== undefined) {
      out.write("Token: ");
      if (!sameToken(await lines.get(), options.token)) {
        out.write("Wrong token\n");
        return;
      }
    }
    out.write(
      `eventlet backdoor: Deno ${Deno.version.deno}, pid ${Deno.pid}, ${session.name}\n` +
        "Helpers: greenthreads(), stats(), kill(id), formatGreenthreads(); " +
        "close() or Ctrl-D ends the session\n",
    );
    const scope = new Scope({ ...sessionHelpers(out), ...options.globals });
    using _rejections = catchRejections({
      ownsPromise: (promise) => scope.ownsPromise(promise),
      report: (reason) => out.write(describeError(reason, "Uncaught (in promise)")),
    });
    await repl(scope, lines, out, () => closing);
  } finally {
    output.close();
    await withTimeout(DRAIN_SECONDS, () => writer.wait(), { timeoutValue: undefined });
    if (!writer.dead) await writer.kill();
    if (!reader.dead) await reader.kill();
  }
}

/** Reads inputs (more lines while one is unfinished), evaluates, prints. */
async function repl(
  scope: Scope,
  lines: LightQueue<string>,
  out: SessionOutput,
  closing: () => boolean,
): Promise<void> {
  let pending = "";
  while (!closing()) {
    out.write(pending === "" ? PROMPT : CONTINUE);
    let line: string;
    try {
      line = await lines.get();
    } catch (error) {
      // A Timeout the session started, firing while it waits for input.
      if (error instanceof GreenletExit) throw error;
      out.write("\n" + describeError(error));
      continue;
    }
    if (pending !== "" && line.trim() === BREAK) {
      pending = "";
      continue;
    }
    const code = pending === "" ? line : `${pending}\n${line}`;
    if (code.trim() === "") continue;
    const prepared = scope.prepare(code);
    if (prepared.kind === "incomplete") {
      pending = code;
      continue;
    }
    pending = "";
    if (prepared.kind === "error") {
      out.write(describeError(prepared.error));
      continue;
    }
    try {
      const result = prepared.run();
      const value = prepared.awaits ? await waitFor(result) : result;
      if (isThenable(value)) {
        // Shown as a promise, as Deno's REPL does; a later rejection is
        // reported here instead of crashing the program as unhandled.
        value.then(undefined, (error) => out.write(describeError(error, "Uncaught (in promise)")));
      }
      out.write(inspect(value) + "\n");
    } catch (error) {
      if (error instanceof GreenletExit) throw error;
      out.write(describeError(error));
    }
  }
}
