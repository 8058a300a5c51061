/**
 * The inspector's views of the greenthreads: the table the page shows (counts,
 * the first rows, groups by spawn site) and the text of
 * `/greenthreads.txt?group=site`.
 *
 * With 100,000 live greenthreads a view must stay cheap to make and small to
 * send, so a view walks the greenthreads once, counts them, and keeps only
 * the first rows in full; the groups carry the rest as counts.
 *
 * @module
 */

import {
  describeGreenthread,
  type GreenthreadRow,
  type GreenthreadState,
  hubNow,
  liveGreenthreads,
  runningGreenthread,
  siteOf,
  spawnSitesCaptured,
  stateOf,
} from "./snapshot.ts";
import type { GreenThread } from "../hub/greenthread.ts";

/** Greenthreads that share a spawn site, with how many are in each state. */
export interface SiteGroup {
  /** The spawn site, or a stand-in when none was captured. */
  site: string;
  /** Live greenthreads spawned there. */
  count: number;
  /** Counts by state; parked ones by what they wait on ("parked on sleep"). */
  states: Record<string, number>;
}

/** What the page's table shows at one update. */
export interface GreenthreadTable {
  /** Live greenthreads, the main one included. */
  total: number;
  /** Counts by state. */
  byState: Record<GreenthreadState, number>;
  /** The first rows in full (the main greenthread, then oldest first). */
  rows: GreenthreadRow[];
  /** The largest groups by spawn site, biggest first. */
  groups: SiteGroup[];
  /** How many groups there are in all (`groups` may hold fewer). */
  groupCount: number;
  /** False while spawn sites are not captured (every group is a stand-in). */
  sitesCaptured: boolean;
}

/** Limits of a table: rows in full and groups kept. */
export interface TableLimits {
  /** Rows given in full (default 100). */
  rows?: number;
  /** Groups kept, the biggest (default 50). */
  groups?: number;
}

/** The group key of a greenthread: its spawn site, or one stand-in for all without. */
function groupKey(g: GreenThread): string {
  return siteOf(g) ?? "(spawn site unknown)";
}

// "parked on sleep" for each `what`, made once rather than per greenthread.
const parkedLabels = new Map<string, string>();
function parkedLabel(what: string): string {
  let label = parkedLabels.get(what);
  if (label === undefined) parkedLabels.set(what, label = `parked on ${what}`);
  return label;
}

/**
 * Every live greenthread counted by state and by spawn site, in one walk,
 * keeping the first `rowLimit` as rows. Hot with 100,000 greenthreads: no
 * allocation per greenthread beyond what reading its state takes.
 */
function collect(rowLimit: number, now: number, grouped = true) {
  const byState: Record<GreenthreadState, number> = {
    running: 0,
    ready: 0,
    parked: 0,
    foreign: 0,
    dead: 0,
  };
  const groups = new Map<string, SiteGroup>();
  const rows: GreenthreadRow[] = [];
  const all = liveGreenthreads();
  const running = runningGreenthread();
  for (const g of all) {
    const { state, park } = stateOf(g, running);
    byState[state]++;
    if (rows.length < rowLimit) rows.push(describeGreenthread(g, now));
    if (!grouped) continue;
    const key = groupKey(g);
    let group = groups.get(key);
    if (group === undefined) {
      group = { site: key, count: 0, states: {} };
      groups.set(key, group);
    }
    group.count++;
    const label = park === null ? state : parkedLabel(park.what);
    group.states[label] = (group.states[label] ?? 0) + 1;
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count);
  return { total: all.length, byState, rows, sorted };
}

/**
 * The table at this moment: counts by state, the first `rows` greenthreads in
 * full and the biggest `groups` groups by spawn site.
 */
export function greenthreadTable(limits: TableLimits = {}): GreenthreadTable {
  const { total, byState, rows, sorted } = collect(limits.rows ?? 100, hubNow());
  return {
    total,
    byState,
    rows,
    groups: sorted.slice(0, limits.groups ?? 50),
    groupCount: sorted.length,
    sitesCaptured: spawnSitesCaptured(),
  };
}

/** How many greenthreads are live, in all and by state (no groups, no rows). */
export function greenthreadCounts(): { total: number; byState: Record<GreenthreadState, number> } {
  const { total, byState } = collect(0, hubNow(), false);
  return { total, byState };
}

/**
 * `/greenthreads.txt?group=site`: one line per spawn site, biggest first,
 * with its count and its greenthreads' states.
 */
export function formatSiteGroups(): string {
  const { total, sorted } = collect(0, hubNow());
  const head = `${total} greenthreads in ${sorted.length} groups by spawn site` +
    (spawnSitesCaptured() ? "" : " (spawn sites are not captured: captureSpawnSites(true))");
  const width = String(sorted[0]?.count ?? 0).length;
  const lines = sorted.map((group) => {
    const states = Object.entries(group.states)
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label}: ${n}`)
      .join(", ");
    return `${String(group.count).padStart(width)}  ${group.site}  [${states}]`;
  });
  return [head, ...lines].join("\n") + "\n";
}
