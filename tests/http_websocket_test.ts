/**
 * GreenWebSocket and websocket() against Deno's own WebSocket client:
 * echo, close codes both ways, the handler's end, kills, errors, limits
 * (1009, 1008), send backpressure against a reader that stops reading,
 * Timeouts around receive, and 200 sockets at once.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Event,
  getCurrent,
  GreenletExit,
  type GreenThread,
  sleep,
  spawn,
  Timeout,
} from "../green/mod.ts";
import { GreenWebSocket } from "../http/green_websocket.ts";
import { upgradeWebSocket, websocket } from "../http/websocket.ts";
import { captureErrors } from "./hub_helpers.ts";
import { Client, RawReader, serveWs, until } from "./http_websocket_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** An echo handler that records its end in `done`. */
function echoUntilClosed(done: Event<string>) {
  return async (ws: GreenWebSocket) => {
    try {
      for (;;) {
        const message = await ws.receive();
        if (message === null) break;
        await ws.send(message);
      }
      done.send(`ended ${ws.closeCode}`);
    } catch (error) {
      done.send(`threw ${(error as Error).name}`);
      throw error;
    }
  };
}

Deno.test("echo: text comes back as text, binary as bytes, in order", async () => {
  const done = new Event<string>();
  await using srv = serveWs(echoUntilClosed(done));
  const client = await Client.open(srv.url);
  client.send("hello");
  client.send(new Uint8Array([0, 1, 2, 255]));
  client.send("wörld ✓");
  assert.equal(await client.next(), "hello");
  assert.deepEqual(await client.next(), new Uint8Array([0, 1, 2, 255]));
  assert.equal(await client.next(), "wörld ✓");
  for (let i = 0; i < 100; i++) client.send(`m${i}`);
  for (let i = 0; i < 100; i++) assert.equal(await client.next(), `m${i}`);
  assert.deepEqual(await client.close(4000, "bye"), { code: 4000, reason: "bye" });
  assert.equal(await done.wait(), "ended 4000");
});

Deno.test("close from the handler: the client sees its code and reason", async () => {
  await using srv = serveWs(async (ws) => {
    assert.equal(await ws.receive(), "close me");
    ws.close(4321, "as asked");
    assert.equal(ws.closed, true);
    assert.equal(ws.closeCode, 4321);
    assert.equal(await ws.receive(), null);
    await assert.rejects(ws.send("too late"), Deno.errors.ConnectionReset);
  });
  const client = await Client.open(srv.url);
  client.send("close me");
  assert.deepEqual(await client.closed, { code: 4321, reason: "as asked" });
});

Deno.test("close from the client: receive() returns the messages sent before it, then null", async () => {
  const seen: (string | null)[] = [];
  const done = new Event();
  await using srv = serveWs(async (ws) => {
    await sleep(0.1); // the client sends and closes meanwhile
    for (;;) {
      const message = await ws.receive();
      seen.push(message as string | null);
      if (message === null) break;
    }
    assert.equal(await ws.receive(), null, "null again: a closed socket stays closed");
    assert.equal(ws.closeCode, 4002);
    assert.equal(ws.closeReason, "client done");
    done.send();
  });
  const client = await Client.open(srv.url);
  client.send("a");
  client.send("b");
  await client.close(4002, "client done");
  await done.wait();
  assert.deepEqual(seen, ["a", "b", null]);
});

Deno.test("the handler's end closes with 1000, its error with 1011 (reported), a kill with 1000", async () => {
  using capture = captureErrors();
  let handler: GreenThread<unknown> | undefined;
  const started = new Event();
  await using srv = serveWs(async (ws, request) => {
    const path = new URL(request.url).pathname;
    if (path === "/end") return;
    if (path === "/error") throw new Error("handler broke");
    handler = getCurrent();
    started.send();
    await ws.receive();
  });
  const ended = await Client.open(`${srv.url}end`);
  assert.equal((await ended.closed).code, 1000);
  const failed = await Client.open(`${srv.url}error`);
  assert.equal((await failed.closed).code, 1011);
  const killed = await Client.open(`${srv.url}kill`);
  await started.wait();
  await handler!.kill();
  assert.equal((await killed.closed).code, 1000);
  assert.ok(handler!.dead);
  assert.equal(capture.errors.length, 1, "only the handler's own error is reported");
  assert.equal((capture.errors[0] as Error).message, "handler broke");
});

