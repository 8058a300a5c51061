/**
 * Transitional: the old name of a greenthread for net/, tpool/ and debug/
 * code written before the hub's low-level split (issue 14). It goes once
 * those call sites import from lowlevel.ts.
 *
 * @module
 */

export { GreenThread as Greenlet } from "./greenthread.ts";
