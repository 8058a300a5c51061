/**
 * Debugging aids in action: list greenthreads and timers, and catch a
 * greenthread that blocks the thread.
 *
 *   deno run -A examples/debug_demo.ts
 *
 * @module
 */

import { Event, sleep, spawn } from "../mod.ts";
import { getHub } from "../hub/mod.ts";
import {
  BlockingDetected,
  captureSpawnSites,
  formatGreenthreads,
  formatHubTimers,
  hubBlockingDetection,
} from "../debug/mod.ts";

captureSpawnSites(true);

const ready = new Event<string>();
const waiter = spawn(() => ready.wait());
waiter.name = "waiter";
const napper = spawn(() => sleep(2));
napper.name = "napper";
await sleep(0);

console.log("Greenthreads:");
console.log(formatGreenthreads());
console.log(formatHubTimers());

getHub().onError = (error) => {
  if (error instanceof BlockingDetected) console.log("Detected:", error.message);
  else console.error(error);
};
hubBlockingDetection(true, { resolution: 0.1 });
const cruncher = spawn(async () => {
  await sleep(0.05);
  const end = Date.now() + 250;
  while (Date.now() < end) { /* a CPU loop that forgets to yield */ }
  await sleep(0);
});
cruncher.name = "cruncher";
await cruncher.wait();
hubBlockingDetection(false);

ready.send("done");
await waiter.wait();
await napper.kill();
console.log("All greenthreads finished.");
