/**
 * GreenletCore: what the scheduler knows about a greenthread, out of sight.
 *
 * `GreenThread` (greenthread.ts) extends this class with its public
 * contract (results, links, kill). Everything here is scheduler state —
 * whether it started or ended, the parks it waits in, an error thrown into
 * it that it has not seen yet (a *pending* error, which its next switch
 * point delivers), the `AbortSignal` behind `gt.signal`, its links in the
 * hub's list of live greenthreads — and lives in private fields. The
 * scheduler reaches them through the functions this module exports, which
 * the package's entry points do not re-export: a user's `gt.` lists the
 * contract and nothing else, and `gt.dead = true` does not compile.
 *
 * Why a base class of its own: the parking code (park.ts) and the
 * scheduler (scheduler.ts) need this state, and GreenThread needs them, so
 * the state sits below both and no module imports one above it.
 *
 * Hot path: the accessors are closures made once, in the class's static
 * block (the only place that may touch `#` fields); V8 inlines them. Cost
 * measured with `deno task bench` against methods on the class: see the
 * issue-14 commit and bench/README.md.
 *
 * @module
 */

import type { Park } from "./park.ts";
import { CARRIED } from "./async_context.ts";

// Bits of Greenlet's #flags. GreenThread keeps its outcome in the bits
// above these (greenthread.ts): one flag word per greenthread, not two.
const STARTED = 1;
const DEAD = 2;
const PENDING_ERROR = 4;
/** The lowest bit of the flag word that GreenThread may use. */
export const FIRST_FREE_FLAG = 8;

/** The whole flag word (GreenThread reads its bits from it). */
export let flagsOf: (g: GreenletCore) => number;
/** Sets `bits` in the flag word (only bits from FIRST_FREE_FLAG up). */
export let addFlags: (g: GreenletCore, bits: number) => void;
/**
 * Its rare-state object (links, name, parks beyond the first, …), made on
 * first use by the maker greenthread_rare.ts installs.
 */
export let rareOf: (g: GreenletCore) => GreenletRare;
/** Its rare-state object if one was made, else null. */
export let madeRare: (g: GreenletCore) => GreenletRare | null;

let newRare: () => GreenletRare = () => new GreenletRare();

/**
 * Installs the maker of rare-state objects: GreenThreadRare extends
 * GreenletRare, so each greenthread has one rare object, not two (8 B
 * less per greenthread, bench/compare/parked_memory_ours.ts).
 */
export function setRareMaker(make: () => GreenletRare): void {
  newRare = make;
}

/** True once it has begun to run (stays true after it ends). */
export let isStarted: (g: GreenletCore) => boolean;
/** Marks it started (its body is about to run, or it is main or hub). */
export let markStarted: (g: GreenletCore) => void;
/** True once it has ended, by returning, throwing or being killed. */
export let isDead: (g: GreenletCore) => boolean;
/** Marks it ended. */
export let markDead: (g: GreenletCore) => void;
/**
 * How many greenlets hold a pending error now (0 almost always). Hot path:
 * a switch point that needs its greenlet for nothing else checks this
 * instead of looking the greenlet up (switch_points.ts gives the figures).
 * Exact: it moves only where the PENDING_ERROR bit does, and a greenlet
 * that ends with errors nobody will see any more drops them (`markDead`),
 * so it cannot stay above 0 and turn those fast paths off for good.
 */
export let pendingErrorCount = 0;
/** True while an error thrown into it awaits its next switch point. */
export let hasPendingError: (g: GreenletCore) => boolean;
/** Records a park it now waits in. */
export let addPark: (g: GreenletCore, park: Park) => void;
/** Forgets a park it no longer waits in. */
export let unpark: (g: GreenletCore, park: Park) => void;
/** Every park it waits in (a copy). */
export let parksOf: (g: GreenletCore) => Park[];
/** Its AbortSignal: see `GreenThread.signal`. */
export let signalOf: (g: GreenletCore) => AbortSignal;
/**
 * Aborts its signal with `error`, thrown into it by kill or a Timeout. The
 * caller then either rejects a park (and calls `interruptDelivered`) or
 * keeps the error pending.
 */
export let interrupt: (g: GreenletCore, error: unknown) => void;
/** Records that the thrown error surfaced; the next `signal` is fresh. */
export let interruptDelivered: (g: GreenletCore) => void;
/**
 * Keeps `error`, thrown in by `source` (a Timeout, or undefined for a
 * kill), for its next switch point. Errors are delivered one per switch
 * point in the order they arrived, so none is lost: a kill that comes
 * after a Timeout surfaces at the switch point after the Timeout's.
 */
export let setPendingError: (g: GreenletCore, error: unknown, source: unknown) => void;
/** Withdraws the undelivered error thrown in by `source` (a cancelled Timeout). */
export let withdrawPendingError: (g: GreenletCore, source: unknown) => void;
/** Takes the next pending error for delivery (there must be one). */
export let takePendingError: (g: GreenletCore) => unknown;
/** The hub's live list links (live_list.ts). */
export let liveLinks: {
  next(g: GreenletCore): GreenletCore | null;
  prev(g: GreenletCore): GreenletCore | null;
  setNext(g: GreenletCore, next: GreenletCore | null): void;
  setPrev(g: GreenletCore, prev: GreenletCore | null): void;
};

/**
 * The scheduler's part of a greenthread: the base class of `GreenThread`.
 * It has no public members; see the module comment.
 *
 * @internal
 */
