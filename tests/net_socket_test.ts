/**
 * GreenSocket over a connected pair of plain sockets: partial and exact
 * reads, 16 MiB sendall, EOF, settimeout and setblocking, recv interrupted
 * by a timeout, a Timeout or a kill without losing bytes, FIFO readers,
 * interrupted sendall, makefile, the web streams, and clear errors for bad
 * input to the socket and to connect/listen/serve.
 */

import assert from "node:assert/strict";
import { isTimeout, sleep, spawn, Timeout } from "../mod.ts";
import {
  BlockingIOError,
  connect,
  type GreenSocket,
  listen,
  serve,
  SocketTimeout,
} from "../net/mod.ts";
import { dec, echo, enc, recvAll, recvExactly, settle } from "./net_helpers.ts";

/** A connected pair of plain sockets (client, server side). */
async function pair(): Promise<[GreenSocket, GreenSocket, () => void]> {
  const listener = listen(["127.0.0.1", 0]);
  const client = await connect(listener.addr as [string, number]);
  const [server] = await listener.accept();
  listener.close();
  return [client, server, () => {
    client.close();
    server.close();
  }];
}

Deno.test("GreenSocket.recv() returns partial reads of at most bufsize", async () => {
  const [a, b, close] = await pair();
  await a.sendall(enc("0123456789"));
  await sleep(0.02);
  assert.equal(dec(await b.recv(3)), "012");
  assert.equal(dec(await b.recv(3)), "345");
  const buf = new Uint8Array(3);
  assert.equal(await b.recvInto(buf), 3);
  assert.equal(dec(buf), "678");
  assert.equal(dec(await b.recv(100)), "9");
  close();
  await settle();
});

Deno.test("GreenSocket.sendall() delivers 16 MiB intact", async () => {
  const [a, b, close] = await pair();
  const size = 16 << 20;
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7 + (i >> 11)) & 255;
  const writer = spawn(async () => {
    await a.sendall(data);
    await a.shutdown("write");
  });
  const got = await recvAll(b);
  await writer.wait();
  assert.equal(got.length, size);
  assert.ok(got.every((v, i) => v === data[i]));
  close();
  await settle();
});

Deno.test("GreenSocket.recv() resolves empty at EOF, every time", async () => {
  const [a, b, close] = await pair();
  await a.sendall(enc("last"));
  a.close();
  assert.equal(dec(await recvAll(b)), "last");
  assert.equal((await b.recv(10)).length, 0);
  assert.equal(await b.recvInto(new Uint8Array(4)), 0);
  assert.equal((await b.recv(0)).length, 0);
  close();
  await settle();
});

Deno.test("GreenSocket.settimeout() expiry loses no bytes sent afterwards", async () => {
  const [a, b, close] = await pair();
  b.settimeout(0.05);
  assert.equal(b.gettimeout(), 0.05);
  const start = performance.now();
  const error = await b.recv(100).catch((e) => e);
  assert.ok(error instanceof SocketTimeout);
  assert.ok(isTimeout(error));
  assert.ok(error instanceof Deno.errors.TimedOut);
  assert.equal(error.message, "timed out");
  assert.ok(performance.now() - start >= 40);
  // The peer sends after the timeout: the read left pending gets the bytes.
  await a.sendall(enc("after the timeout"));
  await sleep(0.02);
  b.settimeout(null);
  assert.equal(dec(await recvExactly(b, 17)), "after the timeout");
  // Recovery: the socket goes on working, with and without a timeout.
  b.settimeout(1);
  await a.sendall(enc("more"));
  assert.equal(dec(await recvExactly(b, 4)), "more");
  close();
  await settle();
});

Deno.test("GreenSocket.recv() interrupted by a Timeout or a kill loses no bytes", async () => {
  const [a, b, close] = await pair();
  const t = new Timeout(0.02);
  const error = await b.recv(100).catch((e) => e);
  assert.equal(error, t);
  const reader = spawn(() => b.recv(100));
  await sleep(0.01);
  await reader.kill();
  await a.sendall(enc("kept"));
  assert.equal(dec(await recvExactly(b, 4)), "kept");
  close();
  await settle();
});

Deno.test("GreenSocket.recv() waiters are served in FIFO order", async () => {
  const [a, b, close] = await pair();
  const got: string[] = [];
  const r1 = spawn(async () => got.push("1:" + dec(await b.recv(2))));
  const r2 = spawn(async () => got.push("2:" + dec(await b.recv(2))));
  await sleep(0.01);
  await a.sendall(enc("abcd"));
  await r1.wait();
  await r2.wait();
  assert.deepEqual(got, ["1:ab", "2:cd"]);
  close();
  await settle();
});

