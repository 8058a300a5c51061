/**
 * Greenlet: what the hub knows about a greenthread.
 *
 * The hub schedules greenlets; `green/`'s `GreenThread` extends this class
 * with results, links and kill. A greenlet holds the parks it is waiting in,
 * an error thrown into it that it has not seen yet (a *pending* error, which
 * its next switch point delivers), and the `AbortSignal` that aborts when an
 * error is thrown into it.
 *
 * @module
 */

import type { Park } from "./park.ts";
import { CARRIED } from "./async_context.ts";

let nextId = 1;

// Bits of Greenlet's #flags.
const STARTED = 1;
const DEAD = 2;
const PENDING_ERROR = 4;

/**
 * The schedulable unit of the hub: the base class of `GreenThread`.
 *
 * You do not create greenlets yourself; `spawn` creates `GreenThread`s and
 * `getCurrent()` returns the running one.
 *
 * @example
 * ```ts
 * import { getCurrent } from "@eventlet/eventlet";
 * const me = getCurrent();
 * console.log(me.id, me.started, me.dead); // 0 true false (the main greenthread)
 * ```
 */
export class Greenlet {
  /** A number unique within this thread; the main greenthread's is 0. */
  readonly id: number;
  /**
   * Itself: a greenlet is its own async context value (async_context.ts).
   * Its other state is in private fields, which AsyncLocalStorage's copies
   * of the context do not take along.
   * @ignore
   */
  readonly [CARRIED]: Greenlet;
  // started, dead and hasPendingError as bits of one field: every
  // greenthread carries them, and each field costs 8 B (see the getters).
  #flags = 0;
  /** The park it waits in, if any. */
  #parkSlot: Park | null = null;
  /** What few greenlets need (see GreenletRare), made on first use. */
  #rare: GreenletRare | null = null;
  // Neighbours in the hub's list of live greenthreads (intrusive, so that
  // registering costs no allocation): see liveNext/livePrev.
  #liveNext: Greenlet | null = null;
  #livePrev: Greenlet | null = null;

  /**
   * The next greenthread in the hub's live list (live_list.ts).
   * @ignore
   */
  get liveNext(): Greenlet | null {
    return this.#liveNext;
  }
  /** @ignore */
  set liveNext(next: Greenlet | null) {
    this.#liveNext = next;
  }

  /**
   * The previous greenthread in the hub's live list.
   * @ignore
   */
  get livePrev(): Greenlet | null {
    return this.#livePrev;
  }
  /** @ignore */
  set livePrev(prev: Greenlet | null) {
    this.#livePrev = prev;
  }

  /** True once it has begun to run (stays true after it ends). */
  get started(): boolean {
    return (this.#flags & STARTED) !== 0;
  }
  /** @ignore */
  set started(value: boolean) {
    this.#flags = value ? this.#flags | STARTED : this.#flags & ~STARTED;
  }

  /** True once it has ended, by returning, throwing or being killed. */
  get dead(): boolean {
    return (this.#flags & DEAD) !== 0;
  }
  /** @ignore */
  set dead(value: boolean) {
    this.#flags = value ? this.#flags | DEAD : this.#flags & ~DEAD;
  }

  /**
   * True while an error thrown into it awaits its next switch point.
   * @ignore
   */
  get hasPendingError(): boolean {
    return (this.#flags & PENDING_ERROR) !== 0;
  }
  /** @ignore */
  set hasPendingError(value: boolean) {
    this.#flags = value ? this.#flags | PENDING_ERROR : this.#flags & ~PENDING_ERROR;
  }

  /**
   * Greenlets are made by `spawn`.
   * @ignore
   */
  constructor(id?: number) {
    this.id = id ?? nextId++;
    this[CARRIED] = this;
  }

  /**
   * Aborts (with the error) when an error is thrown into this greenthread by
   * `kill` or a `Timeout`. Once that error has surfaced at a switch point the
   * greenthread gets a fresh, unaborted signal. Pass it to foreign APIs
   * (`fetch`, `Deno` I/O) so that a kill or timeout cancels them too.
   */
  get signal(): AbortSignal {
    const rare = this.#rare ??= new GreenletRare();
    if (rare.controller === null) {
      rare.controller = new AbortController();
      // An error thrown in but not yet surfaced: the signal is aborted.
      if (rare.pending !== null) rare.controller.abort(rare.pending[0].error);
    }
    return rare.controller.signal;
  }

  /**
   * Aborts its signal with `error`, thrown into it by kill or a Timeout.
   * The caller then either rejects a park (and calls `interruptDelivered`)
   * or keeps the error pending.
   * @ignore
   */
  interrupt(error: unknown): void {
    const controller = this.#rare?.controller;
    if (controller != null && !controller.signal.aborted) controller.abort(error);
  }

  /**
   * Records that the thrown error surfaced; the next `signal` is fresh.
   * @ignore
   */
  interruptDelivered(): void {
    const rare = this.#rare;
    if (rare !== null && rare.controller?.signal.aborted) rare.controller = null;
  }

  /**
   * Keeps `error`, thrown in by `source` (a Timeout, or undefined for a
   * kill), for its next switch point. Errors are delivered one per switch
   * point in the order they arrived, so none is lost: a kill that comes
   * after a Timeout surfaces at the switch point after the Timeout's.
   * @ignore
   */
  setPendingError(error: unknown, source?: unknown): void {
    const rare = this.#rare ??= new GreenletRare();
    (rare.pending ??= []).push({ error, source });
    this.hasPendingError = true;
  }

  /**
   * Withdraws the undelivered error thrown in by `source` (a cancelled
   * Timeout); the others stay.
   * @ignore
   */
  withdrawPendingError(source: unknown): void {
    const rare = this.#rare;
    if (rare === null || rare.pending === null) return;
    const kept = rare.pending.filter((p) => p.source !== source);
    if (kept.length === rare.pending.length) return;
    rare.pending = kept.length > 0 ? kept : null;
    this.hasPendingError = rare.pending !== null;
    if (!this.hasPendingError) this.interruptDelivered();
  }

  /**
   * Takes the next pending error for delivery.
   * @ignore
   */
  takePendingError(): unknown {
    const rare = this.#rare!;
    const next = rare.pending!.shift()!;
    if (rare.pending!.length === 0) rare.pending = null;
    this.hasPendingError = rare.pending !== null;
    this.interruptDelivered();
    return next.error;
  }

  /**
   * Records a park it now waits in.
   * @ignore
   */
  addPark(park: Park): void {
    if (this.#parkSlot === null) this.#parkSlot = park;
    else ((this.#rare ??= new GreenletRare()).moreParks ??= []).push(park);
  }

  /**
   * Forgets a park it no longer waits in.
   * @ignore
   */
  unpark(park: Park): void {
    if (this.#parkSlot === park) {
      this.#parkSlot = null;
      return;
    }
    const rare = this.#rare;
    const more = rare?.moreParks;
    if (more == null) return;
    const i = more.indexOf(park);
    if (i >= 0) more.splice(i, 1);
    if (more.length === 0) rare!.moreParks = null;
  }

  /**
   * Every park it waits in (a copy).
   * @ignore
   */
  parks(): Park[] {
    const all: Park[] = this.#parkSlot === null ? [] : [this.#parkSlot];
    const more = this.#rare?.moreParks;
    if (more != null) all.push(...more);
    return all;
  }
}

/**
 * The greenlet state few greenthreads ever need, kept out of the greenlet
 * itself so that each of the many that never need it is smaller (8 B a
 * field; measured in bench/core_ratios.ts, memory per parked greenthread).
 */
class GreenletRare {
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
}
