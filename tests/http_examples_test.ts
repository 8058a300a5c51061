/**
 * The HTTP examples run as child processes and answer real clients:
 * http_hello.ts, wsgi_app.ts (404s, its Timeout, a client that leaves
 * killing the handler) and http_crawler_server.ts (a GreenPile fan-out with
 * a deadline); bench/http.ts --quick drives each of its servers with wrk.
 */

import assert from "node:assert/strict";
import { Lines } from "../bench/processes.ts";
import { rawGet } from "./http_helpers.ts";

/** An example in a child process: stdout line by line, stderr kept. */
class Example {
  readonly child: Deno.ChildProcess;
  readonly stderr: Promise<string>;
  #lines: Lines;

  constructor(script: string) {
    const path = new URL(`../examples/${script}`, import.meta.url).pathname;
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", path, "0"],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    this.#lines = new Lines(this.child.stdout);
    this.stderr = new Response(this.child.stderr).text();
  }

  /** Reads stdout lines until one matches `re`. */
  async waitFor(re: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const m = (await this.#lines.next()).match(re);
      if (m) return m;
    }
  }

  /** The server's base URL, once it listens. */
  async base(): Promise<string> {
    const [, url] = await this.waitFor(/^listening on (http:\/\/\S+)\/$/);
    return url;
  }

  /** Stops it; returns its stderr (the access log). */
  async stop(): Promise<string> {
    this.child.kill("SIGTERM");
    await this.#lines.cancel();
    await this.child.status;
    return await this.stderr;
  }
}

Deno.test("examples/http_hello.ts answers Hello, World! and logs the request", async () => {
  const ex = new Example("http_hello.ts");
  try {
    const base = await ex.base();
    assert.equal(await fetch(`${base}/`).then((r) => r.text()), "Hello, World!\r\n");
    // The line is written once Deno reports the response delivered: just after the client has it.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    const log = await ex.stop();
    assert.match(log, /"GET \/ HTTP\/1\.1" 200 15 \d+\.\d{6}/);
  }
});

Deno.test("examples/wsgi_app.ts: eventlet's wsgi.py routes, a Timeout's 504, a disconnect's kill", async () => {
  const ex = new Example("wsgi_app.ts");
  let log = "";
  try {
    const base = await ex.base();
    assert.equal(await fetch(`${base}/`).then((r) => r.text()), "Hello, World!\r\n");
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "Not Found\r\n");
    assert.equal(await fetch(`${base}/slow?seconds=0.2`).then((r) => r.text()), "worked 0.2 s\r\n");
    await ex.waitFor(/^slow request \(0\.2 s\) finished$/);

    const t0 = performance.now();
    const late = await fetch(`${base}/slow?seconds=10`);
    assert.equal(late.status, 504);
    assert.equal(await late.text(), "gave up after 2 s\r\n");
    assert.ok(performance.now() - t0 < 4000);
    await ex.waitFor(/^slow request \(10 s\) stopped by its 2 s Timeout$/);

    const conn = await rawGet(Number(new URL(base).port), "/slow?seconds=9");
    await new Promise((resolve) => setTimeout(resolve, 300));
    conn.close();
    await ex.waitFor(/^slow request \(9 s\) killed: the client went away$/);
    await new Promise((resolve) => setTimeout(resolve, 500)); // its log line follows
  } finally {
    log = await ex.stop();
  }
  assert.match(log, /"GET \/nope HTTP\/1\.1" 404 /);
  assert.match(log, /"GET \/slow\?seconds=10 HTTP\/1\.1" 504 /);
  assert.match(log, /"GET \/slow\?seconds=9 HTTP\/1\.1" 499 0 /);
});

Deno.test("examples/http_crawler_server.ts fans out in a GreenPile and reports the late upstream as timed out", async () => {
  const ex = new Example("http_crawler_server.ts");
  try {
    const base = await ex.base();
    const t0 = performance.now();
    const results = await fetch(`${base}/crawl?delays=10,50,3000,20&deadline=0.5`)
      .then((r) => r.json());
    const seconds = (performance.now() - t0) / 1000;
    assert.ok(seconds < 2, `answered after ${seconds} s, not after the slow upstream's 3 s`);
    const origin = base;
    assert.deepEqual(results, [
      { url: `${origin}/upstream?ms=10`, status: 200, bytes: 13 },
      { url: `${origin}/upstream?ms=50`, status: 200, bytes: 13 },
      { url: `${origin}/upstream?ms=3000`, error: "timed out" },
      { url: `${origin}/upstream?ms=20`, status: 200, bytes: 13 },
    ]);
  } finally {
    await ex.stop();
  }
});

Deno.test("bench/http.ts --quick runs every variant under wrk and prints a ratio against raw", async () => {
  const path = new URL("../bench/http.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path, "--quick"],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  if (text.includes("bench/http.ts skipped:")) {
    console.log(text.trim()); // no wrk, or no second CPU: the script says which
    return;
  }
  assert.match(text, /^\| raw \| \d+ .*\| 1\.000 \(1\.000–1\.000\) \|/m);
  for (const name of ["spawn\\+wait", "serveHttp", "serveHttp\\+timeout"]) {
    assert.match(text, new RegExp(`^\\| ${name} \\| \\d+ \\(.*\\| \\d\\.\\d{3} \\(`, "m"), text);
  }
});
