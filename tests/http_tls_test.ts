/**
 * serveHttp over TLS with the test CA's certificate: HTTP/2 negotiated by
 * ALPN (curl --http2, and fetch through a client trusting the CA), each
 * stream its own greenthread.
 */

import assert from "node:assert/strict";
import { getCurrent, sleep } from "../mod.ts";
import { curl, haveCurl, startServer } from "./http_helpers.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, fixtures));
const tls = { cert: read("server.pem"), key: read("server.key") };

Deno.test({
  name: "HTTPS with HTTP/2 negotiated: curl --http2 sees version 2 and a greenthread per request",
  ignore: !haveCurl,
  fn: async () => {
    const { server, port } = startServer(async () => {
      await sleep(0.005);
      return new Response(getCurrent().name);
    }, { ...tls, log: false });
    const out = await curl(
      "--http2",
      "--cacert",
      new URL("ca.pem", fixtures).pathname,
      "-w",
      " http=%{http_version}",
      `https://localhost:${port}/secure?x=1`,
    );
    assert.equal(out, "GET /secure http=2");
    await server.shutdown();
  },
});
if (!haveCurl) console.log("http_tls_test: curl is not installed; its test is skipped");

Deno.test("HTTPS through fetch with a client that trusts the test CA; concurrent streams run at once", async () => {
  const { server, port, lines } = startServer(async (request) => {
    await sleep(0.1); // three at once: about 0.1 s, not 0.3 s
    return new Response(new URL(request.url).pathname);
  }, tls);
  const client = Deno.createHttpClient({ caCerts: [read("ca.pem")] });
  try {
    const t0 = performance.now();
    const texts = await Promise.all(
      ["/1", "/2", "/3"].map((p) =>
        fetch(`https://localhost:${port}${p}`, { client }).then((r) => r.text())
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    assert.deepEqual(texts, ["/1", "/2", "/3"]);
    assert.ok(seconds < 0.28, `took ${seconds} s`);
  } finally {
    client.close();
  }
  await server.shutdown();
  assert.equal(lines.length, 3);
  assert.ok(lines.every((l) => /"GET \/\d HTTP\/1\.1" 200 2 /.test(l)), lines.join("\n"));
});
