/**
 * The Pool capacity sweep: greenthreads run thousands of get/put/create
 * cycles (sync and async create that may throw, validate that may refuse or
 * throw, idle items going stale on the timer) while a killer kills them and
 * Timeouts expire at random switch points. Afterwards the capacity must be
 * exact: nobody waiting, `free() === maxSize`, `maxSize` items obtainable at
 * once, no more live items than `maxSize`, and every item created disposed
 * of exactly once when the pool closes.
 */

import assert from "node:assert/strict";
import { Pool } from "../pools/mod.ts";
import { spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { Timeout } from "../green/timeout.ts";
import type { GreenThread } from "../hub/greenthread.ts";
import { captureErrors } from "./hub_helpers.ts";

/** A small seeded generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Planned extends Error {}

interface SweepOptions {
  seed: number;
  cycles: number;
  resizes: boolean;
}

async function sweep({ seed, cycles, resizes }: SweepOptions): Promise<void> {
  const r = random(seed);
  const maxSize = 5;
  let nextId = 0;
  const live = new Set<number>();
  const disposedTwice: number[] = [];
  const disposed = new Set<number>();
  const steps = async (most: number) => {
    for (let n = Math.floor(r() * (most + 1)); n > 0; n--) await sleep(0);
  };
  const made = (): { id: number } => {
    if (r() < 0.15) throw new Planned("create failed");
    const id = ++nextId;
    live.add(id);
    return { id };
  };
  const pool = new Pool<{ id: number }>({
    maxSize,
    maxIdle: 0.002,
    create: () => {
      if (r() < 0.3) return made();
      return steps(2).then(made);
    },
    validate: (item) => {
      const verdict = r();
      if (verdict < 0.05) throw new Planned(`validate threw for ${item.id}`);
      if (verdict < 0.5) return verdict > 0.1;
      return steps(1).then(() => verdict > 0.1);
    },
    dispose: (item) => {
      if (disposed.has(item.id)) disposedTwice.push(item.id);
      disposed.add(item.id);
      live.delete(item.id);
    },
  });

  let done = 0;
  let inUse = 0;
  let peak = 0;
  let kills = 0;
  let timeouts = 0;
  const use = async (item: { id: number }) => {
    inUse++;
    peak = Math.max(peak, inUse);
    try {
      assert.ok(live.has(item.id), `item ${item.id} handed out after its disposal`);
      await steps(3);
    } finally {
      inUse--;
    }
  };
  const worker = async () => {
    while (done < cycles) {
      const mode = r();
      try {
        if (mode < 0.45) {
          using lease = await pool.item();
          await use(lease.value);
        } else if (mode < 0.8) {
          const item = await pool.get();
          try {
            await use(item);
          } finally {
            pool.put(item);
          }
        } else {
          using deadline = new Timeout(r() < 0.5 ? 0 : 0.0005);
          try {
            using lease = await pool.item();
            await use(lease.value);
          } catch (error) {
            if (error !== deadline) throw error;
            timeouts++;
          }
        }
      } catch (error) {
        if (!(error instanceof Planned)) throw error;
      }
      done++;
    }
  };

  const workers: GreenThread<void>[] = Array.from({ length: 30 }, () => spawn(worker));
  const killer = spawn(async () => {
    while (done < cycles) {
      await steps(4);
      const i = Math.floor(r() * workers.length);
      await workers[i].kill();
      kills++;
      workers[i] = spawn(worker);
      if (resizes && r() < 0.05) pool.resize(1 + Math.floor(r() * 8));
      if (!resizes) assert.ok(peak <= maxSize, `${peak} items out at once`);
    }
  });
  using errors = captureErrors();
  await killer.wait();
  for (const gt of workers) await gt.kill();
  assert.deepEqual(errors.errors, [], `seed ${seed}: no greenthread failed`);
  if (resizes) pool.resize(maxSize);

  assert.ok(kills > cycles / 20, `seed ${seed}: ${kills} kills happened`);
  assert.ok(timeouts > 0, `seed ${seed}: some Timeouts expired`);
  assert.equal(inUse, 0);
  assert.equal(pool.waiting(), 0, `seed ${seed}: nobody waits`);
  assert.equal(pool.free(), maxSize, `seed ${seed}: capacity is exact`);
  assert.ok(live.size <= maxSize, `seed ${seed}: ${live.size} live items`);

  // All maxSize items can be had at once, and not one more.
  const items: { id: number }[] = [];
  {
    using _t = new Timeout(1);
    while (items.length < maxSize) {
      try {
        items.push(await pool.get());
      } catch (error) {
        if (!(error instanceof Planned)) throw error;
      }
    }
  }
  assert.equal(pool.free(), 0);
  const extra = spawn(() => pool.get());
  await sleep(0);
  assert.equal(pool.waiting(), 1, `seed ${seed}: get number ${maxSize + 1} waits`);
  await extra.kill();
  assert.ok(live.size <= maxSize, `seed ${seed}: ${live.size} live items`);
  for (const item of items) pool.put(item);
  pool.close();
  assert.equal(live.size, 0, `seed ${seed}: every item disposed of at close`);
  assert.equal(disposed.size, nextId, `seed ${seed}: all ${nextId} created were disposed of`);
  assert.deepEqual(disposedTwice, [], `seed ${seed}: none twice`);
}

for (const seed of [1, 2, 3]) {
  Deno.test(`Pool sweep (seed ${seed}): random kills and Timeouts over 3000 cycles lose no capacity`, async () => {
    await sweep({ seed, cycles: 3000, resizes: false });
  });
}

Deno.test("Pool sweep with random resizes (seed 7): capacity exact after resizing back", async () => {
  await sweep({ seed: 7, cycles: 3000, resizes: true });
});
