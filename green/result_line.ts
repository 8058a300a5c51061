/**
 * ResultLine: greenthreads' results handed to readers in spawn order.
 *
 * The shared engine of `GreenPile` and `GreenPool.imap`: greenthreads are
 * pushed in order; readers take the head's outcome when it has ended,
 * first-come first-served. The hand-over is decided when the reader is
 * woken, so a reader killed while it waits takes nothing (the result stays
 * for the next reader) and a reader killed after being woken still got it.
 *
 * Error reporting follows the API contract ("only the user's waits count"):
 * the line's own bookkeeping is an exit hook, which does not count as
 * observing an error; a head greenthread counts as awaited (linked) only
 * while a reader is actually waiting for it. So an error raised while
 * nobody reads is reported through `hub.onError` and still rethrown to the
 * reader that reads it later.
 *
 * Internal to the package.
 *
 * @module
 */

import { Fifo } from "../hub/fifo.ts";
import {
  addExitHook,
  completed,
  completedHere,
  deliverPending,
  failed,
  type GreenThread,
  hasPendingError,
  isDead,
  outcomeOf,
  type Park,
  ParkingLot,
  pendingErrorCount,
  wake,
  wakeWithError,
} from "../hub/lowlevel.ts";

/**
 * The end of an async iteration.
 * @ignore
 */
export const DONE: IteratorReturnResult<undefined> = Object.freeze({
  value: undefined,
  done: true,
});

function noop(): void {}

/**
 * Results of greenthreads in push order; see the module comment.
 * @ignore
 */
export class ResultLine<T, O = unknown> {
  #gts = new Fifo<GreenThread<T>>();
  // Parked readers; park.data is true for readers that want an IteratorResult.
  #readers = new ParkingLot<boolean>();
  // The head last hooked and linked because a reader waited for it.
  #watched: GreenThread<T> | null = null;
  #owner: O;
  #onTake: (owner: O, ok: boolean) => void;

  /**
   * `onTake(owner, ok)` runs after each hand-over (ok: a value, not an
   * error). One function for every line of a kind, given its owner, not a
   * closure per line: V8's optimized `readNow` calls the one closure it
   * met, and deopts when the next map brings another. The second
   * `GreenPool(1000).imap` of 200k trivial calls in a process (the run
   * `deno task compare` times), median of 12 fresh processes each,
   * alternating: 35.5 ms with a closure per line, 30.6 with this.
   */
  constructor(owner: O, onTake: (owner: O, ok: boolean) => void) {
    this.#owner = owner;
    this.#onTake = onTake;
  }

  /** Greenthreads whose results are not handed over yet. */
  get length(): number {
    return this.#gts.length;
  }

  /** Readers waiting. */
  get readers(): number {
    return this.#readers.length;
  }

