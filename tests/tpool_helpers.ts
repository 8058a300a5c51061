/**
 * Shared helpers of the tpool tests: the error a promise rejects with, and
 * the thread a call runs on (a function self-contained enough to execute).
 */

/** Resolves with what `promise` rejects with; fails if it resolves. */
// deno-lint-ignore no-explicit-any
export function rejection(promise: PromiseLike<unknown>): Promise<any> {
  return Promise.resolve(promise).then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error) => error,
  );
}

/** The id of the thread it runs on (for `execute(threadId)`). */
export const threadId = async () => (await import("node:worker_threads")).threadId;
