/**
 * eventlet's examples/wsgi.py on `serveHttp`, plus a slow route that shows
 * what a greenthread per request buys: a `Timeout` bounding the handler's
 * own work, and a client that goes away killing the handler at its next
 * switch point (its `finally` runs; the access log line shows 499).
 *
 *   deno run -A examples/wsgi_app.ts [port=8090]
 *
 * - `GET /`: `Hello, World!`; any other path: `404 Not Found`.
 * - `GET /slow?seconds=S`: works for S seconds in 0.1 s steps, but gives
 *   itself at most 2 s (a `Timeout`): past that it answers `504`. Press
 *   Ctrl-C in `curl` meanwhile and the server kills the handler.
 *
 * Prints `listening on http://127.0.0.1:<port>/` once bound, and one line on
 * stdout whenever a slow handler ends, saying how.
 *
 * @module
 */

import { GreenletExit, sleep, Timeout } from "../mod.ts";
import { serveHttp } from "../http/mod.ts";

const TEXT = { "content-type": "text/plain" };

async function slow(url: URL): Promise<Response> {
  const seconds = Number(url.searchParams.get("seconds") ?? 5);
  let outcome = "finished";
  try {
    using _budget = new Timeout(2);
    for (let done = 0; done < seconds; done += 0.1) await sleep(0.1); // switch points
    return new Response(`worked ${seconds} s\r\n`, { headers: TEXT });
  } catch (error) {
    if (error instanceof Timeout) {
      outcome = "stopped by its 2 s Timeout";
      return new Response("gave up after 2 s\r\n", { status: 504, headers: TEXT });
    }
    if (error instanceof GreenletExit) outcome = "killed: the client went away";
    throw error;
  } finally {
    console.log(`slow request (${seconds} s) ${outcome}`);
  }
}

function helloWorld(request: Request): Response | Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/slow") return slow(url);
  if (url.pathname !== "/") {
    return new Response("Not Found\r\n", { status: 404, headers: TEXT });
  }
  return new Response("Hello, World!\r\n", { headers: TEXT });
}

const port = Number(Deno.args[0] ?? 8090);
serveHttp(helloWorld, {
  port,
  hostname: "127.0.0.1",
  onListen: (addr) => console.log(`listening on http://${addr.hostname}:${addr.port}/`),
});
