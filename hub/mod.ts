/**
 * The hub: the per-thread scheduler that greenthreads run on.
 *
 * Most programs never touch it; use it to replace the error handler
 * (`getHub().onError`), to schedule plain callbacks
 * (`scheduleCallGlobal`/`scheduleCallLocal`), to look inside
 * (`greenthreads()`, `stats()`), or to observe it with instruments
 * (`getHub().instruments.add(…)`).
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
export { Timer } from "./user_timer.ts";
export { Instruments } from "./instruments.ts";
export type { Instrument } from "./instruments.ts";
export { GreenletExit, GreenThread } from "./greenthread.ts";
export type { LinkCallback } from "./greenthread.ts";
