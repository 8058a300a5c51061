/**
 * backdoor: backdoorServer's sessions over real TCP (and IPv6 and Unix
 * sockets): the banner and prompt, completion values as Deno's REPL shows
 * them, declarations that persist, top-level await, multi-line input,
 * errors printed to the session by name and message, the token, the
 * refusal of a remote bind without one, sessions that loop (ended by a
 * disconnect or by kill(id), named by blocking detection), and no leak
 * when the server is killed.
 */

import assert from "node:assert/strict";
import { sleep, spawn, withTimeout } from "../mod.ts";
import { GreenletExit, type GreenThread } from "../green/mod.ts";
import { getHub } from "../hub/mod.ts";
import { type Address, connect, type GreenListener, type GreenSocket, listen } from "../net/mod.ts";
import { BlockingDetected, hubBlockingDetection } from "../debug/mod.ts";
import { backdoorServer } from "../backdoor/mod.ts";
import { captureErrors } from "./hub_helpers.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A line-oriented client of a backdoor session. */
class Client {
  #sock: GreenSocket;
  #text = "";

  constructor(sock: GreenSocket) {
    this.#sock = sock;
  }

  /** Reads until `marker` arrives; returns everything before it (and drops it). */
  async until(marker: string, seconds = 5): Promise<string> {
    return await withTimeout(seconds, async () => {
      for (;;) {
        const at = this.#text.indexOf(marker);
        if (at >= 0) {
          const before = this.#text.slice(0, at);
          this.#text = this.#text.slice(at + marker.length);
          return before;
        }
        const chunk = await this.#sock.recv(65536);
        if (chunk.length === 0) {
          throw new Error(`EOF before ${JSON.stringify(marker)}: ${this.#text}`);
        }
        this.#text += new TextDecoder().decode(chunk);
      }
    });
  }

  /** Sends one input line and returns what the session printed before its next prompt. */
  async eval(line: string, seconds = 5): Promise<string> {
    await this.#sock.sendall(enc(line + "\n"));
    return await this.until("\n> ", seconds).then((out) => out + "\n");
  }

  async send(text: string): Promise<void> {
    await this.#sock.sendall(enc(text));
  }

  /** Resolves true once the server has closed the connection. */
  async closed(): Promise<boolean> {
    for (;;) {
      const chunk = await this.#sock.recv(65536);
      if (chunk.length === 0) return true;
    }
  }

  close(): void {
    this.#sock.close();
  }
}

/** Opens a session and reads up to its first prompt; returns the client and the banner. */
async function open(addr: [string, number] | string): Promise<[Client, string]> {
  const client = new Client(await connect(addr));
  const banner = await client.until("> ");
  return [client, banner];
}

function start(listener: GreenListener, options = {}) {
  return spawn(backdoorServer, listener, options);
}

/** The name of the greenthread of the session whose banner this is. */
function sessionName(banner: string): string {
  return /backdoor 127\.0\.0\.1:\d+/.exec(banner)![0];
}

/** The live greenthread of the session whose banner this is, if any. */
function sessionOf(banner: string): GreenThread | undefined {
  const name = sessionName(banner);
  return getHub().greenthreads().find((g) => g.name === name);
}

/** Runs `fn` with blocking detection on; resolves the messages of the reports made meanwhile. */
async function blockingReports(resolution: number, fn: () => Promise<void>): Promise<string[]> {
  using capture = captureErrors();
  hubBlockingDetection(true, { resolution });
  try {
    await fn();
    await sleep(0.1);
  } finally {
    hubBlockingDetection(false);
  }
  return capture.errors.filter((e) => e instanceof BlockingDetected).map((e) => e.message);
}

Deno.test("a session prints a banner and a prompt, and evaluates print calls (eventlet's test_server)", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  const [client, banner] = await open(listener.addr as [string, number]);
  assert.match(
    banner,
    /^eventlet backdoor: Deno \d+\.\d+\.\d+, pid \d+, backdoor 127\.0\.0\.1:\d+\n/,
  );
  assert.match(banner, /greenthreads\(\), stats\(\), kill\(id\), formatGreenthreads\(\)/);
  assert.equal(await client.eval('console.log("hi")'), "hi\nundefined\n");
  client.close();
  await server.kill();
  await sleep(0.01);
});

