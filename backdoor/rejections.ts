/**
 * Unhandled rejections of promises a backdoor session made: reported to
 * that session instead of ending the program.
 *
 * A promise rejected with no handler (`Promise.reject(e)` typed and left)
 * would make Deno exit. Each session's promises come from its own realm
 * (see evaluate.ts), so one `unhandledrejection` listener, installed while
 * any session is open, can tell them from the program's own, whose
 * treatment it leaves alone.
 *
 * @module
 */

/** A session, as this listener sees it. */
export interface RejectionSink {
  /** True for a promise made by the session's code. */
  ownsPromise(promise: Promise<unknown>): boolean;
  /** Prints the rejection to the session. */
  report(reason: unknown): void;
}

const sinks = new Set<RejectionSink>();

function onUnhandled(event: PromiseRejectionEvent): void {
  for (const sink of sinks) {
    if (sink.ownsPromise(event.promise)) {
      event.preventDefault();
      sink.report(event.reason);
      return;
    }
  }
}

/** Routes the session's unhandled rejections to it until the returned disposer runs. */
export function catchRejections(sink: RejectionSink): Disposable {
  if (sinks.size === 0) globalThis.addEventListener("unhandledrejection", onUnhandled);
  sinks.add(sink);
  return {
    [Symbol.dispose]() {
      if (!sinks.delete(sink)) return;
      if (sinks.size === 0) globalThis.removeEventListener("unhandledrejection", onUnhandled);
    },
  };
}
