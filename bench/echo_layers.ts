/**
 * Where the echo server's CPU goes: the same 64-byte echo served four ways
 * by ONE server process, from raw Deno up to `GreenSocket`, each layer
 * adding one thing to the one before it:
 *
 * - `raw`: `Deno.listen` and an async read/write loop per connection.
 * - `greenthread`: `serve()` runs a greenthread per connection, which reads
 *   and writes the raw `Deno.Conn` itself (`sock.rawConn`).
 * - `promise hop`: as `greenthread`, but each read and write completes
 *   through a callback that resolves a promise of its own — the shape of
 *   any wait that a kill or a Timeout can interrupt, without the hub.
 * - `hub park`: as `promise hop`, with the hub's park as that promise
 *   (`newPark`/`suspend`, woken by `wakeNow`, as `GreenSocket` does).
 * - `GreenSocket`: `recv` and `sendall` (parks in lines, deadlines, the
 *   no-byte-lost buffering).
 *
 * Why one process and rotating windows: the hosts here change speed by
 * 30 % or more from one second to the next, which swamps the differences
 * of a few percent this is after when each variant runs in its own process.
 * The client drives one layer's connections for a window, then the next
 * layer's (order reversed every round), and reads the server's CPU time
 * (all threads, /proc/<pid>/task/<tid>/schedstat in ns) around each window;
 * each layer is compared with the `raw` window of the same round. Server
 * on CPU 0, client on CPU 1 when `taskset` is there.
 *
 *   deno run -A bench/echo_layers.ts [--conns=1000] [--window=1] [--rounds=12] [--quick]
 *
 * Linux only (it reads /proc). `--role=server` is the server half.
 *
 * @module
 */

import { type GreenSocket, listen, serve } from "../net/mod.ts";
import { currentGreenlet, newPark, type Park, suspend, wakeNow } from "../hub/lowlevel.ts";
import { arg, median } from "./common.ts";
import { Lines } from "./processes.ts";
import { canPin } from "./compare/workloads.ts";

const MESSAGE = 64;
const LAYERS = ["raw", "greenthread", "promise hop", "hub park", "GreenSocket"] as const;

// ------------------------------------------------------------------ servers

async function rawLoop(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    let off = 0;
    while (off < n) off += await conn.write(buf.subarray(off, n));
  }
}

async function rawHandle(conn: Deno.Conn): Promise<void> {
  try {
    await rawLoop(conn);
  } catch {
    // the client went away
  } finally {
    conn.close();
  }
}

async function greenthreadHandle(sock: GreenSocket): Promise<void> {
  try {
    await rawLoop(sock.rawConn);
  } catch {
    // the client went away
  }
}

/**
 * Reads and writes whose completions resolve promises of its own. One
 * `#resolve` serves both: the echo has one operation in flight at a time.
 * A failed read or write resolves 0, which ends the loop (the client left).
 */
class PromiseHop {
  #conn: Deno.Conn;
  #buf = new Uint8Array(65536);
  #resolve: (n: number) => void = () => {};
  #onDone = (n: number | null) => this.#resolve(n ?? 0);
  #onError = () => this.#resolve(0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  read(): Promise<number> {
    const p = new Promise<number>((resolve) => this.#resolve = resolve);
    this.#conn.read(this.#buf).then(this.#onDone, this.#onError);
    return p;
  }

  write(n: number): Promise<number> {
    const p = new Promise<number>((resolve) => this.#resolve = resolve);
    this.#conn.write(this.#buf.subarray(0, n)).then(this.#onDone, this.#onError);
    return p;
  }
}

/** As PromiseHop (one operation in flight, a failure resolves 0), with the hub's park. */
class ParkHop {
  #conn: Deno.Conn;
  #buf = new Uint8Array(65536);
  #park: Park | null = null;
  #onDone = (n: number | null) => wakeNow(this.#park!, n ?? 0);
  #onError = () => wakeNow(this.#park!, 0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  read(): Promise<number> {
    const park = this.#park = newPark(currentGreenlet(), "read");
    this.#conn.read(this.#buf).then(this.#onDone, this.#onError);
    return suspend(park);
  }

  write(n: number): Promise<number> {
    const park = this.#park = newPark(currentGreenlet(), "write");
    this.#conn.write(this.#buf.subarray(0, n)).then(this.#onDone, this.#onError);
    return suspend(park);
  }
}

// Two loops, not one shared one: each stays monomorphic, as a user's would.
async function promiseHopHandle(sock: GreenSocket): Promise<void> {
  const hop = new PromiseHop(sock.rawConn);
  for (let n = await hop.read(); n > 0; n = await hop.read()) {
    for (let off = 0; off < n;) {
      const wrote = await hop.write(n - off);
      if (wrote === 0) return;
      off += wrote;
    }
  }
}

async function hubParkHandle(sock: GreenSocket): Promise<void> {
  const hop = new ParkHop(sock.rawConn);
  for (let n = await hop.read(); n > 0; n = await hop.read()) {
    for (let off = 0; off < n;) {
      const wrote = await hop.write(n - off);
      if (wrote === 0) return;
      off += wrote;
    }
  }
}

