/**
 * serveHttp's per-request greenthreads: identity and names, Timeout and
 * local() isolation between concurrent requests, errors and non-Responses
 * answered 500 with the server going on, 414, the access log's format, bad
 * options, and fetch and curl as clients.
 */

import assert from "node:assert/strict";
import { Event, getCurrent, getHub, local, sleep, Timeout } from "../mod.ts";
import { serveHttp } from "../http/mod.ts";
import { curl, haveCurl, startServer } from "./http_helpers.ts";

const LOG_LINE =
  /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "([A-Z]+) (\S+) HTTP\/1\.1" (\d{3}) (\d+) (\d+\.\d{6})$/;

Deno.test("each request runs in its own greenthread, named after its method and path", async () => {
  const seen = new Map<string, { id: number; name: string }>();
  const gate = new Event<void>();
  const { server, base } = startServer(async (request) => {
    const me = getCurrent();
    seen.set(new URL(request.url).pathname, { id: me.id, name: me.name });
    await gate.wait(); // all three are running at once
    assert.equal(getCurrent(), me);
    return new Response(me.name);
  }, { log: false });
  const replies = ["/a", "/b?x=1", "/c/d"].map((p) => fetch(base + p).then((r) => r.text()));
  while (seen.size < 3) await sleep(0.005);
  assert.equal(server.stats().active, 3);
  gate.send();
  assert.deepEqual(await Promise.all(replies), ["GET /a", "GET /b", "GET /c/d"]);
  const ids = [...seen.values()].map((s) => s.id);
  assert.equal(new Set(ids).size, 3);
  assert.ok(ids.every((id) => id > 0), "not the main greenthread");
  assert.deepEqual(server.stats(), {
    active: 0,
    queued: 0,
    served: 3,
    shed: 0,
    timedOut: 0,
    killed: 0,
  });
  await server.shutdown();
});

Deno.test("a Timeout and local() in one request do not touch a concurrent one", async () => {
  const store = local<{ path: string }>();
  const { server, base } = startServer(async (request) => {
    const path = new URL(request.url).pathname;
    store.path = path;
    if (path === "/short-deadline") {
      try {
        using _deadline = new Timeout(0.05);
        await sleep(0.3);
        return new Response("not reached");
      } catch (error) {
        if (!(error instanceof Timeout)) throw error;
        return new Response(`timed out, mine=${store.path}`);
      }
    }
    await sleep(0.15); // outlives the other request's Timeout
    return new Response(`finished, mine=${store.path}`);
  }, { log: false });
  const [a, b] = await Promise.all([
    fetch(`${base}/short-deadline`).then((r) => r.text()),
    fetch(`${base}/no-deadline`).then((r) => r.text()),
  ]);
  assert.equal(a, "timed out, mine=/short-deadline");
  assert.equal(b, "finished, mine=/no-deadline");
  await server.shutdown();
});

Deno.test("a handler that throws gets 500 through onError and the server goes on", async () => {
  const reported: [unknown, string][] = [];
  const { server, base, lines } = startServer((request) => {
    if (request.url.endsWith("/boom")) throw new Error("boom");
    return new Response("fine");
  }, { onError: (error, request) => reported.push([error, new URL(request.url).pathname]) });
  const failed = await fetch(`${base}/boom`);
  assert.equal(failed.status, 500);
  assert.equal(await failed.text(), "", "no stack without debug");
  const next = await fetch(`${base}/ok`);
  assert.equal(await next.text(), "fine");
  assert.equal(reported.length, 1);
  assert.equal((reported[0][0] as Error).message, "boom");
  assert.equal(reported[0][1], "/boom");
  assert.equal(server.stats().served, 2);
  await server.shutdown();
  assert.match(lines[0], /"GET \/boom HTTP\/1\.1" 500 0 /);
});

Deno.test("without onError a handler's error reaches the hub's error handler; debug sends the stack", async () => {
  const hub = getHub();
  const previous = hub.onError;
  const errors: unknown[] = [];
  hub.onError = (error) => errors.push(error);
  try {
    const { server, base } = startServer(() => {
      throw new RangeError("out of range");
    }, { debug: true, log: false });
    const response = await fetch(`${base}/x`);
    assert.equal(response.status, 500);
    assert.match(await response.text(), /RangeError: out of range\n\s+at /);
    await server.shutdown();
  } finally {
    hub.onError = previous;
  }
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as Error).message, "out of range");
});

