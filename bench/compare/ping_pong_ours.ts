/**
 * Workload 2, ours: two greenthreads each looping on `sleep(0)`, N switches
 * in all (eventlet: `eventlet.sleep(0)`). Reports switches per second.
 *
 *   deno run -A bench/compare/ping_pong_ours.ts [--n=1000000]
 *
 * @module
 */

import { spawn } from "../../green/spawn.ts";
import { sleep } from "../../green/sleep.ts";
import { time } from "../common.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 1_000_000);

async function loop(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await sleep(0);
}

async function pingPong(switches: number): Promise<void> {
  const a = spawn(loop, switches / 2);
  const b = spawn(loop, switches / 2);
  await a.wait();
  await b.wait();
}

await pingPong(n); // warm-up: V8 optimizes the code
const ms = await time(() => pingPong(n));
report({ workload: "ping_pong", impl: "ours", n, ms, rate: n / ms * 1000 });
