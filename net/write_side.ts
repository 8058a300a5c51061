/**
 * The writing half of a GreenSocket: writes go out one at a time, in the
 * order they were asked for.
 *
 * A Deno `conn.write` cannot be cancelled either, and may write only part
 * of its data. So each `send`/`sendall`/`shutdown("write")` is an operation
 * in a FIFO line; the one at the front owns the single write in flight.
 * `sendall` loops over partial writes itself (one park for the whole
 * call, its deadline renewed for each underlying write, as eventlet's
 * per-send timeout). An operation interrupted by a timeout, `kill` or
 * `Timeout` while its write is in flight lets that write finish (those
 * bytes are sent) and sends nothing more of its data; the next operation
 * starts only after it. So bytes are never reordered or duplicated, and two
 * greenthreads' `sendall`s never interleave.
 *
 * @module
 */

import {
  completed,
  deliverPending,
  failed,
  type GreenThread,
  hasPendingError,
  newPark,
  type Park,
  PARKED,
  ParkingLot,
  rejectAfter,
  setDeadline,
  suspend,
  wake,
  wakeNow,
} from "../hub/lowlevel.ts";
import {
  BlockingIOError,
  closedError,
  failWithCallerStack,
  isPeerGone,
  SocketTimeout,
  translateIoError,
} from "./errors.ts";
import { socketWaitLabel } from "./addr.ts";

/** One send/sendall/shutdown in the line. */
interface WriteOp {
  /** The bytes; null for a shutdown of the write half. */
  data: Uint8Array | null;
  /** How many bytes of `data` are written. */
  off: number;
  /** sendall (loop until all is written) rather than send (one write). */
  all: boolean;
  /** The socket timeout when the op was made (renewed per write). */
  timeout: number | null;
}

/** The write machinery of one socket; `GreenSocket` validates arguments. */
export class WriteSide {
  #conn: Deno.Conn;
  #active: Park<WriteOp> | null = null;
  #queue = new ParkingLot<WriteOp>();
  #failed = false;
  /** Deno's error of the failed write (translated afresh for each caller). */
  #error: unknown = undefined;
  /** A write went through: a TLS handshake is done. */
  #wrote = false;
  #shut = false;
  #closedReason = "";
  /** What a parked send / sendall waits on (socketWaitLabel), made at its first park. */
  #sendLabel: string | null = null;
  #sendallLabel: string | null = null;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** True while a write (or the write-half shutdown) is in flight or queued. */
  get busy(): boolean {
    return this.#active !== null || this.#queue.length > 0;
  }

  /**
   * send (`all` false: resolves the count written by one write) or sendall
   * (`all` true: resolves once every byte is written). `what` names the
   * wait (default: "GreenSocket.sendall to <peer>").
   */
  write(
    g: GreenThread,
    data: Uint8Array,
    all: false,
    timeout: number | null,
    what?: string,
  ): Promise<number>;
  write(
    g: GreenThread,
    data: Uint8Array,
    all: true,
    timeout: number | null,
    what?: string,
  ): Promise<void>;
  write(
    g: GreenThread,
    data: Uint8Array,
    all: boolean,
    timeout: number | null,
    what?: string,
  ): Promise<unknown> {
    if (hasPendingError(g)) return deliverPending(g);
    const refusal = this.#refusal("send");
    if (refusal !== null) return failed(g, refusal);
    if (data.length === 0) return completed(g, all ? undefined : 0);
    return this.#enqueue(g, { data, off: 0, all, timeout }, what ?? this.#label(all));
  }