Deno.test("a kill with an error closes with 1011", async () => {
  using capture = captureErrors();
  let handler: GreenThread<unknown> | undefined;
  const started = new Event();
  await using srv = serveWs(async (ws) => {
    handler = getCurrent();
    started.send();
    await ws.receive();
  });
  const client = await Client.open(srv.url);
  await started.wait();
  await handler!.kill(new Error("stop now"));
  assert.equal((await client.closed).code, 1011);
  assert.equal(capture.errors.length, 1);
});

Deno.test("a request that is not an upgrade, or a malformed handshake, gets 400", async () => {
  await using srv = serveWs(() => {});
  const response = await fetch(`http://127.0.0.1:${srv.port}/`);
  assert.equal(response.status, 400);
  assert.match(await response.text(), /WebSocket upgrade/);
  // An upgrade without its Sec-WebSocket-Key: 400 saying why, not a 500.
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
  await conn.write(
    enc("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
  );
  const head = new Uint8Array(4096);
  const n = await conn.read(head);
  conn.close();
  const text = new TextDecoder().decode(head.subarray(0, n ?? 0));
  assert.match(text, /^HTTP\/1\.1 400 /);
  assert.match(text, /Cannot upgrade to WebSocket: .*sec-websocket-key/);
});

Deno.test("a message above maxMessageSize closes with 1009; text counts UTF-8 bytes", async () => {
  const got: (string | Uint8Array | null)[] = [];
  const done = new Event();
  await using srv = serveWs(async (ws) => {
    for (;;) {
      const message = await ws.receive();
      got.push(message);
      if (message === null) break;
    }
    done.send();
  }, { maxMessageSize: 100 });
  const binary = await Client.open(srv.url);
  binary.send(new Uint8Array(100));
  binary.send(new Uint8Array(101));
  assert.equal((await binary.closed).code, 1009);
  await done.wait();
  assert.deepEqual(got.map((m) => m === null ? null : (m as Uint8Array).length), [100, null]);

  got.length = 0;
  done.reset();
  const text = await Client.open(srv.url);
  text.send("é".repeat(50)); // 100 bytes: fits
  text.send("é".repeat(51)); // 51 characters, 102 bytes: too big
  assert.equal((await text.closed).code, 1009);
  await done.wait();
  assert.deepEqual(got, ["é".repeat(50), null]);
});

Deno.test("a flood into a handler that does not read closes with 1008, keeping what fit", async () => {
  const release = new Event();
  const got: number[] = [];
  await using srv = serveWs(async (ws) => {
    await release.wait();
    for await (const message of ws) got.push((message as Uint8Array).length);
    assert.equal(ws.closeCode, 1008);
  }, { maxReceiveBuffer: 10_000 });
  const client = await Client.open(srv.url);
  for (let i = 0; i < 50; i++) client.send(new Uint8Array(1000));
  assert.equal((await client.closed).code, 1008);
  release.send();
  await until(() => got.length === 10);
  await sleep(0.05);
  assert.deepEqual(got, Array(10).fill(1000), "the ten that fit are read, nothing else");
});

Deno.test("a Timeout around receive() loses no message", async () => {
  const got: string[] = [];
  let timeouts = 0;
  const done = new Event();
  await using srv = serveWs(async (ws) => {
    for (;;) {
      try {
        using _ = new Timeout(0.002);
        const message = await ws.receive();
        if (message === null) break;
        got.push(message as string);
      } catch (error) {
        if (!(error instanceof Timeout)) throw error;
        timeouts++;
      }
    }
    done.send();
  });
  const client = await Client.open(srv.url);
  for (let i = 0; i < 40; i++) {
    client.send(`m${i}`);
    await new Promise((r) => setTimeout(r, i % 4)); // some land in a wait, some between
  }
  await until(() => got.length === 40);
  await client.close();
  await done.wait();
  assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => `m${i}`));
  assert.ok(timeouts > 0, "some receives timed out");
});