Deno.test("GreenSocket.setblocking(false) throws BlockingIOError, then returns the data", async () => {
  const [a, b, close] = await pair();
  b.setblocking(false);
  assert.equal(b.gettimeout(), 0);
  const error = await b.recv(10).catch((e) => e);
  assert.ok(error instanceof BlockingIOError);
  assert.ok(error instanceof Deno.errors.WouldBlock);
  await a.sendall(enc("xyz"));
  await sleep(0.02);
  assert.equal(dec(await b.recv(10)), "xyz");
  b.setblocking(true);
  assert.equal(b.gettimeout(), null);
  close();
  await settle();
});

Deno.test("GreenSocket.sendall() interrupted by its timeout neither reorders nor duplicates", async () => {
  const [a, b, close] = await pair();
  // "A"s: more than the socket buffers hold, and more than the write still in
  // flight at the timeout can take. A blocked Deno write of ~4.5 MB completes
  // whole when the reader drains fast (so 8 MB could all arrive); of 28 MB,
  // one write takes ~4.6 MB.
  const big = new Uint8Array(32 << 20).fill(65);
  a.settimeout(0.05);
  const error = await a.sendall(big).catch((e) => e);
  assert.ok(error instanceof SocketTimeout);
  a.settimeout(null);
  const tail = enc("BBBB");
  const writer = spawn(async () => {
    await a.sendall(tail); // waits behind the write still in flight
    await a.shutdown("write");
  });
  const got = await recvAll(b);
  await writer.wait();
  const k = got.length - 4;
  assert.ok(k > 0 && k < big.length, `prefix of ${k} bytes`);
  assert.ok(got.subarray(0, k).every((v) => v === 65));
  assert.equal(dec(got.subarray(k)), "BBBB");
  close();
  await settle();
});

Deno.test("GreenSocket.makefile() reads lines and exact sizes and writes buffered", async () => {
  const [a, b, close] = await pair();
  const fa = a.makefile();
  await fa.write(enc("line one\nline two\n12345"));
  await fa.write(enc("678tail"));
  await fa.flush();
  await a.shutdown("write");
  const fb = b.makefile();
  assert.equal(dec(await fb.readline()), "line one\n");
  assert.equal(dec(await fb.readline()), "line two\n");
  assert.equal(dec(await fb.read(8)), "12345678");
  assert.equal(dec(await fb.read(100)), "tail");
  assert.equal((await fb.readline()).length, 0);
  assert.equal((await fb.read()).length, 0);
  await fb.close();
  await assert.rejects(fb.readline(), { name: "BadResource" });
  close();
  await settle();
});

Deno.test("GreenSocket readable and writable streams interoperate with pipeTo", async () => {
  const [a, b, close] = await pair();
  const writer = spawn(async () => {
    await ReadableStream.from([enc("stream "), enc("data")]).pipeTo(a.writable);
  });
  const text = await new Response(b.readable).text();
  await writer.wait();
  assert.equal(text, "stream data");
  close();
  await settle();
});

Deno.test("GreenSocket and connect/listen/serve reject bad input clearly", async () => {
  assert.throws(() => listen(["127.0.0.1", 70000]), RangeError);
  assert.throws(() => listen(["127.0.0.1", -1]), RangeError);
  assert.throws(() => listen([5 as unknown as string, 0]), TypeError);
  assert.throws(() => connect(["127.0.0.1", 0]), RangeError);
  assert.throws(() => connect({ hostname: null as unknown as string, port: 80 }), TypeError);
  assert.throws(() => connect(42 as unknown as string), TypeError);
  assert.throws(() => listen(["127.0.0.1", 0], { backlog: -1 }), RangeError);
  const listener = listen(["127.0.0.1", 0]);
  assert.throws(() => serve(listener, echo, { concurrency: 0 }), RangeError);
  assert.throws(() => serve(listener, "x" as unknown as () => void), TypeError);
  const [a, b, close] = await pair();
  assert.throws(() => a.recv(-1), RangeError);
  assert.throws(() => a.recv(1.5), RangeError);
  assert.throws(() => a.send("text" as unknown as Uint8Array), TypeError);
  assert.throws(() => a.settimeout(-1), RangeError);
  assert.throws(() => a.settimeout("1" as unknown as number), TypeError);
  assert.throws(() => a.shutdown("sideways" as "read"), TypeError);
  close();
  await assert.rejects(a.send(enc("x")), {
    name: "BadResource",
    message: "Cannot send: socket is closed",
  });
  await assert.rejects(a.recv(1), {
    name: "BadResource",
    message: "Cannot recv: socket is closed",
  });
  assert.throws(() => a.getpeername(), { name: "BadResource" });
  assert.equal(b.closed, true);
  await assert.rejects(
    connect(listener.addr as [string, number]).then(async (s) => {
      s.close();
      listener.close();
      return await connect(listener.addr as [string, number]);
    }),
    Deno.errors.ConnectionRefused,
  );
  await settle();
});
