/**
 * SHA-256 of many buffers on the thread pool, moving each buffer to its
 * worker and back with `transfer` (no copies), while a greenthread ticks.
 *
 *   deno run -A examples/tpool_hash.ts
 *
 * @module
 */

import { createHash } from "node:crypto";
import { sleep, spawn } from "../mod.ts";
import { execute, transfer } from "../tpool/mod.ts";

const BUFFERS = 32;
const SIZE = 1 << 20; // 1 MiB each

function makeBuffer(seed: number): Uint8Array {
  const buf = new Uint8Array(SIZE);
  let x = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < SIZE; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

// Runs in a worker: self-contained (it imports what it needs). `transfer`
// is a global there, so the buffer goes back without a copy too.
async function sha256(data: Uint8Array): Promise<{ digest: string; data: Uint8Array }> {
  const { createHash } = await import("node:crypto");
  const digest = createHash("sha256").update(data).digest("hex");
  return transfer({ digest, data }, [data.buffer]);
}

const buffers = Array.from({ length: BUFFERS }, (_, i) => makeBuffer(i + 1));
const expected = createHash("sha256").update(buffers[0]).digest("hex");

let ticks = 0;
const ticker = spawn(async () => {
  for (;;) {
    await sleep(0.005);
    ticks++;
  }
});

const started = performance.now();
const hashers = buffers.map((buf) => spawn(() => execute(sha256, transfer(buf, [buf.buffer]))));
const results = [];
for (const gt of hashers) results.push(await gt.wait());
const ms = performance.now() - started;

const detached = buffers.filter((b) => b.byteLength === 0).length;
const returned = results.filter((r) => r.data.byteLength === SIZE).length;
console.log(`hashed ${BUFFERS} x ${SIZE >> 20} MiB in ${ms.toFixed(0)} ms`);
console.log(
  `first digest ${results[0].digest} (${
    results[0].digest === expected ? "matches" : "DIFFERS FROM"
  } the main thread's)`,
);
console.log(`${detached} sender buffers detached, ${returned} came back whole`);
console.log(`ticker ticked ${ticks} times meanwhile`);
await ticker.kill();
