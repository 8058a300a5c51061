/**
 * The options of a Pool, and their checks: a bad option is a clear
 * `TypeError`/`RangeError` at construction, never a failure later.
 *
 * @module
 */

import { checkCount, checkFunction, checkPositiveInteger, typeName } from "../hub/checks.ts";
import { checkLifetime, checkOptions } from "./checks.ts";

/** What a `Pool` is made of; every field but `create` is optional. */
export interface PoolOptions<T> {
  /**
   * Makes a new item; may be async. It runs in the greenthread whose `get`
   * needs the item, so a kill or `Timeout` of that greenthread lands at its
   * switch points (wrap a foreign promise in `waitFor` to make it one).
   */
  create: () => T | PromiseLike<T>;
  /** Items made at once by the constructor (default 0). */
  minSize?: number;
  /** The most items out of the pool at once (default 4, a positive integer). */
  maxSize?: number;
  /** Hand out the free item put back longest ago first (default true); false: the latest. */
  orderAsFifo?: boolean;
  /** Seconds a free item may stay unused before it is disposed of (default: forever). */
  maxIdle?: number;
  /** Seconds an item may live at all; an older one is disposed of when free or put back. */
  maxAge?: number;
  /** Called with every item the pool drops (stale, invalid, excess, closed); may be async. */
  dispose?: (item: T) => unknown;
  /** Called before a free item is handed out: it is lent only if this returns (or resolves) true. */
  validate?: (item: T) => boolean | PromiseLike<boolean>;
}

/** PoolOptions checked, with defaults filled in and lifetimes in ms. */
export interface ParsedPoolOptions<T> {
  create: () => T | PromiseLike<T>;
  dispose: ((item: T) => unknown) | undefined;
  validate: ((item: T) => boolean | PromiseLike<boolean>) | undefined;
  minSize: number;
  maxSize: number;
  orderAsFifo: boolean;
  maxIdleMs: number;
  maxAgeMs: number;
}

const OPTION_NAMES = [
  "create",
  "minSize",
  "maxSize",
  "orderAsFifo",
  "maxIdle",
  "maxAge",
  "dispose",
  "validate",
] as const;

/** Checks `options` for the constructor (`action`: "create Pool"). */
export function parsePoolOptions<T>(action: string, options: PoolOptions<T>): ParsedPoolOptions<T> {
  const o = checkOptions(action, options, OPTION_NAMES);
  checkFunction(action, o.create, "create");
  if (o.dispose !== undefined) checkFunction(action, o.dispose, "dispose");
  if (o.validate !== undefined) checkFunction(action, o.validate, "validate");
  const maxSize = checkPositiveInteger(action, "maxSize", o.maxSize ?? 4);
  const minSize = checkCount(action, "minSize", o.minSize ?? 0);
  if (minSize > maxSize) {
    throw new RangeError(
      `Cannot ${action}: minSize must not exceed maxSize ${maxSize}, received ${minSize}`,
    );
  }
  const orderAsFifo = o.orderAsFifo ?? true;
  if (typeof orderAsFifo !== "boolean") {
    throw new TypeError(
      `Cannot ${action}: orderAsFifo must be a boolean, received ${typeName(orderAsFifo)}`,
    );
  }
  return {
    create: options.create,
    dispose: options.dispose,
    validate: options.validate,
    minSize,
    maxSize,
    orderAsFifo,
    maxIdleMs: checkLifetime(action, "maxIdle", o.maxIdle),
    maxAgeMs: checkLifetime(action, "maxAge", o.maxAge),
  };
}
