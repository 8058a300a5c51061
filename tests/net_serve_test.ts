/**
 * The server side: serve() echoing for one and for 500 clients, handlers
 * that are killed, throw StopServe or fail, serve's greenthread killed,
 * the concurrency limit, a peer reset reaching only its handler, staying
 * responsive beside a busy greenthread; listen/connect over a Unix socket,
 * and GreenListener.accept() interrupted by close() or its timeout.
 */

import assert from "node:assert/strict";
import net from "node:net";
import { Event, getCurrent, type GreenThread, sleep, spawn, Timeout } from "../mod.ts";
import { connect, ConnectionReset, listen, serve, SocketTimeout, StopServe } from "../net/mod.ts";
import { dec, echo, enc, recvExactly, settle, startServer, stopServer } from "./net_helpers.ts";

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

Deno.test("serve() gives a peer reset to that handler only: its recv ends at EOF, its send throws", async () => {
  const outcomes: string[] = [];
  let handlers = 0;
  const server = startServer(async (sock) => {
    const rude = handlers++ === 1;
    try {
      await sock.sendall(enc("hi"));
      await echo(sock);
      outcomes.push("eof");
      if (rude) await sock.sendall(enc("anyone there?"));
    } catch (e) {
      outcomes.push(e instanceof ConnectionReset ? "reset on send" : String(e));
    }
  });
  const good = await connect(server.addr);
  assert.equal(dec(await good.recv(2)), "hi");
  const rude = net.connect(server.port, "127.0.0.1");
  await new Promise((resolve) => rude.once("data", resolve));
  rude.resetAndDestroy();
  while (outcomes.length < 2) await sleep(0.005);
  assert.deepEqual(outcomes, ["eof", "reset on send"]);
  await good.sendall(enc("fine"));
  assert.equal(dec(await recvExactly(good, 4)), "fine");
  good.close();
  await stopServer(server);
  await settle();
  assert.deepEqual(outcomes, ["eof", "reset on send", "eof"]);
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

Deno.test("serve() not awaited runs on its own: a Timeout for the caller's later code does not reach it", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const done = serve(listener, echo);
  const t = new Timeout(0.02);
  await assert.rejects(sleep(1), (e) => e === t);
  const sock = await connect(listener.addr as [string, number]);
  await sock.sendall(enc("still serving"));
  assert.equal(dec(await recvExactly(sock, 13)), "still serving");
  sock.close();
  assert.equal(listener.closed, false);
  listener.close();
  await done;
  await settle();
});

Deno.test("serve() not awaited in a greenthread that is killed later keeps serving", async () => {
  const listener = listen(["127.0.0.1", 0]);
  let done: Promise<void> | null = null;
  const starter = spawn(async () => {
    done = serve(listener, echo);
    await sleep(10);
  });
  await sleep(0.01);
  await starter.kill();
  const sock = await connect(listener.addr as [string, number]);
  await sock.sendall(enc("alive"));
  assert.equal(dec(await recvExactly(sock, 5)), "alive");
  sock.close();
  listener.close();
  await done;
  await settle();
});

Deno.test("serve() with a catch chained at once: the caller is not parked, its Timeout lands in its own sleep", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const errors: unknown[] = [];
  const done = serve(listener, echo).catch((e) => errors.push(e));
  const t = new Timeout(0.02);
  await assert.rejects(sleep(1), (e) => e === t);
  assert.equal(listener.closed, false);
  listener.close();
  await done;
  assert.deepEqual(errors, []);
  await settle();
});

Deno.test("awaiting serve() is a switch point: a Timeout there stops the server and is thrown in the caller", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const caller = spawn(async () => {
    using _t = new Timeout(0.05);
    await serve(listener, echo);
  });
  await assert.rejects(caller.wait(), (e) => e instanceof Timeout);
  assert.equal(listener.closed, true);
  await settle();
});

Deno.test("serve() on a closed listener rejects saying the listener is closed", async () => {
  const listener = listen(["127.0.0.1", 0]);
  listener.close();
  await assert.rejects(
    serve(listener, echo),
    (e) => e instanceof Deno.errors.BadResource && e.message === "Cannot serve: listener is closed",
  );
});
