/**
 * Argument checks and conversions of DAGPool: preload and dependency maps
 * given as a `Map`, pairs or an object; keys given as any iterable. Bad
 * input is a clear `TypeError`, never an engine error later.
 *
 * @module
 */

/** A short name for the type of `value` in an error message. */
export function typeName(value: unknown): string {
  return value === null ? "null" : typeof value;
}

/**
 * The `[key, value]` pairs of a `Map`, of any iterable of pairs, or of a
 * plain object's own enumerable properties.
 */
export function pairsOf<K, V>(action: string, name: string, source: unknown): [K, V][] {
  if (typeof source !== "object" || source === null) {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a Map, an iterable of [key, value] pairs or an object, received ${
        typeName(source)
      }`,
    );
  }
  if (typeof (source as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
    return Object.entries(source) as [K, V][];
  }
  const pairs: [K, V][] = [];
  for (const pair of source as Iterable<unknown>) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new TypeError(
        `Cannot ${action}: each entry of ${name} must be a [key, value] pair, received ${
          Array.isArray(pair) ? `an array of ${pair.length}` : typeName(pair)
        }`,
      );
    }
    pairs.push([pair[0], pair[1]]);
  }
  return pairs;
}

/** The keys of `keys` as a Set; a `TypeError` unless it is iterable. */
export function keySet<K>(action: string, name: string, keys: unknown): Set<K> {
  if (
    typeof keys !== "string" &&
    (typeof keys !== "object" || keys === null ||
      typeof (keys as Partial<Iterable<K>>)[Symbol.iterator] !== "function")
  ) {
    throw new TypeError(
      `Cannot ${action}: ${name} must be an iterable of keys, received ${typeName(keys)}`,
    );
  }
  return new Set(keys as Iterable<K>);
}

/** Throws a `TypeError` unless `fn` is a function. */
export function checkFn(action: string, fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot ${action}: fn must be a function, received ${typeName(fn)}`);
  }
}
