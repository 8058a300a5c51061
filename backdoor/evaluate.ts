/**
 * The evaluator of one backdoor session: JavaScript read line by line, run
 * in the session's own scope, its completion value returned as Deno's REPL
 * prints it, with top-level `await`.
 *
 * Each session gets a `node:vm` context whose global falls back to the
 * program's `globalThis`: the program's globals (`Deno`, `fetch`, anything
 * it put on `globalThis`) are in reach, while the session's own
 * declarations (`let x = 1`, `function f() {}`) stay in the session and
 * persist from one input to the next. Values the session's code makes
 * (literals, its promises) come from the context's own realm: `[] instanceof
 * Array` is false there (`Array.isArray` works). A script in a context gives its
 * completion value (`1; 2` is 2, `if (a) 3` is 3) as Deno's REPL shows it.
 *
 * A script cannot contain `await`, so input that needs it is run as the
 * body of an async function instead (without a parser, by trying the
 * shapes below in turn):
 * - an expression (`await gt.wait()`): its value;
 * - one declaration (`const r = await f()`): the value is computed, then
 *   the declaration is made in the session's scope, so `r` persists;
 * - other statements: run as they are; the value is the last expression
 *   statement's when one can be split off, and their declarations stay
 *   local to that input.
 *
 * The synchronous part of an input is stopped after `SYNC_LIMIT_SECONDS`
 * (`node:vm`'s `timeout`); code after an `await` is not covered.
 *
 * @module
 */

import vm from "node:vm";

/** V8's messages for input that may go on over more lines. */
const INCOMPLETE = /^(Unexpected end of input|Unterminated template literal)/;
/** V8's messages for `await` where a script does not allow it. */
const NEEDS_ASYNC = /await is only valid|Unexpected reserved word/;
/** Where a declaration that needs `await` puts its value for a moment. */
const VALUE_SLOT = "__backdoorValue__";
/**
 * Longest synchronous run of one input, in seconds: `node:vm` interrupts
 * it (from a watchdog thread) after that, so even an endless loop typed
 * into a session blocks the program only this long.
 */
export const SYNC_LIMIT_SECONDS = 5;
/** At most this many places to split off the last expression are tried. */
const MAX_SPLITS = 64;

/** What `Scope.prepare` makes of an input. */
export type Prepared =
  | { kind: "incomplete" }
  | { kind: "ready"; run: () => unknown; awaits: boolean }
  | { kind: "error"; error: unknown };

function compiles(source: string): boolean {
  try {
    new vm.Script(source);
    return true;
  } catch {
    return false;
  }
}

function syntaxMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asyncBody(body: string): string {
  return `(async function () {${body}\n})()`;
}

function asyncValue(expression: string): string {
  return `(async function () { return (${expression}\n); })()`;
}

/** Input without its trailing semicolons and blanks. */
function trimEnd(code: string): string {
  return code.replace(/[\s;]+$/, "");
}

/**
 * A session's scope: its `vm` context, whose global object holds the
 * session's helpers and declarations and falls back to `globalThis`.
 */
export class Scope {
  #sandbox: Record<string, unknown>;
  #context: vm.Context;
  #Promise: PromiseConstructor;

