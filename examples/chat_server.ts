/**
 * eventlet's chat server (examples/chat_server.py): every line a client
 * sends goes to all the other clients.
 *
 *   deno run -A examples/chat_server.ts [port=3001]
 *
 * Prints `ChatServer starting up on port <port>` once bound (port 0 picks
 * a free one). Try it with two `nc 127.0.0.1 3001`.
 *
 * @module
 */

import { spawnN } from "../mod.ts";
import { ConnectionReset, type GreenFile, listen } from "../net/mod.ts";

const participants = new Set<GreenFile>();

async function readChatForever(writer: GreenFile, reader: GreenFile, close: () => void) {
  try {
    // Ends at EOF, also when the client reset its connection (as in eventlet).
    for await (const line of reader) {
      console.log("Chat:", new TextDecoder().decode(line).trim());
      for (const p of [...participants]) {
        if (p === writer) continue; // don't echo
        try {
          await p.write(line);
          await p.flush();
        } catch (e) {
          // A participant that went away is dropped by its own reader.
          if (!(e instanceof ConnectionReset || e instanceof Deno.errors.BadResource)) throw e;
        }
      }
    }
  } finally {
    participants.delete(writer);
    close();
    console.log("Participant left chat.");
  }
}

const port = Number(Deno.args[0] ?? 3001);
const server = listen(["127.0.0.1", port]); // eventlet's listens on 0.0.0.0
console.log(`ChatServer starting up on port ${(server.addr as [string, number])[1]}`);
for (;;) {
  const [sock] = await server.accept();
  console.log("Participant joined chat.");
  const writer = sock.makefile();
  participants.add(writer);
  spawnN(readChatForever, writer, sock.makefile(), () => sock.close());
}
