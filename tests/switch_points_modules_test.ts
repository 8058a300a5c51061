/**
 * The README's switch-point table, the rows of the modules beyond the core:
 * `serve()`, `Pool.get()/item()`, `GreenProcess.wait()/communicate()`,
 * `DAGPool.wait()` and each step of `waitEach`, and `GreenWebSocket`'s
 * `receive()`, `send()` and each step of `for await`. Each is checked as
 * switch_points_test.ts checks the core's: a kill pending when it is called surfaces right there, and
 * while it waits, other greenthreads run.
 */

import { sleep } from "../mod.ts";
import { connect, listen, serve } from "../net/mod.ts";
import { Pool } from "../pools/mod.ts";
import { spawnProcess } from "../subprocess/mod.ts";
import { DAGPool } from "../dagpool/mod.ts";
import { GreenWebSocket } from "../http/mod.ts";
import { type Row, walk } from "./switch_point_helpers.ts";
import { serveWs } from "./http_websocket_helpers.ts";

/** A WebSocket session whose server side echoes every message. */
async function echoSession(): Promise<{ ws: GreenWebSocket; close: () => Promise<void> }> {
  const server = serveWs(async (ws) => {
    for await (const message of ws) await ws.send(message);
  });
  const ws = new GreenWebSocket(new WebSocket(server.url));
  await ws.send("warm-up"); // opens the connection
  await ws.receive();
  return {
    ws,
    close: async () => {
      ws.close();
      await server[Symbol.asyncDispose]();
    },
  };
}

export const rows: Row[] = [
  {
    name: "serve()",
    readme: ["serve()"],
    // Awaiting it is the switch point (a `.then` chained at once only observes the end).
    prepare: () => {
      const listener = listen(["127.0.0.1", 0]);
      return Promise.resolve(async () => {
        try {
          await serve(listener, (socket) => socket.close());
        } finally {
          listener.close();
        }
      });
    },
    waits: () => {
      const listener = listen(["127.0.0.1", 0]);
      return Promise.resolve({
        call: async () => void await serve(listener, (socket) => socket.close()),
        release: async () => {
          const client = await connect(listener.addr as [string, number]);
          await sleep(0.01);
          client.close();
          listener.close();
        },
      });
    },
  },
  {
    name: "Pool.get()",
    readme: ["Pool.get()"],
    prepare: () => {
      const pool = new Pool({ create: () => ({}) });
      return Promise.resolve(() => pool.get().finally(() => pool.close()));
    },
    waits: async () => {
      const pool = new Pool({ create: () => ({}), maxSize: 1 });
      const held = await pool.get();
      return {
        call: () => pool.get().then((item) => (pool.put(item), pool.close())),
        release: () => pool.put(held),
      };
    },
  },
  {
    name: "Pool.item()",
    readme: ["Pool.item()"],
    prepare: () => {
      const pool = new Pool({ create: () => ({}) });
      return Promise.resolve(() =>
        pool.item().then((lease) => lease[Symbol.dispose]()).finally(() => pool.close())
      );
    },
    waits: async () => {
      const pool = new Pool({ create: () => ({}), maxSize: 1 });
      const held = await pool.get();
      return {
        call: () => pool.item().then((lease) => (lease[Symbol.dispose](), pool.close())),
        release: () => pool.put(held),
      };
    },
  },
  ...(["wait", "communicate"] as const).map((method): Row => ({
    name: `GreenProcess.${method}()`,
    readme: [`GreenProcess.${method}()`],
    prepare: () => {
      const child = spawnProcess("true", { stdout: "piped" });
      return Promise.resolve(() => child[method]().finally(() => child.communicate()));
    },
    waits: () => {
      const child = spawnProcess("sleep", { args: ["0.1"], stdout: "piped" });
      return Promise.resolve({
        call: () => child[method]().finally(() => child.communicate()),
        release: () => sleep(0.15),
      });
    },
  })),
  {
    name: "DAGPool.wait()",
    readme: ["DAGPool.wait()"],
    call: () => new DAGPool<string, number>({ a: 1 }).wait(),
    waits: () => {
      const pool = new DAGPool<string, number>();
      return Promise.resolve({ call: () => pool.wait(["a"]), release: () => pool.post("a", 1) });
    },
  },
  {
    name: "each step of DAGPool.waitEach",
    readme: ["each step of waitEach"],
    call: () => new DAGPool<string, number>({ a: 1 }).waitEach(["a"]).next(),
    waits: () => {
      const pool = new DAGPool<string, number>();
      const steps = pool.waitEach(["a"]);
      return Promise.resolve({ call: () => steps.next(), release: () => pool.post("a", 1) });
    },
  },
  {
    name: "GreenWebSocket.receive()",
    readme: ["GreenWebSocket.receive()"],
    prepare: async () => {
      const { ws, close } = await echoSession();
      await ws.send("ready");
      await sleep(0.05); // the echo is buffered: receive could complete at once
      return () => ws.receive().finally(close);
    },
    waits: async () => {
      const { ws, close } = await echoSession();
      return {
        call: () => ws.receive().finally(close),
        release: () => ws.send("late"),
      };
    },
  },
  {
    name: "GreenWebSocket.send()",
    readme: ["GreenWebSocket.send()"],
    prepare: async () => {
      const { ws, close } = await echoSession();
      return () => ws.send("hello").finally(close);
    },
  },
  {
    name: "each step of for await (… of ws)",
    readme: ["each step of for await (… of ws)"],
    prepare: async () => {
      const { ws, close } = await echoSession();
      await ws.send("ready");
      await sleep(0.05); // the echo is buffered: the step could complete at once
      const steps = ws[Symbol.asyncIterator]();
      return () => steps.next().finally(close);
    },
    waits: async () => {
      const { ws, close } = await echoSession();
      const steps = ws[Symbol.asyncIterator]();
      return {
        call: () => steps.next().finally(close),
        release: () => ws.send("late"),
      };
    },
  },
];

walk(rows, import.meta.url);
