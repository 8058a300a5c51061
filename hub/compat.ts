/**
 * Transitional: the hub's methods of before the low-level split (issue 14),
 * for net/, tpool/, patcher/ and debug/blocking.ts while another change is
 * under way there. Each forwards to lowlevel.ts; this file goes once those
 * call sites import lowlevel.ts.
 *
 * @module
 */

import type { GreenThread } from "./greenthread.ts";
import { type Park, rejectAfter, resolveAfter, setDeadline, suspend } from "./park.ts";
import * as park from "./park.ts";
import * as points from "./switch_points.ts";
import * as scheduler from "./scheduler.ts";

let watch: Int32Array | null = null;
let onBlock: ((g: GreenThread | undefined, blockedMs: number) => void) | null = null;

/** The old `Hub` methods, installed on `Hub.prototype` by hub.ts. */
export const legacyHubMethods = {
  newPark: (g: GreenThread, what: string): Park => park.newPark(g, what),
  suspend: <T>(p: Park): Promise<T> => suspend(p),
  setDeadline: (p: Park, seconds: number, value: unknown, rejects: boolean): void =>
    setDeadline(p, rejects ? rejectAfter(seconds, value) : resolveAfter(seconds, value)),
  wake: (p: Park, value: unknown): boolean => park.wake(p, value),
  wakeWithError: (p: Park, error: unknown): boolean => park.wakeWithError(p, error),
  completed: <T>(g: GreenThread, value: T): Promise<T> => points.completed(g, value),
  failed: <T>(g: GreenThread, error: unknown): Promise<T> => points.failed(g, error),
  deliverPending: <T>(g: GreenThread): Promise<T> => points.deliverPending(g),
  awaitForeign: points.awaitForeign,
  throwInto: (g: GreenThread, error: unknown, source?: unknown): void =>
    points.throwInto(g, error, source),
  reportError: (error: unknown, g?: GreenThread): void => scheduler.reportError(error, g),
  budgetSpent: (): boolean => scheduler.budgetSpent(),
  checkBlocked: (g: GreenThread | undefined): void => scheduler.checkBlocked(g),
};

/** The old `hub.blockWatch`/`hub.onBlocked`/`hub.captureSpawnSites` fields. */
export const legacyHubFields: PropertyDescriptorMap = {
  blockWatch: {
    get: () => watch,
    set(value: Int32Array | null) {
      watch = value;
      scheduler.setBlockWatch(watch, onBlock);
    },
  },
  onBlocked: {
    get: () => onBlock,
    set(value: ((g: GreenThread | undefined, blockedMs: number) => void) | null) {
      onBlock = value;
      scheduler.setBlockWatch(watch, onBlock);
    },
  },
  captureSpawnSites: {
    get: () => scheduler.captureSpawnSites,
    set: (on: boolean) => scheduler.setCaptureSpawnSites(on),
  },
};
