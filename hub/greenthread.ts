/**
 * GreenThread: a cheap cooperative thread with a result, links and kill.
 *
 * Contract:
 * - It runs only at its switch points' turns: `spawn` queues it and returns;
 *   it starts when the hub's run queue reaches it.
 * - It ends once: with a value, with an error, or killed (`GreenletExit`).
 * - An error nobody waits for or links goes once to `hub.onError`.
 *
 * It lives in `hub/` because the hub makes two of them itself: the
 * thread's main greenthread and the hub's own (main_greenthreads.ts, whose
 * functions this file re-exports). The package's own entry points into a
 * greenthread (start, outcome, exit hooks) are the functions declared
 * above the class and set in its static block; no entry point re-exports
 * them. Links and other rarely used state: greenthread_rare.ts.
 *
 * @module
 */

import { CARRIED } from "./async_context.ts";
import { checkFunction } from "./checks.ts";
import {
  FIRST_FREE_FLAG,
  GreenletCore,
  type GreenletRare,
  installCoreFields,
  interrupt,
  interruptDelivered,
  isDead,
  isStarted,
  markDead,
  markStarted,
  signalOf,
} from "./greenlet_core.ts";
import { GreenletExit, isKill } from "./greenlet_exit.ts";
import { EndWatchers, rare, rareIfMade } from "./greenthread_rare.ts";
import { activeInstruments } from "./instruments.ts";
import { currentGreenlet } from "./main_greenthreads.ts";
import { type Park, wake, wakeWithError } from "./park.ts";
import { checkBlocked, reportError, unregister } from "./scheduler.ts";
import { completed, deliverPending, failed, hasPendingError, throwInto } from "./switch_points.ts";

export { GreenletExit };
export { currentGreenlet, hubGreenlet, mainGreenlet } from "./main_greenthreads.ts";
export { runInline } from "./greenthread_start.ts";

/** A callback given to `link`, called with the greenthread and its extra args. */
// deno-lint-ignore no-explicit-any
export type LinkCallback<T> = (gt: GreenThread<T>, ...args: any[]) => unknown;

// Its outcome, and OBSERVED once someone waited or linked: bits of #flags
// above the scheduler's own (greenlet_core.ts): one field, not two, as every
// greenthread carries it (8 B, bench/compare/parked_memory_ours.ts).
const RETURNED = FIRST_FREE_FLAG;
const FAILED = FIRST_FREE_FLAG * 2;
const OUTCOME = RETURNED | FAILED;
const OBSERVED = FIRST_FREE_FLAG * 4;
/** Its function takes the one argument stored where the argument list would be. */
const SOLE_ARGUMENT = FIRST_FREE_FLAG * 8;
/**
 * Its rare state holds AsyncLocalStorage values not yet taken by its start.
 * A bit, so that start and end never read rare state for them: that read
 * deopted the next imap's first call (35.5 -> 33.0 ms, RESULTS.md, seventh
 * session).
 */
const SPAWN_CONTEXT = FIRST_FREE_FLAG * 16;
/** The data of a park that waits in `kill()`: it resolves whatever the outcome. */
const KILL_WAIT = 1;

let nextId = 1;

/**
 * Marks it started and calls its function, dropping the function and its
 * arguments so no frame keeps them (greenthread_start.ts starts it).
 */
export let begin: (gt: GreenThread) => unknown;
/** Ends the greenthread with the outcome of its function (or its promise). */
export let settle: (gt: GreenThread, ok: boolean, result: unknown) => void;
/**
 * Gives an unstarted greenthread (made with no argument list) the one
 * argument its function will be called with: no list to allocate and no
 * spread call (GreenMap, green/greenmap.ts, gives the figure).
 */
export let setSoleArgument: (gt: GreenThread, arg: unknown) => void;
/** The AsyncLocalStorage values it starts with, handed over once at its start. */
export let takeSpawnContext: (gt: GreenThread) => unknown;
/** Where it was spawned (one stack line) when spawn sites are captured. */
export let spawnSiteOf: (gt: GreenThread) => string | undefined;
/** Records where it was spawned. */
export let setSpawnSite: (gt: GreenThread, line: string | undefined) => void;
/**
 * Package bookkeeping (GreenPool, serve): `fn` runs when it ends, before
 * the links, and does not count as handling its error.
 */
