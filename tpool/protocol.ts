/**
 * The message protocol between the calling thread and a tpool worker.
 *
 * Messages are small arrays (cheaper to structured-clone than objects).
 *
 * Caller → worker, `[op, taskId, ...]`:
 * - `[INIT, 0, sharedArrayBuffer | null, port]` — the first message, through
 *   `parentPort`: a pool worker's start cells, and the web `MessagePort`
 *   that carries every later message both ways (Deno's `node:worker_threads`
 *   `postMessage` clones typed arrays element by element, ~100 ms per MiB;
 *   a web port does not).
 * - `[CALL, id, fnId, source | null, args, cell, token]` — run a
 *   self-contained function; `source` is sent the first time this worker
 *   sees `fnId`, then only the id.
 * - `[MCALL, id, url, exportName, args, cell, token]` — run a `workerFunction`.
 *
 * Pool workers get several calls ahead (pipelining) and run them one at a
 * time. Before it starts a call, the worker claims it by swapping its start
 * cell from `token` to STARTED (`Atomics.compareExchange`); the calling
 * thread takes back a call not yet started by swapping `token` to
 * CANCELLED. Exactly one side wins, so a call taken back never runs, and a
 * call that runs is never run elsewhere too. A cell is reused with a new
 * token, so a stale message finds a different value and is skipped.
 * - `[NEW, id, fnId | url, source | exportName, args, autowrap]` — run a proxy
 *   factory (a function when the third item is a number, else a module
 *   export) and keep its result in the worker. `autowrap` is
 *   `[constructorNames, predicateId, predicateSource | null, autowrapNames]`.
 * - `[PCALL, id, objId, method | null, args]` — call a method of a kept
 *   object (`null`: call the object itself).
 * - `[PGET, id, objId, name]` — read an attribute of a kept object.
 * - `[PITER, id, objId]` — make an iterator of a kept object and keep it.
 * - `[PNEXT, id, objId]` — step a kept iterator: replies `[done, value]`.
 * - `[RELEASE, 0, objId]` — forget a kept object (no reply).
 *
 * Worker → caller, `[taskId, kind, ...]`:
 * - `[id, OK, value]`, `[id, ERR, serializedError]`,
 * - `[id, WRAPPED, objId, constructorName]` — the result stays in the worker,
 * - `[0, CRASH, serializedError]` — an uncaught error; the worker exits next.
 *
 * The constants are shipped to the worker as JSON, so they must stay plain.
 *
 * @module
 */

/** Operations the calling thread sends. */
export const OP = {
  CALL: 1,
  MCALL: 2,
  NEW: 3,
  PCALL: 4,
  PGET: 5,
  PITER: 6,
  PNEXT: 7,
  RELEASE: 8,
  INIT: 9,
} as const;

/** Reply kinds the worker sends. */
export const REPLY = {
  OK: 1,
  ERR: 2,
  WRAPPED: 3,
  CRASH: 4,
} as const;

/** A start cell's value once the worker has claimed the call (tokens are positive). */
export const STARTED = 0;
/** A start cell's value once the calling thread has taken the call back. */
export const CANCELLED = -1;

/** The operation codes' type. */
export type Ops = typeof OP;
/** The reply kinds' type. */
export type Replies = typeof REPLY;

/** `Symbol.for` key that marks a `transfer(value, list)` box (shared by every copy of the module). */
export const TRANSFER_KEY = "eventlet.tpool.transfer";
/** `Symbol.for` key of the global flag set inside tpool workers (nested calls run inline). */
export const IN_WORKER_KEY = "eventlet.tpool.inWorker";
