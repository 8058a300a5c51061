/**
 * The inspector's HTTP routes, as one `(request) => Response` handler:
 *
 * | route                                | what                                               |
 * | ------------------------------------ | -------------------------------------------------- |
 * | `GET /`                              | the page (HTML, CSS and script inline)             |
 * | `GET /greenthreads.txt[?group=site]` | `formatGreenthreads()`, or counts by spawn site    |
 * | `GET /stats.json`                    | hub counters, counts by state, reports, servers    |
 * | `GET /events`                        | the page's live updates (server-sent events)       |
 * | `POST /kill/:id`                     | kills a greenthread; needs the token               |
 *
 * Live updates are server-sent events with **one event per response**: the
 * response ends after its event and the browser's `EventSource` reconnects
 * at once (`retry: 20`), sending the last event id; the server holds that
 * request until the next sample. Why not one endless stream: on Deno 2.9 a
 * streaming response body keeps the process alive even on an unref'd server
 * (measured), and the inspector must never do that; a request held open
 * with no body yet does not.
 *
 * Access: with a token, every route needs it (`Authorization: Bearer …`, or
 * `?token=…` for the page and its event stream). Without one, only requests
 * addressed to a loopback host name are served (a guard against DNS
 * rebinding), and kill is refused.
 *
 * @module
 */

import { formatGreenthreads } from "./format.ts";
import {
  formatSiteGroups,
  greenthreadCounts,
  type GreenthreadTable,
  greenthreadTable,
} from "./inspect_data.ts";
import type { Pulse, PulseSample } from "./inspect_pulse.ts";
import type { BlockingLog, BlockingReport, ServerList, ServerReport } from "./inspect_reports.ts";
import { findGreenthread, type HubCounters, hubCounters, nameOf } from "./snapshot.ts";
import { INSPECTOR_PAGE } from "./inspect_page.ts";
import { spawn } from "../green/spawn.ts";
import { Timeout } from "../green/timeout.ts";
import type { GreenThread } from "../hub/greenthread.ts";

/** What the routes serve from. */
export interface RouteState {
  /** The token, or undefined when none was given. */
  token: string | undefined;
  /** The hub's pulse. */
  pulse: Pulse;
  /** The blocking reports. */
  blocking: BlockingLog;
  /** The tracked HTTP servers. */
  servers: ServerList;
}

/** One live update of the page (the data of one server-sent event). */
export interface PageUpdate {
  /** The sample number it was made at (the event id). */
  seq: number;
  /** When it was made (ms since the epoch). */
  time: number;
  /** The hub's counters now. */
  hub: HubCounters;
  /** Samples the page has not had yet. */
  samples: PulseSample[];
  /** The greenthread table. */
  table: GreenthreadTable;
  /** The blocking reports kept. */
  blocking: BlockingReport[];
  /** The tracked HTTP servers' stats. */
  servers: ServerReport[];
  /** True when the page may offer kill buttons (a token is set). */
  canKill: boolean;
}

/** Seconds a kill from the page may take before the answer says it still runs. */
const KILL_WAIT = 2;
/** How long a table made for one page is good for others (ms). */
const TABLE_REUSE_MS = 200;
/** Rows in full and groups per page update: small, whatever the greenthread count. */
const PAGE_LIMITS = { rows: 100, groups: 50 };
/** Host names that reach only this machine (`URL.hostname` keeps IPv6 brackets). */
const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

