/**
 * LiveList: the hub's list of live spawned greenthreads, for
 * `hub.greenthreads()` and the debug listings.
 *
 * Intrusive and doubly linked through each greenlet's `liveNext` and
 * `livePrev`, so that adding and removing cost no allocation and O(1).
 *
 * @module
 */

import type { Greenlet } from "./greenlet.ts";

/** The live greenthreads of one hub, newest first internally. */
export class LiveList {
  #head: Greenlet | null = null;

  /** Records a greenthread that was just spawned. */
  add(greenlet: Greenlet): void {
    const head = this.#head;
    greenlet.liveNext = head;
    if (head !== null) head.livePrev = greenlet;
    this.#head = greenlet;
  }

  /** Forgets a greenthread that ended; does nothing if it was not added. */
  remove(greenlet: Greenlet): void {
    const { livePrev: prev, liveNext: next } = greenlet;
    if (prev !== null) prev.liveNext = next;
    else if (this.#head === greenlet) this.#head = next;
    else return; // not in the list
    if (next !== null) next.livePrev = prev;
    greenlet.livePrev = greenlet.liveNext = null;
  }

  /** The live greenthreads, oldest first. */
  toArray(): Greenlet[] {
    const all: Greenlet[] = [];
    for (let g = this.#head; g !== null; g = g.liveNext) all.push(g);
    return all.reverse();
  }
}
