/**
 * How green sockets end when the peer goes away, as eventlet's do: a reset
 * or a ragged TLS close reads as EOF, a send to a reset peer throws
 * ConnectionReset, a failed TLS handshake throws InvalidData naming the
 * peer; errors carry the awaiting caller's stack; and a non-blocking retry
 * loop on recv or accept lets Deno's event loop turn.
 */

import assert from "node:assert/strict";
import net from "node:net";
import { sleep, spawn } from "../mod.ts";
import {
  BlockingIOError,
  connect,
  ConnectionReset,
  type GreenListener,
  type GreenSocket,
  listen,
  wrapSsl,
} from "../net/mod.ts";
import { dec, enc, settle } from "./net_helpers.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, fixtures));
const cert = read("server.pem");
const key = read("server.key");
const caPath = new URL("ca.pem", fixtures).pathname;
const PYTHON = "/usr/bin/python3";
const noPython = (() => {
  try {
    Deno.statSync(PYTHON);
    return false;
  } catch {
    console.log(`net_eof_test: skipping the Python TLS peers: ${PYTHON} is missing`);
    return true;
  }
})();

function tlsListener(): GreenListener {
  return wrapSsl(listen(["127.0.0.1", 0]), { serverSide: true, cert, key });
}

/** Accepts one connection and reads it to its end; resolves what each recv gave. */
function readToEnd(listener: GreenListener) {
  return spawn(async () => {
    const [sock, addr] = await listener.accept();
    const got: string[] = [];
    try {
      for (;;) {
        const data = await sock.recv(100);
        if (data.length === 0) break;
        got.push(dec(data));
      }
      got.push("<eof>");
      got.push(dec(await sock.recv(100)) === "" ? "<eof again>" : "data after eof?");
    } catch (e) {
      got.push(`${(e as Error).name}: ${(e as Error).message}`);
    } finally {
      sock.close();
    }
    return { got, addr: addr as [string, number] };
  });
}

/** Runs a Python peer against 127.0.0.1:port. */
async function python(port: number, code: string): Promise<string> {
  const { stdout, stderr } = await new Deno.Command(PYTHON, {
    args: ["-c", `PORT = ${port}\nCA = ${JSON.stringify(caPath)}\n${code}`],
  }).output();
  return new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
}

Deno.test("recv on a connection the peer reset returns EOF (at once and again later)", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const [, port] = listener.addr as [string, number];
  const reader = readToEnd(listener);
  const rude = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => rude.once("connect", resolve));
  rude.write("last words");
  await sleep(0.05);
  rude.resetAndDestroy();
  const { got } = await reader.wait();
  assert.deepEqual(got, ["last words", "<eof>", "<eof again>"]);
  listener.close();
  await settle();
});

Deno.test("send and sendall to a reset peer throw ConnectionReset carrying the caller's stack", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const [, port] = listener.addr as [string, number];
  const rude = net.connect(port, "127.0.0.1");
  const [sock] = await listener.accept();
  await new Promise((resolve) => rude.once("connect", resolve));
  rude.resetAndDestroy();
  assert.equal((await sock.recv(10)).length, 0);
  async function talkToTheVoid(s: GreenSocket): Promise<void> {
    await s.sendall(new Uint8Array(1 << 20));
  }
  const error = await talkToTheVoid(sock).then(() => null, (e) => e);
  assert.ok(error instanceof ConnectionReset, String(error));
  assert.match(error.stack ?? "", /talkToTheVoid/);
  await assert.rejects(sock.send(enc("again")), ConnectionReset);
  sock.close();
  listener.close();
  await settle();
});

Deno.test("a recv parked when the socket is closed rejects with the awaiting caller's stack", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const client = await connect(listener.addr as [string, number]);
  const [sock] = await listener.accept();
  async function waitForWords(s: GreenSocket): Promise<Uint8Array> {
    return await s.recv(10);
  }
  const reading = waitForWords(sock).then(() => null, (e) => e);
  await sleep(0.01);
  sock.close();
  const error = await reading;
  assert.ok(error instanceof Deno.errors.BadResource, String(error));
  assert.match(error.stack ?? "", /waitForWords/);
  client.close();
  listener.close();
  await settle();
});

