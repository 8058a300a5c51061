/**
 * Thread pool figures: each workload runs against bare `postMessage` round
 * trips on the same kind and number of workers and the same transport
 * (`node:worker_threads` workers talked to through a web `MessagePort`, as
 * tpool does) in the same process run, alternating, several rounds; the
 * ratio is the median of the per-round ratios.
 *
 *   deno run -A bench/tpool_ratios.ts [--quick]
 *
 * Workloads (tiny task: `x => x + 1`):
 * 1. sequential calls per second, one caller (pool of 4; bare: 1 worker)
 * 2. calls per second with 100 in flight over 4 workers (100 greenthreads
 *    looping on execute; bare: 100 messages kept outstanding, round-robin)
 * 3. time to first result from a cold pool (killall, then one execute;
 *    bare: new Worker + port + first round trip)
 *
 * Target: 100 in flight >= 0.7 of bare postMessage.
 *
 * Also, when Node.js and bench/node's piscina are installed
 * (`npm install --prefix bench/node`; this script installs nothing), the
 * same tiny task on Node's piscina pool (4 threads) runs in the same script
 * run and the ratios ours/piscina are printed; otherwise it says so.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { spawn } from "../mod.ts";
import { execute, killall, setNumThreads } from "../tpool/mod.ts";
import { median, time } from "./common.ts";

const quick = Deno.args.includes("--quick");
const N = quick ? 5_000 : 30_000;
const ROUNDS = quick ? 1 : 9;
const COLD_ROUNDS = quick ? 3 : 9;
const WORKERS = 4;
const IN_FLIGHT = 100;

// The bare worker echoes x + 1 over a web MessagePort handed over in its
// first message: the same transport tpool uses (Deno's node:worker_threads
// postMessage is slower, and clones typed arrays element by element).
const BARE_SOURCE = `const { parentPort } = require("node:worker_threads");
parentPort.once("message", (port) => {
  port.onmessage = (e) => port.postMessage([e.data[0], e.data[1] + 1]);
});`;

/** A bare worker: a node:worker_threads Worker and the web port to talk to it. */
interface Bare {
  worker: Worker;
  port: MessagePort;
}

function bareWorker(): Bare {
  const worker = new Worker(BARE_SOURCE, { eval: true });
  const channel = new MessageChannel();
  worker.postMessage(channel.port2, [channel.port2 as never]);
  return { worker, port: channel.port1 };
}

function bareWorkers(n: number): Bare[] {
  return Array.from({ length: n }, bareWorker);
}

async function warm(workers: Bare[]): Promise<void> {
  await Promise.all(workers.map(({ port }) =>
    new Promise<void>((resolve) => {
      port.onmessage = () => resolve();
      port.postMessage([0, 0]);
    })
  ));
}

function close(bare: Bare): Promise<number> {
  bare.port.close();
  return bare.worker.terminate();
}

const inc = (x: number) => x + 1;

// 1. sequential
async function oursSequential(): Promise<void> {
  let x = 0;
  for (let i = 0; i < N; i++) x = await execute(inc, x);
  if (x !== N) throw new Error(`wrong result ${x}`);
}

async function bareSequential({ port }: Bare): Promise<void> {
  let x = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => resolve = r);
  port.onmessage = (e: MessageEvent<[number, number]>) => {
    x = e.data[1];
    if (x === N) resolve();
    else port.postMessage([0, x]);
  };
  port.postMessage([0, 0]);
  await done;
}

// 2. 100 in flight
async function oursInFlight(): Promise<void> {
  const per = N / IN_FLIGHT;
  const gts = Array.from({ length: IN_FLIGHT }, () =>
    spawn(async () => {
      let x = 0;
      for (let i = 0; i < per; i++) x = await execute(inc, x);
      return x;
    }));
  for (const gt of gts) await gt.wait();
}

