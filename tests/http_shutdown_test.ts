/**
 * HttpServer.shutdown(): idle keep-alive connections closed at once,
 * in-flight requests finishing, stragglers killed at the deadline with their
 * finally run, the counts returned, `await using`; and the request scope the
 * WebSocket layer uses (answering early, hearing the shutdown begin).
 */

import assert from "node:assert/strict";
import { Event, sleep, waitFor } from "../mod.ts";
import { currentRequestScope } from "../http/request_scope.ts";
import { rawGet, readUntil, startServer, until } from "./http_helpers.ts";

Deno.test("shutdown closes an idle keep-alive connection at once and resolves with nothing to drain", async () => {
  const { server, port } = startServer(() => new Response("ok"), { log: false });
  const conn = await rawGet(port, "/");
  assert.match(await readUntil(conn, "ok"), /^HTTP\/1\.1 200 OK/);
  const t0 = performance.now();
  assert.deepEqual(await server.shutdown(), { drained: 0, killed: 0 });
  assert.equal(await readUntil(conn), "", "the server closed the idle connection");
  assert.ok(performance.now() - t0 < 1000);
  conn.close();
  await server.finished;
});

Deno.test("shutdown lets in-flight requests finish and counts them as drained", async () => {
  const { server, base } = startServer(async () => {
    await sleep(0.15);
    return new Response("finished");
  }, { log: false });
  const replies = [fetch(`${base}/a`), fetch(`${base}/b`)];
  await until(() => server.stats().active === 2);
  const result = await server.shutdown({ deadline: 5 });
  assert.deepEqual(result, { drained: 2, killed: 0 });
  for (const reply of replies) assert.equal(await (await reply).text(), "finished");
});

Deno.test("stragglers are killed at the deadline, their finally runs before shutdown resolves", async () => {
  const events: string[] = [];
  const { server, base, lines } = startServer(async (request) => {
    const path = new URL(request.url).pathname;
    try {
      await sleep(path === "/quick" ? 0.05 : 30);
      return new Response(path);
    } finally {
      events.push(`finally ${path}`);
    }
  });
  const quick = fetch(`${base}/quick`);
  const stuck = fetch(`${base}/stuck`);
  await until(() => server.stats().active === 2);
  const t0 = performance.now();
  const result = await server.shutdown({ deadline: 0.3 });
  const seconds = (performance.now() - t0) / 1000;
  assert.deepEqual(result, { drained: 1, killed: 1 });
  assert.ok(seconds >= 0.28 && seconds < 3, `resolved after ${seconds} s`);
  assert.deepEqual(events, ["finally /quick", "finally /stuck"], "finally ran before it resolved");
  assert.equal(await (await quick).text(), "/quick");
  const answer = await stuck.then((r) => r.status, () => "connection dropped");
  assert.ok(answer === 503 || answer === "connection dropped", String(answer));
  assert.equal(server.stats().killed, 1);
  assert.equal(server.stats().active, 0);
  assert.ok(lines.some((l) => l.includes('"GET /stuck HTTP/1.1" 503 ')), lines.join("\n"));
});

Deno.test("a request still waiting for a slot at the deadline gets 503 and never runs", async () => {
  const ran: string[] = [];
  const { server, base } = startServer(async (request) => {
    ran.push(new URL(request.url).pathname);
    await sleep(30);
    return new Response("never");
  }, { maxSize: 1, log: false });
  const first = fetch(`${base}/first`);
  await until(() => server.stats().active === 1);
  const second = fetch(`${base}/second`);
  await until(() => server.stats().queued === 1);
  assert.deepEqual(await server.shutdown({ deadline: 0.05 }), { drained: 0, killed: 2 });
  assert.deepEqual(ran, ["/first"]);
  for (const reply of [first, second]) {
    const status = await reply.then(async (r) => {
      await r.body?.cancel();
      return r.status;
    }, () => 503);
    assert.equal(status, 503);
  }
});

Deno.test("deadline: Infinity waits for every request; a second shutdown() gets the same promise", async () => {
  const release = new Event<void>();
  const { server, base } = startServer(async () => {
    await release.wait();
    return new Response("released");
  }, { log: false });
  const reply = fetch(base);
  await until(() => server.stats().active === 1);
  const first = server.shutdown({ deadline: Infinity });
  assert.equal(server.shutdown(), first);
  await sleep(0.1);
  assert.equal(server.stats().active, 1, "still waiting");
  release.send();
  assert.deepEqual(await first, { drained: 1, killed: 0 });
  assert.equal(await (await reply).text(), "released");
});

Deno.test("await using shuts the server down at the end of the block", async () => {
  let finished: Promise<void>;
  {
    await using server = startServer(() => new Response("ok"), { log: false }).server;
    finished = server.finished;
    assert.equal(await fetch(`http://127.0.0.1:${server.addr.port}/`).then((r) => r.text()), "ok");
  }
  await finished; // already settled: the block's end awaited the shutdown
});

