/**
 * transfer(): move buffers to or from a worker instead of copying them.
 *
 * @module
 */

import { typeName } from "../hub/checks.ts";
import { TRANSFER_KEY } from "./protocol.ts";

const TRANSFER: unique symbol = Symbol.for(TRANSFER_KEY) as never;

/**
 * What `transfer` can move: an `ArrayBuffer` (typed as `ArrayBufferLike` so
 * that `u8.buffer` fits; a `SharedArrayBuffer` is shared, not moved, and
 * must not be listed) or a `MessagePort`.
 */
export type TransferItem = Transferable | ArrayBufferLike;

/**
 * What `transfer` returns; `execute` and the worker unpack it.
 * @ignore
 */
export interface TransferBox {
  /** Marks the box (a `Symbol.for` key, so every copy of this module agrees). */
  readonly [TRANSFER]: true;
  /** The value to send. */
  readonly value: unknown;
  /** What to move rather than copy. */
  readonly list: readonly TransferItem[];
}

/**
 * Marks `value` to be sent with `transferables` moved, not copied: after the
 * call the sender's `ArrayBuffer`s are detached (`byteLength` 0), and the
 * receiver owns them, with no copy made. Use it on an argument of `execute`
 * or a proxy method (`execute(fn, transfer(buf, [buf.buffer]))`), or on the
 * value a function returns in the worker (`return transfer(out, [out.buffer])`).
 * Inside a tpool worker `transfer` is also a global, so a self-contained
 * function can call it by that name even though it imported nothing.
 *
 * The result is a box typed as `value`'s type so the call type-checks; pass
 * it straight to `execute`, do not use it otherwise.
 *
 * @example
 * ```ts
 * import { execute, transfer } from "@eventlet/eventlet/tpool";
 * const data = new Uint8Array(1 << 20);
 * const doubled = await execute((a: Uint8Array) => {
 *   for (let i = 0; i < a.length; i++) a[i] = i & 0xff;
 *   return transfer(a, [a.buffer]);
 * }, transfer(data, [data.buffer]));
 * console.log(data.byteLength, doubled.byteLength); // 0 1048576
 * ```
 */
export function transfer<T>(value: T, transferables: readonly TransferItem[]): T {
  if (!Array.isArray(transferables)) {
    throw new TypeError(
      `Cannot transfer: transferables must be an array of ArrayBuffers or MessagePorts, ` +
        `received ${typeName(transferables)}`,
    );
  }
  const box: TransferBox = { [TRANSFER]: true, value, list: transferables };
  return box as unknown as T;
}

/**
 * True for a box made by `transfer`.
 * @ignore
 */
export function isTransferBox(value: unknown): value is TransferBox {
  return typeof value === "object" && value !== null &&
    (value as { [TRANSFER]?: unknown })[TRANSFER] === true;
}

/**
 * Replaces the transfer boxes in `args` (in place) by their values and
 * returns what they move, or null when there is none (the usual case).
 * @ignore
 */
export function unpackArgs(args: unknown[]): Transferable[] | null {
  let list: Transferable[] | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === "object" && arg !== null && (arg as TransferBox)[TRANSFER] === true) {
      args[i] = (arg as TransferBox).value;
      const more = (arg as TransferBox).list as Transferable[];
      list = list === null ? [...more] : list.concat(more);
    }
  }
  return list;
}
