/**
 * eventlet's backdoor: a JavaScript REPL over TCP into the running
 * program, to look at a live service — its greenthreads, the hub's
 * counters, its state — and act on it, from `nc`.
 *
 * @example
 * ```ts
 * import { backdoorServer } from "@eventlet/eventlet/backdoor";
 * import { spawn } from "@eventlet/eventlet";
 * const backdoor = spawn(backdoorServer, ["127.0.0.1", 3000], { globals: { config: { debug: true } } });
 * // $ nc 127.0.0.1 3000
 * // > config.debug
 * // true
 * // > formatGreenthreads()
 * await backdoor.kill();
 * ```
 *
 * @module
 */

// First of all: an older Deno gets one clear error instead of odd failures later.
import "../hub/deno_version.ts";

export { backdoorServer } from "./server.ts";
export type { BackdoorOptions } from "./server.ts";
// The types backdoorServer's arguments mention, and theirs: named here so
// this entry documents on its own (they come from ../net).
export type { Address, HostPort, SockAddr } from "../net/addr.ts";
export type { Accepted, GreenListener } from "../net/listener.ts";
export type { GreenSocket, ShutdownHow } from "../net/socket.ts";
export type { GreenFile } from "../net/file.ts";
