/**
 * HTTP hello-world benchmark: `serveHttp` (every request a greenthread)
 * against raw `Deno.serve`, driven by `wrk`, ratios measured in one run.
 *
 *   deno run -A bench/http.ts [--rounds=5] [--duration=3] [--conns=50] [--quick]
 *
 * Variants, each a server process of its own on CPU 0 (`taskset -c 0`), wrk
 * on CPU 1 (`taskset -c 1 wrk -t1 -cC -dD`), run in turn, the order rotating
 * each round; the table shows median requests/s with the range, the median
 * ratio to raw `Deno.serve` in the same round, and the server's CPU time per
 * request (utime+stime from /proc over the wrk window; on a shared machine
 * the CPU per request is the steadier figure, as a busy neighbour steals
 * wall time but not CPU time) with its ratio raw/ours (higher is better):
 *
 * - `raw`: `Deno.serve(() => new Response("Hello, world!"))`.
 * - `spawn+wait`: raw with `spawn(hello).wait()` per request — the floor of any
 *   greenthread-per-request design, for reference.
 * - `serveHttp`: `log: false`, everything else default (`killOnDisconnect` on).
 * - `serveHttp+timeout`: the same with `requestTimeout: 30`.
 * - `eventlet.wsgi` / `gevent.pywsgi`: Python's, when `/usr/bin/python3`
 *   imports them (Debian's `python3-eventlet`, `python3-gevent`), log off.
 *
 * Needs `wrk` (Debian/Ubuntu: `apt-get install wrk`); without it the script
 * says so and exits. Internal role: `--serve=<variant>` prints the port and
 * serves until killed.
 *
 * @module
 */

import { serveHttp } from "../http/server.ts";
import { spawn } from "../green/spawn.ts";
import { arg, median } from "./common.ts";

const BODY = "Hello, world!";
const PYTHON = "/usr/bin/python3";

const PY_EVENTLET = `
import eventlet, eventlet.wsgi, sys
sock = eventlet.listen(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
def app(env, start):
    start("200 OK", [("Content-Type", "text/plain")])
    return [b"${BODY}"]
eventlet.wsgi.server(sock, app, log_output=False)
`;

const PY_GEVENT = `
from gevent import monkey; monkey.patch_all()
from gevent.pywsgi import WSGIServer
def app(env, start):
    start("200 OK", [("Content-Type", "text/plain")])
    return [b"${BODY}"]
server = WSGIServer(("127.0.0.1", 0), app, log=None)
server.start()
print(server.server_port, flush=True)
server.serve_forever()
`;

function serveRole(variant: string): void {
  const onListen = (addr: Deno.NetAddr) => console.log(addr.port);
  const hello = () => new Response(BODY);
  if (variant === "raw") Deno.serve({ port: 0, hostname: "127.0.0.1", onListen }, hello);
  else if (variant === "spawn+wait") {
    Deno.serve({ port: 0, hostname: "127.0.0.1", onListen }, () => spawn(hello).wait());
  } else if (variant === "serveHttp") {
    serveHttp(hello, { port: 0, hostname: "127.0.0.1", log: false, onListen });
  } else if (variant === "serveHttp+timeout") {
    serveHttp(hello, { port: 0, hostname: "127.0.0.1", log: false, requestTimeout: 30, onListen });
  } else throw new Error(`unknown variant ${variant}`);
}

