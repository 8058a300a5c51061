/**
 * The workloads of `bench/compare.ts` and how to run one program of each:
 * ours and raw Deno (the TypeScript programs in this folder) and Python
 * eventlet (`bench/python/`). Every program runs as its own process and
 * prints one JSON line of figures; `runWorkload` returns that line parsed.
 * `tests/compare_test.ts` runs every workload here with `tiny: true`.
 *
 * @module
 */

import { cpuSeconds, Lines } from "../processes.ts";

/** Which implementation a program measures. */
export type Impl = "ours" | "raw" | "eventlet";

/** The figures one program printed (its JSON line). */
export type Figures = Record<string, number | string>;

/** A figure shown in the table: a key of the JSON line. */
export interface Metric {
  /** Key in the program's JSON line. */
  key: string;
  /** Row label, with the unit. */
  label: string;
  /** True for rates; false for bytes and latencies. */
  higherIsBetter: boolean;
  /** The implementations that report this figure. */
  impls: Impl[];
  /** This package's target, as its issue states it. */
  target?: Target;
}

/** A target: its text and whether ours (median) meets it, given raw's median. */
export interface Target {
  /** As the issue states it, e.g. "≥ 0.25 of raw". */
  text: string;
  /** True when met. */
  met(ours: number, raw: number): boolean;
}

const ofRaw = (min: number): Target => ({
  text: `≥ ${min} of raw`,
  met: (ours, raw) => ours / raw >= min,
});
const atLeast = (min: number, text: string): Target => ({ text, met: (ours) => ours >= min });
const atMost = (max: number, text: string): Target => ({ text, met: (ours) => ours <= max });

/** One workload: its metrics and how to run one measurement of it. */
export interface Workload {
  /** Short name, used by `--only=`. */
  id: string;
  /** Heading in the table. */
  title: string;
  /** Figures shown in the table. */
  metrics: Metric[];
  /** Runs one program of `impl` as its own process and returns its figures. */
  run(impl: Impl, env: RunEnv): Promise<Figures>;
}

/** Where and how the programs run. */
export interface RunEnv {
  /** Python with eventlet, or null (then no eventlet program runs). */
  python: Python | null;
  /** Tiny sizes (the smoke test): every program finishes in well under a second. */
  tiny: boolean;
}

/** A Python interpreter that can import eventlet. */
export interface Python {
  /** The executable (`python3` or `/usr/bin/python3`). */
  exe: string;
  /** `sys.version`'s first word, e.g. "3.11.2". */
  version: string;
  /** `eventlet.__version__`. */
  eventlet: string;
  /** `greenlet.__version__`. */
  greenlet: string;
}

const here = new URL(".", import.meta.url).pathname; // bench/compare/
const pythonDir = new URL("../python/", import.meta.url).pathname;
const echoScript = new URL("../echo.ts", import.meta.url).pathname;

/** Environment for every Python run: no deprecation chatter on stderr. */
export const PYTHON_ENV: Record<string, string> = {
  EVENTLET_TESTS: "1",
  PYTHONWARNINGS: "ignore::DeprecationWarning",
  PYTHONDONTWRITEBYTECODE: "1",
};

/**
 * Finds a Python that imports eventlet: `python3` first on PATH, then
 * `/usr/bin/python3` (Debian's python3-eventlet). Installs nothing.
 */
export async function findEventlet(): Promise<Python | null> {
  const probe = "import sys, eventlet, greenlet; " +
    "print(sys.version.split()[0], eventlet.__version__, greenlet.__version__)";
  for (const exe of ["python3", "/usr/bin/python3"]) {
    try {
      const out = await new Deno.Command(exe, {
        args: ["-c", probe],
        env: PYTHON_ENV,
        stdout: "piped",
        stderr: "null",
      }).output();
      if (!out.success) continue;
      const [version, eventlet, greenlet] = new TextDecoder().decode(out.stdout).trim().split(" ");
      return { exe, version, eventlet, greenlet };
    } catch {
      // not installed: try the next one
    }
  }
  return null;
}

function denoArgs(script: string, args: string[], exposeGc = false): string[] {
  return ["run", "-A", ...(exposeGc ? ["--v8-flags=--expose-gc"] : []), script, ...args];
}

