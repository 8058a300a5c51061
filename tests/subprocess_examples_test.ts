/**
 * Smoke tests of examples/subprocess_fanout.ts and examples/backdoor_demo.ts:
 * each runs as a child `deno run -A` process; the backdoor demo is driven
 * with the real `nc`, as its header tells a user to.
 */

import assert from "node:assert/strict";
import { spawnProcess } from "../subprocess/mod.ts";
import { dec } from "./subprocess_helpers.ts";

const examplePath = (name: string) => new URL(`../examples/${name}`, import.meta.url).pathname;

function hasNc(): boolean {
  try {
    return new Deno.Command("nc", { args: ["-h"], stdout: "null", stderr: "null" }).outputSync()
      .code !== 127;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
const ncMissing = !hasNc();
if (ncMissing) console.log("skipping the backdoor demo test: nc is not installed");

Deno.test("examples/subprocess_fanout.ts runs five commands at once and kills the late one at the deadline", async () => {
  const p = spawnProcess(Deno.execPath(), {
    args: ["run", "-A", examplePath("subprocess_fanout.ts")],
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const [out, err] = await p.communicate(undefined, { timeout: 60 });
  const stdout = dec(out);
  assert.equal(p.returncode, 0, dec(err));
  assert.match(stdout, /^ {2}-> exit 0: hello from echo$/m);
  assert.match(stdout, /^ {2}-> exit 0: slept 0\.3 s$/m);
  assert.match(stdout, /^ {2}-> exit 0: counted 100000 lines$/m);
  assert.match(stdout, /^ {2}-> killed at the deadline \(returncode -15\), had printed: started$/m);
  assert.match(stdout, /^ {2}-> exit 2: .*No such file or directory$/m);
  const seconds = Number(/^5 commands in ([\d.]+) s \(deadline 1 s\)$/m.exec(stdout)?.[1]);
  assert.ok(seconds >= 1 && seconds < 3, `took ${seconds} s: the commands ran at once`);
});

Deno.test({
  name: "examples/backdoor_demo.ts answers nc: state, the greenthread listing, stop()",
  ignore: ncMissing,
  async fn() {
    const demo = spawnProcess(Deno.execPath(), {
      args: ["run", "-A", examplePath("backdoor_demo.ts"), "--port=0"],
      env: { ...Deno.env.toObject(), NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    });
    try {
      const first = dec(await demo.stdout!.readline());
      const port = /^try: nc 127\.0\.0\.1 (\d+)$/.exec(first.trim())?.[1];
      assert.ok(port !== undefined, first);
      const nc = spawnProcess("nc", { args: ["127.0.0.1", port], stdin: "piped", stdout: "piped" });
      const input = "await new Promise((r) => setTimeout(r, 300)); state.done > 0\n" +
        "formatGreenthreads()\nstop()\n";
      const [session] = await nc.communicate(input, { timeout: 20 });
      const text = dec(session);
      assert.match(text, /^eventlet backdoor: Deno /);
      assert.match(text, /^> true$/m);
      // Each worker is listed in its state at that instant: mostly parked on
      // Queue.get or sleep. But the producer puts a job every 50 ms, so its
      // sixth put can land just before the listing 300 ms in; the worker
      // handed that job is then between its wake-up and its next line
      // ("running (awaiting a promise ...)"). Demanding "parked on" for
      // worker-1 failed 2 runs in 25 at 2cae227 and 1 in 25 after (tests
      // run alone, 2026-12-04); this form failed none of 25.
      for (const name of ["worker-1", "worker-2", "worker-3", "producer"]) {
        assert.match(
          text,
          new RegExp(`#\\d+ "${name}" (parked on (Queue\\.get|Queue\\.put|sleep)|ready|running)`),
        );
      }
      assert.match(text, /"worker-\d" parked on (Queue\.get|sleep)/);
      assert.match(text, /"backdoor 127\.0\.0\.1:\d+" running/);
      const [rest, err] = await demo.communicate(undefined, { timeout: 20 });
      assert.equal(demo.returncode, 0, dec(err));
      assert.match(dec(rest), /^backdoor server listening on 127\.0\.0\.1:\d+$/m);
      assert.match(dec(rest), /^stopped after \d+ jobs$/m);
    } finally {
      if (demo.returncode === null) {
        demo.kill("SIGKILL");
        await demo.communicate();
      }
    }
  },
});

Deno.test("bench/subprocess.ts --quick prints both workloads with a ratio", async () => {
  const bench = new URL("../bench/subprocess.ts", import.meta.url).pathname;
  const p = spawnProcess(Deno.execPath(), {
    args: ["run", "-A", bench, "--quick"],
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const [out, err] = await p.communicate(undefined, { timeout: 120 });
  assert.equal(p.returncode, 0, dec(err));
  const stdout = dec(out);
  assert.match(stdout, /^subprocess bench: 4 MB per run, 1 rounds, child /m);
  assert.match(stdout, /^\| out +\| +\d+ MB\/s .*\| \d+\.\d\d \|$/m);
  assert.match(stdout, /^\| through +\| +\d+ MB\/s .*\| \d+\.\d\d \|$/m);
});
