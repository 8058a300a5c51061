/**
 * The inspector's cost, in one run: spawn+wait and sleep(0) switch rates with
 * the inspector off, on with no page open, and on with a client polling
 * /stats.json once a second (a `curl` loop in another process, on the other
 * core when `taskset` is there), interleaved round by round; then the time to
 * answer /greenthreads.txt?group=site (and a page update, and /stats.json)
 * with 100,000 live greenthreads.
 *
 * Rates are per second of this process's CPU time (`process.cpuUsage()`):
 * on a shared machine the wall clock also counts the time other processes
 * held the core, which swamps a cost of a few percent (an "off again" row,
 * a second copy of "off", shows the noise floor; wall-clock ratios are
 * printed too).
 *
 * Targets: on/off ≥ 0.98 with no page, ≥ 0.95 while polled; group=site for
 * 100,000 greenthreads ≤ 200 ms.
 *
 *   taskset -c 0 deno run -A --v8-flags=--expose-gc bench/inspector.ts [--quick]
 *
 * @module
 */

import process from "node:process";
import { Event, sleep, spawn } from "../mod.ts";
import { captureSpawnSites, inspect, type Inspector } from "../debug/mod.ts";
import { formatRate, median } from "./common.ts";

const quick = Deno.args.includes("--quick");
const ROUNDS = quick ? 1 : 11;
const MEASURE_MS = quick ? 100 : 1000; // per measurement: a poll lands in it
const LIVE = quick ? 2_000 : 100_000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** A rate: units per second of wall time and per second of this process's CPU time. */
type Rate = { wall: number; cpu: number };

async function measure(work: () => Promise<number>): Promise<Rate> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const units = await work();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: units / wallMs * 1000, cpu: units / ((cpu.user + cpu.system) / 1000) * 1000 };
}

/** Greenthreads spawned and waited for, in batches of 1,000. */
function spawnWait(): Promise<Rate> {
  return measure(async () => {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < MEASURE_MS) {
      const batch = [];
      for (let i = 0; i < 1000; i++) batch.push(spawn(() => i));
      for (const gt of batch) await gt.wait();
      n += 1000;
    }
    return n;
  });
}

/** sleep(0) switches of two ping-ponging greenthreads. */
function switches(): Promise<Rate> {
  return measure(async () => {
    let n = 0;
    const start = performance.now();
    const loop = async () => {
      while (performance.now() - start < MEASURE_MS) {
        for (let i = 0; i < 1000; i++) await sleep(0);
        n += 1000;
      }
    };
    const a = spawn(loop);
    const b = spawn(loop);
    await a.wait();
    await b.wait();
    return n;
  });
}

