/**
 * local(): ports of eventlet's tests/thread_test.py Locals cases.
 */

import assert from "node:assert/strict";
import { local } from "../green/local.ts";
import { getCurrent, spawn } from "../green/spawn.ts";
import { sleep } from "../green/sleep.ts";
import { GreenPool } from "../green/greenpool.ts";
import type { GreenThread } from "../hub/greenthread.ts";

Deno.test("local(): attributes set in one greenthread are invisible in another (test_assignment)", async () => {
  const myLocal = local();
  myLocal.a = 1;
  await spawn(() => {
    myLocal.b = 2;
    assert.equal(myLocal.b, 2);
    assert.equal(myLocal.a, undefined);
    assert.equal("a" in myLocal, false);
  }).wait();
  assert.equal(myLocal.a, 1);
  assert.equal(myLocal.b, undefined, "invisible in main too");
  assert.deepEqual(Object.keys(myLocal), ["a"]);
});

Deno.test("local(init): init runs at creation, then on first touch in each greenthread (test_calls_init)", async () => {
  const initCalls: [number[], GreenThread][] = [];
  const args = [1, 2, 3];
  const myLocal = local<{ foo?: string }>(() => {
    initCalls.push([args, getCurrent()]);
  });
  assert.equal(initCalls.length, 1);
  assert.deepEqual(initCalls[0][0], [1, 2, 3]);
  assert.equal(initCalls[0][1], getCurrent());
  const gt = spawn(() => {
    myLocal.foo = "bar";
    assert.equal(initCalls.length, 2);
    assert.equal(initCalls[1][1], getCurrent());
    myLocal.foo = "baz";
    assert.equal(initCalls.length, 2, "only on the first touch");
  });
  await gt.wait();
  assert.equal(myLocal.foo, undefined);
  assert.equal(initCalls.length, 2, "main was initialised at creation");
});

Deno.test("local(): methods see the calling greenthread's attributes (test_calling_methods)", async () => {
  const myLocal = local<{ foo?: string; callme(): string | undefined }>((self) => {
    self.callme = function (this: { foo?: string }) {
      return this.foo;
    };
  });
  myLocal.foo = "foo1";
  assert.equal(myLocal.callme(), "foo1");
  await spawn(() => {
    myLocal.foo = "foo2";
    assert.equal(myLocal.callme(), "foo2");
  }).wait();
  myLocal.foo = "foo3";
  assert.equal(myLocal.callme(), "foo3");
});

Deno.test("local(): greenthreads interleaving at switch points keep their own values", async () => {
  const ctx = local<{ id?: number; trail: number[] }>((self) => {
    self.trail = [];
  });
  const pool = new GreenPool(10);
  const gts = [];
  for (let i = 0; i < 10; i++) {
    gts.push(
      await pool.spawn(async () => {
        ctx.id = i;
        for (let step = 0; step < 3; step++) {
          await sleep(0);
          ctx.trail.push(ctx.id!);
        }
        return [ctx.id, ...ctx.trail];
      }),
    );
  }
  for (let i = 0; i < 10; i++) assert.deepEqual(await gts[i].wait(), [i, i, i, i]);
  assert.equal(ctx.id, undefined);
  assert.deepEqual(ctx.trail, []);
});

Deno.test("local(): delete, keys, spread and JSON act on the current greenthread", async () => {
  const l = local();
  l.x = 1;
  l.y = 2;
  delete l.x;
  assert.deepEqual({ ...l }, { y: 2 });
  assert.equal(JSON.stringify(l), '{"y":2}');
  const other = await spawn(() => {
    l.z = 3;
    return [Object.keys(l), { ...l }];
  }).wait();
  assert.deepEqual(other, [["z"], { z: 3 }]);
  assert.deepEqual(Object.keys(l), ["y"]);
  assert.equal(Deno.inspect(l), "local { y: 2 }");
});

Deno.test("local(): rejects an init that is not a function", () => {
  assert.throws(() => local(5 as never), {
    name: "TypeError",
    message: "Cannot create local: init must be a function, received number",
  });
});

Deno.test("local(): values of ended greenthreads are collected (test_no_leaking)", async () => {
  // Needs a garbage collector we can call: run a small script with --expose-gc.
  const script = `
    import { local } from ${JSON.stringify(new URL("../green/local.ts", import.meta.url).href)};
    import { GreenPool } from ${
    JSON.stringify(new URL("../green/greenpool.ts", import.meta.url).href)
  };
    import { sleep } from ${JSON.stringify(new URL("../green/sleep.ts", import.meta.url).href)};
    const myLocal = local();
    const refs = [];
    let p = new GreenPool();
    for (let i = 0; i < 100; i++) {
      await p.spawn(() => {
        const o = {};
        refs.push(new WeakRef(o));
        myLocal.foo = o;
      });
    }
    await p.waitall();
    p = null;
    await sleep(0);
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 0)); }
    console.log(refs.filter((r) => r.deref() !== undefined).length);
  `;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", file],
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.equal(new TextDecoder().decode(stdout).trim(), "0", "nothing kept alive");
  } finally {
    await Deno.remove(file);
  }
});
