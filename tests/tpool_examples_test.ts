/**
 * Smoke tests of the tpool examples: each runs as a child `deno run -A`
 * process, and its output is checked.
 */

import assert from "node:assert/strict";

async function runExample(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = new URL(`../examples/${name}`, import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("examples/tpool_sqlite.ts inserts and queries 10k rows while a greenthread ticks", async () => {
  const { code, stdout, stderr } = await runExample("tpool_sqlite.ts");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^inserted 10000 rows in \d+ ms \(total price 12498750\)$/m);
  assert.match(stdout, /^top 3: item-9999=2499.75, item-9998=2499.5, item-9997=2499.25$/m);
  const ticks = Number(/ticker ticked (\d+) times/.exec(stdout)?.[1]);
  assert.ok(ticks > 0, `the ticker ran: ${stdout}`);
});

Deno.test("examples/tpool_hash.ts hashes buffers moved with transfer", async () => {
  const { code, stdout, stderr } = await runExample("tpool_hash.ts");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^hashed 32 x 1 MiB in \d+ ms$/m);
  assert.match(stdout, /^first digest [0-9a-f]{64} \(matches the main thread's\)$/m);
  assert.match(stdout, /^32 sender buffers detached, 32 came back whole$/m);
  assert.match(stdout, /^ticker ticked \d+ times meanwhile$/m);
});
