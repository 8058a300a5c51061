/**
 * A server that fans each request out to several upstream fetches at once
 * in a `GreenPile`, each bounded by a deadline — the pattern eventlet users
 * write with `GreenPile` and `Timeout` (eventlet's webcrawler.py, served).
 *
 *   deno run -A examples/http_crawler_server.ts [port=8090]
 *
 * - `GET /crawl?delays=10,50,2000&deadline=0.5`: fetches
 *   `/upstream?ms=<d>` of this same server for each delay, at most 4 at a
 *   time, and answers JSON with one entry per upstream in request order:
 *   `{ url, status, bytes }`, or `{ url, error: "timed out" }` for one that
 *   missed the deadline (its fetch is cancelled through the greenthread's
 *   `signal`).
 * - `GET /crawl?urls=<comma-separated urls>` fetches those instead.
 * - `GET /upstream?ms=D`: a stand-in upstream that answers after D ms.
 *
 * Prints `listening on http://127.0.0.1:<port>/` once bound.
 *
 * @module
 */

import { getCurrent, GreenPile, sleep, waitFor, withTimeout } from "../mod.ts";
import { serveHttp } from "../http/mod.ts";

type Fetched = { url: string; status: number; bytes: number } | { url: string; error: string };

async function fetchOne(url: string, deadline: number): Promise<Fetched> {
  return await withTimeout(deadline, async () => {
    // waitFor makes the fetch a switch point, so the Timeout lands at once;
    // the greenthread's signal aborts the fetch itself when it does.
    const response = await waitFor(fetch(url, { signal: getCurrent().signal }));
    const body = await waitFor(response.arrayBuffer());
    return { url, status: response.status, bytes: body.byteLength };
  }, { timeoutValue: { url, error: "timed out" } }).catch((error: Error) => ({
    url,
    error: error.message,
  }));
}

async function crawl(url: URL): Promise<Response> {
  const deadline = Number(url.searchParams.get("deadline") ?? 1);
  const given = url.searchParams.get("urls");
  const urls = given !== null
    ? given.split(",")
    : (url.searchParams.get("delays") ?? "10,20,30").split(",")
      .map((ms) => `${url.origin}/upstream?ms=${ms}`);
  const pile = new GreenPile<Fetched>(4);
  for (const target of urls) await pile.spawn(fetchOne, target, deadline);
  const results: Fetched[] = [];
  for await (const result of pile) results.push(result);
  return Response.json(results);
}

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/crawl") return await crawl(url);
  if (url.pathname === "/upstream") {
    await sleep(Number(url.searchParams.get("ms") ?? 0) / 1000);
    return new Response("upstream body");
  }
  return new Response("Not Found\r\n", { status: 404 });
}

const port = Number(Deno.args[0] ?? 8090);
serveHttp(handle, {
  port,
  hostname: "127.0.0.1",
  onListen: (addr) => console.log(`listening on http://${addr.hostname}:${addr.port}/`),
});