Deno.test("a kill during receive() leaves the message for the next receiver", async () => {
  const got: string[] = [];
  const ready = new Event<GreenWebSocket>();
  await using srv = serveWs(async (ws) => {
    ready.send(ws);
    for await (const m of ws) got.push(`handler:${m}`);
  });
  const client = await Client.open(srv.url);
  const ws = await ready.wait();
  // A second receiver parks on the same socket, is killed while parked…
  const doomed = spawn(() => ws.receive());
  await sleep(0.01);
  await doomed.kill();
  await assert.rejects(doomed.wait(), GreenletExit);
  // …and the message that comes next still reaches the handler.
  client.send("kept");
  await until(() => got.length === 1);
  assert.deepEqual(got, ["handler:kept"]);
  await client.close();
});

Deno.test("200 sockets at once each get their own echo", async () => {
  const done = new Event<string>();
  let open = 0;
  await using srv = serveWs(async (ws) => {
    open++;
    try {
      for await (const m of ws) await ws.send(m);
    } finally {
      open--;
      if (open === 0) done.send("all ended");
    }
  });
  const clients = await Promise.all(Array.from({ length: 200 }, () => Client.open(srv.url)));
  clients.forEach((c, i) => c.send(`client ${i}`));
  const echoes = await Promise.all(clients.map((c) => c.next()));
  assert.deepEqual(echoes, clients.map((_, i) => `client ${i}`));
  await Promise.all(clients.map((c) => c.close()));
  assert.equal(await done.wait(), "all ended");
});

Deno.test("options are checked when websocket() and upgradeWebSocket() are called", () => {
  assert.throws(() => websocket(42 as never), {
    name: "TypeError",
    message: "Cannot create websocket handler: handle must be a function, received number",
  });
  assert.throws(() => websocket(() => {}, { maxMessageSize: -1 }), {
    name: "RangeError",
    message:
      "Cannot create websocket handler: maxMessageSize must be a non-negative integer, received -1",
  });
  assert.throws(() => websocket(() => {}, { maxReceiveBuffer: 0 }), RangeError);
  assert.throws(() => websocket(() => {}, { maxBackpressure: 1.5 }), RangeError);
  assert.throws(() => websocket(() => {}, { idleTimeout: NaN }), RangeError);
  assert.throws(() => websocket(() => {}, { protocol: 7 as never }), TypeError);
  assert.throws(() => websocket(() => {}, "fast" as never), TypeError);
  assert.throws(() => upgradeWebSocket(new Request("http://x/")), {
    name: "TypeError",
    message:
      'Cannot upgrade to WebSocket: the request has no "Upgrade: websocket" header, received null',
  });
  assert.throws(() => new GreenWebSocket({} as WebSocket), TypeError);
});

Deno.test("close() checks its code and reason; send() checks its data", async () => {
  const done = new Event();
  await using srv = serveWs(async (ws) => {
    assert.throws(() => ws.close(999), {
      name: "RangeError",
      message: "Cannot close WebSocket: code must be an integer from 1000 to 4999, received 999",
    });
    assert.throws(() => ws.close(1000, "x".repeat(124)), RangeError);
    await assert.rejects(ws.send(12 as never), {
      name: "TypeError",
      message:
        "Cannot send on WebSocket: data must be a string, Uint8Array or ArrayBuffer, received number",
    });
    done.send();
  });
  const client = await Client.open(srv.url);
  await done.wait();
  assert.equal((await client.closed).code, 1000);
});

Deno.test("the subprotocol chosen at the upgrade shows on both sides", async () => {
  const seen = new Event<string>();
  await using srv = serveWs((ws) => seen.send(ws.protocol), { protocol: "chat.v1" });
  const client = await Client.open(srv.url, ["chat.v1", "chat.v0"]);
  assert.equal(client.socket.protocol, "chat.v1");
  assert.equal(await seen.wait(), "chat.v1");
  await client.closed;
});

