/**
 * A naive greenthread design, for scale in the spawn benchmarks: each
 * greenthread an async function inside its own `AsyncLocalStorage.run`
 * (what identity across awaits needs), started after the spawner yields.
 * It has no kill, Timeout, links or run queue: a floor for what a plain
 * design pays, not a usable one.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";

const context = new AsyncLocalStorage<NaiveThread>();

/** `new NaiveThread(fn, i)` runs `fn(i)` as a naive greenthread; await `done`. */
export class NaiveThread {
  /** Settles with what `fn(i)` returned. */
  readonly done: Promise<number>;

  constructor(fn: (i: number) => number, i: number) {
    this.done = context.run(this, async () => {
      await undefined; // starts after the spawner yields, as spawn's do
      return fn(i);
    });
  }
}