async function greenSocketHandle(sock: GreenSocket): Promise<void> {
  for (;;) {
    const data = await sock.recv(65536);
    if (data.length === 0) return;
    await sock.sendall(data);
  }
}

/** Serves every layer on a port of its own; prints the ports, one line. */
function runServer(): void {
  const ports: number[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  ports.push(listener.addr.port);
  (async () => {
    for await (const conn of listener) rawHandle(conn);
  })();
  for (const handle of [greenthreadHandle, promiseHopHandle, hubParkHandle, greenSocketHandle]) {
    const server = listen(["127.0.0.1", 0]);
    ports.push((server.addr as [string, number])[1]);
    serve(server, handle, { concurrency: 100_000 });
  }
  console.log(ports.join(" "));
}

// ------------------------------------------------------------------- client

/** CPU time of every thread of `pid`, in µs. */
function serverCpuUs(pid: number): number {
  let ns = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1000;
}

interface Window {
  /** Round trips per second. */
  rate: number;
  /** Server CPU per round trip, in µs. */
  cpuUs: number;
}

async function runClient(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const conns = Number(arg("conns") ?? (quick ? "10" : "1000"));
  const windowMs = Number(arg("window") ?? (quick ? "0.2" : "1")) * 1000;
  const rounds = Number(arg("rounds") ?? (quick ? "1" : "12"));
  const pin = canPin();
  if (pin) {
    await new Deno.Command("taskset", {
      args: ["-a", "-c", "-p", "1", String(Deno.pid)],
      stdout: "null",
    })
      .output();
  }
  const command = [
    Deno.execPath(),
    "run",
    "-A",
    new URL(import.meta.url).pathname,
    "--role=server",
  ];
  const [cmd, ...args] = pin ? ["taskset", "-c", "0", ...command] : command;
  const server = new Deno.Command(cmd, { args, stdout: "piped", stdin: "null" }).spawn();
  const lines = new Lines(server.stdout);
  try {
    const ports = (await lines.next()).split(" ").map(Number);
    const sockets: Deno.Conn[][] = [];
    for (const port of ports) {
      const mine: Deno.Conn[] = [];
      for (let i = 0; i < conns; i++) {
        mine.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      }
      sockets.push(mine);
    }
    let stop = false;
    let trips = 0;
    const loop = async (conn: Deno.Conn) => {
      const out = new Uint8Array(MESSAGE).fill(120);
      const back = new Uint8Array(MESSAGE);
      while (!stop) {
        await conn.write(out);
        for (let got = 0; got < MESSAGE;) {
          const n = await conn.read(back.subarray(got));
          if (n === null) return;
          got += n;
        }
        trips++;
      }
    };
    const measure = async (layer: number): Promise<Window> => {
      stop = false;
      trips = 0;
      const cpu0 = serverCpuUs(server.pid);
      const t0 = performance.now();
      const loops = sockets[layer].map(loop);
      await new Promise((r) => setTimeout(r, windowMs));
      stop = true;
      await Promise.all(loops);
      const seconds = (performance.now() - t0) / 1000;
      return { rate: trips / seconds, cpuUs: (serverCpuUs(server.pid) - cpu0) / trips };
    };
    const order = LAYERS.map((_, i) => i);
    for (const layer of order) await measure(layer); // warm-up: V8 optimizes each layer
    const results: Window[][] = LAYERS.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const layer of round % 2 === 0 ? order : [...order].reverse()) {
        results[layer].push(await measure(layer));
      }
    }
    for (const mine of sockets) for (const s of mine) s.close();
    report(results, { conns, windowMs, rounds, pin });
  } finally {
    server.kill("SIGTERM");
    await lines.cancel();
    await server.status;
  }
}

function report(
  results: Window[][],
  { conns, windowMs, rounds, pin }: {
    conns: number;
    windowMs: number;
    rounds: number;
    pin: boolean;
  },
): void {
  console.log(
    `echo layers: C = ${conns}, ${MESSAGE}-byte round trips, ${rounds} rounds of ${
      windowMs / 1000
    } s per layer, ${pin ? "server on CPU 0, client on CPU 1" : "not pinned (no taskset)"}`,
  );
  console.log("layer       | rt/s    | server CPU µs/rt | CPU ÷ raw, median [range] | rt/s ÷ raw");
  const raw = results[0];
  const ratios = (xs: Window[], f: (w: Window, r: Window) => number) => {
    const rs = xs.map((w, i) => f(w, raw[i]));
    return `${median(rs).toFixed(3)} [${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}]`;
  };
  LAYERS.forEach((name, i) => {
    const xs = results[i];
    const rate = median(xs.map((w) => w.rate)).toFixed(0).padStart(7);
    const cpu = median(xs.map((w) => w.cpuUs)).toFixed(2).padStart(16);
    const cpuRatio = i === 0 ? "—" : ratios(xs, (w, r) => w.cpuUs / r.cpuUs);
    const rateRatio = i === 0 ? "—" : ratios(xs, (w, r) => w.rate / r.rate);
    console.log(`${name.padEnd(11)} | ${rate} | ${cpu} | ${cpuRatio.padEnd(25)} | ${rateRatio}`);
  });
}

if (arg("role") === "server") runServer();
else if (Deno.build.os !== "linux") console.log("echo layers: needs Linux (/proc), skipped");
else await runClient();
