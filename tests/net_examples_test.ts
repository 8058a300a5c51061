/**
 * The network examples run as child processes: echo_server.ts,
 * chat_server.ts and tls_echo.ts answer real clients.
 */

import assert from "node:assert/strict";
import { connect, type GreenSocket, wrapSsl } from "../net/mod.ts";
import { dec, enc, recvExactly } from "./net_helpers.ts";
import { Lines } from "../bench/processes.ts";
import net from "node:net";
import { sleep } from "../mod.ts";

/** A child Deno process running an example, with its stdout read line by line. */
class Example {
  readonly child: Deno.ChildProcess;
  #lines: Lines;

  constructor(script: string, args: string[]) {
    const path = new URL(`../examples/${script}`, import.meta.url).pathname;
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", path, ...args],
      stdout: "piped",
      stderr: "inherit",
      stdin: "null",
    }).spawn();
    this.#lines = new Lines(this.child.stdout);
  }

  /** The next line of stdout (throws at EOF). */
  line(): Promise<string> {
    return this.#lines.next();
  }

  /** Reads lines until one matches `re`; returns the match. */
  async waitFor(re: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const m = (await this.line()).match(re);
      if (m) return m;
    }
  }

  async stop(): Promise<void> {
    this.child.kill("SIGTERM");
    await this.#lines.cancel();
    await this.child.status;
  }
}

Deno.test("examples/echo_server.ts echoes what a client sends", async () => {
  const ex = new Example("echo_server.ts", ["0"]);
  try {
    const [, host, port] = await ex.waitFor(/listening on (.+):(\d+)$/);
    const sock = await connect([host, Number(port)]);
    await sock.sendall(enc("hello, echo"));
    assert.equal(dec(await recvExactly(sock, 11)), "hello, echo");
    sock.close();
  } finally {
    await ex.stop();
  }
});

Deno.test("examples/chat_server.ts sends each line to every other client", async () => {
  const ex = new Example("chat_server.ts", ["0"]);
  const socks: GreenSocket[] = [];
  try {
    const [, port] = await ex.waitFor(/starting up on port (\d+)$/);
    for (let i = 0; i < 3; i++) {
      socks.push(await connect(["127.0.0.1", Number(port)]));
      await ex.waitFor(/^Participant joined chat\.$/);
    }
    const [a, b, c] = socks;
    await a.sendall(enc("hi from a\n"));
    assert.equal(dec(await recvExactly(b, 10)), "hi from a\n");
    assert.equal(dec(await recvExactly(c, 10)), "hi from a\n");
    await b.sendall(enc("b here\n"));
    assert.equal(dec(await recvExactly(a, 7)), "b here\n");
    assert.equal(dec(await recvExactly(c, 7)), "b here\n");
    // a never got its own line back: the next thing it reads is b's.
    c.close();
    await ex.waitFor(/^Participant left chat\.$/);
    // A client that resets its connection is announced as leaving too.
    const rude = net.connect(Number(port), "127.0.0.1");
    await ex.waitFor(/^Participant joined chat\.$/);
    rude.resetAndDestroy();
    await ex.waitFor(/^Participant left chat\.$/);
    await a.sendall(enc("still here\n"));
    assert.equal(dec(await recvExactly(b, 11)), "still here\n");
  } finally {
    for (const s of socks) s.close();
    await ex.stop();
  }
});

Deno.test("examples/tls_echo.ts echoes over TLS for a client trusting the test CA", async () => {
  const ex = new Example("tls_echo.ts", ["0"]);
  try {
    const [, port] = await ex.waitFor(/listening on (.+):(\d+)$/).then((m) => [m[1], m[2]]);
    const caCert = Deno.readTextFileSync(new URL("./fixtures/ca.pem", import.meta.url));
    const sock = await wrapSsl(await connect(["localhost", Number(port)]), { caCerts: [caCert] });
    await sock.sendall(enc("tls works"));
    assert.equal(dec(await recvExactly(sock, 9)), "tls works");
    sock.close();
  } finally {
    await ex.stop();
  }
});

/** One TLS echo round trip through the example, trusting the test CA. */
async function tlsEcho(port: number, text: string): Promise<void> {
  const caCert = Deno.readTextFileSync(new URL("./fixtures/ca.pem", import.meta.url));
  const sock = await wrapSsl(await connect(["localhost", port]), { caCerts: [caCert] });
  try {
    await sock.sendall(enc(text));
    assert.equal(dec(await recvExactly(sock, text.length)), text);
  } finally {
    sock.close();
  }
}

const noOpenssl = (() => {
  try {
    new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync();
    return false;
  } catch {
    console.log("net_examples_test: skipping the openssl s_client test: openssl is missing");
    return true;
  }
})();

Deno.test("examples/tls_echo.ts survives a port scan, a reset and a plain-TCP client, and keeps serving", async () => {
  const ex = new Example("tls_echo.ts", ["0"]);
  try {
    const port = Number((await ex.waitFor(/listening on (.+):(\d+)$/))[2]);
    // A port scan: connect and close without a handshake.
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    await tlsEcho(port, "after a scan");
    // A reset in the middle of the handshake.
    const rude = net.connect(port, "127.0.0.1");
    await new Promise((resolve) => rude.once("connect", resolve));
    rude.write("\x16\x03\x01");
    await sleep(0.02);
    rude.resetAndDestroy();
    await tlsEcho(port, "after a reset");
    // A plain-TCP client speaking HTTP: its handshake fails, nobody else's.
    const plain = await Deno.connect({ hostname: "127.0.0.1", port });
    await plain.write(enc("GET / HTTP/1.0\r\n\r\n"));
    await plain.read(new Uint8Array(100)).catch(() => null);
    plain.close();
    await tlsEcho(port, "after a plain client");
    await sleep(0.05);
    assert.equal(
      await Promise.race([ex.child.status.then(() => "exited"), sleep(0.01)]),
      undefined,
    );
  } finally {
    await ex.stop();
  }
});

Deno.test({
  name: "examples/tls_echo.ts survives an openssl s_client killed mid-session",
  ignore: noOpenssl,
  async fn() {
    const ex = new Example("tls_echo.ts", ["0"]);
    try {
      const port = Number((await ex.waitFor(/listening on (.+):(\d+)$/))[2]);
      const caPath = new URL("./fixtures/ca.pem", import.meta.url).pathname;
      const client = new Deno.Command("openssl", {
        args: ["s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", caPath, "-quiet"],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const writer = client.stdin.getWriter();
      await writer.write(enc("hello openssl\n"));
      const lines = new Lines(client.stdout);
      assert.equal(await lines.next(), "hello openssl");
      client.kill("SIGKILL"); // no close_notify: a ragged EOF for the server
      await client.status;
      await writer.close().catch(() => {});
      await lines.cancel();
      await tlsEcho(port, "after a killed s_client");
      await sleep(0.05);
      assert.equal(
        await Promise.race([ex.child.status.then(() => "exited"), sleep(0.01)]),
        undefined,
      );
    } finally {
      await ex.stop();
    }
  },
});
