/**
 * A socket's read completion resumes its `recv` at once, outside the hub's
 * pump; the loop budget must still know that Deno's event loop is turning.
 * Otherwise, on a server whose greenthreads are resumed by socket traffic
 * alone, the budget's stamp of the last loop turn goes stale, and every
 * operation that completes at once (a `Queue.put` with room) yields to the
 * event loop for nothing, through the run queue. The client is another
 * process, so that no timer of ours turns the loop.
 */

import assert from "node:assert/strict";
import { getHub, listen, Queue, spawn } from "../mod.ts";

const MESSAGES = 200;

Deno.test("net: at-once operations after a recv do not yield while the event loop turns", async () => {
  const server = listen(["127.0.0.1", 0]);
  const port = (server.addr as [string, number])[1];
  const client = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const c = await Deno.connect({ hostname: "127.0.0.1", port: ${port} });
       for (let i = 0; i < ${MESSAGES}; i++) {
         await c.write(new Uint8Array([1]));
         await new Promise((r) => setTimeout(r, 2));
       }
       c.close();`,
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const queue = new Queue<number>();
  let received = 0;
  let yielded = 0;
  const handler = spawn(async () => {
    const [sock] = await server.accept();
    try {
      for (;;) {
        const data = await sock.recv(100);
        if (data.length === 0) return;
        received += data.length;
        const before = getHub().stats().switches;
        await queue.put(data.length); // room in the queue: completes at once
        if (getHub().stats().switches !== before) yielded++; // went through the run queue
      }
    } finally {
      sock.close();
    }
  });
  try {
    await handler.wait();
    assert.equal((await client.status).code, 0);
  } finally {
    server.close();
  }
  assert.equal(received, MESSAGES);
  let queued = 0;
  while (queue.qsize() > 0) queued += queue.getNowait();
  assert.equal(queued, MESSAGES, "every byte was put");
  // With a stale stamp nearly every put yields (measured: all but the first
  // few dozen); with a fresh one only a put after a real ~1 ms stall would.
  assert.ok(
    yielded < MESSAGES / 4,
    `${yielded} of ${received} at-once puts yielded to the event loop`,
  );
});