function text(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/** Compares without an early exit, so the time taken does not leak the token. */
function sameToken(given: string, token: string): boolean {
  let diff = given.length ^ token.length;
  for (let i = 0; i < token.length; i++) {
    diff |= token.charCodeAt(i) ^ given.charCodeAt(i % Math.max(1, given.length));
  }
  return diff === 0;
}

function givenToken(request: Request, url: URL): string | null {
  const header = request.headers.get("authorization");
  if (header !== null && header.startsWith("Bearer ")) return header.slice(7);
  return url.searchParams.get("token");
}

/** Makes the handler that serves `state`. */
export function inspectorRoutes(state: RouteState): (request: Request) => Promise<Response> {
  const { token, pulse } = state;
  // Pages woken by the same sample share one table (a walk of every greenthread).
  let cached: { at: number; table: GreenthreadTable } | null = null;

  function currentTable(): GreenthreadTable {
    const now = performance.now();
    if (cached === null || now - cached.at > TABLE_REUSE_MS) {
      cached = { at: now, table: greenthreadTable(PAGE_LIMITS) };
    }
    return cached.table;
  }

  function update(after: number): PageUpdate {
    const seq = pulse.seq;
    return {
      seq,
      time: Date.now(),
      hub: hubCounters(),
      samples: pulse.samplesAfter(after),
      table: currentTable(),
      blocking: state.blocking.reports(),
      servers: state.servers.reports(),
      canKill: token !== undefined,
    };
  }

  async function events(request: Request): Promise<Response> {
    const lastId = Number(request.headers.get("last-event-id") ?? NaN);
    const resumed = Number.isInteger(lastId) && lastId >= 0 && lastId <= pulse.seq;
    // A page that has the latest sample waits for the next one.
    if (resumed && lastId === pulse.seq && !(await pulse.nextSample())) {
      return new Response(null, { status: 204 }); // closed: EventSource stops on 204
    }
    const data = update(resumed ? lastId : -1);
    return new Response(`retry: 20\nid: ${data.seq}\ndata: ${JSON.stringify(data)}\n\n`, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
    });
  }

  function stats(): Response {
    const table = greenthreadCounts();
    const latest = pulse.samplesAfter(pulse.seq - 1)[0];
    const body = {
      time: Date.now(),
      hub: hubCounters(),
      greenthreads: { total: table.total, byState: table.byState },
      switchesPerSecond: latest?.switchesPerSecond ?? null,
      lagMs: latest?.lagMs ?? null,
      blocking: state.blocking.reports(),
      httpServers: state.servers.reports(),
    };
    return new Response(JSON.stringify(body, null, 2) + "\n", {
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  }

  async function kill(idText: string): Promise<Response> {
    const id = Number(idText);
    if (!Number.isInteger(id)) {
      return text(`Cannot kill: id must be an integer, received ${idText}\n`, 400);
    }
    if (id <= 0) {
      return text(
        `Cannot kill #${id}: it is the ${id === 0 ? "main" : "hub's"} greenthread\n`,
        409,
      );
    }
    const target = findGreenthread(id);
    if (target === undefined) {
      return text(`Cannot kill #${id}: no live greenthread has that id\n`, 404);
    }
    const who = `#${id} "${nameOf(target)}"`;
    const killer = spawn(killWithin, target, KILL_WAIT);
    killer.name = `inspector: kill #${id}`;
    let ended: boolean;
    try {
      ended = await killer.wait();
    } catch (error) {
      return text(`Cannot kill ${who}: ${String(error)}\n`, 500);
    }
    return ended
      ? text(`Killed ${who}\n`)
      : text(`Sent GreenletExit to ${who}; it still runs after ${KILL_WAIT} s\n`, 202);
  }

  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (token === undefined) {
      if (!LOOPBACK_HOST.test(url.hostname)) {
        return text(
          `Refused: the inspector without a token answers only to a loopback host name\n`,
          403,
        );
      }
    } else {
      const given = givenToken(request, url);
      if (given === null || !sameToken(given, token)) {
        return text("The inspector needs its token\n", 401);
      }
    }
    const path = url.pathname;
    if (path.startsWith("/kill/")) {
      if (request.method !== "POST") return text("Kill needs POST\n", 405);
      if (token === undefined) {
        return text("Kill is off: start the inspector with a token to allow it\n", 403);
      }
      return await kill(path.slice("/kill/".length));
    }
    if (request.method !== "GET" && request.method !== "HEAD") return text("Only GET here\n", 405);
    switch (path) {
      case "/":
        return new Response(INSPECTOR_PAGE, {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "cache-control": "no-store",
            "x-frame-options": "DENY",
          },
        });
      case "/greenthreads.txt":
        return text(
          url.searchParams.get("group") === "site"
            ? formatSiteGroups()
            : formatGreenthreads() + "\n",
        );
      case "/stats.json":
        return stats();
      case "/events":
        return await events(request);
      default:
        return text(`Not found: ${path}\n`, 404);
    }
  };
}

/** Kills `target`, waiting at most `seconds`; true when it ended in time. */
async function killWithin(target: GreenThread, seconds: number): Promise<boolean> {
  const deadline = new Timeout(seconds);
  try {
    await target.kill();
    return true;
  } catch (error) {
    if (error === deadline) return false;
    throw error;
  } finally {
    deadline.cancel();
  }
}
