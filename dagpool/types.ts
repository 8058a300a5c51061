/**
 * The types DAGPool's methods take: the greenthread function, preload
 * values, dependency maps, and post options.
 *
 * @module
 */

/**
 * The function of a DAGPool greenthread: gets its own `key` and `results`,
 * which yields `[key, value]` for each of its dependencies in the order they
 * become available (a switch point while none is ready; a failed
 * dependency throws its `PropagateError`). What it returns (or resolves)
 * becomes the value of `key`.
 */
export type DAGFunction<K, V> = (
  key: K,
  results: AsyncIterable<[K, V]>,
) => V | PromiseLike<V>;

/**
 * Initial values: a `Map`, an array (any iterable) of `[key, value]` pairs,
 * or an object (whose keys are strings).
 */
export type DAGPreload<K, V> = Iterable<readonly [K, V]> | Record<string, V>;

/** Dependencies of `spawnMany`: key → the keys it depends on, as a `Map`, pairs or an object. */
export type DAGDependencies<K> =
  | Iterable<readonly [K, Iterable<K>]>
  | Record<string, Iterable<K>>;

/** Options of `DAGPool.post`. */
export interface PostOptions {
  /** Overwrite a value the key already has (default false: a `Collision`). */
  replace?: boolean;
}
