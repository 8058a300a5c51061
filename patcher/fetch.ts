/**
 * The green `fetch`: the platform's fetch, waited for at a switch point and
 * aborted by the calling greenthread's `signal`.
 *
 * @module
 */

import { awaitForeign, currentGreenlet } from "../hub/lowlevel.ts";

/** The signal that aborts a request: the greenthread's, and the caller's own. */
function combinedSignal(input: RequestInfo | URL, init: RequestInit | undefined): AbortSignal {
  const signals = [currentGreenlet().signal];
  if (init?.signal) signals.push(init.signal);
  else if (input instanceof Request) signals.push(input.signal);
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/**
 * Makes a green version of `fetch`: the wait for the response is a switch
 * point, and a `kill` or `Timeout` of the calling greenthread aborts the
 * HTTP request itself (through the greenthread's `signal`, combined with
 * the caller's own `signal` option). Reading the body afterwards is a plain
 * foreign await; wrap it in `waitFor` to make it a switch point too.
 */
export function makeGreenFetch(original: typeof fetch): typeof fetch {
  const green = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    // A pending kill or Timeout surfaces before the request starts.
    return awaitForeign(
      currentGreenlet(),
      "fetch",
      () => original(input, { ...init, signal: combinedSignal(input, init) }),
    );
  };
  Object.defineProperty(green, "length", { value: original.length });
  return green as typeof fetch;
}
