/**
 * GreenThread: a cheap cooperative thread with a result, links and kill.
 *
 * Contract:
 * - It runs only at its switch points' turns: `spawn` queues it and returns;
 *   it starts when the hub's run queue reaches it.
 * - It ends once: with a value, with an error, or killed (`GreenletExit`).
 * - An error nobody waits for or links goes once to `hub.onError`.
 *
 * @module
 */

import { checkFunction } from "../hub/checks.ts";
import { getHub } from "../hub/hub.ts";
import { Greenlet } from "../hub/greenlet.ts";
import { WaiterList } from "../hub/park.ts";
import { currentGreenlet, setSpecialGreenletFactory } from "../hub/current.ts";
import { GreenletExit, isKill } from "./greenlet_exit.ts";
import { isThenable, queueStart, settleWhenDone } from "./greenthread_start.ts";
import { GreenThreadRare } from "./greenthread_rare.ts";

export { GreenletExit };

const hub = getHub();

/** A callback given to `link`, called with the greenthread and its extra args. */
// deno-lint-ignore no-explicit-any
export type LinkCallback<T> = (gt: GreenThread<T>, ...args: any[]) => unknown;

// #state: the outcome in the low bits, and OBSERVED once someone waited or
// linked (one field instead of two: every greenthread carries it).
const RUNNING = 0;
const RETURNED = 1;
const FAILED = 2;
const OUTCOME = 3;
const OBSERVED = 4;
/** Marks a park that waits in `kill()` (resolves, whatever the outcome). */
const KILL_WAIT = Symbol("kill wait");

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
 * import { spawn } from "@eventlet/eventlet";
 * const gt = spawn((a: number, b: number) => a + b, 2, 3);
 * console.log(await gt.wait()); // 5
 * ```
 */
export class GreenThread<T = unknown> extends Greenlet {
  // Fields typed without T keep GreenThread<T> covariant in T, so a
  // GreenThread<number> is usable where a GreenThread<unknown> is expected.
  // deno-lint-ignore no-explicit-any
  #fn: ((...args: any[]) => unknown) | null;
  #args: unknown[] | null;
  #state = RUNNING;
  #result: unknown = undefined;
  #waiters: WaiterList | null = null;
  // deno-lint-ignore no-explicit-any
  #exitHooks: ((gt: GreenThread<any>) => void)[] | null = null;
  /** Links, name, spawn site: made on first use (see GreenThreadRare). */
  #threadRare: GreenThreadRare | null = null;

  /**
   * Use `spawn` to make greenthreads.
   * @ignore
   */
  constructor(
    // deno-lint-ignore no-explicit-any
    fn: ((...args: any[]) => T | PromiseLike<T>) | null,
    args: unknown[] | null,
    /**
     * The AsyncLocalStorage values it starts with: `captureContext()` taken
     * where the spawn was asked for (which may be long before a pool slot
     * frees up and this constructor runs).
     */
    spawnContext: unknown,
    id?: number,
  ) {
    super(id);
    this.#fn = fn;
    this.#args = args;
    if (spawnContext !== undefined) {
      (this.#threadRare = new GreenThreadRare()).spawnContext = spawnContext;
    }
  }

  /** A name for listings and error reports; defaults to "GreenThread-<id>". */
  get name(): string {
    return this.#threadRare?.name ??
      (this.id === 0 ? "main" : this.id === -1 ? "hub" : `GreenThread-${this.id}`);
  }
  set name(value: string) {
    (this.#threadRare ??= new GreenThreadRare()).name = String(value);
  }

  /**
   * Starts it: called by the hub's pump when the run queue reaches it.
   * @ignore
   */
  run(): void {
    if (!this.dead) queueStart(this); // hot path: see greenthread_start.ts
  }

  /**
   * Where it was spawned (one stack line), when `debug.captureSpawnSites`
   * is on; else undefined.
   * @ignore
   */
  get spawnSite(): string | undefined {
    return this.#threadRare?.spawnSite;
  }
  /** @ignore */
  set spawnSite(line: string | undefined) {
    (this.#threadRare ??= new GreenThreadRare()).spawnSite = line;
  }

  /**
   * The AsyncLocalStorage values it starts with (see the constructor);
   * handed over once, at its start.
   * @ignore
   */
  takeSpawnContext(): unknown {
    const rare = this.#threadRare;
    if (rare === null || rare.spawnContext === undefined) return undefined;
    const context = rare.spawnContext;
    rare.spawnContext = undefined; // not kept alive past the start
    return context;
  }

  /**
   * Runs `fn`; called in its own async context by `startNext`.
   * @ignore
   */
  start(): void {
    if (this.dead) return; // killed before its turn came
    let value: unknown;
    try {
      value = this.#begin();
      if (isThenable(value)) {
        settleWhenDone(value);
        return;
      }
    } catch (error) {
      this.#finish(FAILED, error);
      return;
    }
    this.#finish(RETURNED, value);
  }

  /**
   * Ends it with the outcome of fn's promise.
   * @ignore
   */
  settle(ok: boolean, result: unknown): void {
    this.#finish(ok ? RETURNED : FAILED, result);
  }

  /**
   * The same start as an async function: GreenPool's inline run awaits it.
   * @ignore
   */
  async body(): Promise<void> {
    // The pump enters here synchronously; this first await defers the real
    // start to a promise job queued behind the greenthreads the pump resumed
    // before us, so starts and resumptions keep run-queue order.
    await undefined;
    if (this.dead) return; // killed before its turn came
    let value: unknown;
    try {
      value = this.#begin();
      if (isThenable(value)) value = await value;
    } catch (error) {
      this.#finish(FAILED, error);
      return;
    }
    this.#finish(RETURNED, value);
  }

  /** Marks it started and calls fn, dropping fn and args so no frame keeps them. */
  #begin(): unknown {
    this.started = true;
    const fn = this.#fn!;
    const args = this.#args!;
    this.#fn = this.#args = null; // not needed any more: let them be collected
    return fn(...args);
  }

  /**
   * Waits for it to end: its return value, or its error rethrown. A switch
   * point. Waiting counts as handling its error (it is not reported).
   *
   * @example
   * ```ts
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => { throw new Error("boom"); });
   * await gt.wait().catch((e) => console.log(e.message)); // "boom"
   * ```
   */
  wait(): Promise<T> {
    this.#state |= OBSERVED;
    const g = currentGreenlet();
    if (g.hasPendingError) return hub.deliverPending(g);
    const outcome = this.#state & OUTCOME;
    if (outcome === RETURNED) return hub.completed(g, this.#result as T);
    if (outcome === FAILED) return hub.failed(g, this.#result);
    if (this.id <= 0) {
      return Promise.reject(
        new Error(`Cannot wait for the ${this.name} greenthread: it ends only with the program`),
      );
    }
    if (g === this) {
      return Promise.reject(
        new Error(`Cannot wait: greenthread ${this.id} would wait for itself forever`),
      );
    }
    const park = hub.newPark(g, "GreenThread.wait");
    (this.#waiters ??= new WaiterList()).push(park);
    return hub.suspend(park);
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
   * import { sleep, spawn } from "@eventlet/eventlet";
   * const gt = spawn(async () => {
   *   try { await sleep(10); } finally { console.log("cleaned up"); }
   * });
   * await sleep(0);
   * await gt.kill(); // "cleaned up" is printed before this resolves
   * ```
   */
  kill(error: unknown = new GreenletExit()): Promise<void> {
    if (this.dead) return Promise.resolve();
    if (!this.started) {
      this.#finish(FAILED, error);
      return Promise.resolve();
    }
    const g = currentGreenlet();
    if (g === this) {
      // Killing yourself: the error is thrown right here, synchronously.
      this.interrupt(error);
      this.interruptDelivered();
      throw error;
    }
    hub.throwInto(this, error);
    if (g.hasPendingError) return hub.deliverPending(g);
    if (this.dead) return Promise.resolve();
    const park = hub.newPark(g, "GreenThread.kill");
    park.data = KILL_WAIT;
    (this.#waiters ??= new WaiterList()).push(park);
    return hub.suspend(park);
  }

  /**
   * Kills it only if it has not started yet (then it never runs); resolves
   * at once otherwise.
   *
   * @example
   * ```ts
   * import { spawnAfter } from "@eventlet/eventlet";
   * const gt = spawnAfter(1, () => console.log("never"));
   * await gt.cancel();
   * console.log(gt.dead); // true
   * ```
   */
  cancel(error?: unknown): Promise<void> {
    if (this.started || this.dead) return Promise.resolve();
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
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => 42);
   * gt.link((g, tag: string) => console.log(tag, g.dead), "done:");
   * await gt.wait();
   * ```
   */
  // deno-lint-ignore no-explicit-any
  link<A extends any[]>(fn: (gt: GreenThread<T>, ...args: A) => unknown, ...args: A): void {
    checkFunction("link", fn);
    this.#state |= OBSERVED;
    const rare = this.#threadRare ??= new GreenThreadRare();
    if (rare.linking !== null) {
      rare.linking.push([fn, args]); // linked by a link: runs in the same pass
      return;
    }
    if (this.dead) {
      fn(this, ...args);
      return;
    }
    (rare.links ??= []).push([fn, args]);
  }

  /**
   * Removes the first link made with `fn`; true if there was one.
   *
   * @example
   * ```ts
   * import { spawn } from "@eventlet/eventlet";
   * const gt = spawn(() => 1);
   * const log = () => console.log("ended");
   * gt.link(log);
   * console.log(gt.unlink(log)); // true
   * ```
   */
  unlink(fn: LinkCallback<T>): boolean {
    const links = this.#threadRare?.links;
    if (links == null) return false;
    const i = links.findIndex(([f]) => f === fn);
    if (i < 0) return false;
    links.splice(i, 1);
    return true;
  }

  /**
   * Package bookkeeping (GreenPool, serve): `fn` runs when it ends, before
   * the links, and does not count as handling its error.
   * @ignore
   */
  addExitHook(fn: (gt: GreenThread<T>) => void): void {
    if (this.dead) fn(this);
    else (this.#exitHooks ??= []).push(fn);
  }

  /**
   * Its outcome once dead: `{ ok: true, value }` or `{ ok: false, error }`.
   * @ignore
   */
  outcome(): { ok: true; value: T } | { ok: false; error: unknown } | undefined {
    const outcome = this.#state & OUTCOME;
    if (outcome === RETURNED) return { ok: true, value: this.#result as T };
    if (outcome === FAILED) return { ok: false, error: this.#result };
    return undefined;
  }

  #finish(outcome: number, result: unknown): void {
    if (this.dead) return; // it ends once, whatever a foreign `then` does
    // A greenthread that blocked and then ended without another switch
    // point is the one to name in a blocking report.
    if (hub.blockWatch !== null && hub.blockWatch[1] !== 0) hub.checkBlocked(this);
    this.dead = true;
    this.#state = (this.#state & OBSERVED) | outcome;
    this.#result = result;
    this.#fn = null;
    this.#args = null;
    if (this.#threadRare !== null) this.#threadRare.spawnContext = undefined; // ended unstarted
    hub.unregister(this);
    const waiters = this.#waiters;
    if (waiters !== null) {
      this.#waiters = null;
      for (let park = waiters.shift(); park !== null; park = waiters.shift()) {
        if (park.data === KILL_WAIT) hub.wake(park, undefined); // kill() resolves anyway
        else if (outcome === RETURNED) hub.wake(park, result);
        else hub.wakeWithError(park, result);
      }
    }
    const hooks = this.#exitHooks;
    if (hooks !== null) {
      this.#exitHooks = null;
      for (const hook of hooks) hook(this);
    }
    const rare = this.#threadRare;
    const links = rare?.links;
    if (links != null) {
      rare!.links = null;
      rare!.linking = links; // a link added by a link joins the end of this pass
      for (let i = 0; i < links.length; i++) {
        const [fn, args] = links[i];
        try {
          fn(this, ...args);
        } catch (error) {
          hub.reportError(error, this);
          break;
        }
      }
      rare!.linking = null;
    }
    if (outcome === FAILED && (this.#state & OBSERVED) === 0 && !isKill(result)) {
      hub.reportError(result, this);
    }
  }
}

// The thread's main greenthread (id 0) and the hub's own (id -1, where hub
// timer callbacks run) are GreenThreads too, so getCurrent() is one.
setSpecialGreenletFactory((id) => new GreenThread(null, null, undefined, id));
