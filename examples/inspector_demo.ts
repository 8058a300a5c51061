/**
 * A crawler-like program to look at with the live inspector: a frontier
 * queue, a pool of fetchers held back by a per-host semaphore, a writer
 * storing results in an HTTP "result store" (a `serveHttp` server on
 * loopback, whose stats the page shows), a parser that now and then blocks
 * the thread, and one greenthread stuck for good on a lock nobody releases.
 *
 *   deno run -A examples/inspector_demo.ts [--seconds=120] [--port=0] [--token=secret]
 *
 * The first line it prints is the page's address (`inspector: http://…`):
 * open it in a browser, or from a shell:
 *
 *   curl http://127.0.0.1:PORT/greenthreads.txt?group=site
 *   curl http://127.0.0.1:PORT/stats.json
 *
 * On a remote machine, tunnel first: `ssh -L PORT:127.0.0.1:PORT host`. With
 * `--token`, the page (its address then carries the token) offers a kill
 * button per greenthread: kill the stuck one and watch it leave the table.
 * Nothing leaves the machine: fetching is simulated with `sleep`, and the
 * store listens on 127.0.0.1.
 *
 * @module
 */

import { Event, getCurrent, GreenPool, Queue, Semaphore, sleep, spawn } from "../mod.ts";
import { waitFor } from "../green/mod.ts";
import { serveHttp } from "../http/mod.ts";
import { captureSpawnSites, hubBlockingDetection, inspect } from "../debug/mod.ts";
import { getHub } from "../hub/mod.ts";

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return Deno.args.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}
const seconds = Number(option("seconds", "120"));
const port = Number(option("port", "0"));
const token = option("token", "") || undefined;

// A small deterministic random source, so that runs look alike.
let seed = 7;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

// Blocking reports go to the page; keep stderr quiet about them. (Install
// an error handler before inspect(): the inspector records in front of it.)
getHub().onError = (error) => {
  if (!(error instanceof Error && error.name === "BlockingDetected")) console.error(error);
};
hubBlockingDetection(true, { resolution: 0.1 });
captureSpawnSites(true); // the table groups greenthreads by where they were spawned
const inspector = await inspect({ port, token });
console.log(`inspector: ${inspector.url}`);

// The result store: each request is a greenthread ("POST /"), shown on the page.
const store = serveHttp(async (request) => {
  await request.text();
  await sleep(0.002 + random() * 0.01); // "writes" the result
  return new Response("stored\n");
}, { port: 0, hostname: "127.0.0.1", log: false, onListen() {} });
inspector.trackHttpServer(store, "result store");
const storeUrl = `http://127.0.0.1:${store.addr.port}/`;

const HOSTS = 6;
const frontier = new Queue<string>(200);
const results = new Queue<{ url: string; links: number }>(50);
const politeness = Array.from({ length: HOSTS }, () => new Semaphore(2));
const fetchers = new GreenPool(24);
let crawled = 0;
let pageNumber = 0;

/** "Fetches" a page: waits for its host's turn, then for the network. */
async function fetchPage(url: string): Promise<void> {
  getCurrent().name = `fetch ${url}`;
  const host = Number(/site(\d+)/.exec(url)![1]);
  await politeness[host].acquire();
  try {
    await sleep(0.02 + random() * 0.3);
  } finally {
    politeness[host].release();
  }
  // Parsing: now and then a page takes 150 ms of CPU without a switch point.
  if (random() < 0.01) {
    const end = performance.now() + 150;
    while (performance.now() < end) { /* a pathological page */ }
  }
  const links = 1 + Math.floor(random() * 3);
  for (let i = 0; i < links; i++) {
    const next = `http://site${Math.floor(random() * HOSTS)}.test/page${++pageNumber}`;
    if (frontier.qsize() < 150) frontier.putNowait(next);
  }
  await results.put({ url, links });
}

const dispatcher = spawn(async () => {
  for (let h = 0; h < HOSTS; h++) frontier.putNowait(`http://site${h}.test/`);
  while (true) {
    const url = await frontier.get();
    await fetchers.spawn(fetchPage, url);
  }
});
dispatcher.name = "dispatcher";

const writer = spawn(async () => {
  while (true) {
    const { url } = await results.get();
    const answer = await waitFor(fetch(storeUrl, { method: "POST", body: url }));
    await waitFor(answer.text());
    crawled++;
  }
});
writer.name = "writer";

// The bug to find: it waits for a lock that no code will ever release.
const robotsLock = new Event();
const stuck = spawn(async () => {
  await robotsLock.wait();
});
stuck.name = "robots.txt check (stuck)";

await sleep(seconds);

await dispatcher.kill();
await fetchers.waitall();
await writer.kill();
await stuck.kill();
await store.shutdown();
hubBlockingDetection(false);
await inspector.close();
console.log(`crawled ${crawled} pages in ${seconds} s`);
