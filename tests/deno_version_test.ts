/**
 * The Deno version check every entry point runs first: an older Deno gets
 * one clear error naming the version found and the one needed.
 *
 * The child-process test runs a real Deno 2.8.3 on mod.ts when one is
 * installed at /tmp/deno28 (`npm install --prefix /tmp/deno28 deno@2.8.3`);
 * otherwise it is skipped with the reason printed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { denoVersionProblem, MINIMUM_DENO } from "../hub/deno_version.ts";

Deno.test("the minimum Deno is 2.9", () => {
  assert.deepEqual(MINIMUM_DENO, [2, 9]);
});

Deno.test("Deno versions older than 2.9 get an error naming the version found and needed", () => {
  for (const version of ["2.8.3", "2.3.0", "1.46.3"]) {
    assert.equal(
      denoVersionProblem(version),
      `Cannot load @eventlet/eventlet: it needs Deno 2.9 or later, received Deno ${version}`,
    );
  }
});

Deno.test("Deno 2.9 and later pass, a two-digit minor compared as a number", () => {
  for (const version of ["2.9.0", "2.9.6", "2.10.1", "3.0.0"]) {
    assert.equal(denoVersionProblem(version), undefined, version);
  }
});

Deno.test("a version that does not parse (not Deno) passes", () => {
  assert.equal(denoVersionProblem(undefined), undefined);
  assert.equal(denoVersionProblem("nightly"), undefined);
});

Deno.test("this Deno passes the check", () => {
  assert.equal(denoVersionProblem(Deno.version.deno), undefined);
});

const OLD_DENO = "/tmp/deno28/node_modules/.bin/deno";
const oldDenoMissing = (() => {
  try {
    Deno.statSync(OLD_DENO);
    return false;
  } catch {
    console.log(
      `deno_version_test: skipping the Deno 2.8.3 run: no binary at ${OLD_DENO} ` +
        "(npm install --prefix /tmp/deno28 deno@2.8.3 provides it)",
    );
    return true;
  }
})();

Deno.test({
  name: "Deno 2.8.3 importing mod.ts fails at once with the clear version error",
  ignore: oldDenoMissing,
  async fn() {
    const modUrl = new URL("../mod.ts", import.meta.url).href;
    const { code, stderr } = await new Deno.Command(OLD_DENO, {
      args: ["eval", "--no-config", `await import(${JSON.stringify(modUrl)})`],
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stderr);
    assert.notEqual(code, 0);
    assert.match(
      text,
      /Cannot load @eventlet\/eventlet: it needs Deno 2\.9 or later, received Deno 2\.8\.3/,
    );
  },
});