Deno.test("TLS: a plain connect-and-close (a port scan) reads as EOF on the server", async () => {
  const listener = tlsListener();
  const [, port] = listener.addr as [string, number];
  const reader = readToEnd(listener);
  (await Deno.connect({ hostname: "127.0.0.1", port })).close();
  const { got } = await reader.wait();
  assert.deepEqual(got, ["<eof>", "<eof again>"]);
  listener.close();
  await settle();
});

Deno.test("TLS: a plain-TCP client sending text gets InvalidData naming the peer", async () => {
  const listener = tlsListener();
  const [, port] = listener.addr as [string, number];
  const reader = readToEnd(listener);
  const plain = await Deno.connect({ hostname: "127.0.0.1", port });
  await plain.write(enc("GET / HTTP/1.0\r\n\r\n"));
  const { got, addr } = await reader.wait();
  plain.close();
  assert.equal(got.length, 1);
  assert.match(
    got[0],
    new RegExp(`^InvalidData: Cannot recv: TLS handshake with 127\\.0\\.0\\.1:${addr[1]} failed: `),
  );
  listener.close();
  await settle();
});

Deno.test({
  name: "TLS: a peer that closes without close_notify (ragged EOF) reads as EOF after its data",
  ignore: noPython,
  async fn() {
    const listener = tlsListener();
    const [, port] = listener.addr as [string, number];
    const reader = readToEnd(listener);
    const peer = python(
      port,
      `import socket, ssl, time
ctx = ssl.create_default_context(cafile=CA)
t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", PORT)), server_hostname="localhost")
t.sendall(b"bye")
time.sleep(0.1)
socket.socket(fileno=t.detach()).close()  # no close_notify`,
    );
    const { got } = await reader.wait();
    assert.equal(await peer, "");
    assert.deepEqual(got, ["bye", "<eof>", "<eof again>"]);
    listener.close();
    await settle();
  },
});

Deno.test({
  name: "TLS: a client that refuses the certificate gives InvalidData naming the peer",
  ignore: noPython,
  async fn() {
    const listener = tlsListener();
    const [, port] = listener.addr as [string, number];
    const reader = readToEnd(listener);
    const peer = python(
      port,
      `import socket, ssl
ctx = ssl.create_default_context()  # the test CA is not trusted
try:
    ctx.wrap_socket(socket.create_connection(("127.0.0.1", PORT)), server_hostname="localhost")
except ssl.SSLError as e:
    print("refused")`,
    );
    const { got, addr } = await reader.wait();
    assert.equal((await peer).trim(), "refused");
    assert.equal(got.length, 1);
    assert.match(
      got[0],
      new RegExp(`^InvalidData: .*TLS handshake with 127\\.0\\.0\\.1:${addr[1]}`),
    );
    listener.close();
    await settle();
  },
});

Deno.test("a non-blocking recv retry loop lets Deno's event loop turn and gets the data", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const client = await connect(listener.addr as [string, number]);
  const [sock] = await listener.accept();
  sock.setblocking(false);
  setTimeout(() => client.sendall(enc("late")), 10);
  const deadline = performance.now() + 3000;
  let tries = 0;
  let data: Uint8Array | null = null;
  while (data === null && performance.now() < deadline) {
    try {
      data = await sock.recv(10);
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
      tries++;
    }
  }
  assert.ok(data !== null, `no data after ${tries} tries in 3 s`);
  assert.equal(dec(data), "late");
  sock.close();
  client.close();
  listener.close();
  await settle();
});

Deno.test("a non-blocking accept retry loop lets Deno's event loop turn and gets the connection", async () => {
  const listener = listen(["127.0.0.1", 0]);
  listener.settimeout(0);
  let client: Deno.Conn | null = null;
  const addr = listener.addr as [string, number];
  setTimeout(async () => {
    client = await Deno.connect({ hostname: addr[0], port: addr[1] });
  }, 10);
  const deadline = performance.now() + 3000;
  let sock: GreenSocket | null = null;
  while (sock === null && performance.now() < deadline) {
    try {
      [sock] = await listener.accept();
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
    }
  }
  assert.ok(sock !== null, "no connection accepted in 3 s");
  sock.close();
  while (client === null) await sleep(0.005);
  (client as Deno.Conn).close();
  listener.close();
  await settle();
});
