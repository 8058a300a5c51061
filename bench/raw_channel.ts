/**
 * The raw baseline of the queue benchmarks: a minimal bounded channel from
 * plain promises and resolvers, with none of Queue's guarantees (no kill or
 * timeout handling, no lockstep for capacity 0, no loop budget).
 *
 * @module
 */

/** A minimal bounded channel from plain promises and resolvers. */
export class RawChannel<T> {
  #items: T[] = [];
  #getters: ((item: T) => void)[] = [];
  #putters: { item: T; resolve: () => void }[] = [];
  constructor(readonly capacity: number) {}

  put(item: T): Promise<void> {
    if (this.#getters.length > 0) {
      this.#getters.shift()!(item);
      return Promise.resolve();
    }
    if (this.#items.length < this.capacity) {
      this.#items.push(item);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#putters.push({ item, resolve }));
  }

  get(): Promise<T> {
    if (this.#items.length > 0) {
      const item = this.#items.shift()!;
      if (this.#putters.length > 0) {
        const putter = this.#putters.shift()!;
        this.#items.push(putter.item);
        putter.resolve();
      }
      return Promise.resolve(item);
    }
    if (this.#putters.length > 0) {
      // capacity 0: take straight from a waiting putter
      const putter = this.#putters.shift()!;
      putter.resolve();
      return Promise.resolve(putter.item);
    }
    return new Promise((resolve) => this.#getters.push(resolve));
  }
}