function have(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

interface Server {
  name: string;
  process: Deno.ChildProcess;
  port: number;
}

async function startServer(name: string, command: string[]): Promise<Server> {
  const process = new Deno.Command("taskset", {
    args: ["-c", "0", ...command],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${name} exited before printing its port`);
    text += value;
  }
  reader.releaseLock();
  process.stdout.cancel().catch(() => {});
  return { name, process, port: Number(text.trim().split("\n")[0]) };
}

/** The CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime: 100 ticks/s
  } catch {
    return NaN; // not Linux
  }
}

interface Figures {
  rate: number;
  /** Server CPU microseconds per request. */
  cpu: number;
}

async function runWrk(server: Server, seconds: number, conns: number): Promise<Figures> {
  const cpuBefore = cpuSeconds(server.process.pid);
  const port = server.port;
  const { stdout } = await new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      "wrk",
      "-t1",
      `-c${conns}`,
      `-d${seconds}s`,
      `http://127.0.0.1:${port}/`,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const match = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const total = /(\d+) requests in/.exec(text);
  if (match === null || total === null) throw new Error(`wrk printed no rate:\n${text}`);
  const cpu = (cpuSeconds(server.process.pid) - cpuBefore) * 1e6 / Number(total[1]);
  return { rate: Number(match[1]), cpu };
}

async function main(): Promise<void> {
  const role = arg("serve");
  if (role !== undefined) return serveRole(role);
  const quick = Deno.args.includes("--quick");
  const rounds = Number(arg("rounds") ?? (quick ? 1 : 5));
  const seconds = Number(arg("duration") ?? (quick ? 1 : 3));
  const conns = Number(arg("conns") ?? 50);
  if (!have("wrk", ["--version"]) && !have("sh", ["-c", "command -v wrk"])) {
    console.log("bench/http.ts skipped: wrk is not installed (Debian/Ubuntu: apt-get install wrk)");
    return;
  }
  if (!have("taskset", ["-V"]) || navigator.hardwareConcurrency < 2) {
    console.log("bench/http.ts skipped: needs taskset and two CPUs to pin server and client apart");
    return;
  }
  const self = new URL(import.meta.url).pathname;
  const deno = Deno.execPath();
  const commands: [string, string[]][] = [
    ["raw", [deno, "run", "-A", self, "--serve=raw"]],
    ["spawn+wait", [deno, "run", "-A", self, "--serve=spawn+wait"]],
    ["serveHttp", [deno, "run", "-A", self, "--serve=serveHttp"]],
    ["serveHttp+timeout", [deno, "run", "-A", self, "--serve=serveHttp+timeout"]],
  ];
  if (have(PYTHON, ["-c", "import eventlet.wsgi"])) {
    commands.push(["eventlet.wsgi", [PYTHON, "-c", PY_EVENTLET]]);
  } else console.log(`eventlet.wsgi skipped: ${PYTHON} cannot import eventlet`);
  if (have(PYTHON, ["-c", "import gevent.pywsgi"])) {
    commands.push(["gevent.pywsgi", [PYTHON, "-c", PY_GEVENT]]);
  } else console.log(`gevent.pywsgi skipped: ${PYTHON} cannot import gevent`);

  const servers: Server[] = [];
  try {
    for (const [name, command] of commands) servers.push(await startServer(name, command));
    // --quick is a smoke run (does every variant answer wrk?): no warm-up
    if (!quick) { for (const server of servers) await runWrk(server, 1, conns); }
    const rates = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    const ratios = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    const cpus = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    const cpuRatios = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length]);
      const got = new Map<string, Figures>();
      for (const server of order) got.set(server.name, await runWrk(server, seconds, conns));
      const raw = got.get("raw")!;
      for (const [name, { rate, cpu }] of got) {
        rates.get(name)!.push(rate);
        ratios.get(name)!.push(rate / raw.rate);
        cpus.get(name)!.push(cpu);
        cpuRatios.get(name)!.push(raw.cpu / cpu);
      }
      console.log(
        `round ${round + 1}: ` +
          [...got].map(([n, f]) => `${n} ${Math.round(f.rate)}/s ${f.cpu.toFixed(1)}µs`).join(", "),
      );
    }
    console.log(
      `\nwrk -t1 -c${conns} -d${seconds}s, ${rounds} rounds, server on CPU 0, wrk on CPU 1\n`,
    );
    console.log(
      "| server | requests/s (median, range) | × raw (median, range) " +
        "| server CPU µs/request | CPU efficiency × raw (median, range) |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: |");
    const range = (xs: number[], digits: number) =>
      `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${
        Math.max(...xs).toFixed(digits)
      })`;
    for (const { name } of servers) {
      console.log(
        `| ${name} | ${range(rates.get(name)!, 0)} | ${range(ratios.get(name)!, 3)} | ${
          median(cpus.get(name)!).toFixed(1)
        } | ${range(cpuRatios.get(name)!, 3)} |`,
      );
    }
  } finally {
    for (const server of servers) {
      try {
        server.process.kill("SIGKILL");
      } catch { /* already gone */ }
      await server.process.status;
    }
  }
}

if (import.meta.main) await main();
