/**
 * The checks of a DAGPool spawn, done before anything starts so that a
 * refused `spawnMany` spawns nothing: a key used twice is a `Collision`,
 * and a greenthread that would wait, directly or through others, for its
 * own key (it would wait forever) is a `RangeError` naming the cycle.
 *
 * @module
 */

import { Collision, formatKey, quoteKey } from "./errors.ts";

/** What checkBatch reads of the pool. */
export interface PoolKeys<K> {
  /** True if a greenthread of the pool runs for `key`. */
  spawned(key: K): boolean;
  /** True if `key` has a value. */
  hasValue(key: K): boolean;
  /** The dependencies of the running greenthread of `key` (none if there is none). */
  dependsOf(key: K): Iterable<K>;
}

/**
 * Checks a batch of spawns (`[key, dependencies]`, one for `spawn`) and
 * returns it as a Map; throws `Collision` or a cycle's `RangeError`.
 */
export function checkBatch<K>(batch: [K, Set<K>][], pool: PoolKeys<K>): Map<K, Set<K>> {
  const action = batch.length === 1 ? "spawn" : "spawn many of";
  const fresh = new Map<K, Set<K>>();
  for (const [key, deps] of batch) {
    if (pool.spawned(key) || fresh.has(key)) {
      throw new Collision(key, action, "it was spawned already");
    }
    if (pool.hasValue(key)) throw new Collision(key, action, "it has a value");
    fresh.set(key, deps);
  }
  const unresolved = (key: K): K[] =>
    [...(fresh.get(key) ?? pool.dependsOf(key))].filter((d) => !pool.hasValue(d));
  const cycle = findCycle(fresh.keys(), unresolved);
  if (cycle !== null) {
    throw new RangeError(
      `Cannot ${action} ${quoteKey(cycle[0])} in DAGPool: ` +
        `its dependencies form a cycle, received ${cycle.map(formatKey).join(" → ")}`,
    );
  }
  return fresh;
}

/**
 * Finds a cycle through one of `starts` in the graph whose edges are
 * `next(key)` (a key's unresolved dependencies). Returns the cycle as a path
 * that ends where it began (`[a, b, a]`), or null. Iterative depth-first
 * search, so a long chain cannot overflow the stack.
 */
export function findCycle<K>(starts: Iterable<K>, next: (key: K) => Iterable<K>): K[] | null {
  const done = new Set<K>();
  for (const start of starts) {
    if (done.has(start)) continue;
    // The current path, and for each of its keys the iterator of its edges.
    const path: K[] = [start];
    const onPath = new Set<K>([start]);
    const edges: Iterator<K>[] = [next(start)[Symbol.iterator]()];
    while (path.length > 0) {
      const step = edges[edges.length - 1].next();
      if (step.done) {
        const key = path.pop()!;
        edges.pop();
        onPath.delete(key);
        done.add(key);
        continue;
      }
      const to = step.value;
      if (onPath.has(to)) return [...path.slice(path.indexOf(to)), to];
      if (done.has(to)) continue;
      path.push(to);
      onPath.add(to);
      edges.push(next(to)[Symbol.iterator]());
    }
  }
  return null;
}
