/**
 * LiveList: the hub's list of live spawned greenthreads, for
 * `hub.greenthreads()` and the debug listings.
 *
 * Intrusive and doubly linked through each greenthread's private live
 * links (declared in greenthread.ts, reached through greenlet_core.ts
 * `liveLinks`), so that adding and removing cost no allocation and O(1).
 *
 * @module
 */

import { type GreenletCore, liveLinks } from "./greenlet_core.ts";

/** The live greenthreads of one hub, newest first internally. */
export class LiveList<G extends GreenletCore> {
  #head: G | null = null;

  /** Records a greenthread that was just spawned. */
  add(greenlet: G): void {
    const head = this.#head;
    liveLinks.setLiveNext(greenlet, head);
    if (head !== null) liveLinks.setLivePrev(head, greenlet);
    this.#head = greenlet;
  }

  /** Forgets a greenthread that ended; does nothing if it was not added. */
  remove(greenlet: G): void {
    const prev = liveLinks.livePrev(greenlet);
    const next = liveLinks.liveNext(greenlet);
    if (prev !== null) liveLinks.setLiveNext(prev, next);
    else if (this.#head === greenlet) this.#head = next as G | null;
    else return; // not in the list
    if (next !== null) liveLinks.setLivePrev(next, prev);
    liveLinks.setLivePrev(greenlet, null);
    liveLinks.setLiveNext(greenlet, null);
  }

  /** The live greenthreads, oldest first. */
  toArray(): G[] {
    const all: G[] = [];
    for (let g: GreenletCore | null = this.#head; g !== null; g = liveLinks.liveNext(g)) {
      all.push(g as G);
    }
    return all.reverse();
  }
}