Deno.test("shutdown({ deadline }) refuses a bad deadline", () => {
  const { server } = startServer(() => new Response("ok"), { log: false });
  assert.throws(
    () => server.shutdown({ deadline: -1 }),
    new RangeError(
      "Cannot shut down: deadline must be a non-negative number of seconds, received -1",
    ),
  );
  assert.throws(
    () => server.shutdown({ deadline: "1" as never }),
    new TypeError("Cannot shut down: deadline must be a number of seconds, received string"),
  );
  return server.shutdown().then(() => {});
});

Deno.test("a request scope answers early while its greenthread runs on as a session", async () => {
  const sessionOver = new Event<void>();
  let afterAnswer = "";
  const { server, base, lines } = startServer(async () => {
    const scope = currentRequestScope();
    assert.ok(scope, "a server's greenthread has a scope");
    scope.respondEarly(new Response("early", { status: 202 }));
    assert.throws(() => scope.respondEarly(new Response("twice")), /already answered/);
    await sleep(0.25); // beyond requestTimeout: a session is spared
    afterAnswer = "ran on";
    sessionOver.send();
    return new Response("ignored");
  }, { requestTimeout: 0.1 });
  const response = await fetch(base);
  assert.equal(response.status, 202);
  assert.equal(await response.text(), "early");
  assert.equal(server.stats().active, 1, "the session stays active");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /"GET \/ HTTP\/1\.1" 202 0 /);
  await sessionOver.wait();
  await until(() => server.stats().active === 0);
  assert.equal(afterAnswer, "ran on");
  assert.deepEqual(server.stats(), {
    active: 0,
    queued: 0,
    served: 1,
    shed: 0,
    timedOut: 0,
    killed: 0,
  });
  await server.shutdown();
  assert.equal(currentRequestScope(), undefined, "no scope outside a server's greenthread");
});

Deno.test("onShutdown callbacks run when shutdown begins; sessions are killed at the deadline", async () => {
  const events: string[] = [];
  const { server, base } = startServer(async (request) => {
    const scope = currentRequestScope()!;
    const path = new URL(request.url).pathname;
    const unregister = scope.onShutdown(() => events.push(`shutdown seen by ${path}`));
    if (path === "/unregistered") unregister();
    scope.respondEarly(new Response("session"));
    try {
      await sleep(30);
    } finally {
      events.push(`finally ${path}`);
    }
    return new Response("ignored");
  }, { log: false });
  for (const path of ["/session", "/unregistered"]) {
    assert.equal(await fetch(base + path).then((r) => r.text()), "session");
  }
  assert.equal(server.stats().active, 2);
  const result = await server.shutdown({ deadline: 0.05 });
  assert.deepEqual(result, { drained: 0, killed: 2 });
  assert.deepEqual(events, [
    "shutdown seen by /session",
    "finally /session",
    "finally /unregistered",
  ]);
});

Deno.test("shutdown resolves even while a client still trickles a request body (Deno waits for it)", async () => {
  const { server, port } = startServer(async (request) => {
    try {
      await waitFor(request.text());
    } catch {
      // Deno fails a body read that is in progress when the shutdown begins
    }
    return new Response("done");
  }, { log: false, onError() {} });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"),
  );
  await until(() => server.stats().active === 1);
  const t0 = performance.now();
  const result = await server.shutdown({ deadline: 0.1 });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(result.drained + result.killed, 1);
  assert.ok(seconds < 3, `resolved after ${seconds} s`);
  conn.close(); // the client leaves: Deno's server finishes
  await server.finished;
});

Deno.test("aborting the signal option closes the server at once; running handlers are killed as disconnected", async () => {
  const controller = new AbortController();
  let cleanedUp = false;
  const { server, base } = startServer(async () => {
    try {
      await sleep(30);
    } finally {
      cleanedUp = true;
    }
    return new Response("never");
  }, { signal: controller.signal, log: false });
  const reply = fetch(base).then((r) => r.status, () => "connection closed");
  await until(() => server.stats().active === 1);
  await sleep(0.03); // the disconnect watch has linked it
  controller.abort();
  assert.equal(await reply, "connection closed");
  await server.finished;
  assert.ok(cleanedUp, "its finally ran before finished settled");
  assert.equal(server.stats().killed, 1);
});

Deno.test("a handler may start the shutdown of its own server (an admin route) and still answer", async () => {
  let result: Promise<{ drained: number; killed: number }> | undefined;
  const { server, base } = startServer((request) => {
    if (new URL(request.url).pathname === "/quit") {
      result = server.shutdown({ deadline: 5 });
      return new Response("bye");
    }
    return new Response("hi");
  }, { log: false });
  assert.equal(await fetch(`${base}/quit`).then((r) => r.text()), "bye");
  assert.deepEqual(await result, { drained: 1, killed: 0 });
});
