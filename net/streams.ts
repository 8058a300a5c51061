/**
 * Web streams over a GreenSocket, for interop with Deno APIs (`pipeTo`,
 * `Response`, `TextDecoderStream`). They go through the socket's own read
 * buffer and write line, so they mix safely with `recv`/`sendall`; they are
 * slower than those, so keep them off hot paths.
 *
 * @module
 */

/** Bytes asked for per pull of the readable stream. */
const PULL_SIZE = 65536;

/**
 * A readable byte stream fed by `recv(n)`; ends when `recv` resolves empty
 * (EOF); `cancel` calls `onCancel`.
 */
export function readableFrom(
  recv: (n: number) => Promise<Uint8Array>,
  onCancel: () => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await recv(PULL_SIZE);
      if (chunk.length === 0) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      onCancel();
    },
  }, { highWaterMark: 0 });
}

/**
 * A writable byte stream whose writes go through `sendall`; `close` calls
 * `onClose` (shut the write half down), `abort` calls `onAbort`.
 */
export function writableTo(
  sendall: (data: Uint8Array) => Promise<void>,
  onClose: () => Promise<void>,
  onAbort: () => void,
): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(
          `Cannot write to GreenSocket.writable: chunk must be a Uint8Array, received ${typeof chunk}`,
        );
      }
      return sendall(chunk);
    },
    close() {
      return onClose();
    },
    abort() {
      onAbort();
    },
  });
}
