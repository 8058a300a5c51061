/**
 * Argument checks and conversions of DAGPool: preload and dependency maps
 * given as a `Map`, pairs or an object; keys given as any iterable; post's
 * options. Bad input is a clear `TypeError`, never an engine error later
 * (the checks every module shares are in hub/checks.ts).
 *
 * @module
 */

import { typeName } from "../hub/checks.ts";
import { formatKey } from "./errors.ts";
import type { PostOptions } from "./types.ts";

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

/** `spawnMany`'s dependencies as `[key, dependencies]` pairs. */
export function dependencyBatch<K>(action: string, depends: unknown): [K, Set<K>][] {
  return pairsOf<K, Iterable<K>>(action, "depends", depends)
    .map(([key, deps]) => [key, keySet<K>(action, `depends[${formatKey(key)}]`, deps)]);
}

/** The `replace` flag of `post`'s options (default false). */
export function replaceOption(options: PostOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot post in DAGPool: options must be an object, received ${typeName(options)}`,
    );
  }
  const replace = options.replace ?? false;
  if (typeof replace !== "boolean") {
    throw new TypeError(
      `Cannot post in DAGPool: replace must be a boolean, received ${typeName(replace)}`,
    );
  }
  return replace;
}
