/**
 * GreenletExit, where green/ code looks for it; it lives in
 * hub/greenlet_exit.ts beside GreenThread, which throws it.
 *
 * @module
 */

export { GreenletExit, isKill } from "../hub/greenlet_exit.ts";
