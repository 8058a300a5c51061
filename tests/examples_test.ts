/**
 * Smoke tests: the foundation's examples and benchmark scripts run as a user
 * would run them (`deno run -A …`) and print what they promise.
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
