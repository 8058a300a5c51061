import assert from "node:assert/strict";
import net from "node:net";
import { Event, getCurrent, type GreenThread, isTimeout, sleep, spawn, Timeout } from "../mod.ts";
import {
  BlockingIOError,
  connect,
  ConnectionReset,
  type GreenSocket,
  listen,
  serve,
  SocketTimeout,
  StopServe,
} from "../net/mod.ts";
import {
  dec,
  echo,
  enc,
  recvAll,
  recvExactly,
  settle,
  startServer,
  stopServer,
} from "./net_helpers.ts";

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

Deno.test("serve() echoes for one client and ends when the listener is closed", async () => {
  const server = startServer(echo);
  const sock = await connect(server.addr);
  await sock.sendall(enc("hello"));
  assert.equal(dec(await recvExactly(sock, 5)), "hello");
  assert.deepEqual(sock.getpeername(), server.addr);
  assert.equal((sock.getsockname() as [string, number])[0], "127.0.0.1");
  sock.close();
  await stopServer(server);
  assert.equal(server.listener.closed, true);
  await settle();
});

Deno.test("serve() echoes for 500 concurrent clients", async () => {
  const server = startServer(echo);
  const clients = 500;
  let ok = 0;
  const gts = [];
  for (let i = 0; i < clients; i++) {
    gts.push(spawn(async () => {
      const sock = await connect(server.addr);
      try {
        for (let round = 0; round < 3; round++) {
          const msg = enc(`client ${i} round ${round};`);
          await sock.sendall(msg);
          assert.equal(dec(await recvExactly(sock, msg.length)), dec(msg));
        }
        ok++;
      } finally {
        sock.close();
      }
    }));
  }
  for (const gt of gts) await gt.wait();
  assert.equal(ok, clients);
  await stopServer(server);
  await settle();
});

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
  const big = new Uint8Array(8 << 20).fill(65); // "A"s: more than the socket buffers hold
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

Deno.test("serve() handler killed while parked in recv: its socket is closed", async () => {
  const parked = new Event<GreenThread<unknown>>();
  let cleaned = false;
  const server = startServer(async (sock) => {
    if (parked.ready()) return;
    parked.send(getCurrent());
    try {
      await sock.recv(10);
    } finally {
      cleaned = true;
    }
  });
  const sock = await connect(server.addr);
  const handler = await parked.wait();
  await handler.kill();
  assert.equal(cleaned, true);
  assert.equal((await sock.recv(10)).length, 0); // EOF: the server closed it
  // serve goes on accepting.
  const sock2 = await connect(server.addr);
  sock.close();
  sock2.close();
  await stopServer(server);
  await settle();
});

Deno.test("serve() resolves when a handler throws StopServe and closes the listener", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const served = serve(listener, async (sock) => {
    const line = dec(await sock.recv(100));
    if (line === "stop") throw new StopServe();
    await sock.sendall(enc("ok"));
  });
  const a = await connect(listener.addr as [string, number]);
  await a.sendall(enc("hi"));
  assert.equal(dec(await recvExactly(a, 2)), "ok");
  const b = await connect(listener.addr as [string, number]);
  await b.sendall(enc("stop"));
  assert.equal(await served, undefined);
  assert.equal(listener.closed, true);
  // Refused, or reset if the connect raced with the listener's close.
  await assert.rejects(
    connect(listener.addr as [string, number]),
    (e) => e instanceof Deno.errors.ConnectionRefused || e instanceof Deno.errors.ConnectionReset,
  );
  a.close();
  b.close();
  await settle();
});

Deno.test("serve() rejects with a handler's error; other handlers go on", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const addr = listener.addr as [string, number];
  const boom = new Error("handler failed");
  const served = serve(listener, async (sock) => {
    const data = await sock.recv(100);
    if (dec(data) === "boom") throw boom;
    await sock.sendall(data);
    await echo(sock);
  });
  const calm = await connect(addr);
  await calm.sendall(enc("1"));
  assert.equal(dec(await recvExactly(calm, 1)), "1");
  const bad = await connect(addr);
  await bad.sendall(enc("boom"));
  await assert.rejects(served, (e) => e === boom);
  assert.equal(listener.closed, true);
  assert.equal((await bad.recv(10)).length, 0);
  await calm.sendall(enc("still here")); // its handler outlives serve
  assert.equal(dec(await recvExactly(calm, 10)), "still here");
  calm.close();
  bad.close();
  await settle();
});

