/**
 * WebSocket echo benchmark: 64-byte messages over 200 sockets, our green
 * sessions (`websocket()` handlers parked in `receive()`) against raw
 * `Deno.upgradeWebSocket` with event handlers, each server in its own
 * process, driven by one client process.
 *
 *   deno run -A bench/websocket.ts [--rounds=5] [--duration=3] [--sockets=200] [--no-pin] [--quick]
 *
 * Variants, interleaved round by round (the order rotates):
 * - `raw`: `Deno.serve` + `Deno.upgradeWebSocket`, `onmessage` sends back.
 * - `ours`: `serveHttp(websocket(handle))`: each session is its request's
 *   greenthread, `for (;;) { m = await ws.receive(); await ws.send(m) }`.
 * - `ours-plain`: the same handler under a plain `Deno.serve(websocket(…))`
 *   (each session a spawned greenthread).
 *
 * The client opens every socket, warms up for 0.5 s, then each socket does
 * request/response round trips (one message in flight per socket) for
 * `duration` seconds. Reported: messages/s and p50/p99 latency (median of
 * rounds, with the range), and the ratio ours/raw of each round's
 * throughput (median and range). With `taskset` present the server runs on
 * CPU 0 and the client on CPU 1 (`--no-pin` turns that off).
 *
 * Then, in this one process, client and servers together: CPU time per
 * round trip (`process.cpuUsage`), alternating variants over 8 rounds, a
 * figure far steadier than throughput on a shared machine.
 *
 * Roles (internal): `--role=raw|ours|ours-plain` (a server: prints its
 * port, runs until killed) and `--role=client --port=P` (prints one JSON line).
 *
 * @module
 */

import { websocket } from "../http/websocket.ts";
import { serveHttp } from "../http/mod.ts";
import { arg, median } from "./common.ts";
import { cpuSeconds, Lines } from "./processes.ts";
import process from "node:process";

const MESSAGE = "x".repeat(64);
const WARMUP_SECONDS = 0.5;
const VARIANTS = ["raw", "ours", "ours-plain"] as const;
type Variant = typeof VARIANTS[number];

// ------------------------------------------------------------------ servers

const echo = websocket(async (ws) => {
  for (;;) {
    const message = await ws.receive();
    if (message === null) return;
    await ws.send(message);
  }
});

function listening(addr: Deno.NetAddr): void {
  console.log(addr.port);
}

function runServer(variant: Variant): void {
  const options = { hostname: "127.0.0.1", port: 0, onListen: listening };
  if (variant === "raw") {
    Deno.serve(options, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(event.data);
      return response;
    });
  } else if (variant === "ours") {
    serveHttp(echo, { ...options, log: false });
  } else {
    Deno.serve(options, echo);
  }
}

// ------------------------------------------------------------------- client

interface Figures {
  messages: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function runClient(port: number, sockets: number, duration: number): Promise<void> {
  const latencies: number[] = [];
  let measuring = false;
  let stopped = false;
  let messages = 0;
  const all: WebSocket[] = [];
  await Promise.all(Array.from({ length: sockets }, () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      all.push(ws);
      let sentAt = 0;
      const fire = () => {
        sentAt = performance.now();
        ws.send(MESSAGE);
      };
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("client socket failed"));
      ws.onmessage = () => {
        if (measuring) {
          messages++;
          latencies.push(performance.now() - sentAt);
        }
        if (!stopped) fire();
      };
      (ws as WebSocket & { fire?: () => void }).fire = fire;
    })));
  for (const ws of all) (ws as WebSocket & { fire: () => void }).fire();
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  measuring = true;
  console.log("start");
  const started = performance.now();
  await new Promise((r) => setTimeout(r, duration * 1000));
  measuring = false;
  console.log("stop");
  const seconds = (performance.now() - started) / 1000;
  stopped = true;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const figures: Figures = { messages, seconds, p50: at(0.5), p99: at(0.99) };
  console.log(JSON.stringify(figures));
  await Promise.all(all.map((ws) =>
    new Promise((resolve) => {
      ws.onclose = resolve;
      ws.close();
    })
  ));
}

// ------------------------------------------------------------- orchestrator

function hasTaskset(): boolean {
  try {
    return new Deno.Command("taskset", { args: ["-c", "0", "true"] }).outputSync().success;
  } catch {
    return false;
  }
}

function spawnRole(role: string, extra: string[], cpu: number | undefined): Deno.ChildProcess {
  const self = new URL(import.meta.url).pathname;
  const deno = [Deno.execPath(), "run", "-A", self, `--role=${role}`, ...extra];
  const [cmd, ...args] = cpu === undefined ? deno : ["taskset", "-c", String(cpu), ...deno];
  return new Deno.Command(cmd, { args, stdout: "piped", stderr: "inherit", stdin: "null" })
    .spawn();
}

async function measure(
  variant: Variant,
  sockets: number,
  duration: number,
  pin: boolean,
): Promise<Figures & { cpu: number }> {
  const server = spawnRole(variant, [], pin ? 0 : undefined);
  const serverLines = new Lines(server.stdout);
  try {
    const port = await serverLines.next();
    const client = spawnRole(
      "client",
      [`--port=${port}`, `--sockets=${sockets}`, `--duration=${duration}`],
      pin ? 1 : undefined,
    );
    const lines = new Lines(client.stdout);
    assertLine(await lines.next(), "start");
    const cpuBefore = cpuSeconds(server.pid);
    assertLine(await lines.next(), "stop");
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const figures = JSON.parse(await lines.next()) as Figures;
    await lines.cancel();
    await client.status;
    return { ...figures, cpu };
  } finally {
    server.kill("SIGKILL");
    await serverLines.cancel();
    await server.status;
  }
}

