/**
 * The switch-point check the table-walk tests share: a row says how to
 * call an operation and how to make it wait, and `assertSwitchPoint`
 * checks that a pending kill surfaces there and that others run while it
 * waits.
 */

import assert from "node:assert/strict";
import { getCurrent, GreenletExit, sleep, spawn, spawnN } from "../mod.ts";
import { throwInto } from "../hub/lowlevel.ts";

/** One row: how to call the operation, and a case where it has to wait. */
export interface Row {
  name: string;
  /**
   * The items of the README's switch-point table this row checks, as
   * `readmeItems()` spells them (switch_points_table_test.ts holds every
   * item to at least one row).
   */
  readme: string[];
  /** Calls it (it may complete at once). */
  call?: () => Promise<unknown>;
  /** Sets up what `call` needs first, in the calling greenthread; returns the call. */
  prepare?: () => Promise<() => Promise<unknown>>;
  /** A call that must wait until `release()` (run by another greenthread) lets it go. */
  waits?: () => Promise<{ call: () => Promise<unknown>; release: () => unknown }>;
  /** Cleans up after both checks. */
  cleanup?: () => unknown;
}

/**
 * Asserts that `row` is a switch point: a kill pending when it is called
 * surfaces there; and, when it has to wait, it does not return before it
 * is released, and a greenthread spawned just before it runs first.
 */
export async function assertSwitchPoint(row: Row): Promise<void> {
  const exit = new GreenletExit("pending kill");
  const victim = spawn(async () => {
    const call = row.prepare === undefined ? row.call! : await row.prepare();
    throwInto(getCurrent(), exit); // as a kill that arrives while it runs
    await call();
  });
  await assert.rejects(victim.wait(), (e) => e === exit, `${row.name}: the pending kill surfaces`);
  if (row.waits !== undefined) {
    const { call, release } = await row.waits();
    const log: string[] = [];
    const caller = spawn(async () => {
      spawnN(() => log.push("other ran"));
      await call();
      log.push("returned");
    });
    await sleep(0.02);
    assert.ok(!log.includes("returned"), `${row.name}: it waits until released`);
    await release();
    await caller.wait();
    assert.deepEqual(log, ["other ran", "returned"], `${row.name}: others ran while it waited`);
  }
  await row.cleanup?.();
}

/**
 * Registers a test per row — only when `moduleUrl` (the caller's
 * `import.meta.url`) is the test file being run, so that
 * switch_points_table_test.ts can import the rows without running them a
 * second time.
 */
export function walk(rows: Row[], moduleUrl: string): void {
  if (Deno.mainModule !== moduleUrl) return;
  for (const row of rows) {
    Deno.test(`switch point: ${row.name}`, () => assertSwitchPoint(row));
  }
}

/**
 * The items of the README's switch-point table, in order: the first cell
 * of each row split at its top-level commas, backticks dropped, and
 * `Class.a/b/c()` spread into `Class.a()`, `Class.b()`, `Class.c()` (so
 * `GreenSocket.recv/send()` needs a row per method).
 */
export function readmeItems(readme: string): string[] {
  const lines = readme.split("\n");
  const head = lines.findIndex((line) => /^\| switch point +\|/.test(line));
  if (head < 0) throw new Error("The README has no switch-point table");
  const items: string[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith("|")) break;
    const cell = line.split("|")[1].trim();
    for (const part of splitOutsideCode(cell)) items.push(...spreadMethods(part));
  }
  return items;
}

/** `cell` split at ", " outside backticks. */
function splitOutsideCode(cell: string): string[] {
  const parts: string[] = [];
  let inCode = false;
  let start = 0;
  for (let i = 0; i < cell.length; i++) {
    if (cell[i] === "`") inCode = !inCode;
    else if (!inCode && cell.startsWith(", ", i)) {
      parts.push(cell.slice(start, i));
      start = i + 2;
    }
  }
  parts.push(cell.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

/** "`GreenFile.read/readline()`" -> ["GreenFile.read()", "GreenFile.readline()"]. */
function spreadMethods(part: string): string[] {
  const plain = part.replaceAll("`", "");
  const spread = /^`(\w+)\.(\w+(?:\/\w+)+)\(\)`(.*)$/.exec(part);
  if (spread === null) return [plain];
  const [, owner, methods, rest] = spread;
  return methods.split("/").map((method) => `${owner}.${method}()${rest}`);
}
