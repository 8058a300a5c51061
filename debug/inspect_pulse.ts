/**
 * The hub's pulse: a sample of its counters once a second, kept for the last
 * five minutes, so the page can plot them from the moment it opens.
 *
 * Why sample even while no page is open: a page opened during a hang should
 * show the minutes before it. A sample is one `hub.stats()` call (O(1), no
 * walk of the greenthreads) on an unref'd Deno timer, so it never keeps the
 * process alive; bench/inspector.ts measures its cost on spawn and switch
 * rates (within noise: see bench/README.md).
 *
 * Event-loop lag is how late the sampler's own timer fires: a thread that
 * runs long without letting Deno's event loop turn delays it.
 *
 * @module
 */

import { hubCounters } from "./snapshot.ts";

/** One sample of the hub's counters. */
export interface PulseSample {
  /** Its number, counting from 1 (the event id of the page's stream). */
  seq: number;
  /** When it was taken (ms since the epoch). */
  time: number;
  /** Run-queue entries run per second since the previous sample. */
  switchesPerSecond: number;
  /** Run-queue entries waiting. */
  ready: number;
  /** Greenthreads parked at a switch point. */
  parked: number;
  /** Pending hub timers. */
  timers: number;
  /** How late the sampler's timer fired, in milliseconds. */
  lagMs: number;
}

/** Samples the hub's counters every `period` seconds; see the module comment. */
export class Pulse {
  readonly #periodMs: number;
  readonly #capacity: number;
  #samples: PulseSample[] = [];
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedAt = 0;
  #lastSwitches = 0;
  #lastAt = 0;
  #waiters: ((live: boolean) => void)[] = [];

  /** Keeps `capacity` samples taken every `period` seconds. */
  constructor(period = 1, capacity = 300) {
    this.#periodMs = period * 1000;
    this.#capacity = capacity;
  }

  /** Starts sampling (the first sample after one period). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#lastSwitches = hubCounters().switches;
    this.#lastAt = performance.now();
    this.#arm();
  }

  /** Stops sampling; pending `nextSample()` calls resolve with false. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeWaiters(false);
  }

  /** The number of the latest sample (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  /** The kept samples numbered above `seq`, oldest first. */
  samplesAfter(seq: number): PulseSample[] {
    const samples = this.#samples;
    let i = samples.length;
    while (i > 0 && samples[i - 1].seq > seq) i--;
    return samples.slice(i);
  }

  /**
   * Resolves with true at the next sample, or with false when sampling
   * stops. A pending call keeps nothing alive.
   */
  nextSample(): Promise<boolean> {
    if (this.#timer === undefined) return Promise.resolve(false);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #arm(): void {
    this.#armedAt = performance.now();
    const timer = setTimeout(this.#sample, this.#periodMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #sample = (): void => {
    const now = performance.now();
    const counters = hubCounters();
    const seconds = (now - this.#lastAt) / 1000;
    const sample: PulseSample = {
      seq: ++this.#seq,
      time: Date.now(),
      switchesPerSecond: seconds > 0
        ? Math.round((counters.switches - this.#lastSwitches) / seconds)
        : 0,
      ready: counters.ready,
      parked: counters.parked,
      timers: counters.timers,
      lagMs: Math.max(0, Math.round(now - this.#armedAt - this.#periodMs)),
    };
    this.#lastSwitches = counters.switches;
    this.#lastAt = now;
    this.#samples.push(sample);
    if (this.#samples.length > this.#capacity) this.#samples.shift();
    this.#arm();
    this.#wakeWaiters(true);
  };

  #wakeWaiters(live: boolean): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake(live);
  }
}
