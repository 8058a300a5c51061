/**
 * Scenarios of eventlet's own wsgi tests, carried over: a response streamed
 * in chunks by a greenthread, a chunked POST body, `Expect: 100-continue`,
 * a Timeout escaping the handler (a 500, the server goes on), and IPv6.
 */

import assert from "node:assert/strict";
import { sleep, Timeout, waitFor } from "../mod.ts";
import { curl, haveCurl, startServer } from "./http_helpers.ts";

Deno.test("a body streamed chunk by chunk, with switch points between chunks, arrives whole and in order", async () => {
  const { server, base, lines } = startServer(() => {
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await sleep(0.005); // other requests run between chunks
        if (n === 3) controller.close();
        else controller.enqueue(new TextEncoder().encode(`chunk${n++};`));
      },
    });
    return new Response(body);
  });
  const [a, b] = await Promise.all([
    fetch(base).then((r) => r.text()),
    fetch(base).then((r) => r.text()),
  ]);
  assert.equal(a, "chunk0;chunk1;chunk2;");
  assert.equal(b, a);
  await server.shutdown();
  assert.ok(lines.every((l) => / 200 21 /.test(l)), lines.join("\n"));
});

Deno.test("a chunked POST body is read whole by the handler", async () => {
  const { server, base } = startServer(async (request) => {
    const text = await waitFor(request.text());
    return new Response(`${request.method} ${text.length} ${text.slice(0, 5)}`);
  }, { log: false });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 10; i++) controller.enqueue(encoder.encode("0123456789"));
      controller.close();
    },
  });
  const response = await fetch(`${base}/upload`, { method: "POST", body });
  assert.equal(await response.text(), "POST 100 01234");
  await server.shutdown();
});

Deno.test({
  name: "Expect: 100-continue is answered by Deno and the body reaches the handler",
  ignore: !haveCurl,
  fn: async () => {
    const { server, base } = startServer(async (request) => {
      return new Response(`got ${(await waitFor(request.text())).length} bytes`);
    }, { log: false });
    const out = await curl("-H", "Expect: 100-continue", "--data-binary", "x".repeat(2000), base);
    assert.equal(out, "got 2000 bytes");
    await server.shutdown();
  },
});

Deno.test("a Timeout escaping the handler is an error like any other: 500, and the server goes on", async () => {
  const errors: unknown[] = [];
  const { server, base } = startServer(async (request) => {
    if (new URL(request.url).pathname === "/slow") {
      using _deadline = new Timeout(0.02);
      await sleep(1);
    }
    return new Response("fine");
  }, { log: false, onError: (error) => errors.push(error) });
  const slow = await fetch(`${base}/slow`);
  assert.equal(slow.status, 500);
  await slow.body?.cancel();
  assert.equal(await fetch(`${base}/other`).then((r) => r.text()), "fine");
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof Timeout);
  assert.equal(server.stats().timedOut, 0, "the handler's own Timeout is not requestTimeout");
  await server.shutdown();
});

Deno.test("IPv6: serving on ::1, the log shows the client's IPv6 address", async () => {
  let server;
  try {
    server = startServer(() => new Response("v6"), { hostname: "::1" });
  } catch (error) {
    console.log(`http_wsgi_scenarios_test: no IPv6 loopback here (${error}); skipped`);
    return;
  }
  const { port, lines } = server;
  assert.equal(await fetch(`http://[::1]:${port}/six`).then((r) => r.text()), "v6");
  await server.server.shutdown();
  assert.match(lines[0], /^::1 - - \[.*\] "GET \/six HTTP\/1\.1" 200 2 /);
});
