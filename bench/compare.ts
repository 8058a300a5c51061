/**
 * Side by side with Python eventlet: every workload of
 * `bench/compare/workloads.ts` measured for this package ("ours"), a raw
 * Deno baseline and Python eventlet, each run as its own process,
 * alternating ours/raw/eventlet, several rounds; prints medians, the ratios
 * ours/raw and ours/eventlet, and each target of this package.
 *
 *   deno task compare            # = deno run -A bench/compare.ts
 *   deno run -A bench/compare.ts [--rounds=3] [--only=spawn_wait,queue] [--no-eventlet]
 *
 * Python eventlet is found, never installed: `python3 -c "import eventlet"`,
 * then `/usr/bin/python3` (Debian's python3-eventlet). Without it the
 * eventlet column is skipped and the output says so. The table (markdown)
 * goes to stdout, progress to stderr. Exits 1 if any program failed.
 *
 * @module
 */

import { arg, formatRate, median } from "./common.ts";
import {
  findEventlet,
  type Impl,
  type Metric,
  type Python,
  type RunEnv,
  WORKLOADS,
} from "./compare/workloads.ts";

const rounds = Number(arg("rounds") ?? "3");
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new RangeError(`Cannot run: --rounds must be a positive integer, received ${rounds}`);
}
const only = arg("only")?.split(",");
const workloads = only === undefined ? WORKLOADS : WORKLOADS.filter((w) => only.includes(w.id));
if (workloads.length === 0) {
  throw new RangeError(
    `Cannot run: --only names no workload, received ${only}; ` +
      `known: ${WORKLOADS.map((w) => w.id).join(",")}`,
  );
}
const began = performance.now();

const skipEventlet = Deno.args.includes("--no-eventlet");
const python: Python | null = skipEventlet ? null : await findEventlet();
const impls: Impl[] = python === null ? ["ours", "raw"] : ["ours", "raw", "eventlet"];
const env: RunEnv = { python, tiny: false };

function fmt(x: number | undefined, metric: Metric): string {
  if (x === undefined || Number.isNaN(x)) return "–";
  if (metric.key === "rate") return formatRate(x);
  return x >= 100 ? x.toFixed(0) : x.toFixed(2);
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? "–" : (a / b).toFixed(3);

// ------------------------------------------------------------------ header

const say = (line: string) => console.log(line);
say(`date: ${new Date().toISOString()}`);
say(
  `machine: ${navigator.hardwareConcurrency} CPUs, ${Deno.build.os} ${Deno.build.arch}; ` +
    `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`,
);
say(
  skipEventlet
    ? "Python eventlet: skipped (--no-eventlet): no eventlet column"
    : python === null
    ? "Python eventlet: not found (tried `python3` and `/usr/bin/python3`): no eventlet column"
    : `Python ${python.version} (${python.exe}), eventlet ${python.eventlet}, ` +
      `greenlet ${python.greenlet}`,
);
say(`command: deno run -A bench/compare.ts ${Deno.args.join(" ")}`.trim());
say(`rounds: ${rounds} (each run its own process, order ${impls.join("/")} in every round)`);
say("");

// ---------------------------------------------------------------- measure

type Samples = Record<string, Record<Impl, number[]>>; // metric key -> impl -> per round
let failures = 0;
const results: [typeof workloads[number], Samples][] = [];
for (const w of workloads) {
  const samples: Samples = {};
  for (const m of w.metrics) samples[m.key] = { ours: [], raw: [], eventlet: [] };
  for (let r = 0; r < rounds; r++) {
    for (const impl of impls) {
      if (!w.metrics.some((m) => m.impls.includes(impl))) continue;
      const t0 = performance.now();
      try {
        const figures = await w.run(impl, env);
        for (const m of w.metrics) {
          if (m.impls.includes(impl)) samples[m.key][impl].push(Number(figures[m.key]));
        }
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        console.error(`${w.id} round ${r + 1} ${impl}: ${JSON.stringify(figures)} (${secs} s)`);
      } catch (error) {
        failures++;
        console.error(`${w.id} round ${r + 1} ${impl}: FAILED ${error}`);
      }
    }
  }
  results.push([w, samples]);
}

// ------------------------------------------------------------------ table

const med = (xs: number[]) => (xs.length === 0 ? undefined : median(xs));
say(
  `| workload | figure | ours | raw Deno | ${python ? "eventlet" : "eventlet (absent)"} | ` +
    `ours/raw | ours/eventlet | target (ours) |`,
);
say("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
for (const [w, samples] of results) {
  for (const m of w.metrics) {
    const s = samples[m.key];
    const [o, r, e] = [med(s.ours), med(s.raw), med(s.eventlet)];
    let target = "";
    if (m.target !== undefined && o !== undefined && r !== undefined) {
      target = `${m.target.text}: ${m.target.met(o, r) ? "met" : "**not met**"}`;
    }
    const better = m.higherIsBetter ? "" : ", lower is better";
    say(
      `| ${w.title} | ${m.label}${better} | ${fmt(o, m)} | ${fmt(r, m)} | ${fmt(e, m)} | ` +
        `${ratio(o, r)} | ${ratio(o, e)} | ${target} |`,
    );
  }
}
say("");
say(
  "Ratios are ours ÷ other, of medians: above 1 is better for rates, below 1 for bytes, " +
    "latency and CPU. Memory: V8 heap delta after a full GC (Deno only), and RSS delta " +
    "(/proc/self/statm) for all three. Echo: bench/echo.ts's load client (--role=client) " +
    "drives each server; server on CPU 0, client on CPU 1 when taskset exists; server CPU " +
    "from /proc/<pid>/stat.",
);
say("");
say("Per-round figures (in run order):");
say("");
for (const [w, samples] of results) {
  for (const m of w.metrics) {
    const parts = impls
      .filter((impl) => samples[m.key][impl].length > 0)
      .map((impl) => `${impl} ${samples[m.key][impl].map((x) => fmt(x, m)).join(" ")}`);
    say(`- ${w.id} ${m.label}: ${parts.join("; ")}`);
  }
}
say("");
say(`total: ${((performance.now() - began) / 1000).toFixed(0)} s`);
if (failures > 0) {
  console.error(`${failures} program run(s) failed`);
  Deno.exit(1);
}
