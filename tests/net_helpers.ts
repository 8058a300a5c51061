/**
 * Shared helpers of the network tests: an echo handler, a server started
 * in a greenthread, exact reads, and a wait for every greenthread to end
 * (so the leak sanitizers see no open sockets).
 *
 * @module
 */

import { getHub, type GreenThread, sleep, spawn } from "../mod.ts";
import {
  type GreenListener,
  type GreenSocket,
  type Handler,
  listen,
  serve,
  type ServeOptions,
} from "../net/mod.ts";

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Echoes until EOF. */
export async function echo(sock: GreenSocket): Promise<void> {
  for (;;) {
    const data = await sock.recv(65536);
    if (data.length === 0) return;
    await sock.sendall(data);
  }
}

/** Receives exactly `n` bytes (fewer only at EOF). */
export async function recvExactly(sock: GreenSocket, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const chunk = await sock.recv(n - got);
    if (chunk.length === 0) return out.subarray(0, got);
    out.set(chunk, got);
    got += chunk.length;
  }
  return out;
}

/** Receives everything until EOF (what `GreenFile.read()` without a size does). */
export function recvAll(sock: GreenSocket): Promise<Uint8Array> {
  return sock.makefile().read();
}

/** A server running `serve` in its own greenthread. */
export interface Running {
  listener: GreenListener;
  port: number;
  addr: [string, number];
  serving: GreenThread<void>;
}

/** Listens on 127.0.0.1:0 and spawns `serve(listener, handle, options)`. */
export function startServer(handle: Handler, options?: ServeOptions): Running {
  return serveIn(listen(["127.0.0.1", 0]), handle, options);
}

/** Spawns `serve(listener, handle, options)` on a TCP listener made by the caller. */
export function serveIn(listener: GreenListener, handle: Handler, options?: ServeOptions): Running {
  const addr = listener.addr as [string, number];
  const serving = spawn(serve, listener, handle, options);
  return { listener, port: addr[1], addr, serving };
}

/** Closes the listener (serve resolves) and waits for serve to end. */
export async function stopServer(server: Running): Promise<void> {
  server.listener.close();
  await server.serving.wait();
}

/** Waits (up to `seconds`) until no spawned greenthread is alive, then lets Deno settle ops. */
export async function settle(seconds = 5): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (getHub().greenthreads().length > 0) {
    if (performance.now() > deadline) {
      throw new Error(
        `Cannot settle: ${getHub().greenthreads().length} greenthreads still alive after ${seconds} s`,
      );
    }
    await sleep(0.002);
  }
  await sleep(0.002);
}