// deno-lint-ignore no-explicit-any
export let addExitHook: <T>(gt: GreenThread<T>, fn: (gt: GreenThread<any>) => void) => void;
/** Its outcome once dead: `{ ok: true, value }` or `{ ok: false, error }`. */
export let outcomeOf: <T>(
  gt: GreenThread<T>,
) => { ok: true; value: T } | { ok: false; error: unknown } | undefined;

/**
 * A greenthread: made by `spawn`, `spawnAfter`, `GreenPool.spawn`.
 *
 * - `wait()` gives its return value, or rethrows its error (`GreenletExit`
 *   if it was killed); many waiters all get the same outcome.
 * - `kill()` throws an error into it at the switch point where it is parked
 *   (so its `finally` blocks run) and resolves once it has ended. Killed
 *   before it started, it never runs.
 * - Links run when it ends, in link order, in its own context; a link
 *   added by a link runs after the others in that pass; a link added after
 *   it ended runs at once.
 * - `signal` aborts when an error is thrown into it; after that error
 *   surfaces it gets a fresh one.
 * - It starts with the `AsyncLocalStorage` values of the code that spawned
 *   it, as a promise made there would (README: "How a greenthread knows it
 *   is running").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawn } from "@eventlet/eventlet";
 * const gt = spawn((a: number, b: number) => a + b, 2, 3);
 * assert.equal(await gt.wait(), 5);
 * ```
 */
export class GreenThread<T = unknown> extends GreenletCore {
  // The scheduler's fields (greenlet_core.ts): declared here, not in
  // GreenletCore, as V8 allocates a derived class inline only when its base
  // does nothing. #flags holds started, dead and a pending error as bits of
  // one field, with this class's outcome bits above them: every greenthread
  // carries it, and each field costs 8 B.
  #flags = 0;
  #park: Park | null = null;
  #rare: GreenletRare | null = null;
  #liveNext: GreenletCore | null = null;
  #livePrev: GreenletCore | null = null;
  /** A number unique within this thread; the main greenthread's is 0, the hub's -1. */
  readonly id: number;
  // Fields typed without T keep GreenThread<T> covariant in T, so a
  // GreenThread<number> is usable where a GreenThread<unknown> is expected.
  // Its function until it starts, then (once it has ended) its return value
  // or error: one field, as the two are never needed at once (8 B).
  #fnThenResult: unknown;
  /** Its argument list, or its one argument when SOLE_ARGUMENT is set. */
  #args: unknown;
  // Waiters in wait() and, marked KILL_WAIT, in kill(), and the exit hooks:
  // one object, not a lot per kind, as a field costs every greenthread 8 B
  // and its spawn time (imap in fresh processes, 9 alternating runs: 1.86M
  // calls/s with two lots, 1.99M with one).
  #watchers: EndWatchers | null = null;

  /**
   * Use `spawn` to make greenthreads.
   * @ignore
   */
  constructor(
    // deno-lint-ignore no-explicit-any
    fn: ((...args: any[]) => T | PromiseLike<T>) | null = null,
    args: unknown[] | null = null,
    /**
     * The AsyncLocalStorage values it starts with: `captureContext()` taken
     * where the spawn was asked for (which may be long before a pool slot
     * frees up and this constructor runs).
     */
    spawnContext?: unknown,
    id?: number,
  ) {
    super();
    (this as { [CARRIED]: GreenletCore })[CARRIED] = this;
    this.id = id ?? nextId++;
    this.#fnThenResult = fn;
    this.#args = args;
    if (spawnContext !== undefined) {
      rare(this).spawnContext = spawnContext;
      this.#flags |= SPAWN_CONTEXT;
    }
  }

  /** A name for listings and error reports; defaults to "GreenThread-<id>". */
  get name(): string {
    return rareIfMade(this)?.name ??
      (this.id === 0 ? "main" : this.id === -1 ? "hub" : `GreenThread-${this.id}`);
  }
  set name(value: string) {
    rare(this).name = String(value);
  }

  /** True once it has begun to run (stays true after it ends). */
  get started(): boolean {
    return isStarted(this);
  }

