/**
 * Echo benchmark: this package's `serve`-based echo server against a raw
 * Deno echo server (`Deno.listen` + one async read/write loop per
 * connection), each in its own process, driven by one load-client process.
 *
 *   deno run -A bench/echo.ts [--duration=2] [--rounds=3] [--conns=1,100,1000] [--quick] [--pin]
 *
 * For each C (connections), each round starts both servers in turn (the
 * order alternates between rounds). The client opens C connections, warms
 * up, then each connection does 64-byte request/response round trips for
 * `duration` seconds. Reported (median over rounds): round trips per
 * second, p50/p99 latency, and the server's CPU time per round trip
 * (utime+stime from /proc/<pid>/stat over the measured window; on a small
 * machine the client can saturate first, so CPU per round trip is the fair
 * comparison). `--pin` runs the server on CPU 0 and the client on CPU 1
 * (with `taskset`); off by default, as on a shared machine a pinned
 * process cannot move away from a busy CPU. Ratios: throughput ours/raw,
 * and CPU efficiency raw/ours (both: higher is better, target ≥ 0.9).
 * When Python eventlet is importable (`python3`, then `/usr/bin/python3`;
 * nothing is installed), its `eventlet.serve` echo server
 * (bench/python/echo_server.py) runs under the same client too, and the
 * ratios ours/eventlet are printed; otherwise the output says it is skipped.
 *
 * Internal roles (used by the orchestrator): `--role=ours`, `--role=raw`
 * (servers: print the port, run until killed), `--role=client --port=P
 * --conns=C --duration=S` (prints "start", then one JSON line).
 *
 * @module
 */

import { type GreenSocket, listen, serve } from "../net/mod.ts";
import { cpuSeconds, Lines } from "./processes.ts";
import { median } from "./common.ts";
import { findEventlet, type Python, PYTHON_ENV } from "./compare/workloads.ts";

const MESSAGE = 64;
const WARMUP_SECONDS = 0.5;

function arg(name: string, fallback: string): string {
  const hit = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

// ------------------------------------------------------------------ servers

async function oursHandle(sock: GreenSocket): Promise<void> {
  for (;;) {
    const data = await sock.recv(65536);
    if (data.length === 0) return;
    await sock.sendall(data);
  }
}

async function runOurs(): Promise<void> {
  const server = listen(["127.0.0.1", 0]);
  console.log((server.addr as [string, number])[1]);
  await serve(server, oursHandle, { concurrency: 10_000 });
}

async function rawHandle(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      let off = 0;
      while (off < n) off += await conn.write(buf.subarray(off, n));
    }
  } catch {
    // peer went away
  } finally {
    conn.close();
  }
}

async function runRaw(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(listener.addr.port);
  for await (const conn of listener) rawHandle(conn);
}

// ------------------------------------------------------------------- client

async function readFull(conn: Deno.Conn, buf: Uint8Array): Promise<boolean> {
  let got = 0;
  while (got < buf.length) {
    const n = await conn.read(buf.subarray(got));
    if (n === null) return false;
    got += n;
  }
  return true;
}

async function runClient(): Promise<void> {
  const port = Number(arg("port", "0"));
  const conns = Number(arg("conns", "1"));
  const duration = Number(arg("duration", "2"));
  const sockets: Deno.Conn[] = [];
  for (let i = 0; i < conns; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(conns, i + 100); j++) {
      batch.push(Deno.connect({ hostname: "127.0.0.1", port }));
    }
    sockets.push(...await Promise.all(batch));
  }
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  let trips = 0;
  const loop = async (conn: Deno.Conn) => {
    const out = new Uint8Array(MESSAGE).fill(120);
    const back = new Uint8Array(MESSAGE);
    while (!stop) {
      const t0 = performance.now();
      await conn.write(out);
      if (!await readFull(conn, back)) return;
      if (measuring) {
        latencies.push(performance.now() - t0);
        trips++;
      }
    }
  };
  const loops = sockets.map(loop);
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  console.log("start");
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, duration * 1000));
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  console.log("stop");
  stop = true;
  await Promise.all(loops);
  for (const s of sockets) s.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(JSON.stringify({ trips, seconds, p50: pct(0.5), p99: pct(0.99) }));
}

// ------------------------------------------------------------- orchestrator

