/**
 * The shutdown notice of one server: who wants to hear when its shutdown
 * begins (a WebSocket session sends `1001` then), and whether it has.
 *
 * Kept apart from the request runner because it is a separate concern: it
 * holds no requests, only callbacks, and runs each exactly once — at the
 * moment the shutdown begins, before any drain deadline, or soon after
 * registration when the shutdown has already begun. A callback that throws
 * is reported to the hub's `onError`; the others still run.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";

const hub = getHub();

/** Callbacks to run once when a server's shutdown begins. */
export class ShutdownNotice {
  #callbacks = new Set<() => void>();
  #begun = false;

  /** True once the shutdown began. */
  get begun(): boolean {
    return this.#begun;
  }

  /**
   * Runs `callback` once when the shutdown begins (in a microtask if it
   * already has); returns a function that unregisters it.
   */
  listen(callback: () => void): () => void {
    if (this.#begun) {
      queueMicrotask(() => call(callback));
      return () => {};
    }
    this.#callbacks.add(callback);
    return () => void this.#callbacks.delete(callback);
  }

  /** Marks the shutdown begun and runs the callbacks, in registration order. */
  begin(): void {
    if (this.#begun) return;
    this.#begun = true;
    const callbacks = [...this.#callbacks];
    this.#callbacks.clear();
    for (const callback of callbacks) call(callback);
  }
}

function call(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    hub.onError(error);
  }
}
