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
 * and CPU efficiency raw/ours (both: higher is better, target ≥ 0.9); with
 * several rounds also the median and range of each round's own ratios
 * (CPU per round trip ours/raw, throughput ours/raw), steadier when the
 * machine's load changes between rounds.
 * When Python eventlet is importable (`python3`, then `/usr/bin/python3`;
 * nothing is installed), its `eventlet.serve` echo server
 * (bench/python/echo_server.py) runs under the same client too, and the
 * ratios ours/eventlet are printed; otherwise the output says it is skipped.
 *
 * Internal roles (started by `echoRun` of bench/compare/workloads.ts, for
 * this orchestrator and for `deno task compare`): `--role=ours`,
 * `--role=raw` (servers: print the port, run until killed), `--role=client
 * --port=P --conns=C --duration=S` (prints "start", then "stop", then one
 * JSON line).
 *
 * @module
 */

import { type GreenSocket, listen, serve } from "../net/mod.ts";
import { arg, median } from "./common.ts";
import { canPin, type EchoFigures, echoRun, findEventlet, type Impl } from "./compare/workloads.ts";

const MESSAGE = 64;
const WARMUP_SECONDS = 0.5;

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
  const port = Number(arg("port") ?? "0");
  const conns = Number(arg("conns") ?? "1");
  const duration = Number(arg("duration") ?? "2");
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

/** The medians compared, per server kind. */
type Result = Pick<EchoFigures, "rate" | "p50" | "p99" | "cpuUs">;

async function orchestrate(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const duration = Number(arg("duration") ?? (quick ? "1" : "2"));
  const rounds = Number(arg("rounds") ?? (quick ? "1" : "3"));
  const connsList = (arg("conns") ?? "1,100,1000").split(",").map(Number);
  const pin = Deno.args.includes("--pin") && canPin(); // server on CPU 0, client on CPU 1
  console.log(
    `echo bench: 64-byte round trips, ${duration} s per run, ${rounds} rounds (median), ` +
      `${navigator.hardwareConcurrency} CPUs, Deno ${Deno.version.deno}, ` +
      (pin ? "server pinned to CPU 0, client to CPU 1" : "no CPU pinning"),
  );
  const python = await findEventlet();
  const kinds: Impl[] = python === null ? ["ours", "raw"] : ["ours", "raw", "eventlet"];
  console.log(
    python === null
      ? "Python eventlet not found (python3, /usr/bin/python3): no eventlet column."
      : `Python eventlet ${python.eventlet} on Python ${python.version} (${python.exe}).`,
  );
  console.log(
    "   C | server |    rt/s |  p50 ms |  p99 ms | server CPU µs/rt",
  );
  for (const conns of connsList) {
    const all: Record<Impl, Result[]> = { ours: [], raw: [], eventlet: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) {
        all[kind].push(await echoRun(kind, python, conns, { duration, pin }));
      }
    }
    const med: Record<string, Result> = {};
    for (const kind of kinds) {
      const rs = all[kind];
      const m: Result = {
        rate: median(rs.map((x) => x.rate)),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        cpuUs: median(rs.map((x) => x.cpuUs)),
      };
      med[kind] = m;
      console.log(
        `${String(conns).padStart(4)} | ${kind.padEnd(6)} | ${m.rate.toFixed(0).padStart(7)} | ${
          m.p50.toFixed(3).padStart(7)
        } | ${m.p99.toFixed(3).padStart(7)} | ${m.cpuUs.toFixed(2).padStart(8)}`,
      );
    }
    const { ours, raw, eventlet } = med;
    console.log(
      `${String(conns).padStart(4)} | ratio  | throughput ours/raw ${
        (ours.rate / raw.rate).toFixed(2)
      } | CPU efficiency raw/ours ${(raw.cpuUs / ours.cpuUs).toFixed(2)}`,
    );
    if (rounds > 1) {
      // Each round runs both servers back to back, so its ratio cancels the
      // machine's slower swings in load; the median of those is the steadier
      // figure on a shared machine.
      const perRound = (f: (o: Result, r: Result) => number) => {
        const xs = all.ours.map((o, i) => f(o, all.raw[i]));
        const lo = Math.min(...xs).toFixed(2), hi = Math.max(...xs).toFixed(2);
        return `${median(xs).toFixed(2)} [${lo}-${hi}]`;
      };
      console.log(
        `${String(conns).padStart(4)} | per round | CPU ours/raw ${
          perRound((o, r) => o.cpuUs / r.cpuUs)
        } | throughput ours/raw ${perRound((o, r) => o.rate / r.rate)}`,
      );
    }
    if (eventlet !== undefined) {
      console.log(
        `${String(conns).padStart(4)} | vs eventlet | throughput ours/eventlet ${
          (ours.rate / eventlet.rate).toFixed(2)
        } | CPU efficiency eventlet/ours ${(eventlet.cpuUs / ours.cpuUs).toFixed(2)}`,
      );
    }
  }
}

switch (arg("role")) {
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
