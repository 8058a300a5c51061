/**
 * Workload 2, raw Deno: two async loops each doing `await null`, N awaits
 * in all (the floor of a cooperative switch on promise jobs; no timers or
 * I/O are polled in between, which `sleep(0)` guarantees).
 *
 *   deno run -A bench/compare/ping_pong_raw.ts [--n=1000000]
 *
 * @module
 */

import { time } from "../common.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 1_000_000);

async function loop(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await null;
}

async function pingPong(switches: number): Promise<void> {
  await Promise.all([loop(switches / 2), loop(switches / 2)]);
}

await pingPong(n); // warm-up: V8 optimizes the code
const ms = await time(() => pingPong(n));
report({ workload: "ping_pong", impl: "raw", n, ms, rate: n / ms * 1000 });
