/**
 * Resource pools (eventlet's `eventlet.pools`, with `db_pool`'s lifetimes):
 * `Pool` lends at most `maxSize` reusable items — connections, clients — to
 * greenthreads, creating them on demand, waiting while all are out, and
 * disposing of stale ones; `TokenPool` hands out opaque tokens.
 *
 * `get()` and `item()` are switch points; `put`, `resize` and `close` never
 * switch. A kill or `Timeout` anywhere in a `get` (waiting, or inside an
 * async `create`) never loses capacity.
 *
 * @example
 * ```ts
 * import { Pool } from "@eventlet/eventlet/pools";
 * import { sleep, spawn } from "@eventlet/eventlet";
 * using pool = new Pool({
 *   create: async () => {
 *     await sleep(0.001); // connecting…
 *     return { query: (q: string) => `result of ${q}` };
 *   },
 *   maxSize: 2,
 *   maxIdle: 30,
 * });
 * const gts = ["a", "b", "c"].map((q) =>
 *   spawn(async () => {
 *     using conn = await pool.item();
 *     return conn.value.query(q);
 *   })
 * );
 * for (const gt of gts) console.log(await gt.wait());
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { Pool } from "./pool.ts";
export type { PoolOptions } from "./pool.ts";
export type { PoolLease } from "./lease.ts";
export { TokenPool } from "./token_pool.ts";
