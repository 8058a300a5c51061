/**
 * The network examples run as child processes: echo_server.ts,
 * chat_server.ts and tls_echo.ts answer real clients.
 */

import assert from "node:assert/strict";
import { connect, type GreenSocket, wrapSsl } from "../net/mod.ts";
import { dec, enc, recvExactly } from "./net_helpers.ts";
import { Lines } from "../bench/processes.ts";

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
