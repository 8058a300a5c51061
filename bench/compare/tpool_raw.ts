/**
 * Workload 7, raw Deno: bare round trips to `--threads` `node:worker_threads`
 * workers (the kind tpool uses) that answer `[id, x]` with `[id, x + 1]` over
 * a web `MessagePort` (the transport tpool uses; the baseline of
 * bench/tpool_ratios.ts), N in all, `--inflight` messages outstanding at once,
 * round-robin (sequential: one message at a time to one worker). The floor
 * of a worker round trip in Deno.
 *
 *   deno run -A bench/compare/tpool_raw.ts [--n=20000] [--inflight=1] [--threads=4]
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { time } from "../common.ts";
import { intArg, report } from "./common.ts";

const n = intArg("n", 20_000);
const inflight = Math.max(1, intArg("inflight", 1));
const threads = Math.max(1, intArg("threads", 4));
const calls = Math.max(1, Math.floor(n / inflight)) * inflight;

const SOURCE = `const { parentPort } = require("node:worker_threads");
parentPort.once("message", (port) => {
  port.onmessage = (e) => port.postMessage([e.data[0], e.data[1] + 1]);
});`;
const workers = Array.from({ length: threads }, () => {
  const worker = new Worker(SOURCE, { eval: true });
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port2, [port2 as never]);
  return { worker, port: port1 };
});

/** `total` round trips, `inflight` outstanding, round-robin over the workers. */
function run(total: number): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    for (const { port } of workers) {
      port.onmessage = () => {
        if (++received === total) resolve();
        else if (sent < total) port.postMessage([++sent, received]);
      };
    }
    for (let k = 0; k < Math.min(inflight, total); k++) {
      workers[k % workers.length].port.postMessage([++sent, k]);
    }
  });
}

await run(calls); // warm-up: starts the workers, V8 optimizes the code
const ms = await time(() => run(calls));
report({ workload: "tpool", impl: "raw", n: calls, inflight, ms, rate: calls / ms * 1000 });
for (const { worker, port } of workers) {
  port.close();
  await worker.terminate();
}
