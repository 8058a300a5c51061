/**
 * Shipping a function to a worker as source text.
 *
 * A function given to `execute` (or `proxy`) runs in another thread, where
 * the variables it closes over do not exist. It travels as its source text
 * (`Function.prototype.toString`, which in Deno is the transpiled
 * JavaScript), is compiled once per worker and cached there by an id that
 * stands for that text.
 *
 * Closure detection: JavaScript cannot tell statically, without a parser,
 * which identifiers a function takes from its outer scope, so the worker
 * compiles the source at global scope (indirect eval, strict mode, with a
 * `//# sourceURL=tpool-fn-<id>.js` name) and, when the function throws a
 * `ReferenceError` "x is not defined" from its own frames, rewords it into an
 * error that says the function is not self-contained and what to do.
 *
 * `compileFunction` and `explainReferenceError` run in the worker: their
 * sources are shipped there, so they must stay self-contained.
 *
 * @module
 */

/** What the calling thread knows about a function it ships. */
export interface FunctionInfo {
  /** Stands for the source text: equal texts get equal ids. */
  readonly id: number;
  /** The source text. */
  readonly source: string;
}

// deno-lint-ignore ban-types
const infos = new WeakMap<Function, FunctionInfo>();
const idsBySource = new Map<string, number>();
let nextId = 1;

/**
 * The id and source of `fn`, cached per function object (no `toString()`
 * per call). Throws a TypeError for a function whose source cannot be sent:
 * a native or bound function, or a class.
 * @ignore
 */
// deno-lint-ignore ban-types
export function functionInfo(fn: Function, action: string): FunctionInfo {
  const cached = infos.get(fn);
  if (cached !== undefined) return cached;
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TypeError(
      `Cannot ${action}: fn is a native or bound function, whose source cannot be sent to ` +
        `a worker; wrap it in a self-contained function such as (x) => Math.sqrt(x), ` +
        `received ${fn.name || "an anonymous function"}`,
    );
  }
  if (/^class\b/.test(source)) {
    throw new TypeError(
      `Cannot ${action}: fn is a class, not a function; pass () => new ${
        fn.name || "C"
      }() defined self-contained, or use workerFunction(), received class ${fn.name}`,
    );
  }
  let id = idsBySource.get(source);
  if (id === undefined) {
    id = nextId++;
    idsBySource.set(source, id);
  }
  const info = { id, source };
  infos.set(fn, info);
  return info;
}

/**
 * Compiles a function's source text at global scope, in strict mode. Also
 * accepts method shorthand (`name(a) { … }`, `async name() { … }`), which is
 * what `toString()` gives for an object's method. Runs in the worker.
 * @ignore
 */
// deno-lint-ignore ban-types
export function compileFunction(source: string, id: number): Function {
  const name = `\n//# sourceURL=tpool-fn-${id}.js\n`;
  // Indirect eval: global scope, so the function sees the worker's globals
  // and nothing of the worker's own code.
  const globalEval = eval;
  let first: unknown;
  try {
    const fn = globalEval(`"use strict";(${source}\n);${name}`);
    if (typeof fn === "function") return fn;
    first = new TypeError(`its source evaluates to a ${typeof fn}, not a function`);
  } catch (error) {
    first = error;
  }
  try {
    const holder = globalEval(`"use strict";({${source}\n});${name}`) as Record<
      PropertyKey,
      unknown
    >;
    const keys = Reflect.ownKeys(holder);
    const fn = keys.length === 1 ? holder[keys[0]] : undefined;
    // deno-lint-ignore ban-types
    if (typeof fn === "function") return fn as Function;
  } catch {
    // fall through to the first error
  }
  const detail = first instanceof Error ? first.message : String(first);
  throw new SyntaxError(
    `Cannot compile fn in the worker: its source text is not a function expression ` +
      `(${detail}); pass an arrow function, a function expression or workerFunction(), ` +
      `received ${source.length > 80 ? source.slice(0, 77) + "..." : source}`,
  );
}

/**
 * Rewords a `ReferenceError` "x is not defined" thrown from the shipped
 * function's own frames (`tpool-fn-<id>.js`): the function closes over a
 * variable of the calling thread. Any other error is returned unchanged.
 * Runs in the worker.
 * @ignore
 */
export function explainReferenceError(error: unknown, id: number, what: string): unknown {
  if (!(error instanceof ReferenceError)) return error;
  const match = /^(\S+) is not defined$/.exec(error.message);
  if (match === null) return error;
  const stack = typeof error.stack === "string" ? error.stack : "";
  const lines = stack.split("\n");
  const firstFrame = lines.find((line) => /^\s+at /.test(line)) ?? "";
  if (!firstFrame.includes(`tpool-fn-${id}.js`)) return error;
  const explained = new ReferenceError(
    `Cannot run ${what} in a worker: it uses \`${match[1]}\`, which is not defined in the ` +
      `worker thread. A function sent to tpool must be self-contained: the variables it ` +
      `closes over stay in the calling thread. Pass the value as an argument, import it ` +
      `inside the function (await import(...) with an absolute specifier), or export the ` +
      `function from a module and use workerFunction(url, name)`,
    { cause: error },
  );
  const frames = lines.filter((line) => /^\s+at /.test(line));
  explained.stack = `ReferenceError: ${explained.message}\n${frames.join("\n")}`;
  return explained;
}
