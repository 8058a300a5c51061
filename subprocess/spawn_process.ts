/**
 * spawnProcess: starts a child process over `Deno.Command` and returns it
 * as a `GreenProcess` (Python's `subprocess.Popen`, as eventlet's green
 * subprocess module provides it).
 *
 * @module
 */

import { typeName } from "../hub/checks.ts";
import { GreenProcess } from "./process.ts";

/** How a standard stream of the child is connected. */
export type Stdio = "piped" | "inherit" | "null";

/** Options of `spawnProcess`. */
export interface SpawnOptions {
  /** The arguments after the command (default none). */
  args?: readonly string[];
  /** The child's working directory (default: this process's). */
  cwd?: string | URL;
  /**
   * The child's whole environment, as Python's `env=`: it replaces this
   * process's environment rather than adding to it (to add, pass
   * `{ ...Deno.env.toObject(), NAME: "value" }`). Default: inherited.
   */
  env?: Record<string, string>;
  /** "piped" makes `stdin` a `GreenFile`; default "inherit". */
  stdin?: Stdio;
  /** "piped" makes `stdout` a `GreenFile`; default "inherit". */
  stdout?: Stdio;
  /** "piped" makes `stderr` a `GreenFile`; default "inherit". */
  stderr?: Stdio;
}

const STDIO_NAMES = ["stdin", "stdout", "stderr"] as const;

function fail(message: string): never {
  throw new TypeError(`Cannot spawnProcess: ${message}`);
}

function checkStdio(name: string, value: unknown): Stdio {
  if (value === undefined) return "inherit";
  if (value === "piped" || value === "inherit" || value === "null") return value;
  const shown = typeof value === "string" ? JSON.stringify(value) : typeName(value);
  return fail(`${name} must be "piped", "inherit" or "null", received ${shown}`);
}

function checkArgs(args: unknown): string[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) fail(`args must be an array of strings, received ${typeName(args)}`);
  args.forEach((arg, i) => {
    if (typeof arg !== "string") {
      fail(`args must be an array of strings, received ${typeName(arg)} at index ${i}`);
    }
  });
  return [...args];
}

function checkEnv(env: unknown): Record<string, string> | undefined {
  if (env === undefined) return undefined;
  if (typeof env !== "object" || env === null || Array.isArray(env)) {
    fail(
      `env must be an object of strings, received ${Array.isArray(env) ? "array" : typeName(env)}`,
    );
  }
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== "string") {
      fail(`env must be an object of strings, received ${typeName(value)} for ${key}`);
    }
  }
  return { ...env as Record<string, string> };
}

/**
 * Starts `command` with `options.args` and returns the running child as a
 * `GreenProcess`. Standard streams are inherited unless set to "piped"
 * (then `stdin`/`stdout`/`stderr` are `GreenFile`s) or "null".
 *
 * - Does not switch: the child is started when it returns.
 * - A command that cannot be started (not found, not executable) throws
 *   Deno's error (`Deno.errors.NotFound`, `PermissionDenied`) at once.
 * - Bad options throw `TypeError` naming the option. Needs
 *   `--allow-run` (and `--allow-read` for `cwd`).
 * - `env` replaces the environment, as Python's `env=` (see `SpawnOptions`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawnProcess } from "@eventlet/eventlet/subprocess";
 * const p = spawnProcess("echo", { args: ["hello"], stdout: "piped" });
 * const [out] = await p.communicate();
 * assert.equal(new TextDecoder().decode(out!), "hello\n");
 * assert.equal(p.returncode, 0);
 * ```
 */
export function spawnProcess(command: string | URL, options: SpawnOptions = {}): GreenProcess {
  if (typeof command !== "string" && !(command instanceof URL)) {
    fail(`command must be a string or a URL, received ${typeName(command)}`);
  }
  if (command === "") fail('command must not be empty, received ""');
  if (typeof options !== "object" || options === null) {
    fail(`options must be an object, received ${typeName(options)}`);
  }
  const args = checkArgs(options.args);
  const env = checkEnv(options.env);
  const cwd = options.cwd;
  if (cwd !== undefined && typeof cwd !== "string" && !(cwd instanceof URL)) {
    fail(`cwd must be a string or a URL, received ${typeName(cwd)}`);
  }
  const [stdin, stdout, stderr] = STDIO_NAMES.map((name) => checkStdio(name, options[name]));
  const child = new Deno.Command(command, {
    args,
    cwd,
    env,
    clearEnv: env !== undefined,
    stdin,
    stdout,
    stderr,
  }).spawn();
  return new GreenProcess(child, [String(command), ...args]);
}
