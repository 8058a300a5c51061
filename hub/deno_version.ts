/**
 * The Deno version check, imported first by every entry point.
 *
 * The package needs Deno 2.9 or later: it uses `setImmediate` (missing before
 * 2.4: the first `spawn` fails), `MessagePort.unref` (tpool; missing in 2.7)
 * and the TLS listener address of 2.9, and Deno 2.8.3 hangs its tests. Rather
 * than fail later in odd places, importing any entry point on an older Deno
 * throws one clear error naming the version found and the one needed.
 *
 * @module
 */

/** The oldest Deno this package supports, as `[major, minor]`. */
export const MINIMUM_DENO: readonly [number, number] = [2, 9];

/**
 * Returns the error message for a Deno `version` string older than
 * {@link MINIMUM_DENO}, or `undefined` when it is new enough. Versions that do
 * not parse (a non-Deno runtime) pass: the check is for old Denos only.
 */
export function denoVersionProblem(version: string | undefined): string | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version ?? "");
  if (match === null) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const [needMajor, needMinor] = MINIMUM_DENO;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `Cannot load @eventlet/eventlet: it needs Deno ${needMajor}.${needMinor} or later, ` +
    `received Deno ${version}`;
}

const problem = denoVersionProblem(globalThis.Deno?.version?.deno);
if (problem !== undefined) throw new Error(problem);