async function bareInFlight(workers: Bare[]): Promise<void> {
  let sent = 0;
  let received = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => resolve = r);
  for (const { port } of workers) {
    port.onmessage = (e: MessageEvent<[number, number]>) => {
      received++;
      if (sent < N) {
        sent++;
        port.postMessage([sent, e.data[1]]);
      } else if (received === N) resolve();
    };
  }
  for (let k = 0; k < IN_FLIGHT; k++) {
    sent++;
    workers[k % workers.length].port.postMessage([sent, k]);
  }
  await done;
}

// 3. cold start
async function oursCold(): Promise<number> {
  await killall();
  return await time(async () => {
    await execute(inc, 1);
  });
}

async function bareCold(): Promise<number> {
  let bare: Bare | undefined;
  const ms = await time(async () => {
    bare = bareWorker();
    await warm([bare]);
  });
  await close(bare!);
  return ms;
}

setNumThreads(WORKERS);
await execute(inc, 0); // start the pool
const one = bareWorkers(1);
const four = bareWorkers(WORKERS);
await warm([...one, ...four]);

// Each round times ours then bare back to back; the ratio is the median of
// the per-round ratios, which holds up better on a busy machine than a
// ratio of medians.
const rows: [string, number, number, number, string][] = [];
async function compare(
  name: string,
  ours: () => Promise<void>,
  bare: () => Promise<void>,
  target: string,
): Promise<void> {
  const o: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const to = await time(ours);
    const tb = await time(bare);
    o.push(to);
    b.push(tb);
    ratios.push(tb / to);
  }
  rows.push([name, N / median(o) * 1000, N / median(b) * 1000, median(ratios), target]);
}
await compare("sequential calls (per second)", oursSequential, () => bareSequential(one[0]), "");
await oursInFlight(); // warm all four pool workers
await compare(
  `${IN_FLIGHT} in flight over ${WORKERS} workers (per second)`,
  oursInFlight,
  () => bareInFlight(four),
  ">= 0.7",
);
const coldOurs: number[] = [];
const coldBare: number[] = [];
for (let r = 0; r < COLD_ROUNDS; r++) {
  coldOurs.push(await oursCold());
  coldBare.push(await bareCold());
}
await killall();
await Promise.all([...one, ...four].map(close));

const fmt = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
console.log(`workload | ours | bare postMessage | ours/bare | target`);
console.log(`--- | --- | --- | --- | ---`);
for (const [name, ours, bare, ratio, target] of rows) {
  console.log(`${name} | ${fmt(ours)} | ${fmt(bare)} | ${ratio.toFixed(2)} | ${target}`);
}
const co = median(coldOurs);
const cb = median(coldBare);
console.log(
  `time to first result, cold (ms) | ${co.toFixed(1)} | ${cb.toFixed(1)} | ${
    (cb / co).toFixed(2)
  } | (lower is better; ratio = bare/ours)`,
);

// ---------------------------------------------------------------- piscina

/** Runs bench/node/piscina_tiny.mjs on Node.js; null when Node or piscina is missing. */
async function piscina(): Promise<{ sequential: number; inflight100: number } | null> {
  const dir = new URL("./node/", import.meta.url);
  try {
    Deno.statSync(new URL("node_modules/piscina/package.json", dir));
    const { success, stdout } = await new Deno.Command("node", {
      args: [new URL("piscina_tiny.mjs", dir).pathname, `--calls=${N}`, `--rounds=${ROUNDS}`],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!success) return null;
    return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
  } catch {
    return null; // no piscina under bench/node, or no `node` on PATH
  }
}

const p = await piscina();
if (p === null) {
  console.log("piscina: not installed (npm install --prefix bench/node): no piscina column.");
} else {
  const [seq, wide] = rows;
  const { stdout } = new Deno.Command("node", { args: ["--version"] }).outputSync();
  const nodeVersion = new TextDecoder().decode(stdout).trim();
  console.log(
    `ours/piscina (Node ${nodeVersion}, piscina, 4 threads): sequential ${fmt(seq[1])} vs ${
      fmt(p.sequential)
    } = ${(seq[1] / p.sequential).toFixed(2)}; ${IN_FLIGHT} in flight ${fmt(wide[1])} vs ${
      fmt(p.inflight100)
    } = ${(wide[1] / p.inflight100).toFixed(2)}`,
  );
}