  /** `names` are put in scope first (the session's helpers, the server's `globals`). */
  constructor(names: Record<string, unknown>) {
    this.#sandbox = Object.assign(Object.create(globalThis), names);
    this.#context = vm.createContext(this.#sandbox);
    // `Promise` would resolve to the program's; the context's own makes
    // every promise of session code recognisable (see rejections.ts).
    this.#Promise = vm.runInContext(
      "Object.getPrototypeOf((async () => {})()).constructor",
      this.#context,
    );
    this.#sandbox.Promise = this.#Promise;
  }

  /** True for a promise made by code of this session. */
  ownsPromise(promise: Promise<unknown>): boolean {
    return promise instanceof this.#Promise;
  }

  /**
   * Compiles `code`: incomplete (more lines wanted), a syntax error, or a
   * `run()` that evaluates it and returns its completion value (a promise
   * of it when the input needed `await`: then `awaits` is true).
   */
  prepare(code: string): Prepared {
    let script: vm.Script;
    try {
      script = new vm.Script(code, { filename: "backdoor" });
    } catch (error) {
      const message = syntaxMessage(error);
      if (INCOMPLETE.test(message)) return { kind: "incomplete" };
      if (!NEEDS_ASYNC.test(message)) return { kind: "error", error };
      return this.#prepareAsync(code);
    }
    return { kind: "ready", run: () => this.#run(script), awaits: false };
  }

  #prepareAsync(code: string): Prepared {
    const whole = asyncBody(code);
    try {
      new vm.Script(whole);
    } catch (error) {
      const message = syntaxMessage(error);
      // The wrapper's own closing brace can end an unfinished input early.
      if (INCOMPLETE.test(message) || message === "Unexpected token '}'") {
        return { kind: "incomplete" };
      }
      return { kind: "error", error };
    }
    const trimmed = trimEnd(code);
    if (compiles(asyncValue(trimmed))) return this.#ready(asyncValue(trimmed));
    const declaration = this.#declaration(trimmed);
    if (declaration !== null) return declaration;
    const split = lastExpressionSplit(trimmed);
    return this.#ready(split ?? whole);
  }

  /** `const|let|var pattern = value-with-await`: made in the session's scope. */
  #declaration(code: string): Prepared | null {
    const match = /^\s*(const|let|var)\s+/.exec(code);
    if (match === null) return null;
    for (let eq = code.indexOf("=", match[0].length); eq >= 0; eq = code.indexOf("=", eq + 1)) {
      if (code[eq + 1] === "=" || code[eq + 1] === ">") continue;
      const pattern = code.slice(match[0].length, eq);
      const binding = `${match[1]} ${pattern} = ${VALUE_SLOT};`;
      const value = asyncValue(code.slice(eq + 1));
      if (!compiles(binding) || !compiles(value)) continue;
      const compute = new vm.Script(value, { filename: "backdoor" });
      const bind = new vm.Script(binding, { filename: "backdoor" });
      return {
        kind: "ready",
        awaits: true,
        run: async () => {
          this.#sandbox[VALUE_SLOT] = await this.#run(compute);
          try {
            this.#run(bind);
          } finally {
            delete this.#sandbox[VALUE_SLOT];
          }
          return undefined;
        },
      };
    }
    return null;
  }

  /**
   * Runs a compiled input, stopping its synchronous part after
   * SYNC_LIMIT_SECONDS: a `while (true) {}` would block the program forever.
   */
  #run(script: vm.Script): unknown {
    try {
      return script.runInContext(this.#context, { timeout: SYNC_LIMIT_SECONDS * 1000 });
    } catch (error) {
      if ((error as { code?: unknown })?.code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw error;
      throw new Error(
        `Input stopped: it ran ${SYNC_LIMIT_SECONDS} s without reaching a switch point, ` +
          "and the whole program was blocked meanwhile",
      );
    }
  }

  #ready(source: string): Prepared {
    const script = new vm.Script(source, { filename: "backdoor" });
    return { kind: "ready", run: () => this.#run(script), awaits: true };
  }
}

/**
 * Statements whose last one is an expression: an async body that runs
 * the others and returns it, or null when no split compiles.
 */
function lastExpressionSplit(code: string): string | null {
  let tried = 0;
  for (let i = code.length - 1; i > 0 && tried < MAX_SPLITS; i--) {
    if (code[i] !== ";" && code[i] !== "\n") continue;
    const tail = code.slice(i + 1).trim();
    if (tail === "") continue;
    tried++;
    const source = `(async function () {${code.slice(0, i + 1)}\nreturn (${tail}\n);\n})()`;
    if (compiles(source)) return source;
  }
  return null;
}
