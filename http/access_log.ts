/**
 * eventlet.wsgi's access log: one line per answered request.
 *
 * The line has eventlet's default format,
 * `client - - [date] "request line" status bytes seconds`, e.g.
 * `127.0.0.1 - - [04/Dec/2026 07:07:07] "GET /hello?x=1 HTTP/1.1" 200 5 0.050123`,
 * with the date as Python's `log_date_time_string` (local time). Deno does not
 * expose the HTTP version of a request, so the request line always says
 * `HTTP/1.1`.
 *
 * Body bytes: the `Content-Length` the handler set, 0 for no body, or else the
 * bytes counted as the body streams out; the line is written when the response
 * has been delivered (or the client left), so the seconds include sending it.
 *
 * @module
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** Python's `BaseHTTPRequestHandler.log_date_time_string`: `04/Dec/2026 07:07:07`, local time. */
export function logDateTime(date: Date = new Date()): string {
  return `${two(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()} ${
    two(date.getHours())
  }:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** The client's address for the log: the host of a TCP peer, else "-". */
export function clientAddress(info: { remoteAddr: Deno.Addr }): string {
  const addr = info.remoteAddr;
  return addr.transport === "tcp" || addr.transport === "udp" ? addr.hostname : "-";
}

/** One line in eventlet's default format. */
export function formatLogLine(
  client: string,
  method: string,
  target: string,
  status: number,
  bytes: number,
  seconds: number,
): string {
  return `${client} - - [${logDateTime()}] "${method} ${target} HTTP/1.1" ${status} ${bytes} ${
    seconds.toFixed(6)
  }`;
}

/** Where {@link countBody} adds up the bytes of a body. */
export interface ByteTally {
  bytes: number;
}

/**
 * `response` with a body that adds its bytes to `tally` as they stream out,
 * or `response` itself when its length is known (the `Content-Length` the
 * handler set, or no body): then `tally` gets that length at once. A body
 * that must be counted goes out chunked.
 */
export function countBody(response: Response, tally: ByteTally): Response {
  const length = response.headers.get("content-length");
  if (response.body === null || length !== null) {
    tally.bytes = length === null ? 0 : Number(length) || 0;
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else {
          tally.bytes += value.byteLength;
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