function assertLine(line: string, expected: string): void {
  if (line !== expected) throw new Error(`expected "${expected}" from the client, got "${line}"`);
}

function range(xs: number[], digits: number): string {
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}

async function main(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const rounds = Number(arg("rounds") ?? (quick ? 1 : 5));
  const duration = Number(arg("duration") ?? (quick ? 0.3 : 3));
  const sockets = Number(arg("sockets") ?? (quick ? 20 : 200));
  const pin = !Deno.args.includes("--no-pin") && hasTaskset();
  console.log(
    `WebSocket echo, ${MESSAGE.length}-byte messages, ${sockets} sockets, ${duration} s x ${rounds} rounds` +
      (pin ? ", server on CPU 0, client on CPU 1" : ", not pinned"),
  );
  const results = new Map<Variant, (Figures & { cpu: number })[]>(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const variant of order) {
      results.get(variant)!.push(await measure(variant, sockets, duration, pin));
    }
  }
  const rate = (f: Figures) => f.messages / f.seconds;
  const cpuPerMessage = (f: Figures & { cpu: number }) => (f.cpu / f.messages) * 1e6;
  const raw = results.get("raw")!;
  console.log(
    "| variant | messages/s | × raw | p50 ms | p99 ms | server CPU µs/message | CPU raw/ours |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const variant of VARIANTS) {
    const figures = results.get(variant)!;
    const rates = figures.map(rate);
    const ratios = figures.map((f, i) => rate(f) / rate(raw[i]));
    const p99s = figures.map((f) => f.p99);
    const cpus = figures.map(cpuPerMessage);
    const efficiency = figures.map((f, i) => cpuPerMessage(raw[i]) / cpuPerMessage(f));
    console.log(
      `| ${variant} | ${Math.round(median(rates))} (${range(rates, 0)}) | ${
        median(ratios).toFixed(3)
      } (${range(ratios, 3)}) | ${median(figures.map((f) => f.p50)).toFixed(2)} | ${
        median(p99s).toFixed(2)
      } (${range(p99s, 2)}) | ${median(cpus).toFixed(1)} (${range(cpus, 1)}) | ${
        median(efficiency).toFixed(3)
      } (${range(efficiency, 3)}) |`,
    );
  }
  console.log("(median over rounds, range in brackets; ratios are per round: ours/raw)");
  await inProcessCpu(quick ? 1 : 8, sockets, quick ? 10 : 100);
}

// ------------------------------------------------- one process, CPU only

/**
 * Client and all three servers in this one process: each round, every
 * socket does `messages` round trips, and the process's CPU time
 * (`process.cpuUsage`) per round trip is recorded. The client's share is
 * the same for every variant, so the differences are the servers'; CPU time
 * is far less sensitive than throughput to other programs on the machine.
 */
async function inProcessCpu(rounds: number, sockets: number, messages: number): Promise<void> {
  const quiet = { hostname: "127.0.0.1", port: 0, onListen() {} };
  const servers: Record<Variant, { port: number; stop: () => Promise<void> }> = {
    raw: wrap(Deno.serve(quiet, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(event.data);
      return response;
    })),
    ours: (() => {
      const server = serveHttp(echo, { ...quiet, log: false });
      return { port: server.addr.port, stop: async () => void await server.shutdown() };
    })(),
    "ours-plain": wrap(Deno.serve(quiet, echo)),
  };
  const cpu = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const variant = VARIANTS[(i + round) % VARIANTS.length];
      cpu.get(variant)!.push(await cpuPerRoundTrip(servers[variant].port, sockets, messages));
    }
  }
  for (const server of Object.values(servers)) await server.stop();
  const raw = cpu.get("raw")!;
  console.log(
    `\nOne process (client and servers), CPU µs per round trip, ${sockets} sockets x ${messages} round trips, ${rounds} rounds:`,
  );
  console.log("| variant | CPU µs/round trip | raw/ours |");
  console.log("| --- | ---: | ---: |");
  for (const variant of VARIANTS) {
    const xs = cpu.get(variant)!;
    const ratios = xs.map((x, i) => raw[i] / x);
    console.log(
      `| ${variant} | ${median(xs).toFixed(1)} (${range(xs, 1)}) | ${median(ratios).toFixed(3)} (${
        range(ratios, 3)
      }) |`,
    );
  }
}

function wrap(server: Deno.HttpServer<Deno.NetAddr>): { port: number; stop: () => Promise<void> } {
  return { port: server.addr.port, stop: () => server.shutdown() };
}

async function cpuPerRoundTrip(port: number, sockets: number, messages: number): Promise<number> {
  const all = await Promise.all(
    Array.from({ length: sockets }, () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
        ws.onopen = () => resolve(ws);
        ws.onerror = () => reject(new Error("client socket failed"));
      })),
  );
  const before = process.cpuUsage();
  await Promise.all(all.map((ws) =>
    new Promise<void>((resolve) => {
      let left = messages;
      ws.onmessage = () => --left === 0 ? resolve() : ws.send(MESSAGE);
      ws.send(MESSAGE);
    })
  ));
  const used = process.cpuUsage(before);
  await Promise.all(all.map((ws) =>
    new Promise((resolve) => {
      ws.onclose = resolve;
      ws.close();
    })
  ));
  return (used.user + used.system) / (sockets * messages);
}

const role = arg("role");
if (role === "client") {
  await runClient(
    Number(arg("port")),
    Number(arg("sockets") ?? 200),
    Number(arg("duration") ?? 3),
  );
} else if (role !== undefined) {
  if (!(VARIANTS as readonly string[]).includes(role)) throw new Error(`unknown role ${role}`);
  runServer(role as Variant);
} else {
  await main();
}
