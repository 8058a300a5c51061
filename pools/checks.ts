/**
 * Argument checks of the pools: clear `TypeError`/`RangeError`s in the
 * package's style ("Cannot <action>: <name> must be …, received …"), so bad
 * input never fails later with an engine error.
 *
 * @module
 */

/** A short description of `value` for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value;
}

/** Throws a `TypeError` unless `value` is a plain options object (or undefined). */
export function checkOptions(
  action: string,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot ${action}: options must be an object, received ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`Cannot ${action}: unknown option, received ${JSON.stringify(key)}`);
    }
  }
  return value as Record<string, unknown>;
}

/** A size: an integer ≥ `least` (1 for "positive", 0 for "non-negative"). */
export function checkSize(action: string, name: string, value: unknown, least: 0 | 1): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < least) {
    const kind = least === 1 ? "a positive integer" : "a non-negative integer";
    throw new RangeError(`Cannot ${action}: ${name} must be ${kind}, received ${value}`);
  }
  return value;
}

/**
 * A lifetime in seconds, or undefined for none: a number ≥ 0 (Infinity is
 * none too). Returns milliseconds.
 */
export function checkLifetime(action: string, name: string, value: unknown): number {
  if (value === undefined || value === Infinity) return Infinity;
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, received ${describe(value)}`);
  }
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(
      `Cannot ${action}: ${name} must be a non-negative number of seconds, received ${value}`,
    );
  }
  return value * 1000;
}

/** Throws a `TypeError` unless `value` is a function (or undefined when optional). */
export function checkCallback(
  action: string,
  name: string,
  value: unknown,
  optional: boolean,
): void {
  if (value === undefined && optional) return;
  if (typeof value !== "function") {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a function, received ${describe(value)}`,
    );
  }
}

/** True for a promise or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}