Deno.test("completion values print as Deno's REPL does; declarations persist in the session", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener, { globals: { answer: 42 } });
  const [c] = await open(listener.addr as [string, number]);
  assert.equal(await c.eval("answer + 1"), "43\n");
  assert.equal(await c.eval("let x = 5"), "undefined\n");
  assert.equal(await c.eval("x * 2"), "10\n");
  assert.equal(await c.eval("1; 2"), "2\n");
  assert.equal(await c.eval("if (x > 1) { 'big' } else { 'small' }"), '"big"\n');
  assert.equal(await c.eval("({ a: [1, 2], s: 'x' })"), '{ a: [ 1, 2 ], s: "x" }\n');
  assert.equal(await c.eval("function twice(v) { return 2 * v }"), "undefined\n");
  assert.equal(await c.eval("twice(21)"), "42\n");
  assert.equal(await c.eval("typeof Deno.pid"), '"number"\n'); // the program's globals
  c.close();
  await server.kill();
});

Deno.test("top-level await: expressions, declarations that persist, statement lists", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener, { globals: { sleep, spawn } });
  const [c] = await open(listener.addr as [string, number]);
  assert.equal(await c.eval("await Promise.resolve(7)"), "7\n");
  assert.equal(await c.eval("const r = await spawn(() => 6 * 7).wait()"), "undefined\n");
  assert.equal(await c.eval("r"), "42\n");
  assert.equal(await c.eval("const { a, b = 2 } = await Promise.resolve({ a: 1 })"), "undefined\n");
  assert.equal(await c.eval("a + b"), "3\n");
  assert.equal(await c.eval("await sleep(0.01); r + 1"), "43\n");
  assert.equal(await c.eval("for await (const v of [1, 2]) console.log(v)"), "1\n2\nundefined\n");
  c.close();
  await server.kill();
});

Deno.test("unfinished input prompts '... ' until complete; .break drops it", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  const [c] = await open(listener.addr as [string, number]);
  await c.send("function add(a, b) {\n");
  assert.equal(await c.until("... "), "");
  await c.send("  return a + b\n");
  assert.equal(await c.until("... "), "");
  assert.equal(await c.eval("}"), "undefined\n");
  assert.equal(await c.eval("add(2, 3)"), "5\n");
  await c.send("[1,\n");
  await c.until("... ");
  await c.send(".break\n");
  assert.equal(await c.until("> "), ""); // a fresh prompt, nothing evaluated
  assert.equal(await c.eval("'after break'"), '"after break"\n');
  c.close();
  await server.kill();
});

Deno.test("errors go to the session by name and message; the program and the session go on", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  const [c] = await open(listener.addr as [string, number]);
  assert.equal(await c.eval('throw new TypeError("boom")'), "Uncaught TypeError: boom\n");
  assert.equal(
    await c.eval("missingName"),
    "Uncaught ReferenceError: missingName is not defined\n",
  );
  assert.equal(await c.eval("let = ;"), "Uncaught SyntaxError: Unexpected token ';'\n");
  assert.equal(await c.eval("throw 42"), "Uncaught 42\n");
  assert.equal(
    await c.eval("await Promise.reject(new RangeError('async boom'))"),
    "Uncaught RangeError: async boom\n",
  );
  assert.equal(
    await c.eval("kill(123456)"),
    "Uncaught RangeError: Cannot kill: id must be the id of a live greenthread, received 123456\n",
  );
  // A promise that rejects after it was shown is reported to the session, not left unhandled.
  const shown = await c.eval("Promise.reject(new Error('later'))");
  assert.match(shown, /^Promise \{\n\s+<rejected> Error: later/);
  assert.match(await c.eval("0"), /Uncaught \(in promise\) Error: later\n0\n$/);
  // Promises the session's code drops rejected are reported to it: Deno would exit otherwise.
  assert.equal(
    await c.eval(
      "Promise.reject(new Error('dropped')); (async () => { throw new TypeError('too') })(); 5",
    ),
    "5\n",
  );
  await sleep(0.05);
  assert.equal(
    await c.eval("'still here'"),
    'Uncaught (in promise) Error: dropped\nUncaught (in promise) TypeError: too\n"still here"\n',
  );
  c.close();
  // A second session still works: the server survived.
  const [d] = await open(listener.addr as [string, number]);
  assert.equal(await d.eval("1 + 1"), "2\n");
  d.close();
  await server.kill();
});

