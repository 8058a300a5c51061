/**
 * Smoke test of the comparison suite (`deno task compare`): every workload
 * program — ours, raw Deno, and Python eventlet when a Python with eventlet
 * is found — runs as its own process with a tiny size and prints one JSON
 * line with finite figures.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findEventlet, type Impl, type RunEnv, WORKLOADS } from "../bench/compare/workloads.ts";

const python = await findEventlet();
const env: RunEnv = { python, tiny: true };

for (const workload of WORKLOADS) {
  Deno.test(`compare: ${workload.id} programs print one JSON line of figures`, async (t) => {
    for (const impl of ["ours", "raw", "eventlet"] as Impl[]) {
      const metrics = workload.metrics.filter((m) => m.impls.includes(impl));
      await t.step({
        name: impl,
        ignore: metrics.length === 0 || (impl === "eventlet" && python === null),
        fn: async () => {
          const figures = await workload.run(impl, env);
          assert.equal(figures.impl, impl);
          assert.ok(
            String(figures.workload).startsWith(workload.id.replace(/_(seq|100)$/, "")),
            `workload ${figures.workload} is not ${workload.id}`,
          );
          for (const m of metrics) {
            const value = figures[m.key];
            assert.equal(typeof value, "number", `${m.key} missing: ${JSON.stringify(figures)}`);
            assert.ok(Number.isFinite(value), `${m.key} is not finite: ${JSON.stringify(figures)}`);
            if (m.higherIsBetter) assert.ok((value as number) > 0, `${m.key} is not positive`);
          }
        },
      });
    }
  });
}

Deno.test("compare: findEventlet reports versions or null", () => {
  if (python === null) return;
  assert.match(python.version, /^\d+\.\d+/);
  assert.match(python.eventlet, /^\d+\.\d+/);
});

Deno.test("compare: the naive spawn_wait program prints its rate", async () => {
  const script = new URL("../bench/compare/spawn_wait_naive.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "--n=2000"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const figures = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  assert.equal(figures.impl, "naive");
  assert.equal(figures.n, 2000);
  assert.ok(Number.isFinite(figures.rate) && figures.rate > 0, JSON.stringify(figures));
});
