/**
 * Network edge cases found in review: pending kills at GreenFile reads and
 * before a TLS upgrade, non-blocking accept, server-side wrapSsl given a
 * path instead of PEM text, and the names of socket waits in debug output.
 */

import assert from "node:assert/strict";
import { GreenletExit, sleep, spawn, Timeout, withTimeout } from "../mod.ts";
import { BlockingIOError, connect, listen, wrapSsl } from "../net/mod.ts";
import { formatGreenthreads } from "../debug/mod.ts";
import { dec, enc } from "./net_helpers.ts";

Deno.test("GreenFile.readline() delivers a pending kill even when the line is buffered", async () => {
  const server = listen(["127.0.0.1", 0]);
  const client = await connect(server.addr as [string, number]);
  const [peer] = await server.accept();
  await peer.sendall(enc("one\ntwo\n"));
  let firstLine = "";
  let release!: () => void;
  const foreign = new Promise<void>((r) => release = r);
  const gt = spawn(async () => {
    const file = client.makefile();
    firstLine = dec(await file.readline()); // fills the buffer with both lines
    await foreign; // killed here: not a switch point, so the kill waits
    await file.readline(); // buffered, but a switch point: the kill lands
    return "not killed";
  });
  while (firstLine === "") await sleep(0.001);
  const killing = gt.kill();
  release();
  await killing;
  assert.equal(firstLine, "one\n");
  await assert.rejects(gt.wait(), GreenletExit);
  client.close();
  peer.close();
  server.close();
});

Deno.test("GreenFile.flush() with a pending kill keeps the buffered bytes for a later flush", async () => {
  const server = listen(["127.0.0.1", 0]);
  const client = await connect(server.addr as [string, number]);
  const [peer] = await server.accept();
  const file = client.makefile();
  let release!: () => void;
  const foreign = new Promise<void>((r) => release = r);
  const gt = spawn(async () => {
    await file.write(enc("kept\n"));
    await foreign; // killed here: not a switch point, so the kill waits
    await file.flush(); // the kill lands here
    return "not killed";
  });
  await sleep(0.01);
  const killing = gt.kill();
  release();
  await killing;
  await assert.rejects(gt.wait(), GreenletExit);
  await file.flush(); // from another greenthread: the bytes were kept
  const got = await withTimeout(2, () => peer.recv(64), { timeoutValue: enc("nothing came") });
  assert.equal(dec(got), "kept\n");
  client.close();
  peer.close();
  server.close();
});

Deno.test("wrapSsl() with a pending Timeout rejects before detaching: the socket still closes", async () => {
  const server = listen(["127.0.0.1", 0]);
  const client = await connect(server.addr as [string, number]);
  const [peer] = await server.accept();
  const gt = spawn(async () => {
    const t = new Timeout(0);
    await new Promise((r) => setTimeout(r, 10)); // the Timeout fires here, pending
    try {
      await wrapSsl(client, { hostname: "localhost" });
    } catch (e) {
      return e === t;
    }
    return false;
  });
  assert.equal(await gt.wait(), true);
  assert.equal(client.closed, false, "the plain socket was not handed over");
  client.close();
  assert.equal((await peer.recv(16)).length, 0, "the peer sees EOF: nothing leaked");
  peer.close();
  server.close();
});

Deno.test("GreenListener.accept() in non-blocking mode throws BlockingIOError", async () => {
  const server = listen(["127.0.0.1", 0]);
  server.settimeout(0);
  await assert.rejects(server.accept(), BlockingIOError);
  server.close();
});

Deno.test("wrapSsl() server side given a path instead of PEM text keeps the listener", () => {
  const server = listen(["127.0.0.1", 0]);
  assert.throws(
    () => wrapSsl(server, { serverSide: true, cert: "tests/fixtures/server.pem", key: "x" }),
    /must be PEM text \(the file's contents, not its path\)/,
  );
  assert.equal(server.closed, false);
  server.close();
});

Deno.test("socket waits are named after the operation and the peer", async () => {
  const server = listen(["127.0.0.1", 0]);
  const client = await connect(server.addr as [string, number]);
  const [peer] = await server.accept();
  const [, port] = server.addr as [string, number];
  // 32 MiB to a peer that does not read: the write cannot finish.
  const writer = spawn(() => client.sendall(new Uint8Array(32 * 1024 * 1024)));
  writer.name = "writer";
  const reader = spawn(() => client.recvInto(new Uint8Array(8)));
  reader.name = "reader";
  await sleep(0.05);
  const text = formatGreenthreads();
  const peerName = `127\\.0\\.0\\.1:${port}`;
  assert.match(text, new RegExp(`"writer" parked on GreenSocket\\.sendall to ${peerName}`));
  assert.match(text, new RegExp(`"reader" parked on GreenSocket\\.recvInto from ${peerName}`));
  await writer.kill();
  peer.close(); // unread bytes: a reset, which reads as EOF
  assert.equal(await reader.wait(), 0);
  client.close();
  server.close();
});