Deno.test("serve() stops and closes the listener when its greenthread is killed", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const serving = spawn(serve, listener, echo);
  const sock = await connect(listener.addr as [string, number]);
  await sock.sendall(enc("x"));
  assert.equal(dec(await recvExactly(sock, 1)), "x");
  await serving.kill();
  assert.equal(listener.closed, true);
  await sock.sendall(enc("y")); // its handler goes on
  assert.equal(dec(await recvExactly(sock, 1)), "y");
  sock.close();
  await settle();
});

Deno.test("serve() with concurrency 2 serves a third client only after a handler returns", async () => {
  const release = new Event<void>();
  const started: number[] = [];
  let n = 0;
  const server = startServer(async (sock) => {
    const id = ++n;
    started.push(id);
    await sock.sendall(enc(String(id)));
    if (id === 1) await release.wait();
    await echo(sock);
  }, { concurrency: 2 });
  const c1 = await connect(server.addr);
  assert.equal(dec(await c1.recv(1)), "1");
  const c2 = await connect(server.addr);
  assert.equal(dec(await c2.recv(1)), "2");
  const c3 = await connect(server.addr); // connects into the listen queue
  c3.settimeout(0.1);
  await assert.rejects(c3.recv(1), SocketTimeout);
  assert.deepEqual(started, [1, 2]);
  c2.close(); // handler 2 returns at EOF: a slot frees up
  c3.settimeout(2);
  assert.equal(dec(await c3.recv(1)), "3");
  release.send();
  c1.close();
  c3.close();
  await stopServer(server);
  await settle();
});

Deno.test("serve() gives a peer reset to that handler only", async () => {
  const outcomes: string[] = [];
  const server = startServer(async (sock) => {
    try {
      await sock.sendall(enc("hi"));
      await echo(sock);
      outcomes.push("eof");
    } catch (e) {
      outcomes.push(e instanceof ConnectionReset ? "reset" : String(e));
    }
  });
  const good = await connect(server.addr);
  assert.equal(dec(await good.recv(2)), "hi");
  const rude = net.connect(server.port, "127.0.0.1");
  await new Promise((resolve) => rude.once("data", resolve));
  rude.resetAndDestroy();
  while (outcomes.length === 0) await sleep(0.005);
  assert.deepEqual(outcomes, ["reset"]);
  await good.sendall(enc("fine"));
  assert.equal(dec(await recvExactly(good, 4)), "fine");
  good.close();
  await stopServer(server);
  await settle();
  assert.deepEqual(outcomes, ["reset", "eof"]);
});

Deno.test("serve() stays responsive while a greenthread loops on sleep(0)", async () => {
  const server = startServer(echo);
  let spinning = true;
  let spins = 0;
  const spinner = spawn(async () => {
    while (spinning) {
      spins++;
      await sleep(0);
    }
  });
  const sock = await connect(server.addr);
  const start = performance.now();
  for (let i = 0; i < 50; i++) {
    await sock.sendall(enc("ping"));
    assert.equal(dec(await recvExactly(sock, 4)), "ping");
  }
  assert.ok(performance.now() - start < 5000);
  spinning = false;
  await spinner.wait();
  assert.ok(spins > 0);
  sock.close();
  await stopServer(server);
  await settle();
});

Deno.test("connect() and listen() work over a Unix socket", async () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/echo.sock`;
  const listener = listen(path);
  assert.equal(listener.addr, path);
  const served = spawn(serve, listener, echo);
  const sock = await connect(path);
  assert.equal(sock.getpeername(), path);
  await sock.sendall(enc("over unix"));
  assert.equal(dec(await recvExactly(sock, 9)), "over unix");
  sock.close();
  listener.close();
  await served.wait();
  await settle();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("GreenListener.close() rejects a parked accept() with a clear error", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const acceptor = spawn(() => listener.accept());
  await sleep(0.01);
  listener.close();
  await assert.rejects(acceptor.wait(), {
    name: "BadResource",
    message: "Cannot accept: listener is closed",
  });
  await settle();
});

Deno.test("GreenListener.accept() interrupted by its timeout keeps the connection", async () => {
  const listener = listen(["127.0.0.1", 0]);
  listener.settimeout(0.02);
  await assert.rejects(listener.accept(), SocketTimeout);
  const client = await connect(listener.addr as [string, number]);
  await sleep(0.02);
  listener.settimeout(1);
  const [sock, addr] = await listener.accept();
  assert.deepEqual(addr, client.getsockname());
  assert.equal(sock.gettimeout(), null); // not inherited from the listener
  sock.close();
  client.close();
  listener.close();
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