/** The last line of a program's output, parsed; throws with its stderr if it failed. */
async function runProgram(cmd: string, args: string[], env?: Record<string, string>) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`Cannot run ${args.join(" ")}: exit code ${out.code}\n${stderr}`);
  }
  return JSON.parse(stdout.slice(stdout.lastIndexOf("\n") + 1)) as Figures;
}

/**
 * A workload made of three programs: `bench/compare/<name>_ours.ts`,
 * `<name>_raw.ts` and `bench/python/<python>.py`, each given `args`
 * (or `tinyArgs` in the smoke test).
 */
function programs(
  id: string,
  title: string,
  names: { deno: string; python: string },
  args: string[],
  tinyArgs: string[],
  metrics: Metric[],
  exposeGc = false,
): Workload {
  return {
    id,
    title,
    metrics,
    run(impl: Impl, env: RunEnv): Promise<Figures> {
      const a = env.tiny ? tinyArgs : args;
      if (impl === "eventlet") {
        if (env.python === null) throw new Error("Cannot run eventlet: no Python eventlet");
        return runProgram(env.python.exe, [`${pythonDir}${names.python}.py`, ...a], PYTHON_ENV);
      }
      const script = `${here}${names.deno}_${impl}.ts`;
      return runProgram(Deno.execPath(), denoArgs(script, a, exposeGc));
    },
  };
}

const ALL: Impl[] = ["ours", "raw", "eventlet"];
const rate = (label: string, target?: Target): Metric => ({
  key: "rate",
  label,
  higherIsBetter: true,
  impls: ALL,
  target,
});

// -------------------------------------------------------------- echo (6)

/** True when `taskset` can pin the echo server and client to CPUs of their own. */
export function canPin(): boolean {
  if (navigator.hardwareConcurrency < 2) return false;
  try {
    return new Deno.Command("taskset", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false; // no taskset on this machine
  }
}

function start(
  cpu: number | null,
  command: string[],
  env?: Record<string, string>,
): Deno.ChildProcess {
  const [cmd, ...args] = cpu === null ? command : ["taskset", "-c", String(cpu), ...command];
  return new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "inherit", stdin: "null" })
    .spawn();
}

/** The figures of one echo run (a type, not an interface, so that it is `Figures` too). */
export type EchoFigures = {
  workload: string;
  impl: Impl;
  conns: number;
  trips: number;
  /** Round trips per second. */
  rate: number;
  /** Latency percentiles of a round trip, in ms. */
  p50: number;
  p99: number;
  /** Server CPU time per round trip, in µs. */
  cpuUs: number;
};

/**
 * One echo measurement: the server of `impl` (bench/echo.ts's `--role=ours`
 * or `--role=raw`, or bench/python/echo_server.py), and bench/echo.ts's
 * shared load client (`--role=client`) with `conns` connections, measured
 * for `duration` seconds after its warm-up; with `pin`, the server runs on
 * CPU 0 and the client on CPU 1. Both processes are stopped at the end,
 * also when the run fails. Used by `deno task compare` and bench/echo.ts.
 */
export async function echoRun(
  impl: Impl,
  python: Python | null,
  conns: number,
  { duration, pin }: { duration: number; pin: boolean },
): Promise<EchoFigures> {
  let server: Deno.ChildProcess;
  if (impl === "eventlet") {
    if (python === null) throw new Error("Cannot run eventlet: no Python eventlet");
    server = start(pin ? 0 : null, [python.exe, `${pythonDir}echo_server.py`], PYTHON_ENV);
  } else {
    server = start(pin ? 0 : null, [Deno.execPath(), ...denoArgs(echoScript, [`--role=${impl}`])]);
  }
  const serverOut = new Lines(server.stdout);
  let client: Deno.ChildProcess | undefined;
  let clientOut: Lines | undefined;
  try {
    const port = Number(await serverOut.next());
    client = start(pin ? 1 : null, [
      Deno.execPath(),
      ...denoArgs(echoScript, [
        "--role=client",
        `--port=${port}`,
        `--conns=${conns}`,
        `--duration=${duration}`,
      ]),
    ]);
    clientOut = new Lines(client.stdout);
    if (await clientOut.next() !== "start") throw new Error("Cannot run the echo client");
    const cpu0 = cpuSeconds(server.pid);
    if (await clientOut.next() !== "stop") throw new Error("Cannot run the echo client");
    const cpu1 = cpuSeconds(server.pid);
    const r = JSON.parse(await clientOut.next());
    await clientOut.cancel();
    await client.status; // it exits by itself once it has reported
    client = undefined;
    return {
      workload: `echo_c${conns}`,
      impl,
      conns,
      trips: r.trips,
      rate: r.trips / r.seconds,
      p50: r.p50,
      p99: r.p99,
      cpuUs: (cpu1 - cpu0) / r.trips * 1e6,
    };
  } finally {
    if (client !== undefined) { // it failed: stop it
      await clientOut?.cancel();
      try {
        client.kill("SIGTERM");
      } catch {
        // already exited
      }
      await client.status;
    }
    server.kill("SIGTERM");
    await serverOut.cancel();
    await server.status;
  }
}

