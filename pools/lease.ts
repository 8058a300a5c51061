/**
 * The lease `Pool.item()` hands out: an item with a `Symbol.dispose` that
 * puts it back, so `using lease = await pool.item()` returns it at the end
 * of the block however the block ends (eventlet's `with pool.item() as x`).
 *
 * @module
 */

/**
 * An item lent by `Pool.item()`: leaving a `using` block puts `value` back.
 *
 * @example
 * ```ts
 * import { Pool } from "@eventlet/eventlet/pools";
 * using pool = new Pool({ create: () => ({ queries: 0 }), maxSize: 1 });
 * {
 *   using conn = await pool.item();
 *   conn.value.queries++;
 *   console.log(pool.free()); // 0
 * }
 * console.log(pool.free()); // 1: put back at the end of the block
 * ```
 */
export interface PoolLease<T> extends Disposable {
  /** The item. */
  readonly value: T;
}

/** A lease on `value`; disposing of it a second time does nothing. */
export class Lease<T> implements PoolLease<T> {
  readonly value: T;
  #pool: { put(item: T): void } | null;

  constructor(pool: { put(item: T): void }, value: T) {
    this.#pool = pool;
    this.value = value;
  }

  [Symbol.dispose](): void {
    const pool = this.#pool;
    if (pool === null) return;
    this.#pool = null;
    pool.put(this.value);
  }
}
