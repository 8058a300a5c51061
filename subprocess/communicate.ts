/**
 * The pumps behind `GreenProcess.communicate`: one greenthread per piped
 * stream, so that writing the child's stdin and reading its stdout and
 * stderr all go on at once and a child that fills one pipe while we wait on
 * another can never deadlock us.
 *
 * The pumps belong to the process, not to the `communicate` call: when a
 * call is interrupted (its `timeout`, a `Timeout`), they keep draining the
 * pipes and feeding the input, and the next `communicate` waits for the
 * same pumps. So nothing read or written is lost or repeated.
 *
 * @module
 */

import { spawn } from "../green/spawn.ts";
import type { GreenThread } from "../hub/greenthread.ts";

/** How a pump ended: pumps never fail, so no error goes unobserved. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What `communicate` resolves: the child's stdout and stderr (null when not piped). */
export type Output = [stdout: Uint8Array | null, stderr: Uint8Array | null];

/** The work of each pump; null for a stream that is not piped. */
export interface PumpJobs {
  /** Writes the input, then closes the child's stdin. */
  stdin: (() => Promise<void>) | null;
  /** Reads the child's stdout to EOF. */
  stdout: (() => Promise<Uint8Array>) | null;
  /** Reads the child's stderr to EOF. */
  stderr: (() => Promise<Uint8Array>) | null;
}

async function pump<T>(job: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await job() };
  } catch (error) {
    return { ok: false, error };
  }
}

function start<T>(job: (() => Promise<T>) | null, name: string): GreenThread<Outcome<T>> | null {
  if (job === null) return null;
  const gt = spawn(pump<T>, job);
  gt.name = name;
  return gt;
}

/** One process's communication: its pumps, started once. */
export class Communication {
  #stdin: GreenThread<Outcome<void>> | null;
  #stdout: GreenThread<Outcome<Uint8Array>> | null;
  #stderr: GreenThread<Outcome<Uint8Array>> | null;

  /** Starts a pump for each job; `label` names them ("process 1234"). */
  constructor(jobs: PumpJobs, label: string) {
    this.#stdin = start(jobs.stdin, `communicate: stdin of ${label}`);
    this.#stdout = start(jobs.stdout, `communicate: stdout of ${label}`);
    this.#stderr = start(jobs.stderr, `communicate: stderr of ${label}`);
  }

  /**
   * Waits for every pump, one after another (each wait is a switch point
   * where a kill or Timeout may land; the pumps go on regardless). Resolves
   * the outputs, or the first pump's error as an outcome: a rejection means
   * the wait itself was interrupted.
   */
  async finish(): Promise<Outcome<Output>> {
    const input = this.#stdin === null ? null : await this.#stdin.wait();
    const out = this.#stdout === null ? null : await this.#stdout.wait();
    const err = this.#stderr === null ? null : await this.#stderr.wait();
    for (const outcome of [input, out, err]) {
      if (outcome !== null && !outcome.ok) return outcome;
    }
    // Every pump succeeded: a null outcome is a stream not piped.
    return { ok: true, value: [out?.ok ? out.value : null, err?.ok ? err.value : null] };
  }
}
