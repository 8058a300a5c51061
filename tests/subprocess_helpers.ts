/**
 * Helpers of the subprocess tests: decoding a child's output, and telling
 * from /proc whether a child still exists.
 */

/** A child's output as text (`null`, for a stream not piped, is an error). */
export const dec = (b: Uint8Array | null): string => new TextDecoder().decode(b!);

/** True while /proc lists the pid (a zombie counts: it is not reaped yet). */
export function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
