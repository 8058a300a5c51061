/**
 * Smoke tests of the pools example and benchmark, run as a user runs them
 * (`deno run -A …`): the memcache-like example counts every increment over
 * at most four pooled connections and drops the one a Timeout broke; the
 * benchmark prints its ratio rows and its verdict line.
 */

import assert from "node:assert/strict";

async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(
    out.code,
    0,
    `${args.join(" ")} failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`,
  );
  return text;
}

Deno.test("examples/pool_memcache_like.ts shares 4 connections among 30 greenthreads", async () => {
  const out = await run(["run", "-A", "examples/pool_memcache_like.ts", "30", "10"]);
  assert.match(out, /^memcache-like server on 127\.0\.0\.1:\d+$/m);
  const [, made] =
    out.match(/^30 greenthreads x 10 increments: hits = VALUE 300 over (\d) connections$/m) ??
      assert.fail(`no count line in:\n${out}`);
  assert.ok(Number(made) >= 1 && Number(made) <= 4, `${made} connections`);
  assert.match(out, /^slowget timed out after 0\.05 s; its connection was marked broken$/m);
  assert.match(out, /^after 4 more calls: 1 broken connection dropped, [1-4] made in all$/m);
  assert.match(out, /^pool closed: ([1-4]) of \1 connections closed$/m);
});

Deno.test("bench/pools.ts runs with --quick and prints each row and the target line", async () => {
  const out = await run(["run", "-A", "bench/pools.ts", "--quick"]);
  assert.match(out, /^pools bench: 20000 uncontended get \+ put per run/m);
  for (
    const row of [
      "array pop \\+ push \\(baseline\\)",
      "Pool\\.get \\+ put ",
      "Pool\\.item\\(\\) with using",
    ]
  ) {
    assert.match(out, new RegExp(`^${row}.* ns \\(.*\\)  ×\\d+ of the array$`, "m"));
  }
  assert.match(out, /^Pool\.get \+ put: \d+\.\d{3} µs, target ≤ 0\.5 µs: (met|NOT met)$/m);
});
