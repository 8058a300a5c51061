/**
 * Argument checks shared by every module: clear `TypeError`/`RangeError`s
 * in the package's style, "Cannot <action>: <name> must be …, received …".
 *
 * @module
 */

/** A short name for the type of `value` in an error message. */
export function typeName(value: unknown): string {
  return value === null ? "null" : typeof value;
}

/**
 * Seconds for a delay or timeout: a number, not NaN; negative means 0.
 * Throws `TypeError` for a non-number and `RangeError` for NaN.
 */
export function checkSeconds(action: string, seconds: unknown, name = "seconds"): number {
  if (typeof seconds !== "number") {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a number, received ${typeName(seconds)}`,
    );
  }
  if (Number.isNaN(seconds)) {
    throw new RangeError(`Cannot ${action}: ${name} must not be NaN, received NaN`);
  }
  return seconds < 0 ? 0 : seconds;
}

/**
 * A count: a non-negative integer. Throws `TypeError` for a non-number and
 * `RangeError` for a negative, fractional or NaN one.
 */
export function checkCount(action: string, name: string, value: unknown): number {
  return checkInteger(action, name, value, 0);
}

/**
 * A size that must hold at least one (`maxSize`, `concurrency`): a positive
 * integer. Throws `TypeError` for a non-number and `RangeError` for 0, a
 * negative, fractional or NaN one.
 */
export function checkPositiveInteger(action: string, name: string, value: unknown): number {
  return checkInteger(action, name, value, 1);
}

function checkInteger(action: string, name: string, value: unknown, min: 0 | 1): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, received ${typeName(value)}`);
  }
  if (!Number.isInteger(value) || value < min) {
    const kind = min === 0 ? "non-negative" : "positive";
    throw new RangeError(`Cannot ${action}: ${name} must be a ${kind} integer, received ${value}`);
  }
  return value;
}

/**
 * A span of seconds that must be finite (a clock jump, a grace period):
 * `TypeError` for a non-number, `RangeError` for a negative, NaN or
 * infinite one. Unlike `checkSeconds`, nothing is clamped.
 */
export function checkFiniteSeconds(action: string, name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, received ${typeName(value)}`);
  }
  if (!(value >= 0) || value === Infinity) {
    throw new RangeError(
      `Cannot ${action}: ${name} must be a non-negative finite number, received ${value}`,
    );
  }
  return value;
}

/** Throws a `TypeError` unless `fn` is a function. */
export function checkFunction(action: string, fn: unknown, name = "fn"): void {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a function, received ${typeName(fn)}`,
    );
  }
}
