/**
 * Helpers of the http tests: a server on a free loopback port whose access
 * log is collected, a raw TCP client, curl when installed.
 */

import { serveHttp, type ServeHttpOptions } from "../http/mod.ts";
import type { HttpHandler, HttpServer } from "../http/mod.ts";

export interface TestServer {
  server: HttpServer;
  base: string;
  port: number;
  /** Access-log lines, when the options did not set `log`. */
  lines: string[];
}

/** serveHttp on 127.0.0.1:0, quiet, with its access log kept in `lines`. */
export function startServer(handler: HttpHandler, options: ServeHttpOptions = {}): TestServer {
  const lines: string[] = [];
  const server = serveHttp(handler, {
    port: 0,
    hostname: "127.0.0.1",
    onListen() {},
    log: (line) => lines.push(line),
    ...options,
  });
  const port = server.addr.port;
  return { server, base: `http://127.0.0.1:${port}`, port, lines };
}

/** True when `curl` runs here. */
export const haveCurl = (() => {
  try {
    return new Deno.Command("curl", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs curl; its stdout as text. */
export async function curl(...args: string[]): Promise<string> {
  const { stdout, success, stderr } = await new Deno.Command("curl", {
    args: ["-s", "--max-time", "10", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`curl failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

/** Polls `check` every 2 ms until it is true; throws after `seconds`. */
export async function until(check: () => boolean, seconds = 5, what = "condition"): Promise<void> {
  const end = performance.now() + seconds * 1000;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Opens a raw TCP connection and sends one GET request (keep-alive). */
export async function rawGet(port: number, path: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
  return conn;
}

/** Reads from `conn` until EOF or until `text` has been seen; returns what was read. */
export async function readUntil(conn: Deno.Conn, text?: string): Promise<string> {
  const buf = new Uint8Array(65536);
  let got = "";
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return got;
    got += new TextDecoder().decode(buf.subarray(0, n));
    if (text !== undefined && got.includes(text)) return got;
  }
}
