/**
 * The README's switch-point table, row by row (as trio's
 * `assert_checkpoints`): every operation listed there is a switch point —
 * a kill pending when it is called surfaces right there, even when the
 * operation could complete at once; and when it has to wait, other
 * greenthreads run before it returns. The "never switch" list is checked
 * the other way round. The rows of net are in switch_points_net_test.ts,
 * those of the modules beyond the core (pools, subprocess, dagpool, http,
 * serve) in switch_points_modules_test.ts, those of the patcher in
 * switch_points_patched_test.ts; switch_points_table_test.ts checks that
 * every item of the README's table has a row.
 */

import assert from "node:assert/strict";
import {
  CappedSemaphore,
  Event,
  getCurrent,
  GreenletExit,
  GreenPile,
  GreenPool,
  kill,
  LightQueue,
  PriorityQueue,
  Queue,
  Semaphore,
  sleep,
  spawn,
  spawnN,
  Timeout,
  waitFor,
} from "../mod.ts";
import { execute, proxy } from "../tpool/mod.ts";
import { throwInto } from "../hub/lowlevel.ts";
import { type Row, walk } from "./switch_point_helpers.ts";

/** `pool.spawn` or `pool.spawnN` of a function that returns at once. */
function spawnIn(pool: GreenPool, method: "spawn" | "spawnN"): Promise<unknown> {
  return method === "spawn" ? pool.spawn(() => {}) : pool.spawnN(() => {});
}

const gate = () => {
  const evt = new Event();
  return { evt, blocked: () => evt.wait() };
};

