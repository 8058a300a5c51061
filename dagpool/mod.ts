/**
 * DAGPool (eventlet's `eventlet.dagpool`): greenthreads that wait for each
 * other's results. Spawn each with a key and the keys it depends on; it
 * reads their values as they become available, and its return value
 * becomes its own key's value. A failure travels downstream as a
 * `PropagateError`; a dependency cycle is refused at once.
 *
 * @example
 * ```ts
 * import { DAGPool } from "@eventlet/eventlet/dagpool";
 * import { sleep } from "@eventlet/eventlet";
 * const pool = new DAGPool<string, string>();
 * const build = async (key: string, deps: AsyncIterable<[string, string]>) => {
 *   const parts = [];
 *   for await (const [, value] of deps) parts.push(value);
 *   await sleep(0.001);
 *   return `${key}(${parts.sort().join(",")})`;
 * };
 * pool.spawnMany({ app: ["lib", "util"], lib: ["util"], util: [] }, build);
 * console.log(pool.get("app")); // undefined: not built yet
 * console.log((await pool.wait(["app"])).get("app")); // app(lib(util()),util())
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { DAGPool } from "./dagpool.ts";
export type { DAGDependencies, DAGFunction, DAGPreload, PostOptions } from "./types.ts";
export { Collision, PropagateError } from "./errors.ts";
