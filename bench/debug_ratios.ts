/**
 * The cost of blocking detection: the sleep(0) switch rate of two
 * ping-ponging greenthreads with detection on, as a ratio to the rate with
 * it off, alternating in one process run (target: at least 0.8).
 *
 *   deno run -A bench/debug_ratios.ts [--quick]
 *
 * @module
 */

import { sleep, spawn } from "../mod.ts";
import { hubBlockingDetection } from "../debug/mod.ts";
import { median } from "./common.ts";

const quick = Deno.args.includes("--quick");
const SWITCHES = quick ? 50_000 : 2_000_000;
const ROUNDS = quick ? 1 : 5;

async function pingPong(): Promise<number> {
  const half = SWITCHES / 2;
  const loop = async () => {
    for (let i = 0; i < half; i++) await sleep(0);
  };
  const start = performance.now();
  const a = spawn(loop);
  const b = spawn(loop);
  await a.wait();
  await b.wait();
  return SWITCHES / (performance.now() - start) * 1000;
}

const off: number[] = [];
const on: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  off.push(await pingPong());
  hubBlockingDetection(true, { resolution: 1 });
  on.push(await pingPong());
  hubBlockingDetection(false);
}
const m = (x: number) => `${(x / 1e6).toFixed(2)}M/s`;
console.log("workload | detection off | detection on | on/off | target");
console.log(
  `sleep(0) switches | ${m(median(off))} | ${m(median(on))} | ${
    (median(on) / median(off)).toFixed(3)
  } | >= 0.8`,
);
