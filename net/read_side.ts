/**
 * The reading half of a GreenSocket: a socket-owned buffer fed by at most
 * one outstanding Deno read.
 *
 * A Deno `conn.read(buf)` cannot be cancelled, so no `recv` ever issues one
 * into its caller's memory. The socket keeps one read in flight into its own
 * buffer; a `recv` parks until that read completes, and the bytes are handed
 * over (copied out) at the moment it is woken. A `recv` interrupted by a
 * `SocketTimeout`, a `kill` or a `Timeout` leaves the read pending: when it
 * completes the bytes stay buffered and the next `recv` returns them. So no
 * byte is ever lost or reordered. The read's completion resumes the recv at
 * once (`wakeNow`: no run-queue turn, see hub/park.ts).
 *
 * A read that fails because the peer went away (a reset, a TLS peer that
 * closed without `close_notify`) counts as EOF, as in eventlet; any other
 * failure (a TLS handshake refused) rejects every recv from then on, each
 * with a fresh error carrying its caller's stack.
 *
 * @module
 */

import {
  completed,
  deliverPending,
  failed,
  type GreenThread,
  hasPendingError,
  type Park,
  ParkingLot,
  rejectAfter,
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

/** The empty result of a recv at EOF (zero-length, so sharing it is safe). */
const EMPTY: Uint8Array = new Uint8Array(0);
/** Smallest and largest slab (and read) size. */
const MIN_READ = 4096;
const MAX_READ = 65536;
/** A slab with less room than this is retired: the next read gets a new one. */
const LOW_WATER = 1024;

/** What a recv wants: `bufsize` bytes (recv) or a buffer to fill (recvInto). */
type Want = number | Uint8Array;

function wantSize(want: Want): number {
  return typeof want === "number" ? want : want.length;
}

function eofValue(want: Want): Uint8Array | number {
  return typeof want === "number" ? EMPTY : 0;
}

/**
 * The read machinery of one socket; `GreenSocket` validates arguments and
 * passes the current greenlet and timeout.
 */
export class ReadSide {
  #conn: Deno.Conn;
  // Reads go into a slab, back to back; recv hands out views of it (no
  // copy, no ArrayBuffer per recv, which is what costs most in V8). A view
  // keeps its slab alive, as the chunks of Deno's own `conn.readable` do.
  // [#start, #end) is received and not yet handed out; #pos is where the
  // next read goes (== #end once the read completed).
  #slab: Uint8Array = EMPTY;
  #pos = 0;
  #start = 0;
  #end = 0;
  #reading = false;
  #eof = false;
  #failed = false;
  /** Deno's error of the failed read (translated afresh for each recv). */
  #error: unknown = undefined;
  /** A read brought data: a TLS handshake is done. */
  #gotData = false;
  /** Closed or shut down: results of the read in flight are dropped. */
  #dropped = false;
  /** Why recv fails ("socket is closed"); empty while open. */
  #closedReason = "";
  #readers = new ParkingLot<Want>();
  /** What a parked recv / recvInto waits on (socketWaitLabel), made at its first park. */
  #recvLabel: string | null = null;
  #recvIntoLabel: string | null = null;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** No Deno read in flight and no byte received but not yet returned. */
  get idle(): boolean {
    return !this.#reading && this.#end === this.#start;
  }

  /**
   * recv/recvInto: resolves a Uint8Array (want = bufsize) or a count (want =
   * buffer). `timeout` null blocks, 0 is non-blocking, > 0 a deadline.
   * `what` names the wait (default: "GreenSocket.recv from <peer>").
   */
  recv(g: GreenThread, want: number, timeout: number | null, what?: string): Promise<Uint8Array>;
  recv(g: GreenThread, want: Uint8Array, timeout: number | null, what?: string): Promise<number>;
  recv(g: GreenThread, want: Want, timeout: number | null, what?: string): Promise<unknown> {
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#closedReason !== "") return failed(g, closedError("recv", this.#closedReason));
    if (this.#end > this.#start) return completed(g, this.#take(want));
    if (this.#failed) return failed(g, this.#failure());
    if (this.#eof) return completed(g, eofValue(want));
    if (timeout === 0) {
      // Like a readable check on a non-blocking fd: start a read so that the
      // bytes are buffered for a later recv, and fail now.
      this.#startRead(wantSize(want));
      return failed(g, new BlockingIOError());
    }
    const label = what ?? this.#label(want);
    const parked = timeout === null
      ? this.#readers.park(g, label, want)
      : this.#readers.parkFor(g, label, rejectAfter(timeout, new SocketTimeout()), want);
    this.#startRead(wantSize(want));
    return parked;
  }

  /**
   * Hot path: a field read per park, where a Map lookup per call was ~4 % of
   * the echo loop's JavaScript (fake-connection profile, C = 1000).
   */
  #label(want: Want): string {
    return typeof want === "number"
      ? (this.#recvLabel ??= socketWaitLabel("recv from", this.#conn))
      : (this.#recvIntoLabel ??= socketWaitLabel("recvInto from", this.#conn));
  }

  /** Hands out up to what `want` asks from the buffer: the effect of a recv. */
  #take(want: Want): Uint8Array | number {
    const start = this.#start;
    const avail = this.#end - start;
    if (typeof want === "number") {
      if (want === 0) return EMPTY; // recv(0) only waits for readability
      const n = want < avail ? want : avail;
      this.#start = start + n;
      return this.#slab.subarray(start, start + n);
    }
    const n = want.length < avail ? want.length : avail;
    if (n > 0) want.set(this.#slab.subarray(start, start + n));
    this.#start = start + n;
    return n;
  }

  #startRead(hint: number): void {
    if (this.#reading || this.#eof || this.#failed || this.#dropped) return;
    const size = hint < MIN_READ ? MIN_READ : hint > MAX_READ ? MAX_READ : hint;
    const room = this.#slab.length - this.#pos;
    // A new slab when this one is nearly full, or too small for what is asked.
    if (room < LOW_WATER || (room < size && this.#slab.length < size)) {
      this.#slab = new Uint8Array(size);
      this.#pos = 0;
    }
    this.#start = this.#end = this.#pos;
    this.#reading = true;
    this.#conn.read(this.#slab.subarray(this.#pos)).then(this.#onRead, this.#onReadError);
  }

  #onRead = (n: number | null): void => {
    this.#reading = false;
    if (this.#dropped) return;
    if (n === null) {
      this.#eof = true;
      this.#wakeAllAtEof();
      return;
    }
    this.#end = this.#pos = this.#start + n;
    if (n > 0) this.#gotData = true;
    // Hand the bytes over in FIFO order; every park in the list is PARKED
    // (a kill or timeout takes its park out), so each wake succeeds.
    const readers = this.#readers;
    let park: Park<Want> | null = readers.head;
    while (park !== null && this.#end > this.#start) {
      wakeNow(park, this.#take(park.data!));
      park = readers.head;
    }
    if (park !== null) this.#startRead(wantSize(park.data!));
  };

  #onReadError = (error: unknown): void => {
    this.#reading = false;
    if (this.#dropped) return;
    if (isPeerGone(error)) {
      this.#eof = true;
      this.#wakeAllAtEof();
      return;
    }
    this.#failed = true;
    this.#error = error;
    const readers = this.#readers;
    for (let park = readers.head; park !== null; park = readers.head) {
      wake(park, failWithCallerStack(this.#failure()));
    }
  };

  /** The error a recv on a failed connection rejects with (a new one each time). */
  #failure(): unknown {
    return translateIoError("recv", this.#error, this.#conn, this.#gotData);
  }

  #wakeAllAtEof(): void {
    const readers = this.#readers;
    for (let park = readers.head; park !== null; park = readers.head) {
      wake(park, eofValue(park.data!));
    }
  }

  /** After shutdown("read"): buffered bytes are dropped, every recv sees EOF. */
  shutdown(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#eof = true;
    this.#start = this.#end = 0;
    this.#wakeAllAtEof();
  }

  /** The socket was closed: parked and later recvs reject with BadResource. */
  close(reason = "socket is closed"): void {
    if (this.#closedReason !== "") return;
    this.#dropped = true;
    this.#closedReason = reason;
    this.#start = this.#end = 0;
    const readers = this.#readers;
    for (let park = readers.head; park !== null; park = readers.head) {
      wake(park, failWithCallerStack(closedError("recv", reason)));
    }
  }
}
