/**
 * patcher: green fetch and Deno socket functions.
 * Ported in spirit from eventlet's tests/patcher_test.py (monkey_patch
 * option rules, idempotence, original()) with Deno's own I/O.
 * Patching is process-wide; Deno runs each test file in its own runtime,
 * so it does not leak into other files. Tests here run in order.
 */

import assert from "node:assert/strict";
import { GreenletExit, sleep, spawn, Timeout, withTimeout } from "../mod.ts";
import { importPatched, isMonkeyPatched, monkeyPatch, original } from "../patcher/mod.ts";

const realFetch = globalThis.fetch;
const realConnect = Deno.connect;

/**
 * A local HTTP server that answers after `delay` seconds and records the
 * paths of cancelled requests; `await using` shuts it down.
 */
function slowServer(delay: number) {
  const cancelled: string[] = [];
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    async (req) => {
      req.signal.addEventListener("abort", () => cancelled.push(new URL(req.url).pathname));
      await new Promise((r) => setTimeout(r, delay * 1000));
      return new Response("slow answer");
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    cancelled,
    /** Waits up to a second for the server to see a request cancelled. */
    async waitForCancel() {
      for (let i = 0; i < 100 && cancelled.length === 0; i++) await sleep(0.01);
    },
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
    },
  };
}

Deno.test("monkeyPatch() rejects unknown options and non-boolean values", () => {
  assert.throws(() => monkeyPatch({ finagle: true } as never), {
    name: "TypeError",
    message: /unknown option, received "finagle"/,
  });
  assert.throws(() => monkeyPatch({ fetch: "yes" } as never), TypeError);
  assert.throws(() => monkeyPatch(null as never), TypeError);
  assert.equal(isMonkeyPatched("fetch"), false, "a rejected call patches nothing");
});

Deno.test("monkeyPatch({ fetch: true }) patches only fetch, keeping name and length", () => {
  monkeyPatch({ fetch: true });
  assert.equal(isMonkeyPatched("fetch"), true);
  assert.equal(isMonkeyPatched("net"), false);
  assert.notEqual(globalThis.fetch, realFetch);
  assert.equal(globalThis.fetch.name, "fetch");
  assert.equal(globalThis.fetch.length, realFetch.length);
  assert.equal(Deno.connect, realConnect);
  const patchedFetch = globalThis.fetch;
  monkeyPatch({ fetch: true }); // twice is harmless
  assert.equal(globalThis.fetch, patchedFetch);
});

Deno.test("original() gives the unpatched functions", () => {
  assert.equal(original("fetch"), realFetch);
  assert.equal(original("Deno.connect"), realConnect);
  assert.throws(() => original("Deno.open" as never), /unknown name/);
});

Deno.test("patched fetch inside withTimeout is aborted: the server sees the cancel", async () => {
  await using server = slowServer(2);
  const start = performance.now();
  const result = await withTimeout(0.1, () => fetch(`${server.url}/slow`), {
    timeoutValue: "timed out",
  });
  assert.equal(result, "timed out");
  assert.ok(performance.now() - start < 1500, "the caller did not wait for the answer");
  await server.waitForCancel();
  assert.deepEqual(server.cancelled, ["/slow"]);
});

Deno.test("patched fetch: the Timeout itself is what the caller gets", async () => {
  await using server = slowServer(2);
  const t = new Timeout(0.05);
  await assert.rejects(fetch(`${server.url}/t`), (e) => e === t);
});

Deno.test("patched fetch: kill ends a greenthread waiting for a response promptly", async () => {
  await using server = slowServer(2);
  const gt = spawn(() => fetch(`${server.url}/killed`));
  await sleep(0.05);
  const start = performance.now();
  await gt.kill();
  assert.ok(performance.now() - start < 500);
  await assert.rejects(gt.wait(), GreenletExit);
  await server.waitForCancel();
  assert.deepEqual(server.cancelled, ["/killed"]);
});

Deno.test("patched fetch keeps the caller's own signal and returns the response", async () => {
  await using server = slowServer(0);
  const res = await fetch(`${server.url}/ok`);
  assert.equal(await res.text(), "slow answer");
  const controller = new AbortController();
  controller.abort(new Error("caller gave up"));
  await assert.rejects(fetch(`${server.url}/x`, { signal: controller.signal }), /caller gave up/);
});

Deno.test("monkeyPatch({ fetch: false }) patches everything else: net", () => {
  monkeyPatch({ fetch: false });
  assert.equal(isMonkeyPatched("net"), true);
  assert.notEqual(Deno.connect, realConnect);
  assert.equal(Deno.connect.name, "connect");
  assert.equal(Deno.connect.length, realConnect.length);
  assert.equal(original("Deno.connect"), realConnect);
});

Deno.test("patched Deno.connect and Deno.listen round-trip bytes", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = spawn(async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    await conn.write(buf.subarray(0, n ?? 0));
    assert.equal(await conn.read(buf), null, "read resolves null at EOF");
    conn.close();
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  assert.equal(conn.remoteAddr.port, listener.addr.port);
  await conn.write(new TextEncoder().encode("hello"));
  const buf = new Uint8Array(64);
  const n = await conn.read(buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n ?? 0)), "hello");
  await conn.closeWrite();
  await server.wait();
  conn.close();
  listener.close();
});

Deno.test("patched Deno conn read interrupted by a Timeout loses no bytes", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const peer = await accepted;
  const buf = new Uint8Array(64);
  const t = new Timeout(0.02);
  await assert.rejects(client.read(buf), (e) => e === t);
  await peer.write(new TextEncoder().encode("late bytes"));
  const n = await client.read(buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n ?? 0)), "late bytes");
  client.close();
  peer.close();
  listener.close();
});

Deno.test("patched Deno.listen supports for-await and ends when closed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: number[] = [];
  const acceptor = spawn(async () => {
    for await (const conn of listener) {
      seen.push(conn.remoteAddr.port);
      conn.close();
    }
  });
  const a = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const b = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  for (let i = 0; i < 100 && seen.length < 2; i++) await sleep(0.005);
  listener.close();
  await acceptor.wait();
  assert.deepEqual(seen.sort(), [a.localAddr.port, b.localAddr.port].sort());
  a.close();
  b.close();
});

Deno.test("importPatched() patches and imports the module", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/uses_fetch.ts`;
  await Deno.writeTextFile(path, "export const fetchName = () => globalThis.fetch.name;\n");
  try {
    const mod = await importPatched<{ fetchName: () => string }>(new URL(`file://${path}`));
    assert.equal(mod.fetchName(), "fetch");
    assert.equal(isMonkeyPatched("fetch"), true);
    assert.equal(isMonkeyPatched("net"), true);
    assert.throws(() => importPatched(42 as never), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("patched fetch with a kill pending rejects with it before any request starts", async () => {
  await using server = slowServer(0);
  const gt = spawn(async () => {
    await new Promise((r) => setTimeout(r, 10)); // killed here: the kill waits
    return await fetch(`${server.url}/never`);
  });
  await sleep(0);
  await gt.kill();
  await assert.rejects(gt.wait(), GreenletExit);
  // Were the request started with the already-aborted signal, its
  // rejection would go unobserved and fail this file as an uncaught error.
});
