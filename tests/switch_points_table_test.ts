/**
 * The README's switch-point table and the walk over it cannot drift apart:
 * every item of the table (an operation in a row's first cell) must have
 * a row in one of the walk's files, and every row must name items the
 * table still lists.
 */

import assert from "node:assert/strict";
import { readmeItems, type Row } from "./switch_point_helpers.ts";
import { rows as coreRows } from "./switch_points_test.ts";
import { rows as netRows } from "./switch_points_net_test.ts";
import { rows as moduleRows } from "./switch_points_modules_test.ts";
import { rows as patchedRows } from "./switch_points_patched_test.ts";

const walk: Row[] = [...coreRows, ...netRows, ...moduleRows, ...patchedRows];
const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));

Deno.test("every item of the README's switch-point table has a row in the walk", () => {
  const walked = new Set(walk.flatMap((row) => row.readme));
  const missing = readmeItems(readme).filter((item) => !walked.has(item));
  assert.deepEqual(missing, [], `README items without a walk row: ${missing.join("; ")}`);
});

Deno.test("every row of the walk checks an item the README's table still lists", () => {
  const listed = new Set(readmeItems(readme));
  for (const row of walk) {
    assert.ok(row.readme.length > 0, `${row.name}: names no README item`);
    for (const item of row.readme) {
      assert.ok(listed.has(item), `${row.name}: "${item}" is not in the README's table`);
    }
  }
});

Deno.test("the table is read item by item: commas outside code split, a/b() spreads", () => {
  const table = [
    "intro",
    "",
    "| switch point | notes |",
    "| --- | --- |",
    "| `A.x()`, each step of `for await (… of a, b)` | note, with a comma |",
    "| `B.get/put()` (both), the patched `C` | |",
    "",
    "| other table | |",
  ].join("\n");
  assert.deepEqual(readmeItems(table), [
    "A.x()",
    "each step of for await (… of a, b)",
    "B.get() (both)",
    "B.put() (both)",
    "the patched C",
  ]);
  assert.throws(() => readmeItems("no table"), /no switch-point table/);
});
