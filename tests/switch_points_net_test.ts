/**
 * The README's switch-point table, the rows of `./net`: `connect()`,
 * `GreenListener.accept()`, each `GreenSocket` transfer, the client side
 * of `wrapSsl()` (the TLS handshake, over the test CA's fixture
 * certificate) and `GreenFile`'s reads and its flush. Each is checked as
 * switch_points_test.ts checks the core's: a kill pending when it is
 * called surfaces right there, even when it could complete at once; and
 * while it waits, other greenthreads run.
 */

import { sleep } from "../mod.ts";
import { connect, type GreenFile, type GreenSocket, listen, wrapSsl } from "../net/mod.ts";
import { type Row, walk } from "./switch_point_helpers.ts";
import { recvExactly } from "./net_helpers.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const caCert = Deno.readTextFileSync(new URL("ca.pem", fixtures));
const cert = Deno.readTextFileSync(new URL("server.pem", fixtures));
const key = Deno.readTextFileSync(new URL("server.key", fixtures));

/** A connected pair over loopback; `close()` closes both sides. */
async function pair(): Promise<{ client: GreenSocket; server: GreenSocket; close: () => void }> {
  const listener = listen(["127.0.0.1", 0]);
  const client = await connect(listener.addr as [string, number]);
  const [server] = await listener.accept();
  listener.close();
  return { client, server, close: () => (server.close(), client.close()) };
}

/** Sends `bytes` from `client`, then gives them time to arrive. */
async function arrive(client: GreenSocket, bytes: number[]): Promise<void> {
  await client.sendall(new Uint8Array(bytes));
  await sleep(0.01);
}

const NEWLINE = 10;

/** `file.read(1)` or `file.readline()`. */
function readFrom(file: GreenFile, method: "read" | "readline"): Promise<Uint8Array> {
  return method === "read" ? file.read(1) : file.readline();
}

export const rows: Row[] = [
  {
    name: "connect()",
    readme: ["connect()"],
    prepare: () => {
      const listener = listen(["127.0.0.1", 0]);
      return Promise.resolve(() =>
        connect(listener.addr as [string, number]).finally(() => listener.close())
      );
    },
  },
  {
    name: "GreenListener.accept()",
    readme: ["GreenListener.accept()"],
    call: () => {
      const listener = listen(["127.0.0.1", 0]);
      return listener.accept().finally(() => listener.close());
    },
    waits: () => {
      const listener = listen(["127.0.0.1", 0]);
      return Promise.resolve({
        call: () =>
          listener.accept().then(([server]) => {
            server.close();
            listener.close();
          }),
        release: async () => {
          const client = await connect(listener.addr as [string, number]);
          await sleep(0.01);
          client.close();
        },
      });
    },
  },
  ...(["recv", "recvInto"] as const).map((method): Row => {
    const read = (sock: GreenSocket) =>
      method === "recv" ? sock.recv(10) : sock.recvInto(new Uint8Array(10));
    return {
      name: `GreenSocket.${method}()`,
      readme: [`GreenSocket.${method}()`],
      prepare: async () => {
        const { client, server, close } = await pair();
        await arrive(client, [1]); // a byte waits: it could complete at once
        return () => read(server).finally(close);
      },
      waits: async () => {
        const { client, server, close } = await pair();
        return { call: () => read(server).finally(close), release: () => arrive(client, [2]) };
      },
    };
  }),
  ...(["send", "sendall", "shutdown"] as const).map((method): Row => ({
    name: `GreenSocket.${method}()`,
    readme: [`GreenSocket.${method}()`],
    prepare: async () => {
      const { client, close } = await pair();
      const call = method === "shutdown"
        ? () => client.shutdown("write")
        : () => client[method](new Uint8Array([1]));
      return () => call().finally(close);
    },
    // sendall waits while the socket buffers are full: more than loopback holds.
    waits: method !== "sendall" ? undefined : async () => {
      const { client, server } = await pair();
      const big = new Uint8Array(16 << 20);
      return {
        call: () => client.sendall(big).finally(() => client.close()),
        release: () => recvExactly(server, big.length).finally(() => server.close()),
      };
    },
  })),
  {
    name: "wrapSsl() (the client's TLS handshake)",
    readme: ["wrapSsl() (client)"],
    prepare: async () => {
      const tls = wrapSsl(listen(["127.0.0.1", 0]), { serverSide: true, cert, key });
      const plain = await connect(tls.addr as [string, number]);
      // Refused at once, the plain socket is not handed over: it is closed here.
      return () =>
        wrapSsl(plain, { caCerts: [caCert] }).finally(() => (plain.close(), tls.close()));
    },
    waits: async () => {
      const tls = wrapSsl(listen(["127.0.0.1", 0]), { serverSide: true, cert, key });
      const plain = await connect(tls.addr as [string, number]);
      return {
        // No handshake before the server accepts and reads.
        call: () => wrapSsl(plain, { caCerts: [caCert] }).then((secure) => secure.close()),
        release: async () => {
          const [server] = await tls.accept();
          await server.recv(1); // drives the handshake; 0 once the client closed
          server.close();
          tls.close();
        },
      };
    },
  },
  ...(["read", "readline"] as const).map((method): Row => ({
    name: `GreenFile.${method}()`,
    readme: [`GreenFile.${method}()`],
    prepare: async () => {
      const { client, server, close } = await pair();
      const file = server.makefile();
      await arrive(client, [7, NEWLINE]); // a line waits: it could complete at once
      return () => readFrom(file, method).finally(close);
    },
    waits: async () => {
      const { client, server, close } = await pair();
      const file = server.makefile();
      return {
        call: () => readFrom(file, method).finally(close),
        release: () => arrive(client, [7, NEWLINE]),
      };
    },
  })),
  {
    name: "GreenFile.flush() with data buffered",
    readme: ["GreenFile.flush() with data buffered"],
    prepare: async () => {
      const { server, close } = await pair();
      const file = server.makefile();
      await file.write(new Uint8Array([1])); // only buffers
      return () => file.flush().finally(close);
    },
  },
];

walk(rows, import.meta.url);
