/**
 * DAGPool: greenthreads constrained by data dependencies, not by a count
 * (eventlet's `eventlet.dagpool`). Each greenthread has a key, names the
 * keys it depends on, reads their values as they become available, and its
 * return value becomes its own key's value, unblocking its dependents.
 * The values and the waits for them are in values.ts; this file keeps the
 * greenthreads: spawning them (checked by cycle.ts), posting what they
 * return, killing them.
 *
 * @module
 */

import { checkFunction } from "../hub/checks.ts";
import { GreenletExit } from "../hub/greenlet_exit.ts";
import type { GreenThread } from "../hub/greenthread.ts";
import { getCurrent, spawn } from "../green/spawn.ts";
import { checkBatch } from "./cycle.ts";
import { Collision, PropagateError, quoteKey } from "./errors.ts";
import { dependencyBatch, keySet, pairsOf, replaceOption } from "./input.ts";
import type { DAGDependencies, DAGFunction, DAGPreload, PostOptions } from "./types.ts";
import { collect, Values } from "./values.ts";

export type { DAGDependencies, DAGFunction, DAGPreload, PostOptions };

/**
 * A pool of greenthreads that wait for each other's results.
 *
 * - `spawn(key, depends, fn)` spawns a greenthread running `fn(key,
 *   results)`; iterating `results` delivers the values of `depends` in the
 *   order they become available.
 *   Its return value is posted for `key`; an error it throws is posted as a
 *   `PropagateError` naming `key`, which every reader of that value gets
 *   thrown, so failures travel down the DAG.
 * - A key is spawned or posted once: a second `spawn`, or a `post` of a key
 *   whose greenthread runs (from outside it) or that has a value, throws
 *   `Collision`; `post(key, value, { replace: true })` overwrites a value.
 * - A dependency cycle is refused at once: `spawn`/`spawnMany` throw a
 *   `RangeError` naming it, and a refused `spawnMany` spawns nothing (so does
 *   one with a `Collision`).
 * - `wait`, each step of `waitEach` and of `results` are switch points; a
 *   kill or `Timeout` there ends the wait and loses no value.
 * - `kill(key)` kills a running greenthread and forgets it: no value is
 *   posted for it and the key may be spawned again.
 * - Deviation: any error that escapes `fn`, a `Timeout` included, becomes a
 *   `PropagateError` (eventlet's Timeout is a BaseException and would leave
 *   the key without a value forever); only a kill posts nothing.
 *
 * @example
 * ```ts
 * import { DAGPool } from "@eventlet/eventlet/dagpool";
 * const pool = new DAGPool<string, number>({ a: 1 });
 * const sum = async (_key: string, results: AsyncIterable<[string, number]>) => {
 *   let total = 0;
 *   for await (const [, value] of results) total += value;
 *   return total;
 * };
 * pool.spawnMany({ b: ["a"], c: ["a", "b"], d: ["b", "c"] }, sum);
 * console.log(await pool.wait(["d"])); // Map(1) { "d" => 3 }
 * ```
 */
export class DAGPool<K = string, V = unknown> {
  readonly #values = new Values<K, V>();
  // The running greenthreads, by key, with the keys each depends on.
  readonly #coros = new Map<K, { gt: GreenThread<unknown>; depends: Set<K> }>();

  /**
   * Makes a pool, with `preload` values available at once.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool([["x", 1], ["y", 2]]);
   * console.log(await pool.wait()); // Map(2) { "x" => 1, "y" => 2 }
   * ```
   */
  constructor(preload?: DAGPreload<K, V>) {
    for (const [key, value] of pairsOf<K, V>("create DAGPool", "preload", preload ?? [])) {
      this.#values.store(key, value);
    }
  }

  /**
   * Spawns `fn(key, results)` for `key`, depending on the keys in `depends`
   * (any iterable; a string is its characters, as in eventlet). Never
   * switches. `Collision` if `key` was spawned or has a value; `RangeError`
   * if it would close a dependency cycle.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool<string, string>();
   * pool.spawn("greeting", ["name"], async (_key, results) => {
   *   for await (const [, name] of results) return `hello ${name}`;
   *   return "hello nobody";
   * });
   * pool.post("name", "world");
   * console.log(await pool.wait(["greeting"])); // Map(1) { "greeting" => "hello world" }
   * ```
   */
  spawn(key: K, depends: Iterable<K>, fn: DAGFunction<K, V>): void {
    checkFunction("spawn in DAGPool", fn);
    this.#startAll([[key, keySet("spawn in DAGPool", "depends", depends)]], fn);
  }

