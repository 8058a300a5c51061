/**
 * A small driver for a real headless Chromium, over the DevTools protocol,
 * with Deno's own `WebSocket` (no npm): tests open pages a server of ours
 * serves, read what the page shows, and save screenshots.
 *
 * Why not `chromium --dump-dom`: it never returns on a page that keeps a
 * connection open (a WebSocket, an EventSource). So the browser runs with a
 * debugging port, and each page is a target attached over one connection.
 *
 * ```ts ignore
 * const reason = browserSkipReason();
 * await using browser = await openBrowser();
 * const page = await browser.open("http://127.0.0.1:8000/");
 * await page.waitFor("document.body.innerText.includes('hello')");
 * await page.screenshot(`${dir}/page.png`);
 * ```
 *
 * Everything is cleaned up by `close()` (or `await using`): the DevTools
 * connection closed, the process killed and awaited, the profile folder
 * removed, so Deno's test sanitizers stay quiet.
 *
 * @module
 */

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--remote-debugging-port=0",
];

/** A running browser; `close()` (or `await using`) ends it and removes its profile. */
export interface Browser extends AsyncDisposable {
  /** Opens `url` in a new page and resolves once its `load` event fired. */
  open(url: string): Promise<BrowserPage>;
  /** Closes every page, kills the process and removes the profile folder. */
  close(): Promise<void>;
}

/** One page (tab) of a {@link Browser}. */
export interface BrowserPage {
  /** Evaluates `expression` in the page (promises awaited) and returns its value as JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` every 50 ms until it is truthy; throws after `seconds` (default 10). */
  waitFor(expression: string, seconds?: number): Promise<void>;
  /** Saves a PNG screenshot of the page's viewport to `path`. */
  screenshot(path: string): Promise<void>;
}

/** Where the browser binary is: `$CHROMIUM`, else the first candidate on `PATH`. */
function findBrowser(): string | undefined {
  const fromEnv = Deno.env.get("CHROMIUM");
  if (fromEnv) return isFile(fromEnv) ? fromEnv : undefined;
  const dirs = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":");
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      if (dir && isFile(`${dir}/${name}`)) return `${dir}/${name}`;
    }
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Why browser tests cannot run here (`undefined`: a browser is usable). */
export function browserSkipReason(): string | undefined {
  if (Deno.build.os === "windows") return "the browser driver runs on Linux and macOS only";
  if (findBrowser() === undefined) {
    return "no chromium found on PATH (install Debian's `chromium`, or set $CHROMIUM)";
  }
  return undefined;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Message = {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
};

/** One DevTools connection: numbered commands, and events by session and method. */
class DevTools {
  #socket: WebSocket;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #waiters: { sessionId?: string; method: string; resolve: () => void }[] = [];
  readonly closed: Promise<void>;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", () => {
        for (const p of this.#pending.values()) p.reject(new Error("DevTools connection closed"));
        this.#pending.clear();
        resolve();
      });
    });
    socket.addEventListener("message", (event) => this.#onMessage(JSON.parse(event.data)));
  }

  static async connect(url: string): Promise<DevTools> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`Cannot connect to ${url}`)), {
        once: true,
      });
    });
    return new DevTools(socket);
  }

  #onMessage(message: Message): void {
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) pending?.reject(new Error(`DevTools: ${message.error.message}`));
      else pending?.resolve(message.result ?? {});
      return;
    }
    this.#waiters = this.#waiters.filter((w) => {
      const hit = w.method === message.method && w.sessionId === message.sessionId;
      if (hit) w.resolve();
      return !hit;
    });
  }

  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  /** A promise of the next `method` event of `sessionId` (register before causing it). */
  next(method: string, sessionId?: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ method, sessionId, resolve }));
  }

  close(): Promise<void> {
    if (this.#socket.readyState !== WebSocket.CLOSED) this.#socket.close();
    return this.closed;
  }
}

/** Reads the port and browser path chromium writes into its profile folder. */
async function readActivePort(profile: string, child: Deno.ChildProcess): Promise<string> {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !exited) {
    try {
      const [port, path] = (await Deno.readTextFile(`${profile}/DevToolsActivePort`)).split("\n");
      if (port && path) return `ws://127.0.0.1:${port.trim()}${path.trim()}`;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(exited ? "chromium exited before listening" : "chromium did not listen in 20 s");
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Starts a headless chromium with a fresh profile and connects to it. */
export async function openBrowser(): Promise<Browser> {
  const reason = browserSkipReason();
  if (reason !== undefined) throw new Error(`Cannot open a browser: ${reason}`);
  const profile = await Deno.makeTempDir({ prefix: "eventlet-browser-" });
  const child = new Deno.Command(findBrowser()!, {
    args: [...FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let devtools: DevTools | undefined;
  const close = async () => {
    if (devtools) {
      await Promise.race([
        devtools.send("Browser.close").catch(() => {}),
        new Promise((r) => setTimeout(r, 2000)),
      ]);
      await devtools.close();
    }
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  try {
    devtools = await DevTools.connect(await readActivePort(profile, child));
  } catch (error) {
    await close();
    throw error;
  }
  const tools = devtools;
  let closing: Promise<void> | undefined;
  const browser: Browser = {
    async open(url) {
      const { targetId } = await tools.send<{ targetId: string }>("Target.createTarget", {
        url: "about:blank",
      });
      const { sessionId } = await tools.send<{ sessionId: string }>("Target.attachToTarget", {
        targetId,
        flatten: true,
      });
      await tools.send("Page.enable", {}, sessionId);
      const loaded = tools.next("Page.loadEventFired", sessionId);
      const nav = await tools.send<{ errorText?: string }>("Page.navigate", { url }, sessionId);
      if (nav.errorText) throw new Error(`Cannot open ${url}: ${nav.errorText}`);
      await loaded;
      return openedPage(tools, sessionId);
    },
    close: () => closing ??= close(),
    [Symbol.asyncDispose]: () => browser.close(),
  };
  return browser;
}

function openedPage(tools: DevTools, sessionId: string): BrowserPage {
  const page: BrowserPage = {
    async evaluate<T>(expression: string): Promise<T> {
      const reply = await tools.send<{
        result: { value?: unknown };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, sessionId);
      if (reply.exceptionDetails) {
        const d = reply.exceptionDetails;
        throw new Error(`Page threw on \`${expression}\`: ${d.exception?.description ?? d.text}`);
      }
      return reply.result.value as T;
    },
    async waitFor(expression, seconds = 10) {
      const deadline = Date.now() + seconds * 1000;
      for (;;) {
        if (await page.evaluate<unknown>(expression)) return;
        if (Date.now() > deadline) {
          throw new Error(`Page never made \`${expression}\` true in ${seconds} s`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async screenshot(path) {
      const { data } = await tools.send<{ data: string }>(
        "Page.captureScreenshot",
        { format: "png" },
        sessionId,
      );
      await Deno.writeFile(path, decodeBase64(data));
    },
  };
  return page;
}
