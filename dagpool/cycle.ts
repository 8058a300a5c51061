/**
 * Cycle detection for DAGPool: a greenthread that waits, directly or
 * through others, for its own key would wait forever, so `spawn` and
 * `spawnMany` refuse it at once.
 *
 * @module
 */

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
