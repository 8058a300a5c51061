/**
 * workerFunction(): a function named by its module and export, for tpool.
 *
 * @module
 */

const BRAND = Symbol.for("eventlet.tpool.workerFunction");

/**
 * A reference to an exported function that a tpool worker imports and
 * calls. `F` is the function's type, so `execute` can check the arguments.
 *
 * @example
 * ```ts
 * import { execute, workerFunction } from "@eventlet/eventlet/tpool";
 * const sqrt = workerFunction<(x: number) => number>(
 *   "data:text/javascript,export const sqrt = (x) => Math.sqrt(x);",
 *   "sqrt",
 * );
 * console.log(await execute(sqrt, 9)); // 3
 * ```
 */
// deno-lint-ignore no-explicit-any
export interface WorkerFunction<F extends (...args: any[]) => unknown = (...args: any[]) => any> {
  /** The module's absolute URL. */
  readonly url: string;
  /** The name of the export to call. */
  readonly exportName: string;
  /**
   * Carries the function's type; never set.
   * @ignore
   */
  readonly fnType?: F;
}

/**
 * Names the function `exportName` of the module at `url`, for `execute` and
 * `proxy`. Each worker imports the module once (on its first call), so the
 * function may use imports and module state; use it for code that cannot
 * be self-contained. `url` must be absolute: pass
 * `new URL("./x.ts", import.meta.url)` or `import.meta.resolve("./x.ts")`.
 * Throws a TypeError for a relative URL or an empty name.
 *
 * @example
 * ```ts
 * import { execute, workerFunction } from "@eventlet/eventlet/tpool";
 * const upper = workerFunction<(s: string) => string>(
 *   "data:text/javascript,export function upper(s) { return s.toUpperCase(); }",
 *   "upper",
 * );
 * console.log(await execute(upper, "abc")); // "ABC"
 * ```
 */
// deno-lint-ignore no-explicit-any
export function workerFunction<F extends (...args: any[]) => unknown = (...args: any[]) => any>(
  url: URL | string,
  exportName: string,
): WorkerFunction<F> {
  let href: string;
  try {
    href = new URL(String(url)).href;
  } catch {
    throw new TypeError(
      `Cannot create workerFunction: url must be absolute (use new URL("./x.ts", ` +
        `import.meta.url)), received ${JSON.stringify(String(url))}`,
    );
  }
  if (typeof exportName !== "string" || exportName === "") {
    throw new TypeError(
      `Cannot create workerFunction: exportName must be a non-empty string, received ${
        JSON.stringify(exportName) ?? typeof exportName
      }`,
    );
  }
  return Object.freeze({ url: href, exportName, [BRAND]: true }) as WorkerFunction<F>;
}

/**
 * True for a reference made by `workerFunction`.
 * @ignore
 */
export function isWorkerFunction(value: unknown): value is WorkerFunction {
  return typeof value === "object" && value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true;
}
