/**
 * The watch: a server's one hub timer, for `requestTimeout` deadlines and
 * for noticing clients that went away.
 *
 * While requests are held, a timer fires every {@link TICK_SECONDS} s. It
 * times out the requests whose deadline passed (looking only at list heads:
 * every request has the same timeout, so arrival order is deadline order),
 * and gives an `abort` listener to the requests that have run for a whole
 * tick. With nothing held no timer is armed.
 *
 * Why not listen to every request's signal: on Deno 2.9.6 merely touching
 * `request.signal` and adding an `abort` listener costs about 9 µs, half of a
 * hello-world's throughput (0.44–0.51 × raw `Deno.serve` under wrk), and a
 * `Timeout` per request about as much. But the signal still aborts 2–3 ms
 * after a disconnect when it is first read long after it (read 200 ms after
 * the close, its listener fired 3 ms later). So a request that ends within a
 * tick — nearly all — never touches its signal, and one still running after
 * 10–20 ms gets a listener: a disconnect kills it within about 25 ms
 * (tests/http_limits_test.ts checks < 50 ms). Figures of the whole server
 * against raw `Deno.serve`: bench/README.md.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import { EntryList, type RequestEntry } from "./request_entry.ts";
import type { RequestSettings } from "./options.ts";

const hub = getHub();

/** The period of the watch's timer: the precision of `requestTimeout`. */
export const TICK_SECONDS = 0.01;

/** What the watch reports to the runner. */
export interface WatchOwner {
  /** `entry` (queued or running) passed its deadline. */
  timedOut(entry: RequestEntry): void;
  /** The client of running `entry` went away. */
  clientLeft(entry: RequestEntry): void;
}

/** See the module comment. */
export class RequestWatch {
  /** Running requests not yet listened to, in arrival order. */
  readonly young = new EntryList();
  /** Running requests with an `abort` listener, in arrival order. */
  readonly watched = new EntryList();
  readonly #owner: WatchOwner;
  readonly #waiting: EntryList;
  readonly #timeouts: boolean;
  readonly #disconnects: boolean;
  #generation = 0;
  #timer: { cancel(): void } | null = null;

  /** Watches the running requests it is given, and the deadlines of `waiting`. */
  constructor(owner: WatchOwner, settings: RequestSettings, waiting: EntryList) {
    this.#owner = owner;
    this.#waiting = waiting;
    this.#timeouts = settings.timeoutMs !== Infinity;
    this.#disconnects = settings.killOnDisconnect;
  }

  /** Starts watching a request that starts running. */
  add(entry: RequestEntry): void {
    entry.generation = this.#generation;
    this.young.push(entry);
    this.armed();
  }

  /** Arms the timer if it is not armed and there is something to watch. */
  armed(): void {
    if (this.#timer !== null || !(this.#timeouts || this.#disconnects)) return;
    this.#timer = hub.scheduleCallGlobal(TICK_SECONDS, this.#tick);
  }

  /** Cancels the timer (the server stopped). */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #tick = (): void => {
    this.#timer = null;
    if (this.#timeouts) {
      const now = performance.now();
      this.#expire(this.#waiting, now);
      this.#expire(this.watched, now);
      this.#expire(this.young, now);
    }
    if (this.#disconnects) {
      const young = this.young;
      const generation = this.#generation;
      for (let e = young.head; e !== null && e.generation < generation; e = young.head) {
        young.remove(e);
        this.watched.push(e);
        const signal = e.request.signal;
        if (signal.aborted) this.#owner.clientLeft(e);
        else signal.addEventListener("abort", e);
      }
    }
    this.#generation++;
    if (this.#waiting.size + this.young.size + this.watched.size > 0) this.armed();
  };

  /** Times out the head of `list` while its deadline has passed (it leaves the list). */
  #expire(list: EntryList, now: number): void {
    for (let e = list.head; e !== null && e.deadline <= now; e = list.head) {
      this.#owner.timedOut(e);
    }
  }
}