/** `taskset -c <cpu>` with `--pin` (server on CPU 0, client on CPU 1). */
function pinning(): boolean {
  if (!Deno.args.includes("--pin") || navigator.hardwareConcurrency < 2) return false;
  try {
    return new Deno.Command("taskset", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
const PIN = pinning();

function launch(command: string[], cpu: number, env?: Record<string, string>): Deno.ChildProcess {
  const [cmd, ...rest] = PIN ? ["taskset", "-c", String(cpu), ...command] : command;
  return new Deno.Command(cmd, {
    args: rest,
    env,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
}

function self(args: string[], cpu: number): Deno.ChildProcess {
  return launch([Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, ...args], cpu);
}

const pythonServer = new URL("./python/echo_server.py", import.meta.url).pathname;
let python: Python | null = null;

/** The server process of `kind`: this script's own roles, or eventlet's. */
function startServer(kind: string): Deno.ChildProcess {
  if (kind === "eventlet") return launch([python!.exe, pythonServer], 0, PYTHON_ENV);
  return self([`--role=${kind}`], 0);
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  cpuPerTrip: number;
}

async function measure(kind: string, conns: number, duration: number): Promise<Result> {
  const server = startServer(kind);
  const serverOut = new Lines(server.stdout);
  const port = Number(await serverOut.next());
  const client = self(
    ["--role=client", `--port=${port}`, `--conns=${conns}`, `--duration=${duration}`],
    1,
  );
  const clientOut = new Lines(client.stdout);
  if (await clientOut.next() !== "start") throw new Error("Cannot run client: bad output");
  const cpu0 = cpuSeconds(server.pid);
  if (await clientOut.next() !== "stop") throw new Error("Cannot run client: bad output");
  const cpu1 = cpuSeconds(server.pid);
  const r = JSON.parse(await clientOut.next());
  await clientOut.cancel();
  await client.status;
  server.kill("SIGTERM");
  await serverOut.cancel();
  await server.status;
  return { rps: r.trips / r.seconds, p50: r.p50, p99: r.p99, cpuPerTrip: (cpu1 - cpu0) / r.trips };
}

async function orchestrate(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const duration = Number(arg("duration", quick ? "1" : "2"));
  const rounds = Number(arg("rounds", quick ? "1" : "3"));
  const connsList = arg("conns", "1,100,1000").split(",").map(Number);
  console.log(
    `echo bench: 64-byte round trips, ${duration} s per run, ${rounds} rounds (median), ` +
      `${navigator.hardwareConcurrency} CPUs, Deno ${Deno.version.deno}, ` +
      (PIN ? "server pinned to CPU 0, client to CPU 1" : "no CPU pinning"),
  );
  python = await findEventlet();
  const kinds = python === null ? ["ours", "raw"] : ["ours", "raw", "eventlet"];
  console.log(
    python === null
      ? "Python eventlet not found (python3, /usr/bin/python3): no eventlet column."
      : `Python eventlet ${python.eventlet} on Python ${python.version} (${python.exe}).`,
  );
  console.log(
    "   C | server |    rt/s |  p50 ms |  p99 ms | server CPU µs/rt",
  );
  for (const conns of connsList) {
    const all: Record<string, Result[]> = { ours: [], raw: [], eventlet: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) all[kind].push(await measure(kind, conns, duration));
    }
    const med: Record<string, Result> = {};
    for (const kind of kinds) {
      const rs = all[kind];
      med[kind] = {
        rps: median(rs.map((x) => x.rps)),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        cpuPerTrip: median(rs.map((x) => x.cpuPerTrip)),
      };
      const m = med[kind];
      console.log(
        `${String(conns).padStart(4)} | ${kind.padEnd(6)} | ${m.rps.toFixed(0).padStart(7)} | ${
          m.p50.toFixed(3).padStart(7)
        } | ${m.p99.toFixed(3).padStart(7)} | ${(m.cpuPerTrip * 1e6).toFixed(2).padStart(8)}`,
      );
    }
    console.log(
      `${String(conns).padStart(4)} | ratio  | throughput ours/raw ${
        (med.ours.rps / med.raw.rps).toFixed(2)
      } | CPU efficiency raw/ours ${(med.raw.cpuPerTrip / med.ours.cpuPerTrip).toFixed(2)}`,
    );
    if (med.eventlet !== undefined) {
      console.log(
        `${String(conns).padStart(4)} | vs eventlet | throughput ours/eventlet ${
          (med.ours.rps / med.eventlet.rps).toFixed(2)
        } | CPU efficiency eventlet/ours ${
          (med.eventlet.cpuPerTrip / med.ours.cpuPerTrip).toFixed(2)
        }`,
      );
    }
  }
}

switch (arg("role", "")) {
  case "ours":
    await runOurs();
    break;
  case "raw":
    await runRaw();
    break;
  case "client":
    await runClient();
    break;
  default:
    await orchestrate();
}
