// Runs `deno doc --lint` on every entry point of deno.json's `exports`, each on
// its own: an entry point must be lint-clean without the others beside it (a
// private type that only another entry point exports is an error on JSR).
const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
const entries: string[] = Object.values(config.exports as Record<string, string>);
let failed = 0;
for (const entry of entries) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", entry],
    cwd: new URL("..", import.meta.url),
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  if (code !== 0) {
    failed++;
    console.log(`deno doc --lint ${entry}: FAILED\n${text}`);
  } else {
    console.log(`deno doc --lint ${entry}: ok`);
  }
}
if (failed > 0) {
  console.log(`${failed} of ${entries.length} entry points are not doc-lint clean`);
  Deno.exit(1);
}
