/**
 * A first-in first-out queue on a growable ring buffer.
 *
 * The hub's run queue and the queues of `green/` push and shift on every
 * switch, so this is a hot path: `Array.prototype.shift` is O(n) once V8
 * leaves its fast mode, a ring buffer is O(1) and allocation-free in steady
 * state. The capacity is always a power of two so that wrapping is a mask.
 *
 * @module
 */

/**
 * A FIFO queue with O(1) `push` and `shift`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const q = new Fifo<string>(); // internal: hub/fifo.ts
 * q.push("a");
 * q.push("b");
 * assert.deepEqual([q.shift(), q.length], ["a", 1]);
 * ```
 */
export class Fifo<T> {
  #items: (T | undefined)[] = new Array(16);
  #head = 0;
  #length = 0;

  /** How many items are queued. */
  get length(): number {
    return this.#length;
  }

  /** Appends `item` at the back. */
  push(item: T): void {
    const items = this.#items;
    if (this.#length === items.length) {
      this.#grow();
      return this.push(item);
    }
    items[(this.#head + this.#length) & (items.length - 1)] = item;
    this.#length++;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head] = undefined; // let the item be collected
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#length--;
    return item;
  }

  /** The front item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** The item `index` places from the front (0 is the front). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    return this.#items[(this.#head + index) & (this.#items.length - 1)];
  }

  /** Removes every item. */
  clear(): void {
    this.#items = new Array(16);
    this.#head = 0;
    this.#length = 0;
  }

  /** Iterates from front to back without removing anything. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.at(i) as T;
  }

  #grow(): void {
    const old = this.#items;
    const items: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.#length; i++) {
      items[i] = old[(this.#head + i) & (old.length - 1)];
    }
    this.#items = items;
    this.#head = 0;
  }
}
