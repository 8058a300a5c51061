/**
 * What a backdoor session has in scope besides the program's globals: the
 * inspection helpers (`greenthreads()`, `stats()`, `kill(id)`,
 * `formatGreenthreads()`, `close()`) and a `console` that writes to the
 * session, as eventlet's backdoor points `sys.stdout` at its socket.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import type { HubStats } from "../hub/hub.ts";
import { kill as killGreenthread } from "../green/spawn.ts";
import type { GreenThread } from "../hub/greenthread.ts";
import { typeName } from "../hub/checks.ts";
import { formatGreenthreads } from "../debug/format.ts";

/** How the session's console and helpers reach it. */
export interface SessionOutput {
  /** Queues `text` to be written to the session (never switches). */
  write(text: string): void;
  /** Ends the session after the current input. */
  close(): void;
}

/** Formats console arguments as Deno's console does (strings as they are). */
export function formatArgs(args: unknown[]): string {
  return args.map((arg) => typeof arg === "string" ? arg : inspect(arg)).join(" ");
}

/** A value as the REPL shows it: strings quoted, the rest as `Deno.inspect`. */
export function inspect(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  return Deno.inspect(value, { colors: false, depth: 4, iterableLimit: 100 });
}

/** A console whose output goes to the session. */
function sessionConsole(out: SessionOutput): Partial<Console> {
  const line = (...args: unknown[]) => out.write(formatArgs(args) + "\n");
  return {
    log: line,
    info: line,
    debug: line,
    warn: line,
    error: line,
    trace: line,
    dir: (value: unknown) => out.write(inspect(value) + "\n"),
    table: (value: unknown) => out.write(inspect(value) + "\n"),
  };
}

function findGreenthread(id: unknown): GreenThread {
  if (typeof id !== "number") {
    throw new TypeError(
      `Cannot kill: id must be a greenthread id (a number), received ${typeName(id)}`,
    );
  }
  const found = getHub().greenthreads().find((g) => g.id === id);
  if (found === undefined) {
    throw new RangeError(`Cannot kill: id must be the id of a live greenthread, received ${id}`);
  }
  return found;
}

/** The names a session has in scope, over its output. */
export function sessionHelpers(out: SessionOutput): Record<string, unknown> {
  return {
    console: sessionConsole(out),
    /** The live spawned greenthreads. */
    greenthreads: (): GreenThread[] => getHub().greenthreads(),
    /** The hub's counters. */
    stats: (): HubStats => getHub().stats(),
    /** Kills the live greenthread with this id; resolves once it has ended. */
    kill: (id: number): Promise<void> => killGreenthread(findGreenthread(id)),
    /** Prints the listing of every greenthread with its state. */
    formatGreenthreads: (): void => out.write(formatGreenthreads() + "\n"),
    /** Ends this session. */
    close: (): void => {
      out.close();
    },
  };
}
