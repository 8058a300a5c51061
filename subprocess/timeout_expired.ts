/**
 * TimeoutExpired: what `wait` and `communicate` throw when their `timeout`
 * passes before the child ends (Python's `subprocess.TimeoutExpired`).
 *
 * @module
 */

/**
 * Thrown by `GreenProcess.wait({ timeout })` and `communicate(input, {
 * timeout })` when the child has not ended in time. The child keeps
 * running: wait again, `communicate` again to collect the rest, or `kill`.
 *
 * - `cmd` is the command and its arguments, `timeout` the seconds waited;
 *   the message is Python's: `Command '…' timed out after 0.1 seconds`.
 * - It is an ordinary error, not a `Timeout`: `isTimeout` is false for it.
 *
 * @example
 * ```ts
 * import { spawnProcess, TimeoutExpired } from "@eventlet/eventlet/subprocess";
 * const p = spawnProcess("sleep", { args: ["1"] });
 * try {
 *   await p.wait({ timeout: 0.05 });
 * } catch (e) {
 *   if (!(e instanceof TimeoutExpired)) throw e;
 *   console.log(e.cmd, e.timeout); // [ "sleep", "1" ] 0.05
 *   p.kill();
 *   await p.wait();
 * }
 * ```
 */
export class TimeoutExpired extends Error {
  /** The command and its arguments, as given to `spawnProcess`. */
  readonly cmd: readonly string[];
  /** The timeout that passed, in seconds. */
  readonly timeout: number;

  /** Made by `wait` and `communicate`; `cmd` is the command and its arguments. */
  constructor(cmd: readonly string[], timeout: number) {
    super(`Command '${JSON.stringify(cmd)}' timed out after ${timeout} seconds`);
    this.name = "TimeoutExpired";
    this.cmd = cmd;
    this.timeout = timeout;
  }
}
