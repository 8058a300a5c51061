/**
 * Where the bytes of a parked greenthread go: a heap snapshot of a process
 * with N greenthreads parked in `sleep(10)` against one of the same program
 * with none, summed by object kind and divided by N. Prints the kinds
 * above 2 B each.
 *
 *   deno run -A bench/parked_heap.ts [--n=10000]
 *
 * Each snapshot is taken in its own process (`--role=snapshot`), so that
 * code compiled and strings made while reading snapshots do not count.
 * Self sizes, as Chrome's heap profiler counts them.
 *
 * @module
 */

import { writeHeapSnapshot } from "node:v8";
import { sleep, spawn } from "../mod.ts";
import { arg } from "./common.ts";
import { intArg } from "./compare/common.ts";

const n = intArg("n", 10_000);

if (arg("role") === "snapshot") {
  // A child: park `count` greenthreads (maybe 0), write the snapshot, exit.
  const count = intArg("count", 0);
  for (let i = 0; i < count; i++) spawn(sleep, 10);
  await sleep(0); // every greenthread starts and parks
  writeHeapSnapshot(arg("path")!);
  Deno.exit(0);
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Writes a snapshot in a child process with `count` parked greenthreads. */
async function snapshotOf(count: number, path: string): Promise<Map<string, [number, number]>> {
  const script = new URL(import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "--role=snapshot", `--count=${count}`, `--path=${path}`],
  }).output();
  if (!out.success) {
    throw new Error(`Cannot take a snapshot: ${new TextDecoder().decode(out.stderr)}`);
  }
  return summarize(JSON.parse(Deno.readTextFileSync(path)));
}

/** Self bytes and counts by "type name" (strings, numbers, code: by type). */
function summarize(snap: Snapshot): Map<string, [number, number]> {
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [t, nm, sz] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const byContents = ["string", "number", "concatenated string", "sliced string", "code"];
  const sums = new Map<string, [number, number]>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + t]];
    const key = byContents.includes(type)
      ? type
      : `${type} ${snap.strings[snap.nodes[i + nm]].slice(0, 50)}`;
    const sum = sums.get(key) ?? [0, 0];
    sum[0] += snap.nodes[i + sz];
    sum[1]++;
    sums.set(key, sum);
  }
  return sums;
}

const dir = Deno.makeTempDirSync({ prefix: "parked_heap_" });
try {
  const before = await snapshotOf(0, `${dir}/empty.heapsnapshot`);
  const after = await snapshotOf(n, `${dir}/parked.heapsnapshot`);
  const rows = [...after].map(([key, [bytes, count]]) => {
    const [b0, c0] = before.get(key) ?? [0, 0];
    return { key, bytes: (bytes - b0) / n, count: (count - c0) / n };
  }).filter((r) => r.bytes >= 2).sort((a, b) => b.bytes - a.bytes);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`per parked greenthread (N = ${n}): ${total.toFixed(0)} B in kinds above 2 B`);
  for (const r of rows) {
    console.log(`${r.bytes.toFixed(1).padStart(7)} B  ${r.count.toFixed(2)} each  ${r.key}`);
  }
} finally {
  Deno.removeSync(dir, { recursive: true });
}