let pinCompare: boolean | undefined; // `deno task compare` pins whenever it can

function echo(conns: number, title: string): Workload {
  return {
    id: `echo_c${conns}`,
    title,
    metrics: [
      rate("round trips/s", ofRaw(0.9)),
      { key: "p99", label: "p99 latency (ms)", higherIsBetter: false, impls: ALL },
      { key: "cpuUs", label: "server CPU per round trip (µs)", higherIsBetter: false, impls: ALL },
    ],
    run: (impl, env) => {
      pinCompare ??= canPin();
      return echoRun(impl, env.python, conns, { duration: env.tiny ? 0.2 : 2, pin: pinCompare });
    },
  };
}

// ------------------------------------------------------------ the suite

/** Every workload, in table order. */
export const WORKLOADS: Workload[] = [
  programs(
    "spawn_wait",
    "1. spawn + wait, 100k greenthreads",
    { deno: "spawn_wait", python: "spawn_wait" },
    ["--n=100000"],
    ["--n=100"],
    [rate("greenthreads/s", ofRaw(0.25))],
  ),
  programs(
    "ping_pong",
    "2. two greenthreads ping-ponging with sleep(0), 1M switches",
    { deno: "ping_pong", python: "ping_pong" },
    ["--n=1000000"],
    ["--n=100"],
    [rate("switches/s", atLeast(4e6, "≥ 4M/s"))],
  ),
  programs(
    "parked_memory",
    "3. memory per greenthread parked in sleep(10), 100k parked",
    { deno: "parked_memory", python: "parked_memory" },
    ["--n=100000"],
    ["--n=100"],
    [
      {
        key: "heapBytes",
        label: "V8 heap delta (B each)",
        higherIsBetter: false,
        impls: ["ours", "raw"],
        target: atMost(800, "≤ 800 B"),
      },
      { key: "rssBytes", label: "RSS delta (B each)", higherIsBetter: false, impls: ALL },
    ],
    true,
  ),
  programs(
    "queue",
    "4. Queue(100) producer/consumer, 1M items",
    { deno: "queue", python: "queue_throughput" },
    ["--n=1000000"],
    ["--n=100"],
    [rate("items/s", atLeast(5e6, "≥ 5M/s"))],
  ),
  programs(
    "imap",
    "5. GreenPool(1000).imap over 200k trivial calls",
    { deno: "imap", python: "pool_imap" },
    ["--n=200000"],
    ["--n=100"],
    [rate("calls/s")],
  ),
  echo(100, "6a. TCP echo, C = 100 connections, 64-byte round trips"),
  echo(1000, "6b. TCP echo, C = 1000 connections, 64-byte round trips"),
  programs(
    "tpool_seq",
    "7a. tpool execute of x => x + 1, sequential, 20k calls (4 threads)",
    { deno: "tpool", python: "tpool_execute" },
    ["--n=20000", "--inflight=1", "--threads=4"],
    ["--n=10", "--inflight=1", "--threads=4"],
    [rate("calls/s")],
  ),
  programs(
    "tpool_100",
    "7b. tpool execute of x => x + 1, 100 in flight, 20k calls (4 threads)",
    { deno: "tpool", python: "tpool_execute" },
    ["--n=20000", "--inflight=100", "--threads=4"],
    ["--n=200", "--inflight=100", "--threads=4"],
    [rate("calls/s", ofRaw(0.7))],
  ),
];
