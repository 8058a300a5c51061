/**
 * Green child processes: eventlet's `green.subprocess`, over `Deno.Command`.
 *
 * `spawnProcess` starts a child and returns a `GreenProcess` whose `wait`
 * and `communicate` are switch points: other greenthreads run while
 * children do, a `timeout` gives Python's `TimeoutExpired`, and a
 * greenthread killed while waiting takes its child down with it.
 *
 * @example
 * ```ts
 * import { spawnProcess } from "@eventlet/eventlet/subprocess";
 * import { spawn } from "@eventlet/eventlet";
 * const jobs = ["one", "two", "three"].map((word) =>
 *   spawn(async () => {
 *     const p = spawnProcess("echo", { args: [word], stdout: "piped" });
 *     const [out] = await p.communicate(undefined, { timeout: 5 });
 *     return new TextDecoder().decode(out!).trim();
 *   })
 * );
 * for (const job of jobs) console.log(await job.wait());
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { spawnProcess } from "./spawn_process.ts";
export type { SpawnOptions, Stdio } from "./spawn_process.ts";
export { GreenProcess } from "./process.ts";
export type { CommunicateOptions, Output, WaitOptions } from "./process.ts";
export { TimeoutExpired } from "./timeout_expired.ts";
// The pipes are net's GreenFile: named here so this entry documents on its own.
export type { GreenFile } from "../net/file.ts";
