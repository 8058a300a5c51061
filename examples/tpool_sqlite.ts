/**
 * node:sqlite in a worker thread through `tpool.proxy`, while a greenthread
 * keeps ticking in the main thread.
 *
 *   deno run -A examples/tpool_sqlite.ts
 *
 * `DatabaseSync` blocks the thread that calls it. Built inside a worker by
 * `proxy()`, it stays there; each method call is a message, and the
 * statements it prepares come back as proxies too (`autowrap:
 * ["StatementSync"]`), so the prepared statement runs in the worker as well.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { sleep, spawn } from "../mod.ts";
import { proxy } from "../tpool/mod.ts";

const ROWS = 10_000;

let ticks = 0;
const ticker = spawn(async () => {
  for (;;) {
    await sleep(0.005);
    ticks++;
  }
});

await using db = await proxy<DatabaseSync, StatementSync>(async () => {
  const { DatabaseSync } = await import("node:sqlite");
  return new DatabaseSync(":memory:");
}, { autowrap: ["StatementSync"] });

await db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)");

const started = performance.now();
await using insert = await db.prepare("INSERT INTO items (name, price) VALUES (?, ?)");
await db.exec("BEGIN");
for (let i = 0; i < ROWS; i++) await insert.run(`item-${i}`, i / 4);
await db.exec("COMMIT");
const insertMs = performance.now() - started;

await using count = await db.prepare("SELECT count(*) AS n, sum(price) AS total FROM items");
const summary = await count.get() as { n: number; total: number };
await using top = await db.prepare(
  "SELECT name, price FROM items WHERE price >= ? ORDER BY price DESC LIMIT 3",
);
const rows = await top.all(100) as { name: string; price: number }[];

console.log(
  `inserted ${summary.n} rows in ${insertMs.toFixed(0)} ms (total price ${summary.total})`,
);
console.log(`top 3: ${rows.map((r) => `${r.name}=${r.price}`).join(", ")}`);
console.log(`ticker ticked ${ticks} times meanwhile`);
await ticker.kill();
