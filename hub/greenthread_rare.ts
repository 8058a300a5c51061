/**
 * GreenThreadRare: the GreenThread state few greenthreads need — links, a
 * name, a spawn site, the spawner's AsyncLocalStorage values — kept in an
 * object made on first use, so that the many greenthreads without them
 * are smaller (each field is 8 B on the spawn path; bench/README.md). It
 * extends the scheduler's GreenletRare: a greenthread holds one rare
 * object for both (greenlet_core.ts `rareOf`).
 * The link list's rules (order, a link added while links run, a throwing
 * link) live here with the list.
 *
 * @module
 */

import {
  type GreenletCore,
  GreenletRare,
  madeRare,
  rareOf,
  setRareMaker,
} from "./greenlet_core.ts";
import type { GreenThread, LinkCallback } from "./greenthread.ts";
import type { Park } from "./park.ts";
import { ParkingLot } from "./parking_lot.ts";
import { reportError } from "./scheduler.ts";

// deno-lint-ignore no-explicit-any
type Link = [LinkCallback<any>, unknown[]];

/** See the module comment. */
export class GreenThreadRare extends GreenletRare {
  /** Links not yet run, in link order. */
  links: Link[] | null = null;
  /** The links being run as it ends (a link may add more to this pass). */
  linking: Link[] | null = null;
  /** Set by the `name` setter. */
  name: string | undefined = undefined;
  /** Set by spawn when `debug.captureSpawnSites` is on. */
  spawnSite: string | undefined = undefined;
  /** The spawner's AsyncLocalStorage values, until the start. */
  spawnContext: unknown = undefined;

  /**
   * Adds a link. False when the greenthread has `ended` and its links are
   * not running: the caller calls `fn` at once. A link added by a link joins
   * the pass being run.
   */
  // deno-lint-ignore no-explicit-any
  addLink(fn: LinkCallback<any>, args: unknown[], ended: boolean): boolean {
    if (this.linking !== null) this.linking.push([fn, args]);
    else if (ended) return false;
    else (this.links ??= []).push([fn, args]);
    return true;
  }

  /** Removes the first link made with `fn`; true if there was one. */
  // deno-lint-ignore no-explicit-any
  removeLink(fn: LinkCallback<any>): boolean {
    const links = this.links;
    const i = links === null ? -1 : links.findIndex(([f]) => f === fn);
    if (i < 0) return false;
    links!.splice(i, 1);
    return true;
  }

  /** Runs the links once, in order, in `gt`'s context; one that throws stops the rest. */
  // deno-lint-ignore no-explicit-any
  runLinks(gt: GreenThread<any>): void {
    const links = this.links;
    if (links === null) return;
    this.links = null;
    this.linking = links; // a link added by a link joins the end of this pass
    for (let i = 0; i < links.length; i++) {
      const [fn, args] = links[i];
      try {
        fn(gt, ...args);
      } catch (error) {
        reportError(error, gt);
        break;
      }
    }
    this.linking = null;
  }
}

setRareMaker(() => new GreenThreadRare());

/** A package hook run as a greenthread ends (`addExitHook`). */
// deno-lint-ignore no-explicit-any
export type ExitHook = (gt: GreenThread<any>) => void;

/**
 * Who waits for a greenthread's end, made on first use: the parks of
 * `wait()` and `kill()`, and the package's exit hooks (GreenPool, serve,
 * spawnAfter). One field of the greenthread for both (8 B per greenthread,
 * bench/compare/parked_memory_ours.ts); the first hook needs no array (a
 * pooled greenthread has exactly one).
 *
 * - Parks are woken in the order they parked, then the hooks run in the
 *   order they were added.
 *
 * The parks stand in a ParkingLot of their own, made when the first one
 * waits, rather than this class extending ParkingLot: V8 allocates an
 * instance of a derived class inline only when its base class does
 * nothing, so each derived EndWatchers cost 17 ns against 5.6 for a class
 * of its own (`taskset -c 1`, 2M constructions), on every pooled spawn.
 */
export class EndWatchers {
  #lot: ParkingLot<number> | null = null;
  #hook: ExitHook | null = null;
  #moreHooks: ExitHook[] | null = null;

  /** Parks `g` until the greenthread ends, with `data` (see ParkingLot.park). */
  park<T>(g: GreenThread, what: string, data?: number): Promise<T> {
    return (this.#lot ??= new ParkingLot<number>()).park(g, what, data);
  }

  /** The first park still waiting, or null. */
  get head(): Park<number> | null {
    return this.#lot === null ? null : this.#lot.head;
  }

  /** Adds a hook, run after the earlier ones. */
  addHook(hook: ExitHook): void {
    if (this.#hook === null) this.#hook = hook;
    else (this.#moreHooks ??= []).push(hook);
  }

  /** Runs the hooks once, in order. */
  // deno-lint-ignore no-explicit-any
  runHooks(gt: GreenThread<any>): void {
    const hook = this.#hook;
    if (hook === null) return;
    this.#hook = null;
    hook(gt);
    const more = this.#moreHooks;
    if (more === null) return;
    this.#moreHooks = null;
    for (const h of more) h(gt);
  }
}

/** The greenthread's one rare object, made on first use. */
export function rare(gt: GreenletCore): GreenThreadRare {
  return rareOf(gt) as GreenThreadRare;
}

/** The greenthread's rare object if one was made, else null. */
export function rareIfMade(gt: GreenletCore): GreenThreadRare | null {
  return madeRare(gt) as GreenThreadRare | null;
}
