/**
 * monkeyPatch, importPatched, isMonkeyPatched, original: swapping the
 * platform's blocking-style I/O for green versions, process-wide.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { denoIo } from "../net/deno_io.ts";
import { typeName } from "../hub/checks.ts";
import { makeGreenFetch } from "./fetch.ts";
import { greenDenoNet } from "./green_deno_net.ts";

/** What can be patched: `fetch`, and `net` (Deno's socket functions). */
export type PatchName = "fetch" | "net";

/** Options of `monkeyPatch`: which parts to patch (see its rule). */
export interface MonkeyPatchOptions {
  /** `globalThis.fetch`. */
  fetch?: boolean;
  /** `Deno.connect`, `Deno.connectTls`, `Deno.listen`, `Deno.listenTls`, `Deno.startTls`. */
  net?: boolean;
  /** The default for parts not named (eventlet's `all=`). */
  all?: boolean;
}

/** The unpatched functions `original()` gives, by name. */
export interface OriginalFunctions {
  /** The platform's `fetch`. */
  "fetch": typeof fetch;
  /** The platform's `Deno.connect`. */
  "Deno.connect": typeof Deno.connect;
  /** The platform's `Deno.connectTls`. */
  "Deno.connectTls": typeof Deno.connectTls;
  /** The platform's `Deno.listen`. */
  "Deno.listen": typeof Deno.listen;
  /** The platform's `Deno.listenTls`. */
  "Deno.listenTls": typeof Deno.listenTls;
  /** The platform's `Deno.startTls`. */
  "Deno.startTls": typeof Deno.startTls;
}

/** The names `original()` knows. */
export type OriginalName = keyof OriginalFunctions;

const PARTS: readonly PatchName[] = ["fetch", "net"];
const NET_FUNCTIONS = ["connect", "connectTls", "listen", "listenTls", "startTls"] as const;

// Taken when this module loads, before anything here can replace them.
const originalFetch: typeof fetch = globalThis.fetch;
const greenFetch: typeof fetch = makeGreenFetch(originalFetch);
const patched: Record<PatchName, boolean> = { fetch: false, net: false };

function install(part: PatchName): void {
  if (patched[part]) return; // patching twice is harmless
  if (part === "fetch") {
    globalThis.fetch = greenFetch;
  } else {
    for (const name of NET_FUNCTIONS) {
      (Deno as unknown as Record<string, unknown>)[name] = greenDenoNet[name];
    }
  }
  patched[part] = true;
}

/**
 * Replaces `globalThis.fetch` and Deno's socket functions (`Deno.connect`,
 * `connectTls`, `listen`, `listenTls`, `startTls`) with green versions:
 * their waits become switch points that `kill` and `Timeout` interrupt —
 * `fetch` through the calling greenthread's `signal`, which aborts the
 * HTTP request, and sockets without losing bytes — and that
 * `debug.formatGreenthreads` shows.
 *
 * - eventlet's rule: with no option, or only `false` ones, everything not
 *   set to `false` is patched; with some set to `true`, only those; `all`
 *   sets the default for the parts not named.
 * - Calling it again is harmless. An unknown option: `TypeError`.
 * - The patch is process-wide (JavaScript globals are shared) and stays
 *   until the process ends; `original(name)` gives the real functions.
 *
 * @example
 * ```ts
 * import { isMonkeyPatched, monkeyPatch } from "@eventlet/eventlet/patcher";
 * monkeyPatch({ fetch: true });
 * console.log(isMonkeyPatched("fetch"), isMonkeyPatched("net")); // true false
 * ```
 */
export function monkeyPatch(options: MonkeyPatchOptions = {}): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot monkeyPatch: options must be an object, received ${typeName(options)}`,
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (key !== "all" && !PARTS.includes(key as PatchName)) {
      throw new TypeError(
        `Cannot monkeyPatch: unknown option, received ${JSON.stringify(key)} ` +
          `(known: ${[...PARTS, "all"].join(", ")})`,
      );
    }
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(
        `Cannot monkeyPatch: option ${key} must be a boolean, received ${typeof value}`,
      );
    }
  }
  const someTrue = PARTS.some((part) => options[part] === true);
  const fallback = options.all ?? !someTrue;
  for (const part of PARTS) {
    if (options[part] ?? fallback) install(part);
  }
}

/**
 * True if `part` ("fetch" or "net") has been patched by `monkeyPatch`.
 *
 * @example
 * ```ts
 * import { isMonkeyPatched } from "@eventlet/eventlet/patcher";
 * if (!isMonkeyPatched("net")) console.log("Deno.connect is the platform's own");
 * ```
 */
export function isMonkeyPatched(part: PatchName): boolean {
  if (!PARTS.includes(part)) {
    throw new TypeError(
      `Cannot tell whether patched: part must be "fetch" or "net", received ${String(part)}`,
    );
  }
  return patched[part];
}

/**
 * The unpatched function: `"fetch"`, `"Deno.connect"`, `"Deno.connectTls"`,
 * `"Deno.listen"`, `"Deno.listenTls"` or `"Deno.startTls"`.
 *
 * @example
 * ```ts
 * import { monkeyPatch, original } from "@eventlet/eventlet/patcher";
 * monkeyPatch({ fetch: true });
 * const realFetch = original("fetch");
 * console.log(realFetch !== globalThis.fetch); // true
 * ```
 */
export function original<N extends OriginalName>(name: N): OriginalFunctions[N];
export function original(name: OriginalName): unknown {
  if (typeof name !== "string") {
    throw new TypeError(
      `Cannot give the original: name must be a string, received ${typeName(name)}`,
    );
  }
  if (name === "fetch") return originalFetch;
  const fn = name.startsWith("Deno.") ? name.slice(5) : "";
  if ((NET_FUNCTIONS as readonly string[]).includes(fn)) {
    return denoIo[fn as keyof typeof denoIo];
  }
  throw new TypeError(
    `Cannot give the original: unknown name, received ${JSON.stringify(name)} ` +
      `(known: fetch, ${NET_FUNCTIONS.map((f) => `Deno.${f}`).join(", ")})`,
  );
}

/**
 * Installs every patch (`monkeyPatch()`), then imports `specifier` and
 * resolves its namespace, so the module's `fetch` and socket calls are
 * green. Honest caveat: JavaScript globals are shared, so this cannot
 * scope the patch to one module as eventlet's `import_patched` does — the
 * patch is process-wide from then on. Relative specifiers resolve against
 * the current working directory; pass a URL or an absolute path (e.g.
 * `new URL("./lib.ts", import.meta.url).href`) to be exact.
 *
 * @example
 * ```ts
 * import { importPatched } from "@eventlet/eventlet/patcher";
 * const path = await importPatched("node:path");
 * console.log(typeof path.join); // "function"
 * ```
 */
export function importPatched<T = Record<string, unknown>>(specifier: string | URL): Promise<T> {
  if (typeof specifier !== "string" && !(specifier instanceof URL)) {
    throw new TypeError(
      `Cannot importPatched: specifier must be a string or URL, received ${typeName(specifier)}`,
    );
  }
  monkeyPatch();
  let target = String(specifier);
  if (target.startsWith("./") || target.startsWith("../")) {
    target = new URL(target, pathToFileURL(`${Deno.cwd()}/`)).href;
  }
  return import(target) as Promise<T>;
}
