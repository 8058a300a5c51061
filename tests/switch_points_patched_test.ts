/**
 * The README's switch-point table, the rows of the patcher: after
 * `monkeyPatch()`, the wait for a `fetch` response, `accept` of a listener
 * from `Deno.listen`, and `read`/`write` of the connections it hands out
 * are switch points, checked as switch_points_test.ts checks the core's.
 * The patch is process-wide, so it is installed only when these rows run
 * (Deno runs each test file in a runtime of its own).
 */

import { sleep } from "../mod.ts";
import { monkeyPatch } from "../patcher/mod.ts";
import { type Row, walk } from "./switch_point_helpers.ts";

/** A listener from the patched `Deno.listen` on a free loopback port. */
function patchedListener(): Deno.Listener {
  monkeyPatch({ net: true });
  return Deno.listen({ hostname: "127.0.0.1", port: 0 });
}

function portOf(listener: Deno.Listener): number {
  return (listener.addr as Deno.NetAddr).port;
}

/** A connected pair from the patched `Deno.listen` and `Deno.connect`. */
async function patchedPair(): Promise<{ client: Deno.Conn; server: Deno.Conn; close: () => void }> {
  const listener = patchedListener();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: portOf(listener) });
  const server = await listener.accept();
  listener.close();
  return { client, server, close: () => (server.close(), client.close()) };
}

/** A local HTTP server whose answers wait until `answer()` is called. */
function heldServer() {
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async () => (await held, new Response("answered")),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    answer,
    stop: () => (answer(), server.shutdown()),
  };
}

export const rows: Row[] = [
  {
    name: "the patched fetch",
    readme: ["the patched fetch"],
    prepare: () => {
      monkeyPatch({ fetch: true });
      const server = heldServer();
      server.answer(); // it could answer at once
      return Promise.resolve(() =>
        fetch(server.url).then((response) => response.text()).finally(server.stop)
      );
    },
    waits: () => {
      monkeyPatch({ fetch: true });
      const server = heldServer();
      return Promise.resolve({
        call: () => fetch(server.url).then((response) => response.text()).finally(server.stop),
        release: () => server.answer(),
      });
    },
  },
  {
    name: "accept of a patched Deno.listen",
    readme: ["accept of a patched Deno.listen"],
    call: () => {
      const listener = patchedListener();
      return listener.accept().finally(() => listener.close());
    },
    waits: () => {
      const listener = patchedListener();
      return Promise.resolve({
        call: () => listener.accept().then((conn) => (conn.close(), listener.close())),
        release: async () => {
          const client = await Deno.connect({ hostname: "127.0.0.1", port: portOf(listener) });
          await sleep(0.01);
          client.close();
        },
      });
    },
  },
  {
    name: "a read of a patched connection",
    readme: ["reads and writes of patched connections"],
    prepare: async () => {
      const { client, server, close } = await patchedPair();
      await client.write(new Uint8Array([1]));
      await sleep(0.01); // a byte waits: it could complete at once
      return () => server.read(new Uint8Array(10)).finally(close);
    },
    waits: async () => {
      const { client, server, close } = await patchedPair();
      return {
        call: () => server.read(new Uint8Array(10)).finally(close),
        release: () => client.write(new Uint8Array([2])),
      };
    },
  },
  {
    name: "a write of a patched connection",
    readme: ["reads and writes of patched connections"],
    prepare: async () => {
      const { client, close } = await patchedPair();
      return () => client.write(new Uint8Array([1])).finally(close);
    },
  },
];

walk(rows, import.meta.url);
