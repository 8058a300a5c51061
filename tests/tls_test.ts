/**
 * wrapSsl over the test CA's fixtures: a TLS echo round trip (1 MiB too),
 * verification by the connect() host name, untrusted and self-signed
 * certificates rejected, and bad input or sockets in use refused.
 */

import assert from "node:assert/strict";
import { spawn } from "../mod.ts";
import { connect, type GreenListener, listen, wrapSsl } from "../net/mod.ts";
import { dec, echo, enc, recvExactly, serveIn, settle, stopServer } from "./net_helpers.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, fixtures));
const caCert = read("ca.pem");
const cert = read("server.pem");
const key = read("server.key");

function tlsListener(pem = cert, pemKey = key): GreenListener {
  return wrapSsl(listen(["127.0.0.1", 0]), { serverSide: true, cert: pem, key: pemKey });
}

Deno.test("wrapSsl() gives a TLS echo round trip trusted through the test CA", async () => {
  const server = serveIn(tlsListener(), echo);
  const sock = await wrapSsl(await connect(["localhost", server.port]), { caCerts: [caCert] });
  await sock.sendall(enc("secret hello"));
  assert.equal(dec(await recvExactly(sock, 12)), "secret hello");
  const big = new Uint8Array(1 << 20).fill(7);
  const writer = spawn(() => sock.sendall(big));
  const back = await recvExactly(sock, big.length);
  await writer.wait();
  assert.ok(back.every((v) => v === 7));
  sock.close();
  await stopServer(server);
  await settle();
});

Deno.test("wrapSsl() verifies against the connect() host name by default", async () => {
  const server = serveIn(tlsListener(), echo);
  // 127.0.0.1 is in the certificate's subjectAltName too.
  const sock = await wrapSsl(await connect(["127.0.0.1", server.port]), { caCerts: [caCert] });
  await sock.sendall(enc("ip"));
  assert.equal(dec(await recvExactly(sock, 2)), "ip");
  sock.close();
  await stopServer(server);
  await settle();
});

Deno.test("wrapSsl() rejects a certificate it does not trust", async () => {
  const failures: unknown[] = [];
  const server = serveIn(tlsListener(), async (sock) => {
    try {
      await sock.recv(10);
    } catch (e) {
      failures.push(e);
    }
  });
  // No caCerts: the private CA is unknown to the system roots.
  await assert.rejects(
    wrapSsl(await connect(["localhost", server.port])),
    (e) =>
      e instanceof Deno.errors.InvalidData && /UnknownIssuer/.test((e as Error).message) &&
      (e as Error).message.startsWith(
        `Cannot wrapSsl: TLS handshake with 127.0.0.1:${server.port} failed: `,
      ),
  );
  // Trusted CA but the wrong name.
  await assert.rejects(
    wrapSsl(await connect(["localhost", server.port]), {
      caCerts: [caCert],
      hostname: "example.com",
    }),
    (e) => e instanceof Deno.errors.InvalidData && /certificate/i.test((e as Error).message),
  );
  await stopServer(server);
  await settle();
  assert.equal(failures.length, 2); // each handler saw its handshake fail
});

Deno.test("wrapSsl() rejects a self-signed server certificate", async () => {
  const server = serveIn(
    tlsListener(read("untrusted.pem"), read("untrusted.key")),
    async (sock) => {
      await sock.recv(10).catch(() => {});
    },
  );
  await assert.rejects(
    wrapSsl(await connect(["localhost", server.port]), { caCerts: [caCert] }),
    Deno.errors.InvalidData,
  );
  await stopServer(server);
  await settle();
});

Deno.test("wrapSsl() rejects bad input and sockets in use", async () => {
  const plain = listen(["127.0.0.1", 0]);
  assert.throws(
    () => wrapSsl(plain as never, {} as never),
    { name: "TypeError", message: /serverSide: true/ },
  );
  assert.throws(
    () => wrapSsl(plain, { serverSide: true, cert: "", key }),
    TypeError,
  );
  const sock = await connect(plain.addr as [string, number]);
  const [peer] = await plain.accept();
  assert.throws(
    () => wrapSsl(sock as never, { serverSide: true, cert, key } as never),
    TypeError,
  );
  await peer.sendall(enc("early"));
  await recvExactly(sock, 2); // the rest stays buffered, unread
  assert.throws(() => wrapSsl(sock, { caCerts: [caCert] }), /unread data/);
  sock.close();
  peer.close();
  plain.close();
  await settle();
});

/** A 1024-bit RSA key and a certificate for it, made by openssl (as eventlet's ssl recipe does). */
function weakKeyPair(): { cert: string; key: string } | null {
  const dir = Deno.makeTempDirSync();
  try {
    const { success } = new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-keyout",
        `${dir}/k.pem`,
        "-out",
        `${dir}/c.pem`,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    if (!success) return null;
    return {
      cert: Deno.readTextFileSync(`${dir}/c.pem`),
      key: Deno.readTextFileSync(`${dir}/k.pem`),
    };
  } catch {
    return null;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const weak = weakKeyPair();
if (weak === null) console.log("tls_test: skipping the 1024-bit key test: openssl is missing");

Deno.test({
  name:
    "wrapSsl() server side with a 1024-bit key: InvalidData naming key, the plain listener still open",
  ignore: weak === null,
  async fn() {
    const plain = listen(["127.0.0.1", 0]);
    assert.throws(
      () => wrapSsl(plain, { serverSide: true, cert: weak!.cert, key: weak!.key }),
      (e: unknown) =>
        e instanceof Deno.errors.InvalidData &&
        /^Cannot wrapSsl: key was refused/.test(e.message) &&
        /failed to parse private key/.test(e.message) && e.cause instanceof Error,
    );
    assert.equal(plain.closed, false);
    const server = serveIn(plain, echo);
    const sock = await connect(server.addr);
    await sock.sendall(enc("plain still works"));
    assert.equal(dec(await recvExactly(sock, 17)), "plain still works");
    sock.close();
    await stopServer(server);
    await settle();
  },
});

Deno.test("wrapSsl() server side with a key of another certificate names key; a damaged cert names cert", () => {
  const plain = listen(["127.0.0.1", 0]);
  try {
    assert.throws(
      () => wrapSsl(plain, { serverSide: true, cert, key: read("untrusted.key") }),
      (e: unknown) =>
        e instanceof Deno.errors.InvalidData &&
        /^Cannot wrapSsl: key was refused \(it does not match cert\)/.test(e.message),
    );
    assert.throws(
      () =>
        wrapSsl(plain, {
          serverSide: true,
          cert: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
          key,
        }),
      (e: unknown) =>
        e instanceof Deno.errors.InvalidData && /^Cannot wrapSsl: cert was refused/.test(e.message),
    );
    assert.equal(plain.closed, false);
  } finally {
    plain.close();
  }
});
