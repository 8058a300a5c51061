/**
 * A tour of the foundation: spawn, GreenThread, Timeout and Event.
 *
 *   deno run -A examples/demo.ts
 *
 * @module
 */

import { Event, GreenletExit, sleep, spawn, Timeout, withTimeout } from "../mod.ts";

// 1. Spawn greenthreads; they start when main reaches a switch point.
const squares = [1, 2, 3].map((n) =>
  spawn(async () => {
    await sleep(n / 100);
    return n * n;
  })
);
console.log("squares:", await Promise.all(squares.map((gt) => gt.wait())));

// 2. An Event hands one value to every waiter.
const ready = new Event<string>();
const waiters = ["a", "b"].map((name) => spawn(async () => `${name} got ${await ready.wait()}`));
spawn(() => ready.send("go"));
for (const gt of waiters) console.log(await gt.wait());

// 3. A Timeout throws into the greenthread that made it, at its switch point.
const slow = spawn(async () => {
  using deadline = new Timeout(0.05);
  try {
    await sleep(10);
    return "finished";
  } catch (e) {
    if (e === deadline) return "timed out after 50 ms";
    throw e;
  }
});
console.log("slow:", await slow.wait());

// 4. withTimeout turns expiry into a value.
console.log(
  "withTimeout:",
  await withTimeout(0.02, () => sleep(1).then(() => "done"), { timeoutValue: "gave up" }),
);

// 5. kill lands at the switch point; finally blocks run before kill resolves.
const worker = spawn(async () => {
  try {
    for (;;) await sleep(0.01);
  } finally {
    console.log("worker: cleaning up");
  }
});
await sleep(0.03);
await worker.kill();
console.log("worker killed:", await worker.wait().catch((e) => e instanceof GreenletExit));
