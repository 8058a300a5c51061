/**
 * debug.inspect: the text endpoints (content, grouping, counts), bad options,
 * the page's update stream, blocking reports and HTTP server stats, and that
 * nothing stays open after close() (Deno's sanitizers are on) nor keeps the
 * process alive. The kill endpoint and the access rules: inspect_guard_test.ts.
 */

import assert from "node:assert/strict";
import {
  captureSpawnSites,
  formatGreenthreads,
  hubBlockingDetection,
  inspect,
  type Inspector,
} from "../debug/mod.ts";
import { Event, sleep, spawn } from "../mod.ts";
import { getHub } from "../hub/mod.ts";
import { serveHttp } from "../http/mod.ts";

const hub = getHub();

async function get(inspector: Inspector, path: string, init?: RequestInit) {
  const response = await fetch(new URL(path, inspector.url), init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

function spawnParkedAt(evt: Event, n: number) {
  return Array.from({ length: n }, () => spawn(() => evt.wait())); // one spawn site
}

Deno.test("inspect() binds 127.0.0.1 on a free port and says where", async () => {
  await using inspector = await inspect();
  assert.equal(inspector.addr.hostname, "127.0.0.1");
  assert.ok(inspector.addr.port > 0);
  assert.equal(inspector.url, `http://127.0.0.1:${inspector.addr.port}/`);
  const page = await get(inspector, "/");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(page.body, /<script>/);
  assert.doesNotMatch(page.body, /<(script|link|img)[^>]+(src|href)=/, "no external assets");
});

Deno.test("/greenthreads.txt is formatGreenthreads(): main, then each greenthread with its wait", async () => {
  await using inspector = await inspect();
  const evt = new Event();
  const waiter = spawn(() => evt.wait());
  waiter.name = "waiter";
  const sleeper = spawn(() => sleep(30));
  sleeper.name = "sleeper";
  await sleep(0);
  const text = await get(inspector, "/greenthreads.txt");
  assert.equal(text.status, 200);
  assert.match(text.headers.get("content-type")!, /text\/plain/);
  const lines = text.body.trimEnd().split("\n");
  assert.match(lines[0], /^#0 "main" /);
  assert.ok(lines.includes(`#${waiter.id} "waiter" parked on Event.wait`), text.body);
  assert.ok(
    lines.some((l) =>
      new RegExp(`^#${sleeper.id} "sleeper" parked on sleep \\(29\\.\\d+ s left\\)$`).test(l)
    ),
    text.body,
  );
  // The same listing as the function (up to the seconds left, which move).
  const direct = formatGreenthreads().split("\n").map((l) => l.replace(/\(.* s left\)/, ""));
  assert.deepEqual(lines.map((l) => l.replace(/\(.* s left\)/, "")), direct);
  evt.send();
  await sleeper.kill();
  await waiter.wait();
});

Deno.test("/greenthreads.txt?group=site counts greenthreads by spawn site and state", async () => {
  await using inspector = await inspect();
  const evt = new Event();
  captureSpawnSites(true);
  const parked = spawnParkedAt(evt, 300);
  const sleepers = Array.from({ length: 5 }, () => spawn(() => sleep(30)));
  await sleep(0);
  try {
    const { status, body } = await get(inspector, "/greenthreads.txt?group=site");
    assert.equal(status, 200);
    const lines = body.trimEnd().split("\n");
    assert.equal(lines[0], "306 greenthreads in 3 groups by spawn site");
    assert.match(
      lines[1],
      /^300 {2}\S*inspect_test\.ts:\d+:\d+ {2}\[parked on Event\.wait: 300\]$/,
    );
    assert.match(lines[2], /^ {2}5 {2}\S*inspect_test\.ts:\d+:\d+ {2}\[parked on sleep: 5\]$/);
    assert.equal(lines[3], "  1  (spawn site unknown)  [running: 1]");
  } finally {
    captureSpawnSites(false);
    evt.send();
    for (const gt of sleepers) await gt.kill();
    for (const gt of parked) await gt.wait();
  }
  const after = await get(inspector, "/greenthreads.txt?group=site");
  assert.match(
    after.body,
    /^1 greenthreads in 1 groups by spawn site \(spawn sites are not captured/,
  );
});

Deno.test("/stats.json: the hub's counters, greenthreads by state, tracked HTTP servers", async () => {
  await using inspector = await inspect();
  const evt = new Event();
  const parked = spawnParkedAt(evt, 7);
  const sleeper = spawn(() => sleep(30));
  await sleep(0);
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  inspector.trackHttpServer({ stats: () => ({ active: 2, served: 40 }), finished }, "api");
  const { status, headers, body } = await get(inspector, "/stats.json");
  assert.equal(status, 200);
  assert.equal(headers.get("content-type"), "application/json");
  const stats = JSON.parse(body);
  assert.deepEqual(Object.keys(stats.hub), ["ready", "parked", "timers", "switches"]);
  assert.equal(stats.hub.parked, hub.stats().parked);
  assert.ok(stats.hub.parked >= 8);
  assert.equal(stats.greenthreads.total, hub.greenthreads().length + 1);
  assert.equal(stats.greenthreads.byState.parked, 8);
  assert.equal(stats.greenthreads.byState.running, 1); // main, serving this request
  assert.deepEqual(stats.httpServers, [{ name: "api", stats: { active: 2, served: 40 } }]);
  finish();
  await sleep(0);
  assert.deepEqual(JSON.parse((await get(inspector, "/stats.json")).body).httpServers, []);
  assert.throws(
    () => inspector.trackHttpServer(null as never),
    {
      name: "TypeError",
      message: /^Cannot track an HTTP server: server must have a stats\(\) method/,
    },
  );
  evt.send();
  await sleeper.kill();
  for (const gt of parked) await gt.wait();
});

Deno.test("a real serveHttp server, tracked by address, leaves the list when it shuts down", async () => {
  await using inspector = await inspect();
  const server = serveHttp(() => new Response("ok"), {
    port: 0,
    hostname: "127.0.0.1",
    log: false,
    onListen() {},
  });
  inspector.trackHttpServer(server);
  for (let i = 0; i < 2; i++) await (await fetch(`http://127.0.0.1:${server.addr.port}/`)).text();
  const stats = JSON.parse((await get(inspector, "/stats.json")).body);
  assert.deepEqual(stats.httpServers, [{
    name: `127.0.0.1:${server.addr.port}`,
    stats: { active: 0, queued: 0, served: 2, shed: 0, timedOut: 0, killed: 0 },
  }]);
  await server.shutdown();
  await sleep(0);
  assert.deepEqual(JSON.parse((await get(inspector, "/stats.json")).body).httpServers, []);
});

Deno.test("the httpServers option shows servers from the start; a bad name is a TypeError", async () => {
  const server = { stats: () => ({ active: 1 }) };
  await using inspector = await inspect({ httpServers: [server] });
  const stats = JSON.parse((await get(inspector, "/stats.json")).body);
  assert.deepEqual(stats.httpServers, [{ name: "HTTP server", stats: { active: 1 } }]);
  assert.throws(() => inspector.trackHttpServer(server, 5 as never), {
    name: "TypeError",
    message: "Cannot track an HTTP server: name must be a string, received number",
  });
});

Deno.test("bad options: TypeError or RangeError naming the option", async () => {
  await assert.rejects(() => inspect({ hostname: "0.0.0.0" }), {
    name: "TypeError",
    message:
      "Cannot start the inspector: hostname 0.0.0.0 is not a loopback address, so a token is required",
  });
  await assert.rejects(() => inspect({ port: -1 }), {
    name: "RangeError",
    message: "Cannot start the inspector: port must be an integer from 0 to 65535, received -1",
  });
  await assert.rejects(() => inspect({ token: "" }), {
    name: "TypeError",
    message: /^Cannot start the inspector: token must be a non-empty string/,
  });
  await assert.rejects(() => inspect({ port: "80" as never }), {
    name: "TypeError",
    message: "Cannot start the inspector: port must be a number, received string",
  });
  await assert.rejects(() => inspect({ httpServers: 3 as never }), {
    name: "TypeError",
    message: "Cannot start the inspector: httpServers must be iterable, received number",
  });
  await assert.rejects(() => inspect(null as never), {
    name: "TypeError",
    message: "Cannot start the inspector: options must be an object, received null",
  });
});

Deno.test("/events: an update at once, then one per sample for a page that has the latest", async () => {
  const inspector = await inspect();
  const evt = new Event();
  const named = spawn(() => evt.wait());
  named.name = "listed";
  await sleep(0);
  const first = await get(inspector, "/events");
  assert.equal(first.headers.get("content-type"), "text/event-stream");
  const match = /^retry: \d+\nid: (\d+)\ndata: (.*)\n\n$/.exec(first.body);
  assert.ok(match, first.body);
  const update = JSON.parse(match[2]);
  assert.equal(update.seq, Number(match[1]));
  assert.equal(update.canKill, false);
  const row = update.table.rows.find((r: { id: number }) => r.id === named.id);
  assert.equal(row.name, "listed");
  assert.equal(row.state, "parked");
  assert.equal(row.parkedOn, "Event.wait");
  assert.equal(row.inStateAtLeast, true);
  assert.equal(row.deadlineLeft, null);

  // Holding the latest id: the answer waits for the next sample (one a second).
  const started = performance.now();
  const next = await get(inspector, "/events", { headers: { "last-event-id": match[1] } });
  const waited = performance.now() - started;
  const nextUpdate = JSON.parse(/data: (.*)\n/.exec(next.body)![1]);
  assert.equal(nextUpdate.seq, update.seq + 1);
  assert.ok(waited > 100 && waited < 3000, `waited ${waited} ms`);
  assert.equal(nextUpdate.samples.length, 1);
  assert.equal(nextUpdate.samples[0].seq, nextUpdate.seq);
  for (const key of ["switchesPerSecond", "ready", "parked", "timers", "lagMs"]) {
    assert.equal(typeof nextUpdate.samples[0][key], "number", key);
  }

  // A request held when the inspector closes gets 204, which stops EventSource.
  const held = get(inspector, "/events", { headers: { "last-event-id": String(nextUpdate.seq) } });
  await sleep(0.05);
  await inspector.close();
  assert.equal((await held).status, 204);
  evt.send();
  await named.wait();
});

Deno.test("a row's time in state and deadline left are exact for a wait with a deadline", async () => {
  await using inspector = await inspect();
  const sleeper = spawn(() => sleep(20));
  await sleep(0.3);
  const { body } = await get(inspector, "/events");
  const update = JSON.parse(/data: (.*)\n/.exec(body)![1]);
  const row = update.table.rows.find((r: { id: number }) => r.id === sleeper.id);
  assert.equal(row.inStateAtLeast, false);
  assert.ok(row.inState >= 0.25 && row.inState < 2, `in state ${row.inState}`);
  assert.ok(row.deadlineLeft > 18 && row.deadlineLeft <= 19.75, `left ${row.deadlineLeft}`);
  await sleeper.kill();
});

Deno.test("the page's table has counts and the first 100 rows only, with 5,000 greenthreads", async () => {
  await using inspector = await inspect();
  const evt = new Event();
  const parked = spawnParkedAt(evt, 5000);
  await sleep(0);
  const { body } = await get(inspector, "/events");
  const update = JSON.parse(/data: (.*)\n/.exec(body)![1]);
  assert.equal(update.table.total, 5001);
  assert.equal(update.table.byState.parked, 5000);
  assert.equal(update.table.rows.length, 100);
  assert.equal(update.table.rows[0].id, 0);
  assert.equal(update.table.rows[1].id, parked[0].id);
  // Spawn sites are not captured here: one group, main included.
  assert.equal(update.table.groupCount, 1);
  assert.equal(update.table.sitesCaptured, false);
  assert.deepEqual(update.table.groups[0], {
    site: "(spawn site unknown)",
    count: 5001,
    states: { "parked on Event.wait": 5000, running: 1 },
  });
  assert.ok(body.length < 50_000, `update of ${body.length} bytes`);
  evt.send();
  for (const gt of parked) await gt.wait();
});

Deno.test("blocking reports are recorded and still reach the previous error handler", async () => {
  const seen: unknown[] = [];
  const previous = hub.onError;
  const mine = (error: unknown) => void seen.push(error);
  hub.onError = mine;
  try {
    const inspector = await inspect();
    hubBlockingDetection(true, { resolution: 0.05 });
    try {
      const blocker = spawn(async () => {
        await sleep(0.05);
        const end = performance.now() + 250;
        while (performance.now() < end) { /* block the thread */ }
        await sleep(0);
      });
      blocker.name = "blocker";
      await blocker.wait();
      await sleep(0.1);
    } finally {
      hubBlockingDetection(false);
    }
    const stats = JSON.parse((await get(inspector, "/stats.json")).body);
    assert.ok(stats.blocking.length >= 1, JSON.stringify(stats.blocking));
    assert.equal(stats.blocking[0].name, "blocker");
    assert.ok(stats.blocking[0].blockedMs >= 50);
    assert.equal(seen.length, stats.blocking.length, "the previous handler saw each report");
    await inspector.close();
    assert.equal(hub.onError, mine, "close() puts the previous handler back");
  } finally {
    hub.onError = previous;
  }
});

Deno.test("an inspector never keeps the process alive, even while a page is open", async () => {
  const program = `
    import { inspect } from ${JSON.stringify(new URL("../debug/mod.ts", import.meta.url).href)};
    import { sleep } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
    const inspector = await inspect();
    console.log(inspector.addr.port);
    await sleep(1.5); // meanwhile a page follows the updates
    console.log("done");
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(program));
  await writer.close();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) out += (await lines.read()).value ?? "";
  const port = Number(out.split("\n")[0]);
  // A page: it asks again as soon as each update arrives, as EventSource does.
  let updates = 0;
  const page = (async (): Promise<void> => {
    let id: string | null = null;
    while (true) {
      try {
        const answer: Response = await fetch(`http://127.0.0.1:${port}/events`, {
          headers: id === null ? {} : { "last-event-id": id },
        });
        const text: string = await answer.text();
        if (answer.status !== 200) return;
        id = /id: (\d+)/.exec(text)![1];
        updates++;
      } catch {
        return; // the program has ended
      }
    }
  })();
  // If the inspector kept it alive, it would never end: stop it after 10 s.
  const guard = setTimeout(() => child.kill(), 10_000);
  while (!out.includes("done")) out += (await lines.read()).value ?? "";
  const doneAt = performance.now();
  while (!(await lines.read()).done) { /* drain */ }
  const { code } = await child.status;
  clearTimeout(guard);
  const exitedAfter = performance.now() - doneAt;
  await page;
  assert.equal(code, 0);
  assert.ok(updates >= 2, `the page had ${updates} updates`);
  // Kept alive, it would never end (the page asks again at once): any bound well
  // under the 10 s guard tells; 3 s leaves room for a loaded machine.
  assert.ok(exitedAfter < 3000, `exited ${exitedAfter} ms after its work ended`);
});
