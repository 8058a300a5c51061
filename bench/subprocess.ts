/**
 * Subprocess throughput: `GreenProcess.communicate` against Deno's own
 * `Deno.Command(…).output()` on the same child, alternating in one process
 * run, several rounds; the ratio is ours ÷ raw throughput (raw time ÷ our
 * time) of the medians.
 *
 *   taskset -c 0 deno run -A bench/subprocess.ts [--quick] [--mb=64]
 *
 * Workloads:
 * 1. out: the child writes 64 MB to stdout (`head -c … /dev/zero`), stderr
 *    piped too; ours `spawnProcess(…).communicate()`.
 * 2. through: 64 MB through `cat` (stdin written while stdout is read);
 *    raw writes `child.stdin` while awaiting `child.output()`, ours
 *    `communicate(input)`.
 *
 * The child runs pinned to core 1 (`taskset -c 1`, when installed), so run
 * this script on core 0. Target: out >= 0.8 of raw.
 *
 * @module
 */

import { spawnProcess } from "../subprocess/mod.ts";
import { arg, median } from "./common.ts";

const quick = Deno.args.includes("--quick");
const MB = Number(arg("mb") ?? (quick ? 4 : 64));
const BYTES = MB * 1024 * 1024;
const ROUNDS = quick ? 1 : 9;

function hasTaskset(): boolean {
  try {
    return new Deno.Command("taskset", { args: ["-c", "1", "true"] }).outputSync().success;
  } catch {
    return false;
  }
}
const pinned = hasTaskset();
/** The command line of a child, pinned to core 1 when possible. */
const child = (...cmd: string[]): [string, string[]] =>
  pinned ? ["taskset", ["-c", "1", ...cmd]] : [cmd[0], cmd.slice(1)];

const OUT = child("head", "-c", String(BYTES), "/dev/zero");
const THROUGH = child("cat");
const input = new Uint8Array(BYTES).fill(7);

function check(length: number | undefined): void {
  if (length !== BYTES) throw new Error(`expected ${BYTES} bytes, received ${length}`);
}

async function rawOut(): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(OUT[0], { args: OUT[1], stdout: "piped", stderr: "piped" })
    .output();
  check(out.stdout.length);
  return performance.now() - start;
}

async function oursOut(): Promise<number> {
  const start = performance.now();
  const p = spawnProcess(OUT[0], { args: OUT[1], stdout: "piped", stderr: "piped" });
  const [out] = await p.communicate();
  check(out?.length);
  return performance.now() - start;
}

async function rawThrough(): Promise<number> {
  const start = performance.now();
  const proc = new Deno.Command(THROUGH[0], {
    args: THROUGH[1],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = proc.stdin.getWriter();
  const written = writer.write(input).then(() => writer.close());
  const out = await proc.output();
  await written;
  check(out.stdout.length);
  return performance.now() - start;
}

async function oursThrough(): Promise<number> {
  const start = performance.now();
  const p = spawnProcess(THROUGH[0], {
    args: THROUGH[1],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const [out] = await p.communicate(input);
  check(out?.length);
  return performance.now() - start;
}

/** Runs both variants `ROUNDS` times, alternating which goes first; medians in ms. */
async function compare(
  raw: () => Promise<number>,
  ours: () => Promise<number>,
): Promise<{ raw: number[]; ours: number[] }> {
  const times = { raw: [] as number[], ours: [] as number[] };
  await raw(); // warm-up of both paths
  await ours();
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      times.raw.push(await raw());
      times.ours.push(await ours());
    } else {
      times.ours.push(await ours());
      times.raw.push(await raw());
    }
  }
  return times;
}

function row(name: string, times: { raw: number[]; ours: number[] }): string {
  const mbps = (ms: number) => (MB / (ms / 1000)).toFixed(0);
  const r = median(times.raw);
  const o = median(times.ours);
  const range = (xs: number[]) => `${mbps(Math.max(...xs))}–${mbps(Math.min(...xs))}`;
  return `| ${name.padEnd(8)} | ${mbps(o).padStart(5)} MB/s (${range(times.ours)}) | ` +
    `${mbps(r).padStart(5)} MB/s (${range(times.raw)}) | ${(r / o).toFixed(2)} |`;
}

console.log(
  `subprocess bench: ${MB} MB per run, ${ROUNDS} rounds, child ${
    pinned ? "pinned to core 1" : "not pinned (no taskset)"
  }`,
);
console.log("| workload | communicate (median, range) | Deno.Command output() | ours/raw |");
console.log("| -------- | --------------------------- | --------------------- | -------- |");
console.log(row("out", await compare(rawOut, oursOut)));
console.log(row("through", await compare(rawThrough, oursThrough)));
console.log("target: out >= 0.8 of raw");
