/**
 * GreenWebSocket's limits and lifecycle against real peers: 1009 and 1008,
 * send backpressure against a raw reader that stops reading, kills and
 * Timeouts in receive and send losing nothing, 200 sockets at once, the
 * server's shutdown (1001, then kills at the deadline) and idleTimeout.
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
import type { GreenWebSocket } from "../http/green_websocket.ts";
import { captureErrors } from "./hub_helpers.ts";
import { Client, RawReader, serveWs, until } from "./http_websocket_helpers.ts";

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
