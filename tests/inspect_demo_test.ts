/**
 * examples/inspector_demo.ts, run as a program: its text endpoints show the
 * stuck greenthread, the kill endpoint ends it, and it exits on its own.
 * Then a real headless Chromium, driven over the DevTools protocol, opens
 * the demo's page, waits for the live table, checks that the stuck
 * greenthread and a plot are shown, and saves a screenshot; and a page with
 * 5,000 greenthreads shows them grouped by spawn site, with 100 rows. Last,
 * the inspector's benchmark runs in its quick form.
 */

import assert from "node:assert/strict";
import { browserSkipReason, openBrowser } from "./browser_helpers.ts";
import { captureSpawnSites, inspect } from "../debug/mod.ts";
import { Event, spawn } from "../mod.ts";

const STUCK = "robots.txt check (stuck)";
const noBrowser = browserSkipReason();
if (noBrowser !== undefined) console.log(`skipping the inspector's browser test: ${noBrowser}`);

/** Starts the demo; resolves with its page address once printed. */
async function startDemo(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/inspector_demo.ts", ...args],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    out += value;
  }
  const url = /^inspector: (\S+)/.exec(out)?.[1];
  assert.ok(url, `the demo printed its address first, got ${JSON.stringify(out)}`);
  const rest = (async () => {
    for (let r; !(r = await lines.read()).done;) out += r.value;
    const stderr = await new Response(child.stderr).text();
    const { code } = await child.status;
    return { code, out, stderr };
  })();
  return { url, child, finished: rest };
}

function endpoint(url: string, path: string): URL {
  const base = new URL(url);
  const target = new URL(path, base);
  const token = base.searchParams.get("token");
  if (token !== null) target.searchParams.set("token", token);
  return target;
}

Deno.test("inspector_demo: curl-able text shows the stuck greenthread; kill ends it; it exits", async () => {
  const demo = await startDemo(["--seconds=3", "--token=demo"]);
  const listing = await (await fetch(endpoint(demo.url, "/greenthreads.txt"))).text();
  const line = listing.split("\n").find((l) => l.includes(STUCK));
  assert.ok(line, listing);
  assert.match(line, /parked on Event\.wait — spawned at \S*inspector_demo\.ts:\d+:\d+$/);
  const groups = await (await fetch(endpoint(demo.url, "/greenthreads.txt?group=site"))).text();
  assert.match(groups, /^\d+ greenthreads in \d+ groups by spawn site\n/);
  assert.match(groups, /inspector_demo\.ts:\d+:\d+ {2}\[parked on Event\.wait: 1\]/);

  const id = /^#(\d+)/.exec(line)![1];
  const killed = await fetch(endpoint(demo.url, `/kill/${id}`), { method: "POST" });
  assert.equal(killed.status, 200);
  assert.equal(await killed.text(), `Killed #${id} "${STUCK}"\n`);
  const after = await (await fetch(endpoint(demo.url, "/greenthreads.txt"))).text();
  assert.ok(!after.includes(STUCK), after);

  const { code, out, stderr } = await demo.finished;
  assert.equal(code, 0, stderr);
  assert.match(out, /crawled \d+ pages in 3 s/);
});

Deno.test({
  name:
    "inspector_demo in a real browser: the live table shows the stuck greenthread, plots are drawn",
  ignore: noBrowser !== undefined,
  async fn() {
    const demo = await startDemo(["--seconds=30", "--token=demo"]);
    const dir = await Deno.makeTempDir({ prefix: "inspector_page_" });
    try {
      await using browser = await openBrowser();
      const page = await browser.open(demo.url);
      // Live: at least three updates arrived (the first at once, then one a second).
      await page.waitFor("Number(document.body.dataset.updates) >= 3", 20);
      const stuckRow = await page.evaluate<string[]>(
        `[...document.querySelectorAll("#rows tr[data-id]")]
          .map((tr) => tr.innerText).filter((t) => t.includes(${JSON.stringify(STUCK)}))`,
      );
      assert.equal(stuckRow.length, 1, "one row for the stuck greenthread");
      assert.match(stuckRow[0], /parked\s+Event\.wait/);
      assert.match(stuckRow[0], /inspector_demo\.ts/);
      const plots = await page.evaluate<{ metric: string; points: number }[]>(
        `[...document.querySelectorAll("svg.plot")].map((svg) => ({
          metric: svg.dataset.metric,
          points: svg.querySelector("polyline").getAttribute("points").split(" ").filter(Boolean).length,
        }))`,
      );
      assert.deepEqual(plots.map((p) => p.metric), [
        "switchesPerSecond",
        "ready",
        "parked",
        "timers",
        "lagMs",
      ]);
      assert.ok(plots.every((p) => p.points >= 2), JSON.stringify(plots));
      assert.equal(
        await page.evaluate<string>(`document.getElementById("status").textContent`),
        "live",
      );
      const killButtons = await page.evaluate<number>(
        `document.querySelectorAll("#rows button").length`,
      );
      assert.ok(killButtons > 0, "with a token the rows offer kill buttons");
      // The tracked HTTP server's stats and the blocking reports, lower down.
      await page.waitFor(
        `document.getElementById("servers").innerText.includes("result store")`,
        10,
      );
      const shot = `${dir}/inspector.png`;
      await page.screenshot(shot);
      assert.ok((await Deno.stat(shot)).size > 10_000);
      await page.evaluate("window.scrollTo(0, document.body.scrollHeight)");
      await page.screenshot(`${dir}/inspector_bottom.png`);
      console.log(`screenshots of the inspector page: ${shot}, ${dir}/inspector_bottom.png`);
    } finally {
      demo.child.kill();
      await demo.finished;
    }
  },
});

Deno.test({
  name: "the page with 5,000 greenthreads: groups by spawn site with counts, and 100 rows",
  ignore: noBrowser !== undefined,
  async fn() {
    await using inspector = await inspect();
    const evt = new Event();
    captureSpawnSites(true);
    const parked = Array.from({ length: 5000 }, () => spawn(() => evt.wait()));
    captureSpawnSites(false);
    try {
      await using browser = await openBrowser();
      const page = await browser.open(inspector.url);
      await page.waitFor(`document.querySelectorAll("#rows tr[data-id]").length === 100`, 20);
      const groups = await page.evaluate<string[]>(
        `[...document.querySelectorAll("#groups tr")].slice(1).map((tr) => tr.innerText)`,
      );
      assert.equal(groups.length, 2, groups.join("\n"));
      assert.match(
        groups[0],
        /^5000\s+parked on Event\.wait: 5000\s+\S*inspect_demo_test\.ts:\d+:\d+/,
      );
      const note = await page.evaluate<string>(`document.getElementById("rowsnote").innerText`);
      assert.equal(note, "The first 100 of 5001 (oldest first); curl /greenthreads.txt for all.");
    } finally {
      evt.send();
      for (const gt of parked) await gt.wait();
    }
  },
});

Deno.test("bench/inspector.ts --quick prints its rate and answer tables", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/inspector.ts", "--quick"],
    cwd: new URL("..", import.meta.url),
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(out, /^spawn \+ wait \| [\d.]+[Mk]?\/s \(1\.000\)/m);
  assert.match(out, /^sleep\(0\) switches \| /m);
  assert.match(out, /^\/greenthreads\.txt\?group=site \| \d+ \/ \d+ ms \| /m);
});