function hasCommand(name: string): boolean {
  try {
    return new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** A client in another process asking for /stats.json once a second. */
function startPoller(inspector: Inspector): Deno.ChildProcess {
  const loop = `while :; do curl -s -o /dev/null '${inspector.url}stats.json'; sleep 1; done`;
  const pinned = hasCommand("taskset");
  return new Deno.Command(pinned ? "taskset" : "sh", {
    args: pinned ? ["-c", "1", "sh", "-c", loop] : ["-c", loop],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

// "off again" is a second copy of "off": its ratio shows the noise floor of the run.
type Variant = "off" | "off again" | "on, no page" | "on, polled 1/s";
const VARIANTS: Variant[] = ["off", "off again", "on, no page", "on, polled 1/s"];
const workloads = { "spawn + wait": spawnWait, "sleep(0) switches": switches };
const results: Record<string, Record<Variant, Rate[]>> = {};
for (const name of Object.keys(workloads)) {
  results[name] = { "off": [], "off again": [], "on, no page": [], "on, polled 1/s": [] };
}

const canPoll = hasCommand("curl");
if (!canPoll) console.log("curl not found: the polled variant is skipped");
await spawnWait(); // warm up
await switches();
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round, so no variant always runs first.
  for (let v = 0; v < VARIANTS.length; v++) {
    const variant = VARIANTS[(v + round) % VARIANTS.length];
    if (variant === "on, polled 1/s" && !canPoll) continue;
    const inspector = variant.startsWith("off") ? null : await inspect();
    const poller = variant === "on, polled 1/s" ? startPoller(inspector!) : null;
    if (poller !== null) await sleep(0.3); // let curl start
    for (const [name, measure] of Object.entries(workloads)) {
      gc();
      results[name][variant].push(await measure());
    }
    if (poller !== null) {
      poller.kill();
      await poller.status;
    }
    await inspector?.close();
  }
}

console.log(`Rates per CPU second (median of ${ROUNDS} rounds, interleaved; range in brackets):`);
console.log(
  "workload | off | off again (× off: noise) | on, no page (× off) | on, polled 1/s (× off) | targets",
);
for (const [name, byVariant] of Object.entries(results)) {
  const off = median(byVariant.off.map((r) => r.cpu));
  const cell = (rates: Rate[]) => {
    if (rates.length === 0) return "skipped";
    const xs = rates.map((r) => r.cpu);
    return `${formatRate(median(xs))}/s (${(median(xs) / off).toFixed(3)}) [${
      formatRate(Math.min(...xs))
    }–${formatRate(Math.max(...xs))}]`;
  };
  console.log(
    `${name} | ${cell(byVariant.off)} | ${cell(byVariant["off again"])} | ${
      cell(byVariant["on, no page"])
    } | ${cell(byVariant["on, polled 1/s"])} | ≥ 0.98, ≥ 0.95`,
  );
}
console.log("Wall-clock ratios to off (same runs): ");
for (const [name, byVariant] of Object.entries(results)) {
  const off = median(byVariant.off.map((r) => r.wall));
  const ratio = (v: Variant) =>
    byVariant[v].length === 0
      ? "skipped"
      : (median(byVariant[v].map((r) => r.wall)) / off).toFixed(3);
  console.log(
    `${name}: off again ${ratio("off again")}, on ${ratio("on, no page")}, polled ${
      ratio("on, polled 1/s")
    }`,
  );
}

// Rendering with many live greenthreads, from three spawn sites.
captureSpawnSites(true);
const evt = new Event();
const live = [];
for (let i = 0; i < LIVE * 0.9; i++) live.push(spawn(() => evt.wait()));
for (let i = 0; i < LIVE * 0.09; i++) live.push(spawn(() => sleep(600)));
for (let i = 0; i < LIVE * 0.01; i++) live.push(spawn(() => evt.wait()));
captureSpawnSites(false);
await sleep(0);
gc(); // the rate rounds' garbage is not the render's to collect
const inspector = await inspect();
/**
 * How long one answer takes, in ms of wall time, and the CPU time this
 * process spent meanwhile (the server's work: nothing else runs here then).
 * Timed by curl when there is one (the client's own start-up is then outside
 * the figure), else by fetch.
 */
async function answerTime(path: string): Promise<{ ms: number; cpuMs: number; bytes: number }> {
  const url = new URL(path, inspector.url).href;
  const cpuBefore = process.cpuUsage();
  let ms: number, bytes: number;
  if (canPoll) {
    const { stdout } = await new Deno.Command("curl", {
      args: ["-s", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", url],
    }).output();
    const [seconds, size] = new TextDecoder().decode(stdout).split(" ").map(Number);
    ms = seconds * 1000;
    bytes = size;
  } else {
    const start = performance.now();
    bytes = (await (await fetch(url)).text()).length;
    ms = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes };
}
console.log(
  `\nAnswers with ${live.length + 1} live greenthreads, timed by ${
    canPoll ? "curl" : "fetch"
  } (wall ms / CPU ms of this process; the first, then the median of 5):`,
);
console.log("endpoint | first | median | bytes | target");
// The first row is a baseline: an answer with no work (404), which also warms Deno.serve.
for (const path of ["/nothing", "/greenthreads.txt?group=site", "/events", "/stats.json"]) {
  const answers = [];
  for (let i = 0; i < 6; i++) answers.push(await answerTime(path));
  const rest = answers.slice(1);
  const pair = (wall: number, cpu: number) => `${wall.toFixed(0)} / ${cpu.toFixed(0)} ms`;
  const target = path.includes("group=site") ? "≤ 200 ms" : "";
  console.log(
    `${path} | ${pair(answers[0].ms, answers[0].cpuMs)} | ${
      pair(median(rest.map((a) => a.ms)), median(rest.map((a) => a.cpuMs)))
    } | ${answers[0].bytes} | ${target}`,
  );
}
await inspector.close();
evt.send();
for (const gt of live) await gt.kill();