Deno.test("console in a session prints to the session; helpers report the hub", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const victim = spawn(() => sleep(60));
  victim.name = "victim";
  const server = start(listener, { globals: { victim } });
  const [c] = await open(listener.addr as [string, number]);
  assert.equal(
    await c.eval("console.log('a', 1, { b: 2 }); console.error('e')"),
    "a 1 { b: 2 }\ne\nundefined\n",
  );
  assert.equal(await c.eval("greenthreads().includes(victim)"), "true\n");
  assert.match(
    await c.eval("stats()"),
    /^\{ ready: \d+, parked: \d+, timers: \d+, switches: \d+ \}\n$/,
  );
  const listing = await c.eval("formatGreenthreads()");
  assert.match(listing, /"victim" parked on sleep/);
  assert.match(listing, /"backdoor 127\.0\.0\.1:\d+" running/);
  assert.equal(await c.eval("await kill(victim.id)"), "undefined\n");
  assert.equal(victim.dead, true);
  await assert.rejects(victim.wait(), GreenletExit);
  c.close();
  await server.kill();
});

Deno.test("close() ends the session; the server keeps accepting", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  const [c, banner] = await open(listener.addr as [string, number]);
  const session = sessionOf(banner)!;
  await c.send("close()\n");
  assert.equal(await c.closed(), true);
  assert.equal(await session.wait(), undefined, "the session ends by itself, not killed");
  c.close();
  const [d] = await open(listener.addr as [string, number]);
  d.close();
  await server.kill();
});

Deno.test("clients that connect and leave at once do not disturb the server (eventlet's quick disconnect)", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  for (let i = 0; i < 3; i++) (await connect(listener.addr as [string, number])).close();
  await sleep(0.05);
  const [c] = await open(listener.addr as [string, number]);
  assert.equal(await c.eval("'ok'"), '"ok"\n');
  c.close();
  await server.kill();
});

Deno.test("sessions on IPv6 loopback and on a Unix socket", async () => {
  const v6 = listen(["::1", 0]);
  const server6 = start(v6);
  const [c6, banner6] = await open(v6.addr as [string, number]);
  assert.match(banner6, /backdoor ::1:\d+/);
  assert.equal(await c6.eval("6 * 7"), "42\n");
  c6.close();
  await server6.kill();

  const dir = await Deno.makeTempDir();
  const path = `${dir}/backdoor.sock`;
  const unix = listen(path);
  const serverUnix = start(unix);
  const [cu] = await open(path);
  assert.equal(await cu.eval("'unix'"), '"unix"\n');
  cu.close();
  await serverUnix.kill();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("with a token, the first line must be the token", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener, { token: "s3cret" });
  const wrong = new Client(await connect(listener.addr as [string, number]));
  assert.equal(await wrong.until("Token: "), "");
  await wrong.send("guess\n");
  assert.equal(await wrong.until("Wrong token\n"), "");
  assert.equal(await wrong.closed(), true);
  wrong.close();
  const right = new Client(await connect(listener.addr as [string, number]));
  await right.until("Token: ");
  await right.send("s3cret\r\n"); // telnet's line ending works too
  assert.match(await right.until("> "), /^eventlet backdoor/);
  assert.equal(await right.eval("'in'"), '"in"\n');
  right.close();
  await server.kill();
});

Deno.test("a remote address without a token is refused before anything is bound", () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  for (const addr of [["0.0.0.0", port], ["", port], { hostname: "::", port }, { port }]) {
    assert.throws(
      () => backdoorServer(addr as Address),
      (e: unknown) =>
        e instanceof RangeError &&
        /^Cannot start backdoorServer: the address must be loopback or a Unix socket unless a token is set, received /
          .test(e.message),
    );
  }
  // Nothing was bound: the port is still free.
  const again = Deno.listen({ hostname: "127.0.0.1", port });
  again.close();
});