  /** True once it has ended, by returning, throwing or being killed. */
  get dead(): boolean {
    return isDead(this);
  }

  /**
   * Aborts (with the error) when an error is thrown into this greenthread by
   * `kill` or a `Timeout`. Once that error has surfaced at a switch point the
   * greenthread gets a fresh, unaborted signal. Pass it to foreign APIs
   * (`fetch`, `Deno` I/O) so that a kill or timeout cancels them too.
   */
  get signal(): AbortSignal {
    return signalOf(this);
  }

  /**
   * Waits for it to end: its return value, or its error rethrown. A switch
   * point. Waiting counts as handling its error (it is not reported).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => { throw new Error("boom"); });
   * await assert.rejects(gt.wait(), { message: "boom" });
   * ```
   */
  wait(): Promise<T> {
    this.#flags |= OBSERVED;
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    const outcome = this.#flags & OUTCOME;
    if (outcome === RETURNED) return completed(g, this.#fnThenResult as T);
    if (outcome === FAILED) return failed(g, this.#fnThenResult);
    if (this.id <= 0) {
      return failed(
        g,
        new Error(`Cannot wait for the ${this.name} greenthread: it ends only with the program`),
      );
    }
    if (g === this) {
      return failed(
        g,
        new Error(`Cannot wait: greenthread ${this.id} would wait for itself forever`),
      );
    }
    return (this.#watchers ??= new EndWatchers()).park(g, "GreenThread.wait");
  }

  /**
   * Throws `error` (default: a new `GreenletExit`) into it and resolves once
   * it has ended. Not started yet: it never runs, its links run before
   * `kill` returns, and `wait()` rejects with `error`. Already dead: does
   * nothing. Killing the current greenthread throws `error` right here,
   * synchronously (as eventlet raises in the killer).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { sleep, spawn } from "@eventlet/eventlet";
   * const log: string[] = [];
   * const gt = spawn(async () => {
   *   try { await sleep(10); } finally { log.push("cleaned up"); }
   * });
   * await sleep(0);
   * await gt.kill();
   * assert.deepEqual(log, ["cleaned up"]); // before kill() resolved
   * ```
   */
  kill(error: unknown = new GreenletExit()): Promise<void> {
    if (isDead(this)) return Promise.resolve();
    if (!isStarted(this)) {
      settle(this, false, error);
      return Promise.resolve();
    }
    const g = currentGreenlet();
    if (g === this) {
      // Killing yourself: the error is thrown right here, synchronously.
      interrupt(this, error);
      interruptDelivered(this);
      throw error;
    }
    throwInto(this, error);
    if (hasPendingError(g)) return deliverPending(g);
    if (isDead(this)) return Promise.resolve();
    return (this.#watchers ??= new EndWatchers()).park(g, "GreenThread.kill", KILL_WAIT);
  }

  /**
   * Kills it only if it has not started yet (then it never runs); resolves
   * at once otherwise.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { spawnAfter } from "@eventlet/eventlet";
   * const gt = spawnAfter(1, () => console.log("never"));
   * await gt.cancel();
   * assert.equal(gt.dead, true);
   * ```
   */
  cancel(error?: unknown): Promise<void> {
    if (isStarted(this) || isDead(this)) return Promise.resolve();
    return this.kill(error);
  }

  /**
   * Calls `fn(gt, ...args)` when it ends, after earlier links, in its
   * context. If it has already ended, calls it now, before `link` returns.
   * A link that throws skips the later ones; its error goes to `hub.onError`.
   * Linking counts as handling its error (it is not reported).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => 42);
   * const seen: string[] = [];
   * gt.link((g, tag: string) => seen.push(`${tag} ${g.dead}`), "done:");
   * await gt.wait();
   * assert.deepEqual(seen, ["done: true"]);
   * ```
   */
  // deno-lint-ignore no-explicit-any
  link<A extends any[]>(fn: (gt: GreenThread<T>, ...args: A) => unknown, ...args: A): void {
    checkFunction("link", fn);
    this.#flags |= OBSERVED;
    if (!rare(this).addLink(fn, args, isDead(this))) fn(this, ...args);
  }

  /**
   * Removes the first link made with `fn`; true if there was one.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => 1);
   * const log = () => console.log("ended");
   * gt.link(log);
   * assert.equal(gt.unlink(log), true);
   * ```
   */
  unlink(fn: LinkCallback<T>): boolean {
    return rareIfMade(this)?.removeLink(fn) ?? false;
  }

  static {
    installCoreFields({
      flags: (g) => (g as GreenThread).#flags,
      setFlags: (g, flags) => void ((g as GreenThread).#flags = flags),
      park: (g) => (g as GreenThread).#park,
      setPark: (g, park) => void ((g as GreenThread).#park = park),
      rare: (g) => (g as GreenThread).#rare,
      setRare: (g, rare) => void ((g as GreenThread).#rare = rare),
      liveNext: (g) => (g as GreenThread).#liveNext,
      setLiveNext: (g, next) => void ((g as GreenThread).#liveNext = next),
      livePrev: (g) => (g as GreenThread).#livePrev,
      setLivePrev: (g, prev) => void ((g as GreenThread).#livePrev = prev),
    });
    begin = (gt) => {
      markStarted(gt);
      // deno-lint-ignore no-explicit-any
      const fn = gt.#fnThenResult as (...args: any[]) => unknown;
      const args = gt.#args;
      gt.#fnThenResult = gt.#args = null; // not needed any more: let them be collected
      return (gt.#flags & SOLE_ARGUMENT) !== 0 ? fn(args) : fn(...(args as unknown[]));
    };
    // A function in the static block, not a `#finish` method: a class with a
    // private method stores its brand in every instance (8 B per
    // greenthread, bench/compare/parked_memory_ours.ts).
    settle = (gt, ok, result) => {
      const outcome = ok ? RETURNED : FAILED;
      if (isDead(gt)) return; // it ends once, whatever a foreign `then` does
      // A greenthread that blocked and then ended without another switch
      // point is the one to name in a blocking report.
      checkBlocked(gt);
      markDead(gt);
      gt.#flags |= outcome;
      gt.#fnThenResult = result;
      gt.#args = null;
      // Ended unstarted: drop the values (a start takes them and clears the bit).
      if ((gt.#flags & SPAWN_CONTEXT) !== 0) rare(gt).spawnContext = undefined;
      unregister(gt);
      const instruments = activeInstruments;
      if (instruments !== null) {
        instruments.afterSwitch(gt);
        instruments.ended(gt);
      }
      const watchers = gt.#watchers;
      if (watchers !== null) {
        gt.#watchers = null;
        for (let park = watchers.head; park !== null; park = watchers.head) {
          if (park.data === KILL_WAIT) wake(park, undefined); // kill() resolves anyway
          else if (outcome === RETURNED) wake(park, result);
          else wakeWithError(park, result);
        }
        watchers.runHooks(gt);
      }
      rareIfMade(gt)?.runLinks(gt); // a hook may have made it just now
      if (outcome === FAILED && (gt.#flags & OBSERVED) === 0 && !isKill(result)) {
        reportError(result, gt);
      }
    };
    setSoleArgument = (gt, arg) => {
      gt.#args = arg; // read back as one argument, by the flag
      gt.#flags |= SOLE_ARGUMENT;
    };
    takeSpawnContext = (gt) => {
      if ((gt.#flags & SPAWN_CONTEXT) === 0) return undefined;
      gt.#flags &= ~SPAWN_CONTEXT;
      const extra = rare(gt);
      const context = extra.spawnContext;
      extra.spawnContext = undefined; // not kept alive past the start
      return context;
    };
    spawnSiteOf = (gt) => rareIfMade(gt)?.spawnSite;
    setSpawnSite = (gt, line) => {
      rare(gt).spawnSite = line;
    };
    addExitHook = (gt, fn) => {
      if (isDead(gt)) fn(gt);
      else (gt.#watchers ??= new EndWatchers()).addHook(fn);
    };
    outcomeOf = (gt) => {
      const outcome = gt.#flags & OUTCOME;
      if (outcome === RETURNED) return { ok: true as const, value: gt.#fnThenResult as never };
      if (outcome === FAILED) return { ok: false as const, error: gt.#fnThenResult };
      return undefined;
    };
  }
}
