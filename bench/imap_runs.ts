/**
 * How `GreenPool(1000).imap` warms up: consecutive maps of 200k trivial
 * calls in fresh processes, timed one by one, against raw Deno's bounded
 * async map (bench/compare/imap_raw.ts's) doing the same.
 *
 *   deno run -A bench/imap_runs.ts [--processes=8] [--runs=4]
 *
 * `deno task compare` times a process's second map, after one warm-up: the
 * run where code V8 optimized during the first map meets what the first
 * never did (a new map's objects, its first push, the array's end) and
 * deopts. This prints, per run index, the median time over the processes,
 * ours and raw alternating, and each run's time over the last run's, so a
 * second run that stays slow shows. Add `--v8-flags=--trace-deopt-verbose`
 * to a child's command line (run `--child=ours`) to see which branch deopts.
 *
 * The host here slows whole processes now and then (a core shared with a
 * neighbour): read the medians, and rerun when the ranges are wide.
 *
 * @module
 */

import { arg, median } from "./common.ts";
import { intArg } from "./compare/common.ts";
import { EXPECTED, inputs, N, oursMap, rawMap } from "./imap_workload.ts";

/** One process: `runs` maps in a row; prints their times (ms) as JSON. */
async function child(impl: string, runs: number): Promise<void> {
  if (impl !== "ours" && impl !== "raw") {
    throw new RangeError(`Cannot run a child: --child must be ours or raw, received ${impl}`);
  }
  const map = impl === "ours" ? oursMap : rawMap;
  const items = inputs();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const sum = await map(items);
    times.push(performance.now() - start);
    if (sum !== EXPECTED) throw new Error(`lost results: sum ${sum}`);
  }
  console.log(JSON.stringify(times));
}

async function spawnChild(impl: string, runs: number): Promise<number[]> {
  const script = new URL(import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, `--child=${impl}`, `--runs=${runs}`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`Cannot run the ${impl} child: exit code ${out.code}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

const runs = intArg("runs", 4);
const processes = intArg("processes", 8);
if (runs < 2) throw new RangeError(`Cannot time warm-up: --runs must be ≥ 2, received ${runs}`);
if (processes < 1) {
  throw new RangeError(`Cannot time warm-up: --processes must be ≥ 1, received ${processes}`);
}

const childImpl = arg("child");
if (childImpl !== undefined) {
  await child(childImpl, runs);
} else {
  const results: Record<string, number[][]> = { ours: [], raw: [] };
  for (let p = 0; p < processes; p++) {
    for (const impl of ["ours", "raw"]) results[impl].push(await spawnChild(impl, runs));
  }
  console.log(`${processes} fresh processes each, alternating; ms per map of ${N} calls`);
  for (const impl of ["ours", "raw"]) {
    const cells: string[] = [];
    const last = median(results[impl].map((t) => t[runs - 1]));
    for (let r = 0; r < runs; r++) {
      const times = results[impl].map((t) => t[r]);
      const m = median(times);
      cells.push(
        `run ${r + 1}: ${m.toFixed(1)} (${Math.min(...times).toFixed(1)}–${
          Math.max(...times).toFixed(1)
        }, ${(m / last).toFixed(2)}× the last)`,
      );
    }
    console.log(`${impl.padEnd(4)}  ${cells.join("  ")}`);
  }
  const second = (impl: string) => median(results[impl].map((t) => t[1]));
  console.log(
    `second run (what deno task compare times), ours ÷ raw as rates: ${
      (second("raw") / second("ours")).toFixed(3)
    }`,
  );
}
