/**
 * greenHandler: the same per-request greenthreads in-process (driven
 * directly through Deno.serve) and as `export default` of a module run by
 * `deno serve` (and `deno serve --parallel`) in a child process.
 */

import assert from "node:assert/strict";
import { sleep } from "../mod.ts";
import { greenHandler } from "../http/mod.ts";
import { until } from "./http_helpers.ts";

Deno.test("greenHandler in Deno.serve: greenthread per request, maxSize and requestTimeout apply", async () => {
  const app = greenHandler(async (request) => {
    const path = new URL(request.url).pathname;
    await sleep(path === "/slow" ? 5 : 0.01);
    return new Response(path);
  }, { maxSize: 1, requestTimeout: 0.3, log: false });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const slow = fetch(`${base}/slow`);
  await until(() => app.stats().active === 1);
  await sleep(0.1); // its deadline comes well after the slow one's
  const queued = fetch(`${base}/quick`);
  await until(() => app.stats().queued === 1);
  assert.equal((await slow).status, 503);
  await (await slow).body?.cancel();
  assert.equal(await (await queued).text(), "/quick");
  await until(() => app.stats().active === 0);
  assert.deepEqual(app.stats(), {
    active: 0,
    queued: 0,
    served: 1,
    shed: 0,
    timedOut: 1,
    killed: 0,
  });
  await server.shutdown();
});

Deno.test("greenHandler checks its options", () => {
  assert.throws(
    () => greenHandler(() => new Response(), { maxQueue: 1.5 }),
    new RangeError(
      "Cannot create greenHandler: maxQueue must be a non-negative integer, received 1.5",
    ),
  );
});

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function underDenoServe(parallel: boolean): Promise<void> {
  const dir = await Deno.makeTempDir();
  const module = `${dir}/app.ts`;
  const httpMod = new URL("../http/mod.ts", import.meta.url).href;
  const rootMod = new URL("../mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    module,
    `import { greenHandler } from ${JSON.stringify(httpMod)};
import { getCurrent, sleep } from ${JSON.stringify(rootMod)};
export default greenHandler(async () => {
  await sleep(0.01);
  return new Response(getCurrent().name);
}, { log: false }) satisfies Deno.ServeDefaultExport;
`,
  );
  const port = freePort();
  const args = ["serve", "-A", "--port", String(port), "--host", "127.0.0.1"];
  if (parallel) args.push("--parallel");
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, module],
    env: parallel ? { DENO_JOBS: "2" } : {},
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    let text = "";
    const deadline = performance.now() + 20_000;
    for (;;) {
      try {
        text = await fetch(`http://127.0.0.1:${port}/under/deno-serve`).then((r) => r.text());
        break;
      } catch (error) {
        if (performance.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.equal(text, "GET /under/deno-serve");
    const more = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) => fetch(`http://127.0.0.1:${port}/r${i}`).then((r) => r.text()),
      ),
    );
    assert.deepEqual(more, Array.from({ length: 8 }, (_, i) => `GET /r${i}`));
  } finally {
    child.kill("SIGTERM");
    // `deno serve --parallel` stays up after SIGTERM while this process still holds idle
    // keep-alive connections to it (a plain Deno handler does the same): insist after 3 s.
    const insist = setTimeout(() => child.kill("SIGKILL"), 3000);
    await child.stderr.cancel();
    await child.status;
    clearTimeout(insist);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("greenHandler as the default export under `deno serve` in a child process", async () => {
  await underDenoServe(false);
});

Deno.test("greenHandler under `deno serve --parallel` (two isolates, a hub each)", async () => {
  await underDenoServe(true);
});
