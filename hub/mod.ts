/**
 * The hub: the per-thread scheduler that greenthreads run on.
 *
 * Most programs never touch it; use it to replace the error handler
 * (`getHub().onError`), to schedule plain callbacks
 * (`scheduleCallGlobal`/`scheduleCallLocal`), or to look inside
 * (`greenthreads()`, `stats()`).
 *
 * @example
 * ```ts
 * import { getHub } from "@eventlet/eventlet/hub";
 * getHub().onError = (error, gt) => console.error(`greenthread ${gt?.id}:`, error);
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "./deno_version.ts";

export { getHub, Hub } from "./hub.ts";
export type { ErrorHandler, HubStats } from "./hub.ts";
export { Timer } from "./timer.ts";
export { Greenlet } from "./greenlet.ts";