Deno.test("bad arguments throw TypeError/RangeError naming them", () => {
  // deno-lint-ignore no-explicit-any
  const bd = backdoorServer as any;
  assert.throws(
    () => bd(["127.0.0.1", 0], null),
    /^TypeError: Cannot start backdoorServer: options must be an object, received null$/,
  );
  assert.throws(
    () => bd(["127.0.0.1", 0], { token: 5 }),
    /^TypeError: Cannot start backdoorServer: token must be a string, received number$/,
  );
  assert.throws(
    () => bd(["127.0.0.1", 0], { token: "" }),
    /^RangeError: Cannot start backdoorServer: token must not be empty/,
  );
  assert.throws(
    () => bd(["127.0.0.1", 0], { globals: 5 }),
    /^TypeError: Cannot start backdoorServer: globals must be an object, received number$/,
  );
  assert.throws(() => bd(42), TypeError);
});

Deno.test("a session looping over awaits ends when its client leaves, or by kill(id) from another", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener, { globals: { sleep } });
  const [looper, loopBanner] = await open(listener.addr as [string, number]);
  await looper.send("while (true) await sleep(0.01)\n");
  await sleep(0.05);
  const [other] = await open(listener.addr as [string, number]);
  assert.equal(await other.eval("1"), "1\n"); // the program stays responsive
  const loopSession = sessionOf(loopBanner)!;
  assert.ok(loopSession !== undefined && !loopSession.dead);
  looper.close(); // the session's reader sees EOF and kills the looping session
  await sleep(0.1);
  assert.equal(loopSession.dead, true);
  assert.equal(sessionOf(loopBanner), undefined);

  const [looper2, loopBanner2] = await open(listener.addr as [string, number]);
  await looper2.send("while (true) await sleep(0.01)\n");
  await sleep(0.05);
  const id = sessionOf(loopBanner2)!.id;
  assert.equal(await other.eval(`await kill(${id})`), "undefined\n");
  assert.equal(await looper2.closed(), true);
  looper2.close();
  other.close();
  await server.kill();
});

Deno.test("blocking detection names the session whose input blocks the thread", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  const [c, banner] = await open(listener.addr as [string, number]);
  const reports = await blockingReports(0.05, async () => {
    assert.equal(
      await c.eval("{ const end = Date.now() + 400; while (Date.now() < end); 'done' }"),
      '"done"\n',
    );
  });
  assert.ok(reports.length >= 1, "no report");
  assert.ok(reports.some((r) => r.includes(`"${sessionName(banner)}"`)), reports.join("\n"));
  assert.equal(await c.eval("'alive'"), '"alive"\n');
  c.close();
  await server.kill();
});

Deno.test("an endless synchronous loop is stopped after 5 s; blocking detection names its session", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  const [c, banner] = await open(listener.addr as [string, number]);
  let seconds = 0;
  const reports = await blockingReports(1, async () => {
    const began = performance.now();
    assert.equal(
      await c.eval("while (true) {}", 30),
      "Uncaught Error: Input stopped: it ran 5 s without reaching a switch point, " +
        "and the whole program was blocked meanwhile\n",
    );
    seconds = (performance.now() - began) / 1000;
  });
  assert.ok(seconds >= 5 && seconds < 8, `stopped after ${seconds} s`);
  assert.ok(reports.some((r) => r.includes(`"${sessionName(banner)}"`)), reports.join("\n"));
  assert.equal(
    await c.eval("let n = 0; for (let i = 0; i < 1e6; i++) n += i; n"),
    "499999500000\n",
  );
  c.close();
  await server.kill();
});

Deno.test("killing the server ends its sessions and closes the listener", async () => {
  const listener = listen(["127.0.0.1", 0]);
  const server = start(listener);
  const [a] = await open(listener.addr as [string, number]);
  const [b] = await open(listener.addr as [string, number]);
  await server.kill();
  assert.equal(await a.closed(), true);
  assert.equal(await b.closed(), true);
  a.close();
  b.close();
  assert.equal(listener.closed, true);
  await sleep(0.01);
  assert.equal(getHub().greenthreads().length, 0);
});
