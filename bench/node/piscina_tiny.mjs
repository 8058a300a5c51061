// Tiny-task throughput of Node's piscina worker pool, the same workload as
// bench/tpool_ratios.ts: x => x + 1 on 4 threads, sequential and with 100
// calls in flight. Prints one JSON line. Run by bench/tpool_ratios.ts:
//   node bench/node/piscina_tiny.mjs --calls=20000
import { Piscina } from "piscina";

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
};
const calls = arg("calls", 20000);
const rounds = arg("rounds", 5);
const task = new URL("./tiny_task.mjs", import.meta.url).href;
const pool = new Piscina({ filename: task, minThreads: 4, maxThreads: 4 });

async function sequential() {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await pool.run(i);
  return calls / (performance.now() - start) * 1000;
}

async function inFlight(width) {
  const start = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < calls) {
      next++;
      await pool.run(next);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return calls / (performance.now() - start) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await sequential(); // warm-up: start the threads, let V8 optimize
await inFlight(100);
const seq = [];
const wide = [];
for (let r = 0; r < rounds; r++) {
  seq.push(await sequential());
  wide.push(await inFlight(100));
}
console.log(JSON.stringify({ sequential: median(seq), inflight100: median(wide) }));
await pool.destroy();
