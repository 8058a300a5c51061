/**
 * Helpers shared by the side-by-side benchmark scripts: command-line
 * arguments, timing, medians and number formatting. Machines here are shared
 * and noisy, so every script alternates ours and the baseline in one process
 * run and compares medians.
 *
 * @module
 */

/** The value of `--name=value` on the command line, or undefined. */
export function arg(name: string): string | undefined {
  const hit = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

/** The median of `xs` (the upper one for an even count). */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** How long `fn` takes, in milliseconds. */
export async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** 12345678 → "12.35M", 54321 → "54k". */
export function formatRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(0)}k`;
  return x.toFixed(0);
}
