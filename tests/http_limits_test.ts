/**
 * What serveHttp does to requests beyond its limits: the maxSize cap and
 * the maxQueue FIFO (arrival order, 503 with Retry-After beyond), the
 * requestTimeout kill with its 503, and the kill of a handler whose client
 * went away (its finally within 50 ms, its slot freed).
 */

import assert from "node:assert/strict";
import { Event, getHub, sleep } from "../mod.ts";
import { rawGet, readUntil, startServer, until } from "./http_helpers.ts";

Deno.test("maxSize runs that many at once, maxQueue more wait in arrival order, the rest get 503 with Retry-After", async () => {
  const gate = new Event<void>();
  const started: string[] = [];
  const { server, base, lines } = startServer(async (request) => {
    const path = new URL(request.url).pathname;
    started.push(path);
    await gate.wait();
    return new Response(path);
  }, { maxSize: 2, maxQueue: 2 });
  const replies: Promise<Response>[] = [];
  for (let i = 1; i <= 4; i++) {
    replies.push(fetch(`${base}/${i}`));
    // one at a time, so that arrival order is known
    await until(() => server.stats().active + server.stats().queued === i, 5, `request ${i}`);
  }
  assert.deepEqual(started, ["/1", "/2"]);
  assert.deepEqual(server.stats(), {
    active: 2,
    queued: 2,
    served: 0,
    shed: 0,
    timedOut: 0,
    killed: 0,
  });
  const shed = await fetch(`${base}/5`);
  assert.equal(shed.status, 503);
  assert.equal(shed.headers.get("retry-after"), "1");
  await shed.body?.cancel();
  assert.equal(server.stats().shed, 1);
  gate.send();
  const texts = await Promise.all(replies.map((r) => r.then((x) => x.text())));
  assert.deepEqual(texts, ["/1", "/2", "/3", "/4"]);
  assert.deepEqual(
    started,
    ["/1", "/2", "/3", "/4"],
    "queued ones started first come first served",
  );
  assert.equal(server.stats().served, 4);
  await server.shutdown();
  assert.ok(lines.some((l) => l.includes('"GET /5 HTTP/1.1" 503 0 ')), "the shed 503 is logged");
});

Deno.test("maxQueue: 0 sheds at once when every slot is taken", async () => {
  const gate = new Event<void>();
  const { server, base } = startServer(async () => {
    await gate.wait();
    return new Response("done");
  }, { maxSize: 1, maxQueue: 0, log: false });
  const first = fetch(`${base}/first`);
  await until(() => server.stats().active === 1);
  const second = await fetch(`${base}/second`);
  assert.equal(second.status, 503);
  await second.body?.cancel();
  gate.send();
  assert.equal(await (await first).text(), "done");
  await server.shutdown();
});

Deno.test("requestTimeout kills the handler (its finally runs) and answers 503", async () => {
  const events: string[] = [];
  const { server, base, lines } = startServer(async (request) => {
    const path = new URL(request.url).pathname;
    try {
      await sleep(path === "/slow" ? 10 : 0.01);
      return new Response("in time");
    } finally {
      events.push(`finally ${path}`);
    }
  }, { requestTimeout: 0.15 });
  const t0 = performance.now();
  const [slow, quick] = await Promise.all([fetch(`${base}/slow`), fetch(`${base}/quick`)]);
  const elapsed = (performance.now() - t0) / 1000;
  assert.equal(slow.status, 503);
  await slow.body?.cancel();
  assert.equal(await quick.text(), "in time");
  assert.ok(elapsed >= 0.14 && elapsed < 1, `answered after ${elapsed} s`);
  await until(() => server.stats().active === 0, 5, "the killed handler to end");
  assert.deepEqual(events.sort(), ["finally /quick", "finally /slow"]);
  const stats = server.stats();
  assert.equal(stats.timedOut, 1);
  assert.equal(stats.served, 1);
  assert.equal(stats.killed, 0, "timeouts are not counted as kills");
  await server.shutdown();
  assert.ok(lines.some((l) => l.includes('"GET /slow HTTP/1.1" 503 0 ')), lines.join("\n"));
});

Deno.test("requestTimeout counts from arrival: a request that waited in the queue too long gets 503 and never runs", async () => {
  const ran: string[] = [];
  const { server, base } = startServer(async (request) => {
    ran.push(new URL(request.url).pathname);
    // A foreign await is no switch point: the kill waits for it, the slot stays taken.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sleep(0);
    return new Response("ok");
  }, { maxSize: 1, requestTimeout: 0.1, log: false });
  const first = fetch(`${base}/first`);
  await until(() => server.stats().active === 1);
  const second = await fetch(`${base}/second`);
  assert.equal(second.status, 503);
  await second.body?.cancel();
  assert.equal((await first).status, 503);
  await (await first).body?.cancel();
  await until(() => server.stats().active === 0);
  assert.deepEqual(ran, ["/first"]);
  assert.equal(server.stats().timedOut, 2);
  await server.shutdown();
});

