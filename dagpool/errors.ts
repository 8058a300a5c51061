/**
 * The errors of DAGPool: PropagateError carries a greenthread's failure to
 * everything downstream of it, Collision refuses a key used twice.
 *
 * @module
 */

/** A key as it reads in a message: strings as they are, the rest through `String`. */
export function formatKey(key: unknown): string {
  if (typeof key === "string") return key;
  try {
    return String(key);
  } catch {
    return typeof key;
  }
}

/** A key quoted in a message: `"a"`. */
export function quoteKey(key: unknown): string {
  return JSON.stringify(formatKey(key));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return formatKey(error);
}

/**
 * The value of a key whose DAGPool greenthread failed: reading that value
 * (`get`, `wait`, `waitEach`, a dependent's `results`) throws it. A
 * dependent that does not catch it fails in turn, so errors nest along the
 * DAG: follow `exc` (also `cause`) to the original error.
 *
 * - `key`: the key of the greenthread that failed; `exc`: what it threw.
 * - The message names both: `PropagateError(b): PropagateError:
 *   PropagateError(a): TypeError: bad input` (eventlet's format).
 *
 * @example
 * ```ts
 * import { DAGPool, PropagateError } from "@eventlet/eventlet/dagpool";
 * const pool = new DAGPool();
 * pool.spawn("a", [], () => {
 *   throw new TypeError("bad input");
 * });
 * try {
 *   await pool.wait(["a"]);
 * } catch (e) {
 *   if (!(e instanceof PropagateError)) throw e;
 *   console.log(e.key, e.message); // a PropagateError(a): TypeError: bad input
 * }
 * ```
 */
export class PropagateError extends Error {
  /** The key of the greenthread that failed. */
  readonly key: unknown;
  /** What it threw (a `PropagateError` itself when it came from upstream). */
  readonly exc: unknown;

  /**
   * Wraps `exc`, thrown by the greenthread of `key`.
   *
   * @example
   * ```ts
   * import { PropagateError } from "@eventlet/eventlet/dagpool";
   * const e = new PropagateError("a", new RangeError("no"));
   * console.log(e.message); // PropagateError(a): RangeError: no
   * ```
   */
  constructor(key: unknown, exc: unknown) {
    super(`PropagateError(${formatKey(key)}): ${describeError(exc)}`, { cause: exc });
    this.name = "PropagateError";
    this.key = key;
    this.exc = exc;
  }
}

/**
 * Thrown when a key is used twice: `spawn` of a key already spawned (running
 * or finished) or with a value, `post` of a key that has a value (without
 * `replace`) or whose greenthread is running (unless it posts itself).
 *
 * - Thrown at once, before anything changes: the pool is as it was (a
 *   `spawnMany` with one collision spawns none of its keys).
 * - `key` is the key used twice; the message names it and what it has.
 *
 * @example
 * ```ts
 * import { Collision, DAGPool } from "@eventlet/eventlet/dagpool";
 * const pool = new DAGPool({ a: 1 });
 * try {
 *   pool.post("a", 2);
 * } catch (e) {
 *   console.log(e instanceof Collision, (e as Collision).key); // true a
 * }
 * ```
 */
export class Collision extends Error {
  /** The key used twice. */
  readonly key: unknown;

  /**
   * A collision on `key`, with `why` saying what the key already has.
   *
   * @example
   * ```ts
   * import { Collision } from "@eventlet/eventlet/dagpool";
   * console.log(new Collision("a", "post", "it has a value").message);
   * // Cannot post "a" in DAGPool: it has a value
   * ```
   */
  constructor(key: unknown, action: string, why: string) {
    super(`Cannot ${action} ${quoteKey(key)} in DAGPool: ${why}`);
    this.name = "Collision";
    this.key = key;
  }
}
