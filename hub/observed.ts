/**
 * One flag for the at-once hot path: true while the blocking watchdog
 * (debug/blocking.ts) or any instrument (instruments.ts) is listening.
 *
 * An operation that completes at once (`completed`/`failed` in
 * switch_points.ts: every buffered queue put and get, every acquire of a
 * free semaphore) reads this one flag and nothing else about observers; the
 * checks themselves live off the hot path. Two separate checks there (the
 * watchdog's, the instruments') cost 1-4 % of `Queue(100)` throughput: a
 * producer and a consumer greenthread passing 3M items, `taskset -c 1`,
 * alternating runs, 11.9-12.2M/s with two checks, 12.1-12.4M/s with one,
 * 12.2-12.8M/s with none.
 *
 * @module
 */

let blockWatchOn = false;
let instrumentsOn = false;

/** True while the blocking watchdog or an instrument listens at switch points. */
export let atOnceObserved = false;

/** The blocking watchdog turned on or off (scheduler.ts `setBlockWatch`). */
export function observeBlockWatch(on: boolean): void {
  blockWatchOn = on;
  atOnceObserved = blockWatchOn || instrumentsOn;
}

/** The first instrument was added or the last removed (instruments.ts). */
export function observeInstruments(on: boolean): void {
  instrumentsOn = on;
  atOnceObserved = blockWatchOn || instrumentsOn;
}
