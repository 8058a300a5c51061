/**
 * GreenWebSocket and websocket() against Deno's own WebSocket client:
 * echo, close codes both ways, the handler's end, kills and errors, bad
 * input, subprotocols, a client gone before the upgrade, a plain
 * Deno.serve, and a client-side GreenWebSocket. Limits and backpressure:
 * http_websocket_limits_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Event, getCurrent, type GreenThread, sleep, spawn } from "../green/mod.ts";
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

Deno.test("options are checked when websocket() and upgradeWebSocket() are called", () => {
  assert.throws(() => websocket(42 as never), {
    name: "TypeError",
    message: "Cannot create websocket handler: handle must be a function, received number",
  });
  assert.throws(() => websocket(() => {}, { maxMessageSize: -1 }), {
    name: "RangeError",
    message:
      "Cannot create websocket handler: maxMessageSize must be a positive integer, received -1",
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

Deno.test("a peer that drops the connection, or sends a broken frame, ends the session quietly", async () => {
  using capture = captureErrors();
  const outcomes: string[] = [];
  const done = new Event();
  await using srv = serveWs(async (ws) => {
    try {
      outcomes.push(`${await ws.receive()} ${ws.closeCode}`);
    } finally {
      if (outcomes.length === 2) done.send();
    }
  });
  const dropped = await RawReader.connect(srv.port);
  dropped.abort(); // no close frame: TCP just ends
  await until(() => outcomes.length === 1, 5, "the first session's end");
  const broken = await RawReader.connect(srv.port);
  await broken.write(new Uint8Array([0x8f, 0x80, 1, 2, 3, 4])); // opcode 0xF is reserved
  await broken.readAll();
  await done.wait();
  // Deno drops a connection that breaks the protocol without a close frame: 1006 both times.
  assert.deepEqual(outcomes, ["null 1006", "null 1006"]);
  assert.deepEqual(capture.errors, [], "nothing reported");
});
