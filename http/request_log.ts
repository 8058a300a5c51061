/**
 * The access log of requests: the line of each answered request, written
 * once its response has been delivered (or its client left), so that the
 * seconds and bytes include sending the body, as in eventlet.wsgi.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import { countBody, formatLogLine } from "./access_log.ts";
import type { RequestEntry } from "./request_entry.ts";

const hub = getHub();

/**
 * `response` as it goes out with the log on: its body counted into
 * `entry.bytes`, and the line written when Deno reports it delivered.
 */
export function loggedResponse(
  log: (line: string) => void,
  entry: RequestEntry,
  response: Response,
): Response {
  // A body already locked cannot be read through a counter: it goes out as it
  // is (Deno answers 500 for it) and the log shows 0 bytes.
  const counted = response.body?.locked ? response : countBody(response, entry);
  const write = () => writeLogLine(log, entry, response.status);
  entry.info.completed.then(write, write);
  return counted;
}

/** Writes the line of `entry` now; a log function that throws goes to `hub.onError`. */
export function writeLogLine(
  log: (line: string) => void,
  entry: RequestEntry,
  status: number,
): void {
  const seconds = (performance.now() - entry.arrival) / 1000;
  const line = formatLogLine(
    entry.client,
    entry.request.method,
    entry.target,
    status,
    entry.bytes,
    seconds,
  );
  try {
    log(line);
  } catch (error) {
    hub.onError(error);
  }
}
