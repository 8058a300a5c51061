/**
 * eventlet for Deno: cheap green threads on a cooperative scheduler.
 *
 * `spawn` functions as greenthreads, coordinate them with `Event`,
 * bound them with `Timeout`, and stop them with `kill` — with real
 * cancellation: a kill or timeout lands at the greenthread's switch point
 * (an `await` on one of this package's operations) and its `finally`
 * blocks run.
 *
 * @example
 * ```ts
 * import { sleep, spawn, Timeout } from "@eventlet/eventlet";
 * const workers = [1, 2, 3].map((n) => spawn(async () => { await sleep(n / 100); return n * 2; }));
 * using _deadline = new Timeout(1);
 * for (const gt of workers) console.log(await gt.wait());
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "./hub/deno_version.ts";

export * from "./green/mod.ts";
export { getHub, Hub, Instruments, Timer } from "./hub/mod.ts";
export type { ErrorHandler, HubStats, Instrument } from "./hub/mod.ts";
export {
  connect,
  GreenFile,
  GreenListener,
  GreenSocket,
  listen,
  serve,
  StopServe,
  wrapSsl,
} from "./net/mod.ts";
// The types the functions above mention, so that this entry point documents
// itself on its own (`deno doc --lint mod.ts`).
export type {
  Accepted,
  Address,
  ClientTlsOptions,
  Handler,
  HostPort,
  ListenOptions,
  ServeOptions,
  ServerTlsOptions,
  ShutdownHow,
  SockAddr,
} from "./net/mod.ts";
export { importPatched, monkeyPatch } from "./patcher/mod.ts";
export type { MonkeyPatchOptions } from "./patcher/mod.ts";
