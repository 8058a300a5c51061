/**
 * Patching: make the platform's `fetch` and Deno's socket functions green,
 * so code written against them cooperates with greenthreads and can be
 * killed and timed out.
 *
 * @example
 * ```ts
 * import { monkeyPatch } from "@eventlet/eventlet/patcher";
 * import { withTimeout } from "@eventlet/eventlet";
 * monkeyPatch();
 * // A local server that accepts the connection and never answers.
 * const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const accepted = silent.accept();
 * // The green fetch is aborted when the Timeout fires, after 0.1 s (the
 * // platform's own fetch would wait forever: it is no switch point):
 * const started = performance.now();
 * const url = `http://127.0.0.1:${silent.addr.port}/`;
 * const res = await withTimeout(0.1, () => fetch(url), { timeoutValue: null });
 * console.log(res, performance.now() - started < 1000); // null true
 * (await accepted).close();
 * silent.close();
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { importPatched, isMonkeyPatched, monkeyPatch, original } from "./monkey_patch.ts";
export type {
  MonkeyPatchOptions,
  OriginalFunctions,
  OriginalName,
  PatchName,
} from "./monkey_patch.ts";
