/**
 * backdoorServer: eventlet's backdoor, a REPL over TCP into the running
 * program, for looking at a live service (its greenthreads, its state)
 * without stopping it.
 *
 * Anyone who reaches the port runs code in the program, so the server
 * binds to loopback only, unless a token is set: then every session must
 * send it first.
 *
 * @module
 */

import { getCurrent } from "../green/spawn.ts";
import { GreenletExit, type GreenThread } from "../hub/greenthread.ts";
import { typeName } from "../hub/checks.ts";
import { listen } from "../net/connect.ts";
import { GreenListener } from "../net/listener.ts";
import { serve } from "../net/serve.ts";
import { type Address, parseAddress, type SockAddr } from "../net/addr.ts";
import { describeAddr, runSession, type SessionOptions } from "./session.ts";

/** Options of `backdoorServer`. */
export interface BackdoorOptions {
  /**
   * A secret each session must send as its first line. Needed to listen
   * on an address other than loopback (or a Unix socket). It travels in
   * clear text: tunnel the connection (ssh -L) over untrusted networks.
   */
  token?: string;
  /** Names put in every session's scope (eventlet's `locals`). */
  globals?: Record<string, unknown>;
}

const ACTION = "start backdoorServer";

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h) ||
    /^(0+:){7}0*1$/.test(h);
}

/** Only a loopback TCP address or a Unix socket is local. */
function isLocal(addr: SockAddr): boolean {
  return typeof addr === "string" || isLoopbackHost(addr[0]);
}

function refuseRemote(shown: string): never {
  throw new RangeError(
    `Cannot ${ACTION}: the address must be loopback or a Unix socket unless a token is set, received ${shown}`,
  );
}

function checkOptions(options: unknown): SessionOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${ACTION}: options must be an object, received ${typeName(options)}`,
    );
  }
  const { token, globals } = options as BackdoorOptions;
  if (token !== undefined && typeof token !== "string") {
    throw new TypeError(`Cannot ${ACTION}: token must be a string, received ${typeName(token)}`);
  }
  if (token === "") {
    throw new RangeError(`Cannot ${ACTION}: token must not be empty, received ""`);
  }
  if (globals !== undefined && (typeof globals !== "object" || globals === null)) {
    throw new TypeError(
      `Cannot ${ACTION}: globals must be an object, received ${typeName(globals)}`,
    );
  }
  return { token, globals: { ...globals } };
}

/**
 * Serves backdoor sessions on `addrOrListener` (an address for `listen`,
 * or a `GreenListener`): each connection gets a JavaScript REPL into this
 * program, in its own greenthread. A switch point that lasts until the
 * server stops; run it with `spawn`.
 *
 * - A session evaluates each input with top-level `await` and prints its
 *   completion value as Deno's REPL does (`undefined` for a declaration,
 *   strings quoted); declarations persist within the session. Lines that
 *   leave the input unfinished prompt `... ` for more (`.break` drops it).
 * - In scope: the program's globals, `options.globals`, and the helpers
 *   `greenthreads()`, `stats()`, `kill(id)` (a switch point: await it),
 *   `formatGreenthreads()` (prints the listing), `close()` (ends the
 *   session), and a `console` that prints to the session.
 * - Errors are printed to the session as `Uncaught TypeError: message`
 *   and the session goes on; they never reach the program. A promise
 *   that rejects later is reported to the session too.
 * - Loopback (or a Unix socket) only, unless `token` is set: then the
 *   server asks `Token: ` first and ends a session whose first line is
 *   not the token. A non-loopback address without a token is refused with
 *   a `RangeError` before anything is bound; an empty or missing host is
 *   every interface (`listen`'s rule), so it is refused too.
 * - A session runs in the connection's greenthread, named
 *   `backdoor HOST:PORT`: blocking detection and `formatGreenthreads`
 *   name it. Input that never reaches a switch point (`while (true) {}`)
 *   blocks the whole program, as it would in the program itself, but is
 *   stopped after 5 s (`Uncaught Error: Input stopped: …`); input that
 *   loops over awaits ends when its client disconnects, or with
 *   `kill(id)` from another session.
 * - Prints `backdoor server listening on HOST:PORT`, `backdoor to …`
 *   and `backdoor closed to …` on the program's console, as eventlet.
 * - Killing the greenthread running it (or closing the listener) closes
 *   the listener and ends every session.
 * - A promise the session's code leaves rejected is reported to the
 *   session (`Uncaught (in promise) …`) instead of ending the program.
 * - Deviations from eventlet: sessions end with the server (eventlet's
 *   consoles outlive it); the session's `console` is only the one its
 *   typed code sees (eventlet points `sys.stdout` at the socket for all
 *   code running in the console); values the session's code makes come
 *   from its own realm (`[] instanceof Array` is false there, use
 *   `Array.isArray`); the prompt is Deno's `> `, not Python's `>>> `.
 *
 * @example
 * ```ts
 * import { backdoorServer } from "@eventlet/eventlet/backdoor";
 * import { listen } from "@eventlet/eventlet/net";
 * import { spawn } from "@eventlet/eventlet";
 * const server = spawn(backdoorServer, listen(["127.0.0.1", 0]), { globals: { answer: 42 } });
 * // in a shell: nc 127.0.0.1 <port>, then type `answer + 1` → 43
 * await server.kill();
 * ```
 */
export function backdoorServer(
  addrOrListener: Address | GreenListener,
  options: BackdoorOptions = {},
): Promise<void> {
  const session = checkOptions(options);
  if (addrOrListener instanceof GreenListener) {
    if (session.token === undefined && !isLocal(addrOrListener.addr)) {
      refuseRemote(describeAddr(addrOrListener.addr));
    }
    return run(addrOrListener, session);
  }
  // Parsed as listen will (an empty or missing host is every interface).
  const parsed = parseAddress(ACTION, addrOrListener, false);
  if (
    session.token === undefined && parsed.transport === "tcp" && !isLoopbackHost(parsed.hostname)
  ) {
    refuseRemote(JSON.stringify(addrOrListener));
  }
  return run(listen(addrOrListener), session);
}

async function run(listener: GreenListener, options: SessionOptions): Promise<void> {
  console.log(`backdoor server listening on ${describeAddr(listener.addr)}`);
  const sessions = new Set<GreenThread<unknown>>();
  try {
    await serve(listener, async (sock, addr) => {
      // Loopback-bound without a token: a remote peer cannot get here; checked anyway.
      if (options.token === undefined && !isLocal(addr)) return;
      const me = getCurrent();
      sessions.add(me);
      console.log(`backdoor to ${describeAddr(addr)}`);
      try {
        await runSession(sock, addr, options);
      } catch (error) {
        if (error instanceof GreenletExit) throw error;
        console.error(`backdoor session ${describeAddr(addr)} failed:`, error);
      } finally {
        sessions.delete(me);
        console.log(`backdoor closed to ${describeAddr(addr)}`);
      }
    });
  } finally {
    listener.close();
    for (const session of [...sessions]) await session.kill();
  }
}