export const rows: Row[] = [
  {
    name: "sleep(0)",
    readme: ["sleep(seconds)"],
    call: () => sleep(0),
    waits: () => Promise.resolve({ call: () => sleep(0.05), release: () => sleep(0.05) }),
  },
  {
    name: "GreenThread.wait()",
    readme: ["GreenThread.wait()"],
    call: () => spawn(() => 1).wait(),
    waits: () => {
      const { evt, blocked } = gate();
      const target = spawn(blocked);
      return Promise.resolve({ call: () => target.wait(), release: () => evt.send() });
    },
  },
  {
    name: "GreenThread.kill() and kill(gt)",
    readme: ["GreenThread.kill()", "kill(gt)"],
    // A kill of a greenthread that has not started, or has ended, resolves at once.
    prepare: async () => {
      const target = spawn(() => sleep(10));
      await sleep(0);
      return () => kill(target);
    },
    waits: () => {
      const target = spawn(async () => {
        try {
          await sleep(10);
        } finally {
          await sleep(0.05); // cleanup that takes a while
        }
      });
      return sleep(0).then(() => ({
        call: () => target.kill(),
        release: () => target.wait().catch(() => {}),
      }));
    },
  },
  {
    name: "Event.wait()",
    readme: ["Event.wait()"],
    call: () => {
      const evt = new Event<number>();
      evt.send(1);
      return evt.wait();
    },
    waits: () => {
      const evt = new Event();
      return Promise.resolve({ call: () => evt.wait(), release: () => evt.send() });
    },
  },
  {
    name: "Queue.put()",
    readme: ["Queue.put()"],
    call: () => new Queue<number>().put(1),
    waits: () => {
      const q = new Queue<number>(1);
      q.putNowait(0);
      return Promise.resolve({ call: () => q.put(1), release: () => q.getNowait() });
    },
  },
  {
    name: "Queue.get()",
    readme: ["Queue.get()"],
    call: () => {
      const q = new LightQueue<number>();
      q.putNowait(1);
      return q.get();
    },
    waits: () => {
      const q = new PriorityQueue<number>();
      return Promise.resolve({ call: () => q.get(), release: () => q.putNowait(1) });
    },
  },
  {
    name: "Queue.join()",
    readme: ["Queue.join()"],
    call: () => new Queue().join(),
    waits: () => {
      const q = new Queue<number>();
      q.putNowait(1);
      return Promise.resolve({
        call: () => q.join(),
        release: () => (q.getNowait(), q.taskDone()),
      });
    },
  },
  {
    name: "each step of for await (… of queue)",
    readme: ["each step of for await (… of queue)"],
    call: () => {
      const q = new Queue<number>();
      q.putNowait(1);
      return q[Symbol.asyncIterator]().next();
    },
    waits: () => {
      const q = new Queue<number>();
      const steps = q[Symbol.asyncIterator]();
      return Promise.resolve({ call: () => steps.next(), release: () => q.putNowait(1) });
    },
  },
  {
    name: "Semaphore.acquire()",
    readme: ["Semaphore.acquire()"],
    call: () => new Semaphore(1).acquire(),
    waits: () => {
      const sem = new Semaphore(0);
      return Promise.resolve({ call: () => sem.acquire(), release: () => sem.release() });
    },
  },
  {
    name: "Semaphore.guard()",
    readme: ["Semaphore.guard()"],
    call: () => new Semaphore(1).guard(),
    waits: () => {
      const sem = new Semaphore(0);
      return Promise.resolve({ call: () => sem.guard(), release: () => sem.release() });
    },
  },
  {
    name: "CappedSemaphore.release()",
    readme: ["CappedSemaphore.release()"],
    // Below the limit it gives the unit back even with a kill pending (README).
    call: () => new CappedSemaphore(1, 1).release(),
    waits: () => {
      const sem = new CappedSemaphore(1, 1);
      return Promise.resolve({
        call: () => sem.release(),
        release: () => sem.acquire({ blocking: false }),
      });
    },
  },
  ...(["spawn", "spawnN"] as const).map((method): Row => ({
    name: `GreenPool.${method}()`,
    readme: [`GreenPool.${method}()`],
    call: () => spawnIn(new GreenPool(1), method),
    waits: () => {
      const pool = new GreenPool(1);
      const { evt, blocked } = gate();
      return pool.spawn(blocked).then(() => ({
        call: () => spawnIn(pool, method),
        release: () => evt.send(),
      }));
    },
  })),
  {
    name: "GreenPool.waitall()",
    readme: ["GreenPool.waitall()"],
    call: () => new GreenPool(1).waitall(),
    waits: () => {
      const pool = new GreenPool(1);
      const { evt, blocked } = gate();
      return pool.spawn(blocked).then(() => ({
        call: () => pool.waitall(),
        release: () => evt.send(),
      }));
    },
  },
  {
    name: "each step of GreenPool.imap",
    readme: ["each step of imap/starmap"],
    call: () => new GreenPool(2).imap((n: number) => n, [1]).next(),
    waits: () => {
      const { evt, blocked } = gate();
      const steps = new GreenPool(2).imap((_: number) => blocked(), [1]);
      return Promise.resolve({ call: () => steps.next(), release: () => evt.send() });
    },
  },
  {
    name: "each step of GreenPool.starmap",
    readme: ["each step of imap/starmap"],
    call: () => new GreenPool(2).starmap((n: number) => n, [[1]]).next(),
    waits: () => {
      const { evt, blocked } = gate();
      const steps = new GreenPool(2).starmap((_: number) => blocked(), [[1]]);
      return Promise.resolve({ call: () => steps.next(), release: () => evt.send() });
    },
  },
  {
    name: "GreenPile.spawn()",
    readme: ["GreenPile.spawn()"],
    call: () => new GreenPile(1).spawn(() => 1),
    waits: () => {
      const pile = new GreenPile(1);
      const { evt, blocked } = gate();
      return pile.spawn(blocked).then(() => ({
        call: () => pile.spawn(() => 2),
        release: () => evt.send(),
      }));
    },
  },
  {
    name: "GreenPile.next()",
    readme: ["GreenPile.next()"],
    prepare: async () => {
      const pile = new GreenPile<number>();
      await pile.spawn(() => 1);
      await sleep(0);
      return () => pile.next();
    },
    waits: () => {
      const pile = new GreenPile();
      const { evt, blocked } = gate();
      return pile.spawn(blocked).then(() => ({
        call: () => pile.next(),
        release: () => evt.send(),
      }));
    },
  },
  {
    name: "each step of for await (… of pile)",
    readme: ["each step of for await (… of pile)"],
    prepare: async () => {
      const pile = new GreenPile<number>();
      await pile.spawn(() => 1);
      await sleep(0);
      const steps = pile[Symbol.asyncIterator]();
      return () => steps.next();
    },
    waits: () => {
      const pile = new GreenPile();
      const { evt, blocked } = gate();
      return pile.spawn(blocked).then(() => {
        const steps = pile[Symbol.asyncIterator]();
        return { call: () => steps.next(), release: () => evt.send() };
      });
    },
  },
  {
    name: "execute() (tpool)",
    readme: ["execute()"],
    call: () => execute(() => 1),
    waits: () =>
      Promise.resolve({
        call: () => execute(() => new Promise((r) => setTimeout(r, 100))),
        release: () => sleep(0.1),
      }),
  },
  {
    name: "a call on a tpool proxy",
    readme: ["every call and attribute read of a proxy"],
    prepare: async () => {
      const target = await proxy(() => ({ twice: (n: number) => 2 * n }));
      return () => target.twice(2).finally(() => target[Symbol.asyncDispose]());
    },
    waits: async () => {
      const target = await proxy(() => ({
        slow: () => new Promise((r) => setTimeout(r, 100)),
      }));
      return {
        call: () => target.slow().finally(() => target[Symbol.asyncDispose]()),
        release: () => sleep(0.1),
      };
    },
  },
  {
    name: "an attribute read of a tpool proxy",
    readme: ["every call and attribute read of a proxy"],
    prepare: async () => {
      const target = await proxy(() => ({ size: 3 }));
      return async () => {
        try {
          return await target.size;
        } finally {
          await target[Symbol.asyncDispose]();
        }
      };
    },
    waits: async () => {
      // Calls on one worker run in order: the read waits behind a slow call.
      const target = await proxy(() => ({
        size: 3,
        slow: () => new Promise((r) => setTimeout(r, 100)),
      }));
      const slow = spawn(() => target.slow());
      await sleep(0); // the slow call is sent first
      return {
        call: async () => {
          try {
            return await target.size;
          } finally {
            await target[Symbol.asyncDispose]();
          }
        },
        release: () => slow.wait(),
      };
    },
  },
  {
    name: "proxy() (tpool)",
    readme: ["proxy()"],
    call: () => proxy(() => ({ size: 3 })).then((target) => target[Symbol.asyncDispose]()),
    waits: () =>
      Promise.resolve({
        // The factory runs in the worker; proxy() resolves once it returned.
        call: () =>
          proxy(async () => {
            await new Promise((r) => setTimeout(r, 100));
            return { size: 3 };
          }).then((target) => target[Symbol.asyncDispose]()),
        release: () => sleep(0.1),
      }),
  },
  {
    name: "waitFor(promise)",
    readme: ["waitFor(promise)"],
    call: () => waitFor(1),
    waits: () => {
      let resolve!: () => void;
      const foreign = new Promise<void>((r) => (resolve = r));
      return Promise.resolve({ call: () => waitFor(foreign), release: () => resolve() });
    },
  },
];

/** The README's "never switch" list: a pending kill stays pending through all of it. */
async function neverSwitches(): Promise<void> {
  const exit = new GreenletExit("pending kill");
  const gt = spawn(async () => {
    throwInto(getCurrent(), exit);
    const q = new Queue<number>(1);
    spawn(() => {});
    spawnN(() => {});
    new Event().send();
    q.putNowait(1);
    q.getNowait();
    q.taskDone();
    q.resize(2);
    new Semaphore(0).release();
    new Timeout(1).cancel();
    q.close();
    await sleep(0); // the first switch point
  });
  await assert.rejects(gt.wait(), (e) => e === exit);
}

walk(rows, import.meta.url);
// As `walk`, only when this file is the one under test (the table test imports its rows).
if (Deno.mainModule === import.meta.url) {
  Deno.test("never a switch point: the README's list leaves a pending kill pending", neverSwitches);
}
