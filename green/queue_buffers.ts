/**
 * The item buffers behind the queue family: the order in which a queue
 * hands out the items it holds.
 *
 * `LightQueue`/`Queue` use hub/fifo.ts's ring buffer (first in, first out);
 * `LifoQueue` a stack; `PriorityQueue` a binary heap, lowest first, with a
 * sequence number so that equal priorities come out in insertion order.
 * Internal: not exported from the package.
 *
 * @module
 */

/** What a queue needs from its buffer. `shift` is only called when `length > 0`. */
export interface ItemBuffer<T> {
  /** How many items it holds. */
  readonly length: number;
  /** Adds an item. */
  push(item: T): void;
  /** Removes and returns the next item to hand out. */
  shift(): T | undefined;
}

/** Last in, first out. */
export class Stack<T> implements ItemBuffer<T> {
  #items: T[] = [];

  /** How many items it holds. */
  get length(): number {
    return this.#items.length;
  }

  /** Adds an item on top. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the top item. */
  shift(): T | undefined {
    return this.#items.pop();
  }
}

/** A compare function: negative when `a` comes out before `b`. */
export type Compare<T> = (a: T, b: T) => number;

/** Which kind of priority a default-compared PriorityQueue holds. */
export type PriorityKind = "" | "number" | "string";

/** The priority of `item` in the default order: its first element if it is a tuple. */
function priorityOf(item: unknown): unknown {
  return Array.isArray(item) ? item[0] : item;
}

/**
 * Checks the priority of `item` for the default order (the item itself, or
 * the first element of a `[priority, item]` tuple): throws `TypeError` unless
 * it is a number (not NaN), a bigint or a string, and unless it is of the
 * same kind as the queue's earlier priorities (`kind`; numbers and bigints
 * mix). Returns the kind.
 */
export function checkPriority(item: unknown, kind: PriorityKind): PriorityKind {
  const key = priorityOf(item);
  let itsKind: PriorityKind;
  if (typeof key === "number") {
    if (Number.isNaN(key)) {
      throw new TypeError(
        "Cannot put into PriorityQueue: the priority must not be NaN, received NaN",
      );
    }
    itsKind = "number";
  } else if (typeof key === "bigint") itsKind = "number";
  else if (typeof key === "string") itsKind = "string";
  else {
    throw new TypeError(
      "Cannot put into PriorityQueue: without a compare function an item must be a number, " +
        `a bigint, a string or a [priority, item] tuple, received ${describe(key)}`,
    );
  }
  if (kind !== "" && kind !== itsKind) {
    throw new TypeError(
      `Cannot put into PriorityQueue: its priorities are ${kind}s, received a ${itsKind}`,
    );
  }
  return itsKind;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

interface Entry<T> {
  item: T;
  /** The priority (default order only). */
  key: number | bigint | string | undefined;
  /** Insertion order: the tie-break. */
  seq: number;
}

/**
 * A binary min-heap: the lowest item first, equal ones in insertion order.
 * Without `compare`, items are ordered by `checkPriority`'s key (the caller
 * validated them); with it, by `compare(a, b)`.
 */
export class PriorityHeap<T> implements ItemBuffer<T> {
  #heap: Entry<T>[] = [];
  #seq = 0;
  #compare: Compare<T> | null;

  constructor(compare?: Compare<T>) {
    this.#compare = compare ?? null;
  }

  /** How many items it holds. */
  get length(): number {
    return this.#heap.length;
  }

  /** Adds an item (O(log n)). */
  push(item: T): void {
    const key = this.#compare === null ? priorityOf(item) as Entry<T>["key"] : undefined;
    const heap = this.#heap;
    const entry: Entry<T> = { item, key, seq: this.#seq++ };
    // Sift up with a hole: move parents down until the entry's place is
    // found. `finally` fills the hole even if a custom compare throws, so
    // no entry is ever lost or duplicated (the order may then be off).
    let i = heap.length;
    heap.push(entry);
    try {
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.#before(entry, heap[parent])) break;
        heap[i] = heap[parent];
        i = parent;
      }
    } finally {
      heap[i] = entry;
    }
  }

  /** Removes and returns the lowest item (O(log n)). */
  shift(): T | undefined {
    const heap = this.#heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      // Sift the last entry down from the root (hole filled as in push).
      let i = 0;
      try {
        for (;;) {
          let child = 2 * i + 1;
          if (child >= n) break;
          if (child + 1 < n && this.#before(heap[child + 1], heap[child])) child++;
          if (!this.#before(heap[child], last)) break;
          heap[i] = heap[child];
          i = child;
        }
      } finally {
        heap[i] = last;
      }
    }
    return top.item;
  }

  /** True if `a` comes out before `b`. */
  #before(a: Entry<T>, b: Entry<T>): boolean {
    let c: number;
    if (this.#compare === null) {
      const ka = a.key!, kb = b.key!;
      c = ka < kb ? -1 : ka > kb ? 1 : 0;
    } else c = this.#compare(a.item, b.item);
    return c < 0 || (c === 0 && a.seq < b.seq);
  }
}
