/**
 * Instruments: observers of the hub (trio's `Instrument` idea).
 *
 * An instrument is an object with any of the hooks of `Instrument`; added
 * to `getHub().instruments`, it is called as the hub works. `debug/`, the
 * inspector and the test clock are built on them. The hub calls a hook only
 * through `activeInstruments`, which is null while no instrument is
 * installed: an empty slot costs one null check at each place a hook
 * could be called.
 *
 * @module
 */

import type { GreenThread } from "./greenthread.ts";
import { observeInstruments } from "./observed.ts";

/**
 * Hooks the hub calls; an instrument defines the ones it needs. Hooks run
 * synchronously inside the hub: they must be quick and must not call a
 * switch point. One that throws is removed, and its error goes to
 * `hub.onError`.
 *
 * - `beforeSwitch(gt)`: the run queue hands the thread to `gt`, to start
 *   or to resume (its code runs next, in this pump).
 * - `afterSwitch(gt)`: `gt` gave the thread back: it parked, yielded or
 *   ended.
 * - `completedAtOnce(gt)`: `gt` passed a switch point that completed at
 *   once (an item was waiting, a permit was free, an error it had not
 *   seen yet was delivered): it keeps the thread.
 * - `spawned(gt)`: `gt` was created (queued to start, or waiting for its
 *   `spawnAfter` delay). `ended(gt)`: it ended (returned, threw, killed).
 * - `parked(gt, what)`: `gt` waits at a switch point; `what` names it
 *   ("sleep", "Queue.get", …). `woken(gt, what)`: its wait's outcome is
 *   decided (woken, timed out or interrupted); it resumes at its turn.
 * - `timerArmed(deadline)`, `timerFired(deadline)`: a hub timer (a sleep
 *   or wait deadline, a `Timeout`, a `scheduleCall*`) was scheduled or
 *   fired; `deadline` is when it is due, in seconds on the hub's clock
 *   (`performance.now()`, or the virtual time of a mock clock).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getHub, type Instrument } from "@eventlet/eventlet/hub";
 * import { sleep } from "@eventlet/eventlet";
 * const seen: string[] = [];
 * const spy: Instrument = { parked: (_gt, what) => seen.push(what) };
 * getHub().instruments.add(spy);
 * await sleep(0.001);
 * getHub().instruments.remove(spy);
 * assert.equal(seen.includes("sleep"), true);
 * ```
 */
export interface Instrument {
  /** The run queue hands the thread to `gt`. */
  beforeSwitch?(gt: GreenThread): void;
  /** `gt` gave the thread back (parked, yielded or ended). */
  afterSwitch?(gt: GreenThread): void;
  /** `gt` passed a switch point that completed at once, keeping the thread. */
  completedAtOnce?(gt: GreenThread): void;
  /** `gt` was spawned. */
  spawned?(gt: GreenThread): void;
  /** `gt` ended. */
  ended?(gt: GreenThread): void;
  /** `gt` parked at the switch point `what`. */
  parked?(gt: GreenThread, what: string): void;
  /** The wait of `gt` at `what` has its outcome; it resumes at its turn. */
  woken?(gt: GreenThread, what: string): void;
  /** A hub timer due at `deadline` (seconds, on the hub's clock) was scheduled. */
  timerArmed?(deadline: number): void;
  /** A hub timer due at `deadline` fired. */
  timerFired?(deadline: number): void;
}

type HookName = keyof Instrument;
const HOOKS: HookName[] = [
  "beforeSwitch",
  "afterSwitch",
  "completedAtOnce",
  "spawned",
  "ended",
  "parked",
  "woken",
  "timerArmed",
  "timerFired",
];

/** Calls every installed instrument's hook (internal: see the module comment). */
export type InstrumentCalls = Required<
  {
    [K in HookName]: (...args: Parameters<NonNullable<Instrument[K]>>) => void;
  }
>;

/**
 * What the hub calls, or null while no instrument is installed. Hub code
 * reads it into a local, checks for null, and calls the hook.
 */
export let activeInstruments: InstrumentCalls | null = null;

/** Where a throwing instrument's error goes (set by the scheduler). */
let report: (error: unknown) => void = (error) => console.error(error);

/** Sets where a throwing instrument's error goes. */
export function setInstrumentErrorReporter(fn: (error: unknown) => void): void {
  report = fn;
}

/**
 * The hub's instrument slot: `getHub().instruments`.
 *
 * - Hooks of several instruments run in the order they were added.
 * - Adding one twice does nothing; `remove` of one not installed returns false.
 * - With none installed the hub pays one null check per place a hook could run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getHub } from "@eventlet/eventlet/hub";
 * const spawns = { n: 0, spawned() { this.n++; } };
 * getHub().instruments.add(spawns);
 * assert.equal(getHub().instruments.has(spawns), true);
 * getHub().instruments.remove(spawns);
 * ```
 */
export class Instruments {
  #list: Instrument[] = [];

  /**
   * Installs `instrument` (after those already installed).
   *
   * @example
   * ```ts
   * import { getHub } from "@eventlet/eventlet/hub";
   * const ends = { ended: () => console.log("a greenthread ended") };
   * getHub().instruments.add(ends);
   * getHub().instruments.remove(ends);
   * ```
   */
  add(instrument: Instrument): void {
    if (typeof instrument !== "object" || instrument === null) {
      throw new TypeError(
        `Cannot add instrument: instrument must be an object, received ${
          instrument === null ? "null" : typeof instrument
        }`,
      );
    }
    if (this.#list.includes(instrument)) return;
    this.#list.push(instrument);
    this.#rebuild();
  }

  /**
   * Uninstalls `instrument`; false if it was not installed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { getHub } from "@eventlet/eventlet/hub";
   * assert.equal(getHub().instruments.remove({}), false);
   * ```
   */
  remove(instrument: Instrument): boolean {
    const i = this.#list.indexOf(instrument);
    if (i < 0) return false;
    this.#list.splice(i, 1);
    this.#rebuild();
    return true;
  }

  /**
   * True if `instrument` is installed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { getHub } from "@eventlet/eventlet/hub";
   * assert.equal(getHub().instruments.has({}), false);
   * ```
   */
  has(instrument: Instrument): boolean {
    return this.#list.includes(instrument);
  }

  /**
   * How many instruments are installed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { getHub } from "@eventlet/eventlet/hub";
   * assert.equal(getHub().instruments.size, 0);
   * ```
   */
  get size(): number {
    return this.#list.length;
  }

  #rebuild(): void {
    if (this.#list.length === 0) {
      activeInstruments = null;
      observeInstruments(false);
      return;
    }
    const calls = {} as Record<HookName, (...args: never[]) => void>;
    for (const hook of HOOKS) {
      const having = this.#list.filter((i) => typeof i[hook] === "function");
      calls[hook] = (...args: never[]) => {
        for (const instrument of having) {
          try {
            (instrument[hook] as (...a: never[]) => void)(...args);
          } catch (error) {
            this.remove(instrument);
            report(error);
          }
        }
      };
    }
    activeInstruments = calls as unknown as InstrumentCalls;
    observeInstruments(true);
  }
}
