/**
 * A small service with eventlet's backdoor: workers take jobs from a queue
 * while you look inside the running program from another terminal.
 *
 *   deno run -A examples/backdoor_demo.ts [--port=3000]
 *   nc 127.0.0.1 3000
 *   > state.done
 *   > formatGreenthreads()
 *   > jobs.putNowait(99)
 *   > await kill(<id of a worker>)
 *   > stop()            (ends the demo)
 *
 * @module
 */

import { Event, Queue, sleep, spawn } from "../mod.ts";
import { listen } from "../net/mod.ts";
import { backdoorServer } from "../backdoor/mod.ts";

const portArg = Deno.args.find((arg) => arg.startsWith("--port="));
const port = portArg === undefined ? 3000 : Number(portArg.slice("--port=".length));

const state = { done: 0, last: null as number | null };
const jobs = new Queue<number>();
const stopped = new Event<void>();

async function worker(): Promise<never> {
  for (;;) {
    const job = await jobs.get();
    await sleep(0.01 * (job % 5)); // pretend to work
    state.done++;
    state.last = job;
  }
}

async function producer(): Promise<never> {
  for (let n = 0;; n++) {
    await jobs.put(n);
    await sleep(0.05);
  }
}

const workers = [1, 2, 3].map((n) => {
  const gt = spawn(worker);
  gt.name = `worker-${n}`;
  return gt;
});
const feeder = spawn(producer);
feeder.name = "producer";

// Loopback only: anyone reaching this port runs code in this process.
const listener = listen(["127.0.0.1", port]);
const backdoor = spawn(backdoorServer, listener, {
  globals: { state, jobs, stop: () => stopped.send() },
});
backdoor.name = "backdoor server";
console.log(`try: nc 127.0.0.1 ${(listener.addr as [string, number])[1]}`);

await stopped.wait();
for (const gt of [feeder, ...workers, backdoor]) await gt.kill();
console.log(`stopped after ${state.done} jobs`);