Deno.test("a handler returning something that is not a Response gets 500 and a TypeError", async () => {
  const reported: unknown[] = [];
  const { server, base } = startServer(
    (() => ({ body: "not a response" })) as never,
    { log: false, onError: (error) => reported.push(error) },
  );
  const response = await fetch(`${base}/thing`);
  assert.equal(response.status, 500);
  await response.body?.cancel();
  assert.equal(reported.length, 1);
  assert.ok(reported[0] instanceof TypeError);
  assert.equal(
    (reported[0] as Error).message,
    "Cannot answer GET /thing: the handler must return a Response, received Object",
  );
  await server.shutdown();
});

Deno.test("a request target longer than urlLengthLimit gets 414 without running the handler", async () => {
  let ran = 0;
  const { server, base, lines } = startServer(() => {
    ran++;
    return new Response("ok");
  }, { urlLengthLimit: 100 });
  const exact = "/" + "a".repeat(99); // 100 characters: allowed
  assert.equal(await fetch(base + exact).then((r) => r.text()), "ok");
  const long = await fetch(`${base}${exact}b`);
  assert.equal(long.status, 414);
  await long.body?.cancel();
  const withQuery = await fetch(`${base}/a?${"q".repeat(100)}`);
  assert.equal(withQuery.status, 414, "the query counts");
  await withQuery.body?.cancel();
  assert.equal(ran, 1);
  await server.shutdown();
  assert.deepEqual(lines.map((l) => LOG_LINE.exec(l)?.[3]), ["200", "414", "414"]);
});

Deno.test("the default urlLengthLimit is eventlet's 8192", async () => {
  const { server, base } = startServer(() => new Response("ok"), { log: false });
  const response = await fetch(`${base}/${"x".repeat(8192)}`);
  assert.equal(response.status, 414);
  await response.body?.cancel();
  assert.equal(await fetch(`${base}/${"x".repeat(8191)}`).then((r) => r.text()), "ok");
  await server.shutdown();
});

Deno.test("the access log has eventlet's default format, with counted bytes and wall seconds", async () => {
  const { server, base, lines } = startServer(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/stream") {
      return new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode("12345"));
            controller.enqueue(new TextEncoder().encode("678"));
            controller.close();
          },
        }),
      );
    }
    await sleep(0.05);
    return new Response("hello", { headers: { "content-length": "5" } });
  });
  assert.equal(await fetch(`${base}/hello?x=1`).then((r) => r.text()), "hello");
  assert.equal(await fetch(`${base}/stream`).then((r) => r.text()), "12345678");
  await server.shutdown();
  assert.equal(lines.length, 2);
  const first = LOG_LINE.exec(lines[0]);
  assert.ok(first, `line matches eventlet's format: ${lines[0]}`);
  assert.deepEqual(first.slice(1, 5), ["GET", "/hello?x=1", "200", "5"]);
  assert.ok(Number(first[5]) >= 0.045 && Number(first[5]) < 5, `wall seconds ${first[5]}`);
  const second = LOG_LINE.exec(lines[1]);
  assert.ok(second, lines[1]);
  assert.deepEqual(second.slice(1, 5), ["GET", "/stream", "200", "8"]);
});

Deno.test("the access log goes to stderr by default and log: false silences it", async () => {
  const script = `
    import { serveHttp } from ${JSON.stringify(new URL("../http/mod.ts", import.meta.url).href)};
    const log = Deno.args[0] === "off" ? { log: false } : {};
    const server = serveHttp(() => new Response("hi"), { port: 0, hostname: "127.0.0.1", onListen() {}, ...log });
    await (await fetch("http://127.0.0.1:" + server.addr.port + "/path")).text();
    await server.shutdown();
  `;
  for (const mode of ["on", "off"]) {
    const { stderr, success } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script, mode],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(success);
    const text = new TextDecoder().decode(stderr).trim();
    if (mode === "on") {
      assert.match(text, /^127\.0\.0\.1 - - \[.*\] "GET \/path HTTP\/1\.1" 200 2 \d+\.\d{6}$/);
    } else assert.equal(text, "");
  }
});