export class GreenletCore {
  /**
   * Itself: a greenlet is its own async context value (async_context.ts).
   * Its other state is in private fields, which AsyncLocalStorage's copies
   * of the context do not take along.
   * @ignore
   */
  readonly [CARRIED]: GreenletCore;
  // started, dead and a pending error as bits of one field: every
  // greenthread carries them, and each field costs 8 B.
  #flags = 0;
  /** The park it waits in, if any. */
  #park: Park | null = null;
  /** What few greenlets need (see GreenletRare), made on first use. */
  #rare: GreenletRare | null = null;
  // Neighbours in the hub's list of live greenthreads (intrusive, so that
  // registering costs no allocation): see LiveList.
  #liveNext: GreenletCore | null = null;
  #livePrev: GreenletCore | null = null;

  /** @ignore */
  constructor() {
    this[CARRIED] = this;
  }

  static {
    flagsOf = (g) => g.#flags;
    addFlags = (g, bits) => {
      g.#flags |= bits;
    };
    rareOf = (g) => g.#rare ??= newRare();
    madeRare = (g) => g.#rare;
    isStarted = (g) => (g.#flags & STARTED) !== 0;
    markStarted = (g) => {
      g.#flags |= STARTED;
    };
    isDead = (g) => (g.#flags & DEAD) !== 0;
    markDead = (g) => {
      if ((g.#flags & PENDING_ERROR) !== 0) {
        // Ended before a switch point delivered them: nobody can see them now.
        g.#rare!.pending = null;
        pendingErrorCount--;
      }
      g.#flags = (g.#flags | DEAD) & ~PENDING_ERROR;
    };
    hasPendingError = (g) => (g.#flags & PENDING_ERROR) !== 0;
    const clearPending = (g: GreenletCore) => {
      g.#flags &= ~PENDING_ERROR;
      pendingErrorCount--;
    };
    addPark = (g, park) => {
      if (g.#park === null) g.#park = park;
      else ((g.#rare ??= newRare()).moreParks ??= []).push(park);
    };
    unpark = (g, park) => {
      if (g.#park === park) g.#park = null;
      else g.#rare?.forgetPark(park);
    };
    parksOf = (g) => {
      const all: Park[] = g.#park === null ? [] : [g.#park];
      const more = g.#rare?.moreParks;
      if (more != null) all.push(...more);
      return all;
    };
    signalOf = (g) => (g.#rare ??= newRare()).signal();
    interrupt = (g, error) => g.#rare?.interrupt(error);
    interruptDelivered = (g) => g.#rare?.interruptDelivered();
    setPendingError = (g, error, source) => {
      (g.#rare ??= newRare()).addPending(error, source);
      if ((g.#flags & PENDING_ERROR) === 0) pendingErrorCount++;
      g.#flags |= PENDING_ERROR;
    };
    withdrawPendingError = (g, source) => {
      const rare = g.#rare;
      if (rare === null || !rare.withdrawPending(source)) return;
      if (rare.pending === null) clearPending(g);
    };
    takePendingError = (g) => {
      const rare = g.#rare!;
      const error = rare.takePending();
      if (rare.pending === null) clearPending(g);
      return error;
    };
    liveLinks = {
      next: (g) => g.#liveNext,
      prev: (g) => g.#livePrev,
      setNext: (g, next) => {
        g.#liveNext = next;
      },
      setPrev: (g, prev) => {
        g.#livePrev = prev;
      },
    };
  }
}

/**
 * The greenlet state few greenthreads ever need, kept out of the greenlet
 * itself so that each of the many that never need it is smaller (8 B a
 * field; measured in bench/core_ratios.ts, memory per parked greenthread).
 * GreenThreadRare (greenthread_rare.ts) extends it with links and names.
 *
 * @internal
 */
export class GreenletRare {
  /**
   * Further parks when it awaits several switch points at once. Promise.all
   * over switch points works while they succeed; see the README on
   * Promise.race.
   */
  moreParks: Park[] | null = null;
  /** Every undelivered error in arrival order, with what threw it. */
  pending: { error: unknown; source: unknown }[] | null = null;
  /** Behind `signal`: made when first asked for, dropped once it aborted. */
  controller: AbortController | null = null;

  signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      // An error thrown in but not yet surfaced: the signal is aborted.
      if (this.pending !== null) this.controller.abort(this.pending[0].error);
    }
    return this.controller.signal;
  }

  interrupt(error: unknown): void {
    const controller = this.controller;
    if (controller !== null && !controller.signal.aborted) controller.abort(error);
  }

  interruptDelivered(): void {
    if (this.controller?.signal.aborted) this.controller = null;
  }

  forgetPark(park: Park): void {
    const more = this.moreParks;
    if (more === null) return;
    const i = more.indexOf(park);
    if (i >= 0) more.splice(i, 1);
    if (more.length === 0) this.moreParks = null;
  }

  addPending(error: unknown, source: unknown): void {
    (this.pending ??= []).push({ error, source });
  }

  /** True if an error from `source` was withdrawn. */
  withdrawPending(source: unknown): boolean {
    const pending = this.pending;
    if (pending === null) return false;
    const kept = pending.filter((p) => p.source !== source);
    if (kept.length === pending.length) return false;
    this.pending = kept.length > 0 ? kept : null;
    if (this.pending === null) this.interruptDelivered();
    return true;
  }

  takePending(): unknown {
    const next = this.pending!.shift()!;
    if (this.pending!.length === 0) this.pending = null;
    this.interruptDelivered();
    return next.error;
  }
}
