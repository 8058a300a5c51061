/**
 * Debugging aids: blocking detection and listings of greenthreads and timers.
 *
 * @example
 * ```ts
 * import { formatGreenthreads, formatHubTimers } from "@eventlet/eventlet/debug";
 * console.log(formatGreenthreads());
 * console.log(formatHubTimers());
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { BlockingDetected, hubBlockingDetection } from "./blocking.ts";
// The type of BlockingDetected.greenthread, so this entry point documents itself on its own.
export type { GreenThread, LinkCallback } from "../hub/greenthread.ts";
export type { BlockingDetectionOptions } from "./blocking.ts";
export { captureSpawnSites, formatGreenthreads, formatHubTimers } from "./format.ts";
export { inspect, Inspector } from "./inspect.ts";
export type { InspectableServer, InspectOptions } from "./inspect.ts";
