/**
 * GreenThread and GreenletExit, where green/ code looks for them. The class
 * lives in hub/greenthread.ts: the hub makes the main greenthread itself.
 *
 * @module
 */

export { GreenletExit, GreenThread } from "../hub/greenthread.ts";
export type { LinkCallback } from "../hub/greenthread.ts";
