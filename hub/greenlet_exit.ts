/**
 * GreenletExit: the error `kill()` throws into a greenthread by default.
 *
 * @module
 */

/**
 * Thrown into a greenthread by `kill()` (the default error). A greenthread
 * that ends with it counts as killed, not failed, and it is never reported
 * to `hub.onError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GreenletExit, sleep, spawn } from "@eventlet/eventlet";
 * const gt = spawn(() => sleep(10));
 * await gt.kill();
 * await assert.rejects(gt.wait(), GreenletExit);
 * ```
 */
export class GreenletExit extends Error {
  /** Makes a GreenletExit; `message` defaults to "Greenthread was killed". */
  constructor(message = "Greenthread was killed") {
    super(message);
    this.name = "GreenletExit";
  }
}

/** True for a GreenletExit (a kill). */
export function isKill(error: unknown): boolean {
  return error instanceof GreenletExit;
}