  /**
   * Spawns `fn` once for each key of `depends`, with that key's
   * dependencies. Never switches. All or nothing: a `Collision` or a cycle
   * anywhere spawns none of them.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool<string, string>();
   * pool.spawnMany({ a: [], b: ["a"] }, async (key, results) => {
   *   const seen = [];
   *   for await (const [k] of results) seen.push(k);
   *   return `${key} after [${seen}]`;
   * });
   * console.log(await pool.wait()); // Map(2) { "a" => "a after []", "b" => "b after [a]" }
   * ```
   */
  spawnMany(depends: DAGDependencies<K>, fn: DAGFunction<K, V>): void {
    const action = "spawn many in DAGPool";
    checkFunction(action, fn);
    this.#startAll(dependencyBatch(action, depends), fn);
  }

  #startAll(batch: [K, Set<K>][], fn: DAGFunction<K, V>): void {
    const fresh = checkBatch(batch, {
      spawned: (key) => this.#coros.has(key),
      hasValue: (key) => this.#values.has(key),
      dependsOf: (key) => this.#coros.get(key)?.depends ?? [],
    });
    for (const [key, depends] of fresh) {
      // spawn queues the greenthread: it runs after its entry is made.
      this.#coros.set(key, { gt: spawn(() => this.#run(key, depends, fn)), depends });
    }
  }

  /** The body of a pool greenthread: run `fn`, post its outcome. */
  async #run(key: K, depends: Set<K>, fn: DAGFunction<K, V>): Promise<void> {
    let outcome: V | PropagateError;
    try {
      outcome = await fn(key, this.#values.each(new Set(depends), "raise"));
    } catch (error) {
      if (error instanceof GreenletExit) {
        this.#leave(key);
        throw error; // a kill posts nothing
      }
      outcome = new PropagateError(key, error);
    }
    if (!this.#leave(key)) return; // killed (and forgotten) by kill(key)
    if (!this.#values.has(key)) this.#values.store(key, outcome); // unless fn posted its own key
  }

  /** The calling greenthread of `key` ends: false if `kill(key)` forgot it already. */
  #leave(key: K): boolean {
    return this.#coros.get(key)?.gt === getCurrent() && this.#coros.delete(key);
  }

  /**
   * Stores `value` for `key` and wakes everything waiting for values.
   * Never switches. `Collision` if a greenthread of the pool runs for `key`
   * (unless it is the caller), or if `key` has a value and `replace` is not
   * set. Posting a `PropagateError` makes every later read of `key` throw it.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool();
   * pool.post("a", 1);
   * pool.post("a", 2, { replace: true });
   * console.log(pool.get("a")); // 2
   * ```
   */
  post(key: K, value: V | PropagateError, options?: PostOptions): void {
    const replace = replaceOption(options);
    const coro = this.#coros.get(key);
    if (coro !== undefined && coro.gt !== getCurrent()) {
      throw new Collision(key, "post", "its greenthread is running (kill it first)");
    }
    if (this.#values.has(key) && !replace) {
      throw new Collision(key, "post", "it has a value (pass { replace: true })");
    }
    this.#values.store(key, value);
  }

  /**
   * The value of `key`, or `defaultValue` (undefined) if it has none yet.
   * Never switches. Throws the value if it is a `PropagateError`.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool({ a: 1 });
   * console.log(pool.get("a"), pool.get("b"), pool.get("b", 0)); // 1 undefined 0
   * ```
   */
  get(key: K): V | undefined;
  /** As `get(key)`, with `defaultValue` for a key without a value. */
  get<D>(key: K, defaultValue: D): V | D;
  get<D>(key: K, defaultValue?: D): V | D | undefined {
    return this.#values.has(key) ? this.#values.read(key) : defaultValue;
  }

  /**
   * The keys that have a value now (a snapshot).
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * console.log(new DAGPool({ a: 1, b: 2 }).keys()); // [ "a", "b" ]
   * ```
   */
  keys(): K[] {
    return [...this.#values.keys()];
  }

  /**
   * The `[key, value]` pairs available now (a snapshot); throws the first
   * `PropagateError` among the values, as eventlet.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * console.log(new DAGPool({ a: 1 }).items()); // [ [ "a", 1 ] ]
   * ```
   */
  items(): [K, V][] {
    return this.#values.items();
  }

  /**
   * How many greenthreads of the pool are running, those still waiting for
   * dependencies included.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool();
   * pool.spawn("a", [], () => 1);
   * console.log(pool.running()); // 1
   * await pool.wait();
   * console.log(pool.running()); // 0
   * ```
   */
  running(): number {
    return this.#coros.size;
  }

  /**
   * The keys of the running greenthreads (a snapshot).
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool();
   * pool.spawn("a", [], () => 1);
   * console.log(pool.runningKeys()); // [ "a" ]
   * ```
   */
  runningKeys(): K[] {
    return [...this.#coros.keys()];
  }

  /**
   * For a hung pool: the keys the greenthread of `key` still waits for
   * (empty once it has them all, or for a key with a value; `RangeError`
   * for any other key). Without `key`: a Map of every running greenthread
   * still waiting to the keys it waits for.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool<string, unknown>({ a: 1 });
   * pool.spawn("c", ["a", "b"], async (_key, results) => {
   *   for await (const _ of results);
   * });
   * console.log(pool.waitingFor("c")); // Set(1) { "b" }
   * await pool.kill("c");
   * ```
   */
  waitingFor(key: K): Set<K>;
  /** As `waitingFor(key)`, for every running greenthread still waiting. */
  waitingFor(): Map<K, Set<K>>;
  waitingFor(...args: [K] | []): Set<K> | Map<K, Set<K>> {
    if (args.length === 0) {
      const all = new Map<K, Set<K>>();
      for (const [key, { depends }] of this.#coros) {
        const lacking = this.#values.lacking(depends);
        if (lacking.size > 0) all.set(key, lacking);
      }
      return all;
    }
    const [key] = args;
    const coro = this.#coros.get(key);
    if (coro !== undefined) return this.#values.lacking(coro.depends);
    if (this.#values.has(key)) return new Set();
    throw new RangeError(
      `Cannot tell what DAGPool waits for: no greenthread was spawned for key ${quoteKey(key)}`,
    );
  }

  /**
   * Waits until every key of `keys` has a value (default: every key known
   * now, from preload, posts and spawns) and resolves them as a Map. A
   * switch point. Rejects with a `PropagateError` among the values.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool<string, number>({ a: 1 });
   * pool.spawn("b", ["a"], () => 2);
   * console.log(await pool.wait()); // Map(2) { "a" => 1, "b" => 2 }
   * ```
   */
  wait(keys?: Iterable<K>): Promise<Map<K, V>> {
    return collect(this.waitEach(keys)); // bad keys throw here, synchronously
  }

  /**
   * `[key, value]` for each key of `keys` (default: every key known now),
   * as soon as it has a value — ready ones first — for `for await`. Each
   * step is a switch point; a `PropagateError` value is thrown.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * import { spawn } from "@eventlet/eventlet";
   * const pool = new DAGPool<string, number>({ a: 1 });
   * spawn(() => pool.post("b", 2));
   * for await (const [key, value] of pool.waitEach(["b", "a"])) console.log(key, value);
   * // a 1, then b 2
   * ```
   */
  waitEach(keys?: Iterable<K>): AsyncGenerator<[K, V]> {
    return this.#values.each(this.#wanted("wait for each in DAGPool", keys), "raise");
  }

  /**
   * As `waitEach`, but yields only the values that are not a
   * `PropagateError`, and never throws one.
   *
   * @example
   * ```ts
   * import { DAGPool, PropagateError } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool({ a: 1, b: new PropagateError("b", new Error("no")) });
   * for await (const [key] of pool.waitEachSuccess()) console.log(key); // a
   * ```
   */
  waitEachSuccess(keys?: Iterable<K>): AsyncGenerator<[K, V]> {
    return this.#values.each(this.#wanted("wait for each in DAGPool", keys), "successes");
  }

  /**
   * As `waitEach`, but yields only the `PropagateError` values, as values.
   *
   * @example
   * ```ts
   * import { DAGPool, PropagateError } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool({ a: 1, b: new PropagateError("b", new Error("no")) });
   * for await (const [key, e] of pool.waitEachException()) console.log(key, e.message);
   * // b PropagateError(b): Error: no
   * ```
   */
  waitEachException(keys?: Iterable<K>): AsyncGenerator<[K, PropagateError]> {
    return this.#values.each(this.#wanted("wait for each in DAGPool", keys), "errors");
  }

  /** The keys a wait is for: `keys`, or every key known now. */
  #wanted(action: string, keys: Iterable<K> | undefined): Set<K> {
    if (keys !== undefined) return keySet(action, "keys", keys);
    return new Set([...this.#coros.keys(), ...this.#values.keys()]);
  }

  /**
   * Kills the running greenthread of `key` and forgets it: no value is
   * posted, and `key` may be spawned or posted again. Resolves once it has
   * ended (a switch point). A key with no running greenthread: `RangeError`
   * (eventlet's KeyError), thrown at once.
   *
   * @example
   * ```ts
   * import { DAGPool } from "@eventlet/eventlet/dagpool";
   * const pool = new DAGPool();
   * pool.spawn("a", ["never"], async (_key, results) => {
   *   for await (const _ of results);
   * });
   * await pool.kill("a");
   * console.log(pool.running(), pool.get("a")); // 0 undefined
   * ```
   */
  kill(key: K): Promise<void> {
    const coro = this.#coros.get(key);
    if (coro === undefined) {
      throw new RangeError(
        `Cannot kill in DAGPool: no greenthread is running for key ${quoteKey(key)}`,
      );
    }
    this.#coros.delete(key);
    return coro.gt.kill();
  }
}
