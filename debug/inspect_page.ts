/**
 * The inspector's page: one HTML document with its CSS and script inline (no
 * external assets, no build step), so it works offline and over an SSH
 * tunnel.
 *
 * The script listens to `/events` with an `EventSource` and redraws at each
 * update: counts by state, plots of the hub's pulse over the last five
 * minutes (switches/s, ready, parked, timers, event-loop lag) drawn as SVG,
 * the greenthread table (grouped by spawn site when the server sent only the
 * first rows), the blocking reports and the HTTP servers. Every value goes
 * into the document as text (`textContent`), never as markup. With a token
 * in the page's URL it is sent along, and each row gets a kill button.
 *
 * @module
 */

const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 0 16px 24px; color: #1d2430; background: #fafbfc; }
h1 { font-size: 18px; margin: 12px 0 4px; }
h2 { font-size: 14px; margin: 18px 0 6px; }
#status { font-weight: 600; }
#status.live { color: #137333; } #status.stale { color: #b3261e; }
.counts span { display: inline-block; margin-right: 14px; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 10px; }
.plotbox { background: #fff; border: 1px solid #d8dee4; border-radius: 4px; padding: 4px 6px; }
.plotbox .title { display: flex; justify-content: space-between; font-size: 12px; }
svg.plot { width: 100%; height: 70px; display: block; }
svg.plot polyline { fill: none; stroke: #1a73e8; stroke-width: 1.5; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { background: #f0f3f6; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.site { font-family: ui-monospace, monospace; font-size: 11px; word-break: break-all; }
tr.parked td.state { color: #8a5a00; } tr.foreign td.state { color: #b3261e; }
.note { color: #57606a; }
button { font-size: 11px; }
`;

const SCRIPT = `
"use strict";
const token = new URLSearchParams(location.search).get("token");
const query = token ? "?token=" + encodeURIComponent(token) : "";
const HISTORY = 300;
let samples = [];
let lastUpdate = 0;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
function seconds(s) { return s === null ? "" : s < 10 ? s.toFixed(2) + " s" : s.toFixed(0) + " s"; }
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

const PLOTS = [
  ["switchesPerSecond", "switches/s"], ["ready", "ready"], ["parked", "parked"],
  ["timers", "timers"], ["lagMs", "event-loop lag (ms)"],
];
function drawPlots() {
  const box = clear($("plots"));
  const now = samples.length ? samples[samples.length - 1].time : Date.now();
  // The x axis spans the history kept so far: 30 s at least, five minutes at most.
  const span = Math.min(HISTORY, Math.max(30, samples.length ? (now - samples[0].time) / 1000 : 0));
  $("span").textContent = span >= 120 ? Math.round(span / 60) + " minutes" : Math.round(span) + " seconds";
  for (const [key, label] of PLOTS) {
    const values = samples.map((s) => s[key]);
    const max = Math.max(1, ...values);
    const points = samples.map((s) => {
      const x = 300 - ((now - s.time) / (span * 1000)) * 300;
      const y = 66 - (s[key] / max) * 62;
      return x.toFixed(1) + "," + y.toFixed(1);
    }).join(" ");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "plot");
    svg.setAttribute("viewBox", "0 0 300 70");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("data-metric", key);
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", points);
    svg.append(line);
    const last = values.length ? values[values.length - 1] : 0;
    box.append(el("div", { class: "plotbox" },
      el("div", { class: "title" }, el("b", {}, label), el("span", {}, "now " + last + " · max " + max)),
      svg));
  }
}

function drawCounts(u) {
  const t = u.table;
  const parts = [["greenthreads", t.total], ...Object.entries(t.byState),
    ["ready entries", u.hub.ready], ["timers", u.hub.timers], ["switches", u.hub.switches]];
  clear($("counts")).append(...parts.map(([k, v]) => el("span", {}, k + ": ", el("b", {}, v))));
}

function drawGroups(t) {
  const box = clear($("groups"));
  if (t.rows.length >= t.total) return;
  box.append(el("h2", {}, "By spawn site (" + t.groupCount + " groups" +
    (t.groups.length < t.groupCount ? ", the biggest " + t.groups.length : "") + ")"));
  if (!t.sitesCaptured) box.append(el("p", { class: "note" }, "Spawn sites are not captured: call captureSpawnSites(true)."));
  const table = el("table", {}, el("tr", {}, el("th", {}, "count"), el("th", {}, "states"), el("th", {}, "spawn site")));
  for (const g of t.groups) {
    const states = Object.entries(g.states).sort((a, b) => b[1] - a[1]).map(([k, n]) => k + ": " + n).join(", ");
    table.append(el("tr", {}, el("td", { class: "num" }, g.count), el("td", {}, states), el("td", { class: "site" }, g.site)));
  }
  box.append(table);
}

function drawRows(u) {
  const t = u.table;
  $("rowsnote").textContent = t.rows.length < t.total
    ? "The first " + t.rows.length + " of " + t.total + " (oldest first); curl /greenthreads.txt for all."
    : "";
  const table = clear($("rows"));
  const head = ["id", "name", "state", "parked on", "in state", "deadline left", "spawn site"];
  if (u.canKill) head.push("");
  table.append(el("tr", {}, ...head.map((h) => el("th", {}, h))));
  for (const r of t.rows) {
    const tr = el("tr", { "data-id": r.id, class: r.state },
      el("td", { class: "num" }, r.id), el("td", {}, r.name), el("td", { class: "state" }, r.state),
      el("td", {}, r.parkedOn), el("td", { class: "num" }, (r.inStateAtLeast ? "≥ " : "") + seconds(r.inState)),
      el("td", { class: "num" }, seconds(r.deadlineLeft)), el("td", { class: "site" }, r.site || ""));
    if (u.canKill && r.id > 0) {
      const button = el("button", {}, "kill");
      button.onclick = () => kill(r.id, button);
      tr.append(el("td", {}, button));
    } else if (u.canKill) tr.append(el("td", {}));
    table.append(tr);
  }
}

function drawReports(u) {
  const list = clear($("blocking"));
  if (u.blocking.length === 0) list.append(el("li", { class: "note" }, "none (reports appear while hubBlockingDetection is on)"));
  for (const b of u.blocking.slice().reverse()) {
    list.append(el("li", {}, new Date(b.time).toLocaleTimeString() + " — " + b.message));
  }
  const servers = clear($("servers"));
  if (u.servers.length === 0) {
    servers.append(el("tr", {}, el("td", { class: "note" }, "none tracked (inspector.trackHttpServer(server))")));
    return;
  }
  const keys = [...new Set(u.servers.flatMap((s) => Object.keys(s.stats)))];
  servers.append(el("tr", {}, el("th", {}, "server"), ...keys.map((k) => el("th", {}, k))));
  for (const s of u.servers) {
    servers.append(el("tr", {}, el("td", {}, s.name), ...keys.map((k) => el("td", { class: "num" }, s.stats[k] ?? ""))));
  }
}

async function kill(id, button) {
  button.disabled = true;
  const answer = await fetch("/kill/" + id, { method: "POST", headers: { authorization: "Bearer " + token } });
  button.textContent = answer.ok ? "killed" : "failed";
  button.title = await answer.text();
}

function apply(u) {
  const fresh = u.samples;
  if (fresh.length && samples.length && fresh[0].seq <= samples[samples.length - 1].seq) samples = [];
  samples = samples.concat(fresh).slice(-HISTORY);
  lastUpdate = Date.now();
  $("updated").textContent = new Date(u.time).toLocaleTimeString();
  drawCounts(u); drawPlots(); drawGroups(u.table); drawRows(u); drawReports(u);
  document.body.setAttribute("data-updates", String(Number(document.body.getAttribute("data-updates") || 0) + 1));
}

const source = new EventSource("/events" + query);
source.onmessage = (event) => apply(JSON.parse(event.data));
setInterval(() => {
  const live = Date.now() - lastUpdate < 3000;
  $("status").textContent = live ? "live" : lastUpdate ? "no update for " + Math.round((Date.now() - lastUpdate) / 1000) + " s" : "connecting";
  $("status").className = live ? "live" : "stale";
}, 500);
`;

/** The whole page, served at `/`. */
export const INSPECTOR_PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eventlet inspector</title>
<style>${STYLE}</style>
</head>
<body>
<h1>eventlet inspector <small>· <span id="status">connecting</span> · <span id="updated"></span></small></h1>
<div class="counts" id="counts"></div>
<h2>The hub over the last <span id="span">five minutes</span></h2>
<div class="plots" id="plots"></div>
<div id="groups"></div>
<h2>Greenthreads</h2>
<p class="note">States: running (its code runs now), ready (queued to start or resume), parked (at a
switch point: a kill lands there), foreign (awaits a promise that is not a switch point: a kill
waits for its next one). "≥": in that state at least since the inspector first saw it.</p>
<p class="note" id="rowsnote"></p>
<table id="rows"></table>
<h2>Blocking reports</h2>
<ul id="blocking"></ul>
<h2>HTTP servers</h2>
<table id="servers"></table>
<script>${SCRIPT}</script>
</body>
</html>
`;
