/**
 * A pool of TCP connections shared by many greenthreads, the way OpenStack
 * Swift pools its memcache connections with eventlet.pools.
 *
 *   deno run -A examples/pool_memcache_like.ts [clients=50] [increments=20]
 *
 * The program starts a small memcache-like server of its own on loopback
 * (`set`, `get`, `incr`, and `slowget`, which answers late), then `clients`
 * greenthreads each increment one counter `increments` times through a
 * `Pool` of at most 4 connections, every call under a `Timeout`. One more
 * call asks for a slow answer with a short `Timeout`: the connection it
 * used is left mid-reply, so it is marked broken, and the pool's `validate`
 * drops it (through `dispose`, which closes it) instead of lending it again.
 *
 * @module
 */

import {
  connect,
  ConnectionReset,
  type GreenFile,
  type GreenSocket,
  listen,
  serve,
} from "../net/mod.ts";
import { Pool } from "../pools/mod.ts";
import { sleep, spawn, Timeout } from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

// ---------------------------------------------------------------- the server

const store = new Map<string, string>();

/** One connection of the server: a line in, a line out. */
async function handle(sock: GreenSocket): Promise<void> {
  const file = sock.makefile();
  try {
    for (;;) {
      const line = dec(await file.readline()).trimEnd();
      if (line === "") return; // the client closed the connection
      const [command, key, arg] = line.split(" ");
      await sock.sendall(enc(`${await answer(command, key, arg)}\n`));
    }
  } catch (error) {
    // A client that went away mid-reply ends only its own connection.
    if (!(error instanceof ConnectionReset || error instanceof Deno.errors.BrokenPipe)) throw error;
  } finally {
    sock.close();
  }
}

async function answer(command: string, key: string, arg: string): Promise<string> {
  switch (command) {
    case "set":
      store.set(key, arg);
      return "STORED";
    case "slowget":
      await sleep(Number(arg));
      return store.has(key) ? `VALUE ${store.get(key)}` : "END";
    case "get":
      return store.has(key) ? `VALUE ${store.get(key)}` : "END";
    case "incr": {
      const value = Number(store.get(key) ?? "0") + Number(arg);
      store.set(key, String(value));
      return String(value);
    }
    default:
      return "ERROR";
  }
}

// ---------------------------------------------------------------- the client

/** A client connection; `broken` once a call on it was cut short. */
class Connection {
  readonly id: number;
  broken = false;
  #sock: GreenSocket;
  #file: GreenFile;

  constructor(id: number, sock: GreenSocket) {
    this.id = id;
    this.#sock = sock;
    this.#file = sock.makefile();
  }

  async request(line: string): Promise<string> {
    await this.#sock.sendall(enc(`${line}\n`));
    const reply = dec(await this.#file.readline()).trimEnd();
    if (reply === "") throw new Error("the server closed the connection");
    return reply;
  }

  close(): void {
    this.#sock.close();
  }
}

const server = listen(["127.0.0.1", 0]);
const [host, port] = server.addr as [string, number];
// serve() parks the greenthread that runs it: give it its own, so that a
// Timeout of main's calls cannot land in the server's accept loop.
const serving = spawn(() => serve(server, handle));
console.log(`memcache-like server on ${host}:${port}`);

let made = 0;
let closed = 0;
const pool = new Pool<Connection>({
  maxSize: 4,
  maxIdle: 30,
  create: async () => new Connection(++made, await connect([host, port])),
  validate: (conn) => !conn.broken,
  dispose: (conn) => {
    closed++;
    conn.close();
  },
});

/** One call on a pooled connection; a call cut short breaks its connection. */
async function call(line: string): Promise<string> {
  using lease = await pool.item();
  try {
    return await lease.value.request(line);
  } catch (error) {
    lease.value.broken = true; // its reply may still arrive: never reuse it
    throw error;
  }
}

const clients = Number(Deno.args[0] ?? 50);
const increments = Number(Deno.args[1] ?? 20);
await call("set hits 0");
const workers = Array.from({ length: clients }, () =>
  spawn(async () => {
    for (let i = 0; i < increments; i++) {
      using _deadline = new Timeout(2); // a stuck server must not hang a client
      await call("incr hits 1");
    }
  }));
for (const worker of workers) await worker.wait();
console.log(
  `${clients} greenthreads x ${increments} increments: hits = ${await call("get hits")} ` +
    `over ${made} connections`,
);

try {
  using _deadline = new Timeout(0.05);
  await call("slowget hits 0.5");
} catch (error) {
  if (!(error instanceof Timeout)) throw error;
  console.log("slowget timed out after 0.05 s; its connection was marked broken");
}
// Four more calls cycle through the free connections (oldest first): the
// broken one fails validate on its turn and is disposed of.
for (let i = 0; i < 4; i++) await call("get hits");
console.log(`after 4 more calls: ${closed} broken connection dropped, ${made} made in all`);

pool.close();
server.close();
await serving.wait();
console.log(`pool closed: ${closed} of ${made} connections closed`);
