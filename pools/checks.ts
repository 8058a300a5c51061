/**
 * The argument checks the pools need beyond the shared ones of
 * hub/checks.ts: an options object with no unknown names,
 * and a lifetime in seconds. Same style: "Cannot <action>: <name> must be
 * …, received …".
 *
 * @module
 */

import { typeName } from "../hub/checks.ts";

/**
 * Throws a `TypeError` unless `value` is a plain options object with known
 * names only; undefined is an empty one (so a missing required option is
 * named).
 */
export function checkOptions(
  action: string,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot ${action}: options must be an object, received ${typeName(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`Cannot ${action}: unknown option, received ${JSON.stringify(key)}`);
    }
  }
  return value as Record<string, unknown>;
}

/**
 * A lifetime in seconds, or undefined for none: a number ≥ 0 (Infinity is
 * none too). Returns milliseconds.
 */
export function checkLifetime(action: string, name: string, value: unknown): number {
  if (value === undefined || value === Infinity) return Infinity;
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, received ${typeName(value)}`);
  }
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(
      `Cannot ${action}: ${name} must be a non-negative number of seconds, received ${value}`,
    );
  }
  return value * 1000;
}