Deno.test("a client that vanished before the upgrade counts as closed within about a second", async () => {
  const outcome = new Event<string>();
  // Deno's shutdown() waits for ever on such a connection: only the signal ends the server.
  const stop = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, signal: stop.signal },
    async (request) => {
      await new Promise((r) => setTimeout(r, 150)); // the client leaves meanwhile
      const { response, socket } = upgradeWebSocket(request);
      spawn(async () => {
        const started = performance.now();
        const message = await socket.receive();
        const seconds = (performance.now() - started) / 1000;
        const send = await socket.send("x").then(() => "sent", (e) => (e as Error).name);
        outcome.send(`${message} ${socket.closeCode} ${seconds < 3} ${send}`);
      });
      return response;
    },
  );
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await conn.write(enc(
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  conn.close();
  assert.equal(await outcome.wait(), "null 1006 true ConnectionReset");
  stop.abort();
  await server.finished;
});

Deno.test("send() parks while a reader does not read: the buffer stays bounded, every byte arrives", async () => {
  const MESSAGE = 64 * 1024;
  const COUNT = 200; // 12.5 MiB: far more than the socket buffers hold
  const LIMIT = 256 * 1024;
  let sent = 0;
  let mostBuffered = 0;
  const done = new Event();
  await using srv = serveWs(async (ws) => {
    const payload = new Uint8Array(MESSAGE);
    for (let i = 0; i < COUNT; i++) {
      await ws.send(payload);
      sent++;
      mostBuffered = Math.max(mostBuffered, ws.bufferedAmount);
    }
    done.send();
  }, { maxBackpressure: LIMIT });
  const reader = await RawReader.connect(srv.port);
  await sleep(0.5);
  assert.ok(sent < COUNT / 2, `the handler parked (sent ${sent} of ${COUNT} while nobody read)`);
  const parkedAt = sent;
  await sleep(0.2);
  assert.equal(sent, parkedAt, "still parked while nobody reads");
  const { sizes, closeCode } = await reader.readAll(0.001);
  await done.wait();
  assert.equal(sizes.length, COUNT);
  assert.ok(sizes.every((n) => n === MESSAGE), "every message whole");
  assert.equal(closeCode, 1000);
  assert.ok(
    mostBuffered <= LIMIT + MESSAGE,
    `at most the limit plus one message buffered (saw ${mostBuffered})`,
  );
});

Deno.test("a kill during a parked send() sends nothing: the reader gets exactly the sends that returned", async () => {
  const MESSAGE = 64 * 1024;
  let sent = 0;
  let handler: GreenThread<unknown> | undefined;
  let outcome = "";
  await using srv = serveWs(async (ws) => {
    handler = getCurrent();
    const payload = new Uint8Array(MESSAGE);
    try {
      for (;;) {
        await ws.send(payload);
        sent++;
      }
    } catch (error) {
      outcome = (error as Error).name;
      throw error;
    }
  }, { maxBackpressure: 128 * 1024 });
  const reader = await RawReader.connect(srv.port);
  await sleep(0.5);
  const before = sent;
  await sleep(0.1);
  assert.equal(sent, before, "parked in send()");
  await handler!.kill();
  assert.equal(outcome, "GreenletExit");
  const { sizes, closeCode } = await reader.readAll();
  assert.equal(sizes.length, sent, "the killed send() sent nothing, the others arrived");
  assert.equal(closeCode, 1000);
});

Deno.test("a peer gone while the handler sends ends the session quietly", async () => {
  using capture = captureErrors();
  const ended = new Event<string>();
  await using srv = serveWs(async (ws) => {
    try {
      for (;;) {
        await ws.send("tick");
        await sleep(0.005);
      }
    } catch (error) {
      ended.send((error as Error).name);
      throw error;
    }
  });
  const client = await Client.open(srv.url);
  await client.next();
  await client.close();
  assert.equal(await ended.wait(), "ConnectionReset");
  await sleep(0.02);
  assert.deepEqual(capture.errors, [], "nothing reported");
});

