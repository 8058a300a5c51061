/**
 * The values of a DAGPool and the one waiting loop over them, behind
 * `wait`, `waitEach` and a pool greenthread's `results`: deliver each
 * wanted key as soon as it has a value.
 *
 * Waiting is one `Event` per generation: every `store` sends the current
 * one and puts a fresh one in its place, and each waiter re-checks the
 * keys it still lacks, as eventlet does.
 *
 * @module
 */

import { Event } from "../green/event.ts";
import { PropagateError } from "./errors.ts";

/** What a wait does with a `PropagateError` value. */
export type ErrorMode = "raise" | "successes" | "errors";

// An Event sent once and for all: waiting on it is the cheapest switch
// point there is (a pending kill is delivered, the loop budget is checked)
// and it suspends nothing otherwise, as eventlet's wait_each on ready values.
const passed = new Event<void>();
passed.send();

/** Every value posted so far, by key, and the Event the next post sends. */
export class Values<K, V> {
  readonly #map = new Map<K, V | PropagateError>();
  #nextPost = new Event<void>();

  /** True if `key` has a value. */
  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** The keys that have a value, in the order they got it. */
  keys(): IterableIterator<K> {
    return this.#map.keys();
  }

  /** The keys of `keys` that have no value yet. */
  lacking(keys: Iterable<K>): Set<K> {
    return new Set([...keys].filter((key) => !this.#map.has(key)));
  }

  /** Sets the value of `key` and wakes every waiter. Never switches. */
  store(key: K, value: V | PropagateError): void {
    this.#map.set(key, value);
    const event = this.#nextPost;
    this.#nextPost = new Event<void>();
    event.send();
  }

  /** The value of `key` (which has one); a `PropagateError` value is thrown. */
  read(key: K): V {
    const value = this.#map.get(key);
    if (value instanceof PropagateError) throw value;
    return value as V;
  }

  /** Every `[key, value]` now; the first `PropagateError` value is thrown. */
  items(): [K, V][] {
    return [...this.#map.keys()].map((key) => [key, this.read(key)]);
  }

  /**
   * Yields `[key, value]` for every key of `pending` (which it empties) in
   * the order the values become available; `mode` says what happens to a
   * `PropagateError`: thrown ("raise"), skipped ("successes") or the only
   * thing yielded ("errors", with `T` the error). Each step is a switch
   * point.
   */
  async *each<T = V>(pending: Set<K>, mode: ErrorMode): AsyncGenerator<[K, T]> {
    for (;;) {
      let delivered = false;
      for (const key of pending) {
        if (!this.#map.has(key)) continue;
        delivered = true;
        pending.delete(key);
        await passed.wait();
        const value = this.#map.get(key);
        const failed = value instanceof PropagateError;
        if (failed && mode === "raise") throw value;
        if ((failed && mode === "successes") || (!failed && mode === "errors")) continue;
        yield [key, value as T];
      }
      if (pending.size === 0) return;
      // A key checked early in a pass may have got its value at a later
      // switch point of that pass: sleep only after a pass that found nothing
      // (it had no switch point, so nothing can have been posted since).
      if (!delivered) await this.#nextPost.wait();
    }
  }
}

/** Everything `pairs` yields, as a Map. */
export async function collect<K, V>(pairs: AsyncIterable<[K, V]>): Promise<Map<K, V>> {
  const all = new Map<K, V>();
  for await (const [key, value] of pairs) all.set(key, value);
  return all;
}
