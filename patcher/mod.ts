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
 * // A slow fetch is now aborted when the Timeout fires:
 * const res = await withTimeout(5, () => fetch("http://localhost:1/"), { timeoutValue: null })
 *   .catch(() => null);
 * console.log(res);
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
