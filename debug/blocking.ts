/**
 * Blocking detection: notice code that runs too long without a switch point.
 *
 * A watchdog in a Web Worker watches a heartbeat in a `SharedArrayBuffer`
 * that the hub bumps at every pump (and a timer bumps while the thread is
 * idle). When the beat stops for `resolution` seconds, the main thread is
 * blocked; the watchdog records for how long, and the report is delivered
 * as soon as the thread runs again — at the blocking greenthread's next
 * switch point, so it can be named.
 *
 * @module
 */

import {
  checkBlocked,
  type GreenThread,
  reportError,
  setBlockWatch,
  spawnSiteOf,
} from "../hub/lowlevel.ts";
import { typeName } from "../hub/checks.ts";

/**
 * Reported through `hub.onError` when a greenthread ran longer than the
 * detection resolution without reaching a switch point.
 *
 * @example
 * ```ts
 * import { BlockingDetected } from "@eventlet/eventlet/debug";
 * import { getHub } from "@eventlet/eventlet/hub";
 * getHub().onError = (e) => {
 *   if (e instanceof BlockingDetected) console.warn(e.message);
 * };
 * ```
 */
export class BlockingDetected extends Error {
  /** The greenthread that blocked, when known (it reached a switch point). */
  readonly greenthread: GreenThread | undefined;
  /** How long the thread went without a switch, in milliseconds (at least). */
  readonly blockedMs: number;

  /** Makes the report; done by the detector. */
  constructor(greenthread: GreenThread | undefined, blockedMs: number, resolution: number) {
    const g = greenthread;
    const who = g === undefined
      ? "Code outside any switch point"
      : `Greenthread "${g.name ?? g.id}" (id ${g.id})`;
    const spawnSite = g === undefined ? undefined : spawnSiteOf(g);
    const site = spawnSite === undefined ? "" : `; spawned at ${spawnSite}`;
    super(
      `${who} ran for about ${blockedMs} ms without reaching a switch point ` +
        `(resolution ${resolution} s)${site}`,
    );
    this.name = "BlockingDetected";
    this.greenthread = greenthread;
    this.blockedMs = blockedMs;
  }
}

/** Options of `hubBlockingDetection`. */
export interface BlockingDetectionOptions {
  /** Seconds without a switch that count as blocking (default 1, must be > 0). */
  resolution?: number;
}

// The watchdog's whole program: it polls the beat four times per resolution.
// A thread stuck for STUCK_FACTOR resolutions may never reach a switch point
// again (an endless loop), so the watchdog says so itself, once, on stderr.
const STUCK_FACTOR = 10;
const WATCHDOG_SOURCE = `
let watch, resolutionMs, lastBeat = -1, lastChange = 0, warned = false;
self.onmessage = (event) => {
  watch = new Int32Array(event.data.buffer);
  resolutionMs = event.data.resolutionMs;
  lastChange = performance.now();
  setInterval(() => {
    const beat = Atomics.load(watch, 0);
    const now = performance.now();
    if (beat !== lastBeat) { lastBeat = beat; lastChange = now; warned = false; return; }
    const blocked = Math.round(now - lastChange);
    if (blocked < resolutionMs) return;
    Atomics.store(watch, 1, blocked);
    // The main thread may have resumed meanwhile: then withdraw.
    if (Atomics.load(watch, 0) !== lastBeat) {
      Atomics.compareExchange(watch, 1, blocked, 0);
    } else if (!warned && blocked >= ${STUCK_FACTOR} * resolutionMs) {
      warned = true;
      console.error("eventlet: the thread has run for " + blocked + " ms without reaching a " +
        "switch point (hubBlockingDetection); the report follows when it reaches one");
    }
  }, Math.max(1, resolutionMs / 4));
};
`;

let worker: Worker | null = null;
let idleBeat: ReturnType<typeof setInterval> | undefined;

/**
 * Turns blocking detection on or off. While on, a greenthread that runs
 * longer than `resolution` seconds without reaching a switch point is
 * reported through `hub.onError` as a `BlockingDetected` naming it (and
 * where it was spawned, with `captureSpawnSites(true)`). The check works
 * while the thread is blocked, because the watchdog is another thread.
 *
 * - The watchdog Worker keeps the process alive: turn detection off when
 *   done (Deno cannot unref a Worker).
 * - Deviation: eventlet raises the alarm *inside* the blocking code (a
 *   signal); JavaScript cannot interrupt synchronous code from another
 *   thread, so the report arrives when the code reaches its next switch
 *   point, or ends (then it names that greenthread), or else at the next
 *   idle beat, unnamed. A thread stuck for 10 resolutions (an endless loop
 *   that may never yield) gets one line on stderr from the watchdog itself.
 * - Durations are measured by polling four times per resolution: a block
 *   just over the resolution may go unreported.
 * - `resolution` must be a positive, finite number of seconds (`RangeError`;
 *   not a number, `null` included: `TypeError`).
 *
 * @example
 * ```ts
 * import { hubBlockingDetection } from "@eventlet/eventlet/debug";
 * import { sleep } from "@eventlet/eventlet";
 * hubBlockingDetection(true, { resolution: 0.1 });
 * const end = Date.now() + 200;
 * while (Date.now() < end) { /* blocks the thread for 200 ms *\/ }
 * await sleep(0); // BlockingDetected goes to hub.onError here
 * hubBlockingDetection(false);
 * ```
 */
export function hubBlockingDetection(on: boolean, options: BlockingDetectionOptions = {}): void {
  if (typeof on !== "boolean") {
    throw new TypeError(
      `Cannot set up blocking detection: on must be a boolean, received ${typeName(on)}`,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot set up blocking detection: options must be an object, received ${typeName(options)}`,
    );
  }
  const resolution = options.resolution === undefined ? 1 : options.resolution;
  if (typeof resolution !== "number") {
    throw new TypeError(
      `Cannot set up blocking detection: resolution must be a number of seconds, received ${
        typeName(resolution)
      }`,
    );
  }
  if (!(resolution > 0) || resolution === Infinity) {
    throw new RangeError(
      `Cannot set up blocking detection: resolution must be a positive number of seconds, received ${
        String(resolution)
      }`,
    );
  }
  stop();
  if (!on) return;
  const watch = new Int32Array(new SharedArrayBuffer(8));
  const url = URL.createObjectURL(new Blob([WATCHDOG_SOURCE], { type: "text/javascript" }));
  worker = new Worker(url, { type: "module" });
  URL.revokeObjectURL(url);
  worker.postMessage({ buffer: watch.buffer, resolutionMs: resolution * 1000 });
  setBlockWatch(watch, (greenlet, blockedMs) => {
    Atomics.add(watch, 0, 1); // resumed: the episode is over
    reportError(new BlockingDetected(greenlet, blockedMs, resolution), greenlet);
  });
  // While the thread is idle nothing pumps; this beat tells the watchdog
  // the thread is alive, and reports an episode no switch point claimed.
  const beat = setInterval(() => {
    Atomics.add(watch, 0, 1);
    checkBlocked(undefined);
  }, Math.max(1, (resolution * 1000) / 4));
  Deno.unrefTimer(beat as unknown as number);
  idleBeat = beat;
}

function stop(): void {
  if (worker !== null) worker.terminate();
  worker = null;
  if (idleBeat !== undefined) clearInterval(idleBeat);
  idleBeat = undefined;
  setBlockWatch(null, null);
}