Deno.test("a sub-second requestTimeout is precise to about 10 ms", async () => {
  const { server, base } = startServer(() => sleep(5).then(() => new Response("late")), {
    requestTimeout: 0.05,
    log: false,
  });
  const t0 = performance.now();
  const response = await fetch(base);
  const ms = performance.now() - t0;
  assert.equal(response.status, 503);
  await response.body?.cancel();
  assert.ok(ms >= 49 && ms < 250, `answered after ${ms.toFixed(1)} ms`); // generous: shared CPUs
  await until(() => server.stats().active === 0);
  await server.shutdown();
});

async function disconnectDuringHandler(closeAfterMs: number): Promise<void> {
  let closedAt = 0;
  let finallyAt = 0;
  const { server, base, port, lines } = startServer(async (request) => {
    if (new URL(request.url).pathname === "/next") return new Response("next");
    try {
      await sleep(10);
      return new Response("never");
    } finally {
      finallyAt = performance.now();
    }
  }, { maxSize: 1 });
  const conn = await rawGet(port, "/long");
  await until(() => server.stats().active === 1);
  await sleep(closeAfterMs / 1000);
  conn.close();
  closedAt = performance.now();
  await until(() => finallyAt > 0, 5, "the handler's finally");
  const ms = finallyAt - closedAt;
  assert.ok(ms < 50, `finally ran ${ms.toFixed(1)} ms after the disconnect`);
  await until(() => server.stats().active === 0, 5, "the slot to be freed");
  // maxSize is 1: the next request gets the freed slot.
  assert.equal(await fetch(`${base}/next`).then((r) => r.text()), "next");
  assert.equal(server.stats().killed, 1);
  await server.shutdown();
  assert.ok(lines.some((l) => l.includes('"GET /long HTTP/1.1" 499 0 ')), lines.join("\n"));
}

Deno.test("a client that leaves during a long handler has it killed: finally within 50 ms, slot freed", async () => {
  await disconnectDuringHandler(100);
});

Deno.test("a client that leaves within the first milliseconds is noticed as quickly", async () => {
  await disconnectDuringHandler(1);
});

Deno.test("killOnDisconnect: false lets the handler run to its end", async () => {
  const finished = new Event<string>();
  const { server, port } = startServer(async () => {
    await sleep(0.15);
    finished.send("ran to the end");
    return new Response("unread");
  }, { killOnDisconnect: false, log: false });
  const conn = await rawGet(port, "/x");
  await until(() => server.stats().active === 1);
  await sleep(0.03);
  conn.close();
  assert.equal(await finished.wait(), "ran to the end");
  await until(() => server.stats().active === 0);
  assert.equal(server.stats().killed, 0);
  assert.equal(server.stats().served, 1);
  await server.shutdown();
});

Deno.test("a keep-alive connection's later requests are not killed by an earlier request's abort", async () => {
  // In Deno 2.9's legacy mode request.signal also aborts after each successful
  // response: the watch must not take that for a disconnect.
  const { server, port } = startServer(async (request) => {
    await sleep(new URL(request.url).pathname === "/slow" ? 0.05 : 0);
    return new Response("ok");
  }, { log: false });
  const conn = await rawGet(port, "/slow");
  const first = await readUntil(conn, "ok");
  assert.match(first, /^HTTP\/1\.1 200 OK/);
  await conn.write(new TextEncoder().encode("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  const second = await readUntil(conn, "ok");
  assert.match(second, /^HTTP\/1\.1 200 OK/);
  conn.close();
  await until(() => server.stats().active === 0);
  assert.equal(server.stats().killed, 0);
  assert.equal(server.stats().served, 2);
  await server.shutdown();
});

Deno.test("requestTimeout and the disconnect watch share one hub timer per server, none when idle", async () => {
  const hub = getHub();
  const before = hub.stats().timers;
  const gate = new Event<void>();
  const { server, base } = startServer(async () => {
    await gate.wait();
    return new Response("ok");
  }, { requestTimeout: 30, log: false });
  const replies = Array.from({ length: 40 }, (_, i) => fetch(`${base}/${i}`));
  await until(() => server.stats().active === 40);
  await sleep(0.05); // several ticks: the watch links them all to their signals
  // The one timer may be due and queued at this instant: then none is pending.
  assert.ok(hub.stats().timers <= before + 1, `one timer for 40 requests: ${hub.stats().timers}`);
  gate.send();
  for (const reply of replies) await (await reply).text();
  await until(() => server.stats().active === 0);
  await sleep(0.05);
  assert.equal(hub.stats().timers, before, "no timer once nothing is held");
  await server.shutdown();
});