Deno.test("under a plain Deno.serve each session is a greenthread of its own, with the same closes", async () => {
  using capture = captureErrors();
  const done = new Event<string>();
  await using srv = serveWs(
    async (ws, request) => {
      if (new URL(request.url).pathname === "/error") throw new Error("plain handler broke");
      await echoUntilClosed(done)(ws);
    },
    undefined,
    { plain: true },
  );
  const client = await Client.open(srv.url);
  client.send("plain");
  assert.equal(await client.next(), "plain");
  await client.close(4000);
  assert.equal(await done.wait(), "ended 4000");
  const failed = await Client.open(`${srv.url}error`);
  assert.equal((await failed.closed).code, 1011);
  await until(() => capture.errors.length === 1, 5, "the error report");
  assert.equal((capture.errors[0] as Error).message, "plain handler broke");
});

Deno.test("HttpServer.shutdown() sends 1001 to every open socket at once; the sessions end", async () => {
  const ended: string[] = [];
  await using srv = serveWs(async (ws) => {
    for await (const m of ws) await ws.send(m);
    ended.push(`${ws.closeCode}`);
  });
  const clients = await Promise.all([1, 2, 3].map(() => Client.open(srv.url)));
  for (const c of clients) {
    c.send("ping");
    assert.equal(await c.next(), "ping");
  }
  const started = performance.now();
  const result = await srv.http!.shutdown({ deadline: 5 });
  const seconds = (performance.now() - started) / 1000;
  assert.deepEqual(result, { drained: 3, killed: 0 });
  assert.ok(seconds < 2, `no wait for the deadline (${seconds.toFixed(2)} s)`);
  assert.deepEqual(ended, ["1001", "1001", "1001"]);
  const closes = await Promise.all(clients.map((c) => c.closed));
  assert.deepEqual(closes.map((c) => c.code), [1001, 1001, 1001]);
});

Deno.test("a session that ignores the 1001 is killed at the shutdown deadline, its finally runs", async () => {
  let cleanedUp = false;
  const started = new Event();
  await using srv = serveWs(async () => {
    started.send();
    try {
      await sleep(60); // not reading: it never sees the close
    } finally {
      cleanedUp = true;
    }
  });
  const client = await Client.open(srv.url);
  await started.wait();
  const result = await srv.http!.shutdown({ deadline: 0.2 });
  assert.deepEqual(result, { drained: 0, killed: 1 });
  assert.ok(cleanedUp);
  assert.equal((await client.closed).code, 1001);
});

Deno.test("idleTimeout: a peer that never answers Deno's ping is closed, and receive() returns null", async () => {
  const outcome = new Event<string>();
  await using srv = serveWs(async (ws) => {
    const started = performance.now();
    const message = await ws.receive();
    outcome.send(`${message} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, { idleTimeout: 1 });
  const reader = await RawReader.connect(srv.port); // reads, but never sends a pong
  const read = reader.readAll();
  const result = await outcome.wait();
  assert.match(result, /^null after [1-4]\.\d s$/);
  await read;
});

Deno.test("a client-side GreenWebSocket: send() waits for the open, receive() and close work the same", async () => {
  await using srv = serveWs(async (ws) => {
    for await (const m of ws) await ws.send(typeof m === "string" ? m.toUpperCase() : m);
  });
  const ws = new GreenWebSocket(new WebSocket(srv.url));
  await ws.send("sent before the open"); // parks until the socket is open
  assert.equal(await ws.receive(), "SENT BEFORE THE OPEN");
  await ws.send(new Uint8Array([7, 8]).buffer);
  assert.deepEqual(await ws.receive(), new Uint8Array([7, 8]));
  ws.close(4001, "client done");
  assert.equal(await ws.receive(), null);
  assert.equal(ws.closeCode, 4001);
  await assert.rejects(ws.send("late"), Deno.errors.ConnectionReset);
  await sleep(0.05); // let the close handshake finish before the server stops
});