Deno.test("bad options are refused with errors naming the option and the value", () => {
  const hello = () => new Response("x");
  const cases: [unknown, ErrorConstructor, string][] = [
    [
      { maxSize: -1 },
      RangeError,
      "Cannot serve HTTP: maxSize must be a positive integer, received -1",
    ],
    [
      { maxSize: 1.5 },
      RangeError,
      "Cannot serve HTTP: maxSize must be a positive integer, received 1.5",
    ],
    [
      { maxQueue: -1 },
      RangeError,
      "Cannot serve HTTP: maxQueue must be a non-negative integer, received -1",
    ],
    [
      { requestTimeout: "5" },
      TypeError,
      "Cannot serve HTTP: requestTimeout must be a number of seconds, received string",
    ],
    [
      { requestTimeout: 0 },
      RangeError,
      "Cannot serve HTTP: requestTimeout must be a positive number of seconds, received 0",
    ],
    [
      { requestTimeout: NaN },
      RangeError,
      "Cannot serve HTTP: requestTimeout must be a positive number of seconds, received NaN",
    ],
    [
      { urlLengthLimit: 0 },
      RangeError,
      "Cannot serve HTTP: urlLengthLimit must be a positive integer, received 0",
    ],
    [
      { killOnDisconnect: 1 },
      TypeError,
      "Cannot serve HTTP: killOnDisconnect must be a boolean, received number",
    ],
    [
      { log: "yes" },
      TypeError,
      "Cannot serve HTTP: log must be a boolean or a function, received string",
    ],
    [{ onError: 1 }, TypeError, "Cannot serve HTTP: onError must be a function, received number"],
    [
      { port: 70000 },
      RangeError,
      "Cannot serve HTTP: port must be an integer from 0 to 65535, received 70000",
    ],
    [
      { cert: "pem" },
      TypeError,
      "Cannot serve HTTP: cert and key go together, received key undefined",
    ],
    [null, TypeError, "Cannot serve HTTP: options must be an object, received null"],
  ];
  for (const [options, type, message] of cases) {
    assert.throws(() => serveHttp(hello, options as never), (error: Error) => {
      assert.ok(error instanceof type, `${message}: got ${error}`);
      assert.equal(error.message, message);
      return true;
    });
  }
  assert.throws(
    () => serveHttp("hello" as never),
    new TypeError("Cannot serve HTTP: handler must be a function, received string"),
  );
});

Deno.test("requestTimeout: Infinity means none", async () => {
  const { server, base } = startServer(() => new Response("ok"), {
    requestTimeout: Infinity,
    log: false,
  });
  assert.equal(await fetch(base).then((r) => r.text()), "ok");
  await server.shutdown();
});

Deno.test({
  name: "curl as a client: keep-alive requests on one connection, each its own greenthread",
  ignore: !haveCurl,
  fn: async () => {
    const ids = new Set<number>();
    const { server, base } = startServer(() => {
      ids.add(getCurrent().id);
      return new Response(getCurrent().name + "\n");
    }, { log: false });
    const out = await curl(`${base}/one`, `${base}/two`, `${base}/three?q=1`);
    assert.equal(out, "GET /one\nGET /two\nGET /three\n");
    assert.equal(ids.size, 3);
    await server.shutdown();
  },
});
if (!haveCurl) console.log("http_server_test: curl is not installed; its test is skipped");

Deno.test("a response whose body is already locked still gets an answer and a log line with 0 bytes", async () => {
  const { server, base, lines } = startServer(() => {
    const response = new Response(
      new ReadableStream({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode("lost"));
          controller.close();
        },
      }),
    );
    response.body!.getReader(); // locked: neither the log's counter nor Deno can read it
    return response;
  });
  const answer = await fetch(`${base}/locked`);
  assert.equal(answer.status, 500);
  await answer.body?.cancel();
  await server.shutdown();
  assert.equal(lines.length, 1);
  const line = LOG_LINE.exec(lines[0]);
  assert.ok(line, lines[0]);
  assert.deepEqual(line.slice(1, 5), ["GET", "/locked", "200", "0"]);
});
