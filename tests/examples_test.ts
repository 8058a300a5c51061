/**
 * Smoke tests: the foundation's examples and every benchmark script run as a
 * user would run them (`deno run -A …`, benchmarks with `--quick`) and print
 * what they promise. (The net and tpool examples have tests of their own;
 * the `deno task compare` programs run in tests/compare_test.ts.)
 */

import assert from "node:assert/strict";

async function run(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(
    code,
    0,
    `deno ${args.join(" ")} failed:\n${out}\n${new TextDecoder().decode(stderr)}`,
  );
  return out;
}

Deno.test("examples/demo.ts tours spawn, Event, Timeout and kill", async () => {
  const out = await run(["run", "-A", "examples/demo.ts"]);
  assert.match(out, /squares: \[ 1, 4, 9 \]/);
  assert.match(out, /a got go\nb got go/);
  assert.match(out, /slow: timed out after 50 ms/);
  assert.match(out, /withTimeout: gave up/);
  assert.match(out, /worker: cleaning up\nworker killed: true/);
});

Deno.test("examples/debug_demo.ts lists greenthreads and detects blocking", async () => {
  const out = await run(["run", "-A", "examples/debug_demo.ts"]);
  assert.match(out, /"waiter" parked on Event\.wait — spawned at .*debug_demo\.ts/);
  assert.match(out, /in \d\.\d{3} s: deadline of #\d+ "napper" in sleep/);
  assert.match(out, /Detected: Greenthread "cruncher"/);
  assert.match(out, /All greenthreads finished\./);
});

Deno.test("bench/core_ratios.ts and bench/debug_ratios.ts run with --quick", async () => {
  const core = await run([
    "run",
    "-A",
    "--v8-flags=--expose-gc",
    "bench/core_ratios.ts",
    "--quick",
  ]);
  assert.match(core, /spawn\+wait \(per second\) \| [\d.]+[kM]? \| [\d.]+[kM]? \| [\d.]+/);
  assert.match(core, /memory per greenthread parked in sleep\(10\) \| \d+ B/);
  const debug = await run(["run", "-A", "bench/debug_ratios.ts", "--quick"]);
  assert.match(debug, /sleep\(0\) switches \| [\d.]+M\/s \| [\d.]+M\/s \| [\d.]+/);
});

Deno.test("bench/queue_ratios.ts, pool_ratios.ts and tpool_ratios.ts run with --quick", async () => {
  const rate = String.raw`[\d.]+[kM]?`;
  const row = (name: string) => new RegExp(`${name}.* \\| ${rate} \\| ${rate} \\| [\\d.]+`);
  const queue = await run(["run", "-A", "bench/queue_ratios.ts", "--quick"]);
  assert.match(queue, row(String.raw`Queue\(100\) producer/consumer, 20000 items`));
  assert.match(queue, row(String.raw`Queue\(0\) channel`));
  const pool = await run(["run", "-A", "bench/pool_ratios.ts", "--quick"]);
  assert.match(pool, row(String.raw`GreenPool\(1000\)\.imap, 100000 trivial calls`));
  assert.match(pool, row(String.raw`Semaphore\(1\) between two greenthreads`));
  const tpool = await run(["run", "-A", "bench/tpool_ratios.ts", "--quick"]);
  assert.match(tpool, row(String.raw`sequential calls \(per second\)`));
  assert.match(tpool, row(String.raw`100 in flight over 4 workers \(per second\)`));
  assert.match(tpool, /time to first result, cold \(ms\) \| [\d.]+ \| [\d.]+ \| [\d.]+/);
  assert.match(tpool, /^(ours\/piscina \(Node v[\d.]+, .* = [\d.]+$|piscina: not installed)/m);
});

Deno.test("bench/echo.ts measures each server under its load client", async () => {
  const out = await run([
    "run",
    "-A",
    "bench/echo.ts",
    "--quick",
    "--conns=10",
    "--duration=0.2",
  ]);
  assert.match(out, /^echo bench: 64-byte round trips, 0\.2 s per run, 1 rounds/m);
  // C | server | rt/s | p50 ms | p99 ms | server CPU µs/rt
  assert.match(out, /^ {2}10 \| ours {3}\| +\d+ \| +[\d.]+ \| +[\d.]+ \| +[\d.]+$/m);
  assert.match(out, /^ {2}10 \| raw {4}\| +\d+ \| +[\d.]+ \| +[\d.]+ \| +[\d.]+$/m);
  assert.match(
    out,
    /^ {2}10 \| ratio {2}\| throughput ours\/raw [\d.]+ \| CPU efficiency raw\/ours [\d.]+$/m,
  );
});

Deno.test("bench/echo_layers.ts compares each layer of the echo with raw Deno", async () => {
  const out = await run(["run", "-A", "bench/echo_layers.ts", "--quick"]);
  if (Deno.build.os !== "linux") {
    assert.match(out, /needs Linux/);
    return;
  }
  assert.match(out, /^echo layers: C = 10, 64-byte round trips, 1 rounds of 0\.2 s per layer/m);
  assert.match(out, /^raw {9}\| +\d+ \| +[\d.]+ \| — +\| —$/m);
  for (const layer of ["greenthread", "promise hop", "hub park", "GreenSocket"]) {
    const ratio = String.raw`[\d.]+ \[[\d.]+-[\d.]+\]`;
    const row = `^${layer.padEnd(11)} \\| +\\d+ \\| +[\\d.]+ \\| ${ratio} +\\| ${ratio}$`;
    assert.match(out, new RegExp(row, "m"));
  }
});

Deno.test("bench/parked_heap.ts breaks a parked greenthread's bytes down by object kind", async () => {
  const out = await run(["run", "-A", "bench/parked_heap.ts", "--n=500"]);
  assert.match(out, /per parked greenthread \(N = 500\): \d+ B/);
  assert.match(out, /\d+\.\d B +1\.00 each +object GreenThread/);
  assert.match(out, /object Park\n/);
});

Deno.test("bench/imap_floor.ts and bench/imap_runs.ts time imap against raw Deno", async () => {
  const floor = await run(["run", "-A", "bench/imap_floor.ts", "--rounds=1"]);
  for (const variant of ["raw", "floor", "ours"]) {
    assert.match(floor, new RegExp(`^${variant} \\| \\d+ \\[\\d+–\\d+\\] \\| [\\d.]+$`, "m"));
  }
  const runs = await run(["run", "-A", "bench/imap_runs.ts", "--processes=1", "--runs=2"]);
  for (const impl of ["ours", "raw"]) {
    assert.match(
      runs,
      new RegExp(`^${impl}\\s+run 1: [\\d.]+ .*run 2: [\\d.]+ .*1\\.00× the last`, "m"),
    );
  }
  assert.match(runs, /^second run \(what deno task compare times\), ours ÷ raw as rates: [\d.]+$/m);
});
