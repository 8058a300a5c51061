/**
 * Helpers shared by the workload programs in this folder: read `--name=value`
 * arguments, measure memory, and print the one JSON line of figures that
 * `bench/compare.ts` reads. (Timing: `time` from `../common.ts`.)
 *
 * @module
 */

import { arg } from "../common.ts";

/** The integer value of `--name=value` on the command line, or `fallback`. */
export function intArg(name: string, fallback: number): number {
  const text = arg(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot read --${name}: expected a non-negative integer, received ${text}`,
    );
  }
  return value;
}

/** Prints the program's figures as one JSON line (the last line of its output). */
export function report(figures: Record<string, number | string>): void {
  console.log(JSON.stringify(figures));
}

/** Resident set size in bytes, from /proc/self/statm (Linux), else NaN. */
export function rssBytes(): number {
  try {
    const pages = Number(Deno.readTextFileSync("/proc/self/statm").split(" ")[1]);
    return pages * 4096;
  } catch {
    return NaN;
  }
}

/** Runs a full garbage collection (needs `--v8-flags=--expose-gc`). */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) {
    throw new Error("Cannot measure memory: run with --v8-flags=--expose-gc");
  }
  collect();
}
