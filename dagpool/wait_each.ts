/**
 * The one waiting loop of DAGPool, behind `waitEach`, `wait` and a pool
 * greenthread's `results`: deliver each wanted key as soon as it has a
 * value, and sleep on the pool's current Event (sent by the next `post`)
 * while none of the remaining keys has one.
 *
 * @module
 */

import { Event } from "../green/event.ts";
import { PropagateError } from "./errors.ts";

/** What the loop reads of its pool. */
export interface ValueSource<K> {
  /** The values posted so far. */
  readonly values: ReadonlyMap<K, unknown>;
  /** The Event the next `post` sends. */
  nextPost(): Event<void>;
}

/** What to do with a `PropagateError` value. */
export type ErrorMode = "raise" | "all" | "successes" | "errors";

// An Event sent once and for all: waiting on it is the cheapest switch
// point there is (a pending kill is delivered, the loop budget is checked)
// and it suspends nothing otherwise, as eventlet's wait_each on ready values.
const passed = new Event<void>();
passed.send();

/**
 * Yields `[key, value]` for every key of `pending` (which it empties) in
 * the order the values become available; `mode` says what happens to a
 * `PropagateError`: thrown ("raise"), yielded ("all"), skipped
 * ("successes") or the only thing yielded ("errors").
 */
export async function* eachValue<K, V>(
  source: ValueSource<K>,
  pending: Set<K>,
  mode: ErrorMode,
): AsyncGenerator<[K, V]> {
  for (;;) {
    let delivered = false;
    for (const key of pending) {
      if (!source.values.has(key)) continue;
      delivered = true;
      pending.delete(key);
      await passed.wait();
      const value = source.values.get(key);
      const failed = value instanceof PropagateError;
      if (failed && mode === "raise") throw value;
      if ((failed && mode === "successes") || (!failed && mode === "errors")) continue;
      yield [key, value as V];
    }
    if (pending.size === 0) return;
    // A key checked early in a pass may have got its value at a later
    // switch point of that pass: sleep only after a pass that found nothing
    // (it had no switch point, so nothing can have been posted since).
    if (!delivered) await source.nextPost().wait();
  }
}

/** Everything `pairs` yields, as a Map. */
export async function collect<K, V>(pairs: AsyncIterable<[K, V]>): Promise<Map<K, V>> {
  const all = new Map<K, V>();
  for await (const [key, value] of pairs) all.set(key, value);
  return all;
}