  /** Appends `gt`; its result goes to a reader after those pushed before it. */
  push(gt: GreenThread<T>): void {
    this.#gts.push(gt);
    // A reader waiting on an empty line gets it now (it may have ended
    // already: GreenPool's inline run) or when it ends. The readers are
    // checked first, at every push: checked second, behind `length === 1`
    // (true only at a line's first push), their read had no feedback in code
    // V8 optimized during one map, and the next map's first push deopted
    // the fill loop. With the array's end moved out
    // of that loop too (GreenMap #fillFromArray), the second
    // `GreenPool(1000).imap` of 200k trivial calls in a process: 31.5 ->
    // 26.4 ms (median over the 7 of 14 alternating fresh processes per tree
    // whose later runs went at full speed; the host halved the others').
    if (this.#readers.length > 0 && this.#gts.length === 1) this.#deliver();
  }

  /**
   * The next result for `g`: at once if the head has ended and nobody is
   * ahead, else parks `g` (`what` names the wait). `iter`: resolve an
   * IteratorResult instead of the bare value. An error is rethrown. The
   * caller makes sure a result will come (or ends the reader itself).
   */
  read(g: GreenThread, iter: boolean, what: string): Promise<unknown> {
    if (hasPendingError(g)) return deliverPending(g);
    const head = this.#gts.peek();
    if (head !== undefined && isDead(head) && this.#readers.length === 0) {
      this.#gts.shift();
      const outcome = outcomeOf(head)!;
      // Our own result before onTake's spawns and wake-ups: if the loop
      // budget makes us yield, we are queued ahead of them and still resume first.
      const done = outcome.ok
        ? completed(g, iter ? { value: outcome.value, done: false } : outcome.value)
        : failed(g, outcome.error);
      this.#onTake(this.#owner, outcome.ok);
      return done;
    }
    const parked = this.#readers.park(g, what, iter);
    this.#watchHead();
    return parked;
  }

  /**
   * `read`'s at-once path for an iterator, without looking the reader up:
   * the head's value as an IteratorResult if it has ended with one, nobody
   * waits before us and no greenlet holds a pending error (so neither does
   * the reader); else undefined, and the caller uses `read`. Hot path: the
   * lookup is a call into Deno's core per result. `GreenPool(1000).imap`
   * over 200k trivial calls, both trees in one process (`taskset -c 1`,
   * 15 and 21 alternating rounds, run twice with either tree loaded
   * first), time per call with this / without: 0.928, 0.972, 0.927, 0.958.
   */
  readNow(): Promise<IteratorResult<T>> | undefined {
    if (pendingErrorCount !== 0 || this.#readers.length !== 0) return undefined;
    const head = this.#gts.peek();
    if (head === undefined || !isDead(head)) return undefined;
    const outcome = outcomeOf(head)!;
    if (!outcome.ok) return undefined; // `read` rethrows it
    this.#gts.shift();
    // As in `read`: our result before onTake's spawns and wake-ups.
    const done = completedHere<IteratorResult<T>>({ value: outcome.value, done: false });
    this.#onTake(this.#owner, true);
    return done;
  }

  /** The waiting readers after the first `keep` (those no pushed result will reach). */
  readersAfter(keep: number): Park<boolean>[] {
    const parks: Park<boolean>[] = [];
    for (const park of this.#readers) if (keep-- <= 0) parks.push(park);
    return parks;
  }

  /** Removes and returns every greenthread not handed over yet. */
  takeAll(): GreenThread<T>[] {
    const gts = [...this.#gts];
    this.#gts.clear();
    return gts;
  }

  #onExit = (gt: GreenThread<T>): void => {
    if (gt === this.#gts.peek()) this.#deliver();
  };

  // Runs in the exit hook of the head: must never throw.
  #deliver(): void {
    for (;;) {
      const head = this.#gts.peek();
      const park = this.#readers.head;
      if (head === undefined || park === null || !isDead(head)) break;
      this.#gts.shift();
      const outcome = outcomeOf(head)!;
      if (!outcome.ok) wakeWithError(park, outcome.error);
      else wake(park, park.data ? { value: outcome.value, done: false } : outcome.value);
      this.#onTake(this.#owner, outcome.ok);
    }
    this.#watchHead();
  }

  // A reader waits for the head: its end must hand the result over (the
  // exit hook), and the wait counts as awaiting it (as a link does), so its
  // error is not reported as unobserved. Only a waited-for head is hooked:
  // a head that ends while nobody waits is read at once by the next reader,
  // so the rest need no hook: one array and one hook call fewer per call.
  // GreenPool(1000).imap over 200k trivial calls, CPU ms (median of 7 runs
  // per process, 4 alternating processes, taskset -c 0): 72.2-76.0 -> 62.4-67.7.
  #watchHead(): void {
    const head = this.#gts.peek();
    if (
      head === undefined || head === this.#watched || isDead(head) || this.#readers.length === 0
    ) return;
    this.#watched = head;
    addExitHook(head, this.#onExit);
    head.link(noop);
  }
}
