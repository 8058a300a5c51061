/**
 * The WebSocket examples run as child processes and answer clients that are
 * not ours: Deno's WebSocket, Python's `websockets` package, and a real
 * headless Chromium that opens the chat page twice (one page sends, the
 * other shows the message; a screenshot is saved and its path printed).
 *
 * @module
 */

import assert from "node:assert/strict";
import { browserSkipReason, openBrowser } from "./browser_helpers.ts";
import { Client } from "./http_websocket_helpers.ts";

/** A running example: its URL, stopped on dispose. */
interface Running extends AsyncDisposable {
  url: string;
  host: string;
}

/** Runs `examples/<script> 0` and waits for its `Visit http://…/` line. */
async function startExample(script: string): Promise<Running> {
  const path = new URL(`../examples/${script}`, import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path, "0"],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpMatchArray | null = null;
  while (!(match = text.match(/Visit (http:\/\/([^/\s]+)\/)/))) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} ended before listening: ${text}`);
    text += value;
  }
  const drained = (async () => {
    while (!(await reader.read()).done) { /* keep stdout flowing */ }
  })();
  return {
    url: match[1],
    host: match[2],
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await drained;
      await child.status;
    },
  };
}

function pythonSkipReason(): string | undefined {
  try {
    const out = new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import websockets"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success ? undefined : "Python's websockets package is not installed";
  } catch {
    return "/usr/bin/python3 is missing";
  }
}

const noPython = pythonSkipReason();
if (noPython) console.log(`skipping the Python WebSocket test: ${noPython}`);
const noBrowser = browserSkipReason();
if (noBrowser) console.log(`skipping the browser chat test: ${noBrowser}`);

Deno.test("examples/websocket_echo.ts: the page, /echo and /data answer Deno's client", async () => {
  await using ex = await startExample("websocket_echo.ts");
  const page = await fetch(ex.url);
  assert.match(await page.text(), /<h3>Echo<\/h3>/);
  const echo = await Client.open(`ws://${ex.host}/echo`);
  echo.send("hi there");
  assert.equal(await echo.next(), "hi there");
  await echo.close();
  const data = await Client.open(`ws://${ex.host}/data`);
  const first = await data.next() as string;
  const second = await data.next() as string;
  assert.match(first, /^0 0 0\.\d+\n$/);
  assert.match(second, /^0 1 0\.\d+\n$/);
  await data.close();
});

Deno.test({
  name: "examples/websocket_echo.ts talks to Python's websockets client",
  ignore: noPython !== undefined,
  async fn() {
    await using ex = await startExample("websocket_echo.ts");
    const script = `
import asyncio, sys, websockets
async def main(base):
    async with websockets.connect(base + "echo") as ws:
        await ws.send("hello from python")
        print(await ws.recv())
        await ws.send(bytes([0, 1, 255]))
        reply = await ws.recv()
        print(type(reply).__name__, list(reply))
        await ws.send("x" * 100000)
        print(len(await ws.recv()))
    print("closed", ws.close_code)
    async with websockets.connect(base + "data") as ws:
        print((await ws.recv()).split()[1])
asyncio.run(main(sys.argv[1]))
`;
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", script, `ws://${ex.host}/`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `python failed: ${stderr}`);
    assert.deepEqual(new TextDecoder().decode(out.stdout).trim().split("\n"), [
      "hello from python",
      "bytes [0, 1, 255]",
      "100000",
      "closed 1000",
      "0",
    ]);
  },
});

Deno.test("examples/websocket_chat.ts: every message to everyone, joins and leaves announced", async () => {
  await using ex = await startExample("websocket_chat.ts");
  const alice = await Client.open(`ws://${ex.host}/chat`);
  assert.equal(await alice.next(), "* guest 1 joined");
  const bob = await Client.open(`ws://${ex.host}/chat`);
  assert.equal(await alice.next(), "* guest 2 joined");
  assert.equal(await bob.next(), "* guest 2 joined");
  alice.send("hello bob");
  assert.equal(await alice.next(), "guest 1: hello bob");
  assert.equal(await bob.next(), "guest 1: hello bob");
  await bob.close();
  assert.equal(await alice.next(), "* guest 2 left");
  await alice.close();
});

Deno.test({
  name: "examples/websocket_chat.ts in a real browser: one page sends, the other shows it",
  ignore: noBrowser !== undefined,
  async fn() {
    await using ex = await startExample("websocket_chat.ts");
    await using browser = await openBrowser();
    const sender = await browser.open(ex.url);
    const watcher = await browser.open(ex.url);
    const connected = "document.getElementById('status').textContent === 'connected'";
    await sender.waitFor(connected);
    await watcher.waitFor(connected);
    await watcher.waitFor("document.getElementById('chat').innerText.includes('joined')");
    await sender.evaluate(`
      document.getElementById('line').value = 'hello from the first page';
      document.getElementById('chatform').requestSubmit();
    `);
    await watcher.waitFor(
      "document.getElementById('chat').innerText.includes('guest 1: hello from the first page')",
    );
    const shown = await watcher.evaluate<string>("document.getElementById('chat').innerText");
    assert.deepEqual(shown.trim().split("\n"), [
      "* guest 2 joined",
      "guest 1: hello from the first page",
    ]);
    const folder = await Deno.makeTempDir({ prefix: "websocket-chat-" });
    const screenshot = `${folder}/chat.png`;
    await watcher.screenshot(screenshot);
    assert.ok((await Deno.stat(screenshot)).size > 1000, "a real PNG");
    console.log(`screenshot of the second page: ${screenshot}`);
    // The second page leaves; the first one sees it announced.
    await watcher.evaluate("socket.close()");
    await sender.waitFor("document.getElementById('chat').innerText.includes('guest 2 left')");
  },
});

Deno.test("bench/websocket.ts --quick measures the three servers under its client", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../bench/websocket.ts", import.meta.url).pathname, "--quick"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success);
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /^WebSocket echo, 64-byte messages, 20 sockets/m);
  for (const variant of ["raw", "ours", "ours-plain"]) {
    assert.match(text, new RegExp(`^\\| ${variant} \\| \\d+ `, "m"), `a row for ${variant}`);
  }
});
