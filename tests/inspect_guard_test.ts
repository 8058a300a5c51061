/**
 * debug.inspect's guards: the kill endpoint with and without the token, a
 * kill the target outlasts, the token on every route, and the loopback Host
 * rule that stands in for a token on 127.0.0.1 (DNS rebinding).
 */

import assert from "node:assert/strict";
import { inspect, type Inspector } from "../debug/mod.ts";
import { sleep, spawn } from "../mod.ts";

async function get(inspector: Inspector, path: string, init?: RequestInit) {
  const response = await fetch(new URL(path, inspector.url), init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

Deno.test("POST /kill/:id without a token is refused; the greenthread lives on", async () => {
  await using inspector = await inspect();
  const victim = spawn(() => sleep(30));
  await sleep(0);
  const answer = await get(inspector, `/kill/${victim.id}`, { method: "POST" });
  assert.equal(answer.status, 403);
  assert.match(answer.body, /token/);
  assert.equal(victim.dead, false);
  await victim.kill();
});

Deno.test("POST /kill/:id with the token kills the greenthread and its finally block runs", async () => {
  await using inspector = await inspect({ token: "s3cret" });
  assert.equal(inspector.url, `http://127.0.0.1:${inspector.addr.port}/?token=s3cret`);
  const cleanedUp: number[] = [];
  const victim = spawn(async () => {
    try {
      await sleep(30);
    } finally {
      cleanedUp.push(victim.id);
    }
  });
  await sleep(0);
  const bare = new URL(`/kill/${victim.id}`, inspector.url);
  bare.search = "";
  const noToken = await fetch(bare, { method: "POST" });
  assert.equal(noToken.status, 401);
  await noToken.body?.cancel();
  const wrong = await fetch(bare, { method: "POST", headers: { authorization: "Bearer nope" } });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  assert.equal(victim.dead, false);

  const killed = await fetch(bare, { method: "POST", headers: { authorization: "Bearer s3cret" } });
  assert.equal(killed.status, 200);
  assert.equal(await killed.text(), `Killed #${victim.id} "${victim.name}"\n`);
  assert.equal(victim.dead, true);
  assert.deepEqual(cleanedUp, [victim.id]);

  const auth = { authorization: "Bearer s3cret" };
  const again = await fetch(bare, { method: "POST", headers: auth });
  assert.equal(again.status, 404);
  await again.body?.cancel();
  const main = await fetch(new URL("/kill/0", bare), { method: "POST", headers: auth });
  assert.equal(main.status, 409);
  assert.match(await main.text(), /main greenthread/);
  const notNumber = await fetch(new URL("/kill/abc", bare), { method: "POST", headers: auth });
  assert.equal(notNumber.status, 400);
  await notNumber.body?.cancel();
  const viaGet = await fetch(new URL("/kill/1", bare), { headers: auth });
  assert.equal(viaGet.status, 405);
  await viaGet.body?.cancel();
});

Deno.test("a kill the target outlasts answers 202 after two seconds", async () => {
  await using inspector = await inspect({ token: "t" });
  let release!: () => void;
  const stubborn = spawn(async () => {
    try {
      await sleep(30);
    } finally {
      await new Promise<void>((resolve) => (release = resolve)); // not a switch point
    }
  });
  await sleep(0);
  const started = performance.now();
  const answer = await get(inspector, `/kill/${stubborn.id}?token=t`, { method: "POST" });
  assert.equal(answer.status, 202);
  assert.match(answer.body, /still runs after 2 s/);
  assert.ok(performance.now() - started >= 1900);
  release();
  await stubborn.wait().catch(() => {});
  assert.equal(stubborn.dead, true);
});

Deno.test("with a token every route needs it; the page's ?token= works", async () => {
  await using inspector = await inspect({ token: "abc" });
  const bare = new URL("/stats.json", inspector.url);
  bare.search = "";
  const refused = await fetch(bare);
  assert.equal(refused.status, 401);
  await refused.body?.cancel();
  const byQuery = await get(inspector, "/stats.json?token=abc");
  assert.equal(byQuery.status, 200);
  const page = await get(inspector, inspector.url);
  assert.equal(page.status, 200);
  assert.match(page.body, /EventSource/);
});

Deno.test("without a token only a loopback Host is served (DNS rebinding guard)", async () => {
  await using inspector = await inspect();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: inspector.addr.port });
  await conn.write(
    new TextEncoder().encode(
      "GET /stats.json HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n",
    ),
  );
  let reply = "";
  const buffer = new Uint8Array(4096);
  for (let n; (n = await conn.read(buffer)) !== null;) {
    reply += new TextDecoder().decode(buffer.subarray(0, n));
  }
  conn.close();
  assert.match(reply, /^HTTP\/1\.1 403/);
  const local = await fetch(`http://localhost:${inspector.addr.port}/stats.json`);
  assert.equal(local.status, 200);
  await local.body?.cancel();
});

Deno.test("other loopback addresses need no token: ::1 and 127.0.0.2", async () => {
  for (const hostname of ["::1", "127.0.0.2"]) {
    let inspector;
    try {
      inspector = await inspect({ hostname });
    } catch (error) {
      if (error instanceof Deno.errors.AddrNotAvailable) continue; // no such address here
      throw error;
    }
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    assert.equal(inspector.url, `http://${host}:${inspector.addr.port}/`);
    const answer = await get(inspector, "/stats.json");
    assert.equal(answer.status, 200, `${hostname}: ${answer.body}`);
    await inspector.close();
  }
});
