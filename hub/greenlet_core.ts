/**
 * GreenletCore: what the scheduler knows about a greenthread, out of sight.
 *
 * `GreenThread` (greenthread.ts) extends this class with its public
 * contract (results, links, kill). Everything here is scheduler state —
 * whether it started or ended, the parks it waits in, an error thrown into
 * it that it has not seen yet (a *pending* error, which its next switch
 * point delivers), the `AbortSignal` behind `gt.signal`, its links in the
 * hub's list of live greenthreads — and lives in GreenThread's private
 * fields (see below for why there). The
 * scheduler reaches them through the functions this module exports, which
 * the package's entry points do not re-export: a user's `gt.` lists the
 * contract and nothing else, and `gt.dead = true` does not compile.
 *
 * Why a module of its own: the parking code (park.ts) and the scheduler
 * (scheduler.ts) need this state, and GreenThread needs them, so the
 * state's rules sit below both and no module imports one above it.
 *
 * Why GreenThread declares the fields: V8 allocates an instance of a
 * derived class inline only when its base class does nothing; a base with
 * fields (or a constructor) costs every spawn a call. `new GreenThread`
 * took 20.5 ns with the fields here and takes 8.4 ns with them there
 * (`taskset -c 1`, 2M constructions in one process, both trees loaded).
 * So this class is empty, and GreenThread hands this module reads and
 * writes of its fields from its static block (the only place that may
 * touch `#` fields), from which `installCoreFields` builds the accessors
 * below: closures made once, which V8 inlines.
 *
 * @module
 */

import type { Park } from "./park.ts";
import { CARRIED } from "./async_context.ts";

// Bits of GreenThread's #flags. GreenThread keeps its outcome in the bits
// above these (greenthread.ts): one flag word per greenthread, not two.
const STARTED = 1;
const DEAD = 2;
const PENDING_ERROR = 4;
/** The lowest bit of the flag word that GreenThread may use. */
export const FIRST_FREE_FLAG = 8;

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
export let liveLinks: Pick<
  CoreFields,
  "liveNext" | "livePrev" | "setLiveNext" | "setLivePrev"
>;

/**
 * The scheduler's part of a greenthread: the base class of `GreenThread`.
 * It has no members of its own: GreenThread declares the fields and
 * installs their reads and writes (`installCoreFields`); see the module
 * comment.
 *
 * @internal
 */
export class GreenletCore {
  /**
   * Itself: a greenlet is its own async context value (async_context.ts).
   * Its other state is in GreenThread's private fields, which
   * AsyncLocalStorage's copies of the context do not take along.
   * @ignore
   */
  declare readonly [CARRIED]: GreenletCore;
}

/**
 * Reads and writes of the scheduler's fields of a greenlet, which
 * GreenThread declares as private fields and hands over from its static
 * block, the only place that may touch them.
 * @internal
 */
export interface CoreFields {
  /** Started, dead and a pending error as bits of one word (and GreenThread's bits above). */
  flags(g: GreenletCore): number;
  setFlags(g: GreenletCore, flags: number): void;
  /** The park it waits in, if any. */
  park(g: GreenletCore): Park | null;
  setPark(g: GreenletCore, park: Park | null): void;
  /** What few greenlets need (see GreenletRare), once made. */
  rare(g: GreenletCore): GreenletRare | null;
  setRare(g: GreenletCore, rare: GreenletRare): void;
  /** Neighbours in the hub's list of live greenthreads: see LiveList. */
  liveNext(g: GreenletCore): GreenletCore | null;
  setLiveNext(g: GreenletCore, next: GreenletCore | null): void;
  livePrev(g: GreenletCore): GreenletCore | null;
  setLivePrev(g: GreenletCore, prev: GreenletCore | null): void;
}

/**
 * Builds this module's accessors on the fields' reads and writes; called
 * once, by GreenThread's static block.
 * @internal
 */
export function installCoreFields(fields: CoreFields): void {
  const { flags, setFlags, park: parkOf, setPark, rare: rareIfAny, setRare } = fields;
  const rareOrNew = (g: GreenletCore): GreenletRare => {
    const made = rareIfAny(g);
    if (made !== null) return made;
    const rare = newRare();
    setRare(g, rare);
    return rare;
  };
  const clearPending = (g: GreenletCore) => {
    setFlags(g, flags(g) & ~PENDING_ERROR);
    pendingErrorCount--;
  };
  rareOf = rareOrNew;
  madeRare = rareIfAny;
  isStarted = (g) => (flags(g) & STARTED) !== 0;
  markStarted = (g) => setFlags(g, flags(g) | STARTED);
  isDead = (g) => (flags(g) & DEAD) !== 0;
  markDead = (g) => {
    const bits = flags(g);
    if ((bits & PENDING_ERROR) !== 0) {
      // Ended before a switch point delivered them: nobody can see them now.
      rareIfAny(g)!.pending = null;
      pendingErrorCount--;
    }
    setFlags(g, (bits | DEAD) & ~PENDING_ERROR);
  };
  hasPendingError = (g) => (flags(g) & PENDING_ERROR) !== 0;
  addPark = (g, park) => {
    if (parkOf(g) === null) setPark(g, park);
    else (rareOrNew(g).moreParks ??= []).push(park);
  };
  unpark = (g, park) => {
    if (parkOf(g) === park) setPark(g, null);
    else rareIfAny(g)?.forgetPark(park);
  };
  parksOf = (g) => {
    const first = parkOf(g);
    const all: Park[] = first === null ? [] : [first];
    const more = rareIfAny(g)?.moreParks;
    if (more != null) all.push(...more);
    return all;
  };
  signalOf = (g) => rareOrNew(g).signal();
  interrupt = (g, error) => rareIfAny(g)?.interrupt(error);
  interruptDelivered = (g) => rareIfAny(g)?.interruptDelivered();
  setPendingError = (g, error, source) => {
    rareOrNew(g).addPending(error, source);
    const bits = flags(g);
    if ((bits & PENDING_ERROR) === 0) pendingErrorCount++;
    setFlags(g, bits | PENDING_ERROR);
  };
  withdrawPendingError = (g, source) => {
    const rare = rareIfAny(g);
    if (rare === null || !rare.withdrawPending(source)) return;
    if (rare.pending === null) clearPending(g);
  };
  takePendingError = (g) => {
    const rare = rareIfAny(g)!;
    const error = rare.takePending();
    if (rare.pending === null) clearPending(g);
    return error;
  };
  liveLinks = fields;
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