  /** Hot path: a field read per call instead of a Map lookup (see ReadSide). */
  #label(all: boolean): string {
    return all
      ? (this.#sendallLabel ??= socketWaitLabel("sendall to", this.#conn))
      : (this.#sendLabel ??= socketWaitLabel("send to", this.#conn));
  }

  /** shutdown("write"): after the writes already asked for, closes the write half. */
  shutdown(g: GreenThread, timeout: number | null): Promise<void> {
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#closedReason !== "") {
      return failed(g, closedError("shutdown", this.#closedReason));
    }
    if (this.#shut) return completed(g, undefined);
    this.#shut = true;
    const op = { data: null, off: 0, all: false, timeout };
    return this.#enqueue(g, op, "GreenSocket.shutdown") as Promise<void>;
  }

  #refusal(action: string): unknown {
    if (this.#closedReason !== "") return closedError(action, this.#closedReason);
    if (this.#failed) return this.#failure();
    if (this.#shut) {
      return new Deno.errors.BrokenPipe(`Cannot ${action}: socket is shut down for writing`);
    }
    return null;
  }

  #enqueue(g: GreenThread, op: WriteOp, what: string): Promise<unknown> {
    const busy = this.#active !== null || this.#queue.length > 0;
    if (busy && op.timeout === 0) return failed(g, new BlockingIOError());
    const park = newPark<WriteOp>(g, what);
    park.data = op;
    if (op.timeout !== null && op.timeout > 0) {
      setDeadline(park, rejectAfter(op.timeout, new SocketTimeout()));
    }
    if (busy) this.#queue.push(park);
    else this.#begin(park);
    return suspend(park);
  }

  #begin(park: Park<WriteOp>): void {
    this.#active = park;
    this.#issue(park.data!);
  }

  #issue(op: WriteOp): void {
    const data = op.data;
    if (data === null) {
      this.#conn.closeWrite().then(this.#onShut, this.#onShutError);
    } else {
      const chunk = op.off === 0 ? data : data.subarray(op.off);
      this.#conn.write(chunk).then(this.#onWrite, this.#onWriteError);
    }
  }

  #onWrite = (n: number): void => {
    const park = this.#active!;
    const op = park.data!;
    op.off += n;
    this.#wrote = true;
    if (this.#closedReason !== "") {
      this.#active = null;
      return;
    }
    if (park.state === PARKED) {
      if (op.all && op.off < op.data!.length) {
        if (op.timeout !== null && op.timeout > 0) {
          // eventlet's timeout covers each underlying send, not the sendall:
          // setDeadline replaces the park's deadline.
          setDeadline(park, rejectAfter(op.timeout, new SocketTimeout()));
        }
        this.#issue(op);
        return;
      }
      wakeNow(park, op.all ? undefined : n);
    }
    // Interrupted (or done): the rest of its data is not sent.
    this.#next();
  };

  #onWriteError = (error: unknown): void => {
    if (this.#closedReason === "") {
      this.#failed = true;
      this.#error = error;
      this.#rejectAll(() => this.#failure());
    }
    this.#active = null;
  };

  #onShut = (): void => {
    const park = this.#active!;
    wake(park, undefined);
    this.#next();
  };

  #onShutError = (error: unknown): void => {
    const park = this.#active!;
    if (this.#closedReason !== "") {
      this.#active = null;
      return;
    }
    // A peer that already went away: the write half is gone anyway.
    if (error instanceof Deno.errors.NotConnected || isPeerGone(error)) {
      wake(park, undefined);
    } else {
      const failure = translateIoError("shutdown", error, this.#conn, this.#wrote);
      wake(park, failWithCallerStack(failure));
    }
    this.#next();
  };

  #next(): void {
    this.#active = null;
    const park = this.#queue.head;
    if (park === null) return;
    this.#queue.remove(park);
    this.#begin(park);
  }

  /** The socket was closed: the waiting operations reject with BadResource. */
  close(reason = "socket is closed"): void {
    if (this.#closedReason !== "") return;
    this.#closedReason = reason;
    this.#rejectAll(() => closedError("send", reason));
  }

  /**
   * Rejects the operation in flight and every queued one, each with its
   * own `makeError()` carrying its caller's stack. The write in flight
   * still completes; its callback then clears `#active`.
   */
  #rejectAll(makeError: () => unknown): void {
    if (this.#active !== null) wake(this.#active, failWithCallerStack(makeError()));
    const queue = this.#queue;
    for (let p = queue.head; p !== null; p = queue.head) {
      wake(p, failWithCallerStack(makeError()));
    }
  }

  /** The error a send on a failed connection rejects with (a new one each time). */
  #failure(): unknown {
    return translateIoError("send", this.#error, this.#conn, this.#wrote);
  }
}
