/**
 * The request runner: what `serveHttp` and `greenHandler` do with each
 * request `Deno.serve` hands over.
 *
 * - Every request runs in its own greenthread, named `"GET /path"`, started
 *   while fewer than `maxSize` run; later ones wait in a FIFO of `maxQueue`,
 *   and beyond that get `503` with `Retry-After` at once.
 * - The runner is a source of request scopes: the WebSocket layer finds the
 *   request's entry through it, to answer early (`101`) and hear when
 *   shutdown begins.
 * - One hub timer per runner (every {@link TICK_SECONDS} s, armed only while
 *   requests are held) kills what overran `requestTimeout` and watches for
 *   clients that left: see `#tick` for how that stays off the fast path.
 * - Kills are handed to a fresh greenthread (`spawnN`), never made inline:
 *   an `abort` event may fire while the request's own greenthread runs, and
 *   the tick runs in the hub's greenthread.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import { spawn, spawnN } from "../green/spawn.ts";
import { Event } from "../green/event.ts";
import { addScopeSource, type ScopeSource } from "./request_scope.ts";
import {
  ANSWERED,
  DONE,
  EntryList,
  type EntryOwner,
  QUEUED,
  RequestEntry,
  RUNNING,
  SESSION,
  unlist,
} from "./request_entry.ts";
import { clientAddress, countBody, formatLogLine } from "./access_log.ts";
import type { HttpHandler, RequestSettings } from "./options.ts";

const hub = getHub();

/** The period of a runner's one timer: the precision of `requestTimeout`. */
export const TICK_SECONDS = 0.01;

/**
 * A server's counters (`HttpServer.stats()`).
 *
 * @example
 * ```ts
 * import type { HttpStats } from "@eventlet/eventlet/http";
 * const idle: HttpStats = { active: 0, queued: 0, served: 0, shed: 0, timedOut: 0, killed: 0 };
 * ```
 */
export type HttpStats = {
  /** Handlers running: a request leaves it when its greenthread ends. */
  active: number;
  /** Requests waiting for a slot (`maxSize` reached). */
  queued: number;
  /** Handlers that ended with an answer (500s and finished WebSocket sessions included). */
  served: number;
  /** Requests answered `503` because the queue was full. */
  shed: number;
  /** Requests answered `503` by `requestTimeout` (their handlers killed). */
  timedOut: number;
  /** Handlers killed for a client that left, by shutdown, or by anyone else's `kill`. */
  killed: number;
};

/** What `shutdown()` resolves with. */
export type DrainResult = {
  /** Requests that ended during the shutdown without being killed. */
  drained: number;
  /** Requests killed (or never started and answered `503`) at the deadline. */
  killed: number;
};

// Hot path: one executor for every request's promise, fed through a module
// variable, so that making the promise allocates no closure.
let pending: RequestEntry;
function captureResolve(resolve: (response: Response) => void): void {
  pending.resolve = resolve;
}

/**
 * True for the error a kill throws. Checked by name: the class is moving
 * between folders of the package, and any `GreenletExit` is a kill.
 */
function isKill(error: unknown): boolean {
  return error instanceof Error && error.name === "GreenletExit";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

function plain(status: number, body: string | null = null, headers?: HeadersInit): Response {
  return new Response(body, { status, headers });
}

/** Runs a server's requests as greenthreads; see the module comment. */
export class RequestRunner implements EntryOwner, ScopeSource {
  readonly #handler: HttpHandler;
  readonly #settings: RequestSettings;
  readonly #watching: boolean;
  /** QUEUED entries, in arrival order. */
  #waiting = new EntryList();
  /** RUNNING entries not yet watched for a disconnect, in arrival order. */
  #young = new EntryList();
  /** RUNNING entries with an abort listener on their request's signal, in arrival order. */
  #watched = new EntryList();
  /** ANSWERED and SESSION entries whose greenthreads still run. */
  #answered = new EntryList();
  #active = 0;
  #served = 0;
  #shed = 0;
  #timedOut = 0;
  #killed = 0;
  #generation = 0;
  #timer: { cancel(): void } | null = null;
  #shutdownCallbacks = new Set<() => void>();
  #shuttingDown = false;
  #drained = 0;
  #idle: Event<void> | null = null;
  #idleWaiters: (() => void)[] = [];
  #removeScopeSource: () => void;

  constructor(handler: HttpHandler, settings: RequestSettings) {
    this.#handler = handler;
    this.#settings = settings;
    this.#watching = settings.killOnDisconnect || settings.timeoutMs !== Infinity;
    this.#removeScopeSource = addScopeSource(this);
  }

  /** The entry (the request scope) whose greenthread is `greenthread`. */
  scopeOf(greenthread: object): RequestEntry | undefined {
    for (const list of [this.#young, this.#watched, this.#answered]) {
      for (let e = list.head; e !== null; e = e.next) if (e.gt === greenthread) return e;
    }
    return undefined;
  }

  /** Takes a request from `Deno.serve`; the promise resolves with its answer. */
  handle(request: Request, info: Deno.ServeHandlerInfo): Response | Promise<Response> {
    const settings = this.#settings;
    const url = request.url;
    const slash = url.indexOf("/", url.indexOf("//") + 2);
    const target = slash < 0 ? "/" : url.slice(slash);
    const entry = new RequestEntry(this, request, info, target);
    if (settings.log !== null) {
      entry.arrival = performance.now();
      entry.client = clientAddress(info);
    }
    if (target.length > settings.urlLengthLimit) {
      entry.state = DONE;
      return this.#logged(entry, plain(414));
    }
    if (settings.timeoutMs !== Infinity) {
      entry.deadline = (entry.arrival || performance.now()) + settings.timeoutMs;
    }
    pending = entry;
    const answer = new Promise<Response>(captureResolve);
    if (this.#active < settings.maxSize && this.#waiting.size === 0) this.#start(entry);
    else if (this.#waiting.size < settings.maxQueue) {
      this.#waiting.push(entry);
      this.#tickSoon();
    } else {
      this.#shed++;
      entry.state = DONE;
      entry.resolve(this.#logged(entry, plain(503, null, { "retry-after": "1" })));
    }
    return answer;
  }

  /** The counters now. */
  stats(): HttpStats {
    return {
      active: this.#active,
      queued: this.#waiting.size,
      served: this.#served,
      shed: this.#shed,
      timedOut: this.#timedOut,
      killed: this.#killed,
    };
  }

  #start(entry: RequestEntry): void {
    entry.state = RUNNING;
    this.#active++;
    entry.generation = this.#generation;
    this.#young.push(entry);
    const gt = spawn(this.#run, entry);
    const query = entry.target.indexOf("?");
    gt.name = `${entry.request.method} ${query < 0 ? entry.target : entry.target.slice(0, query)}`;
    entry.gt = gt;
    this.#tickSoon();
  }

  /**
   * The body of a request's greenthread. Not an async function: a handler
   * that answers synchronously then costs no promise of ours.
   */
  #run = (entry: RequestEntry): Promise<void> | void => {
    let outcome: Response | Promise<Response>;
    try {
      // A TCP server's info (Deno.serve over a Unix socket is not offered).
      outcome = this.#handler(entry.request, entry.info as Deno.ServeHandlerInfo<Deno.NetAddr>);
    } catch (error) {
      this.#finish(entry, true, error);
      return;
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (value) => this.#finish(entry, false, value),
        (error) => this.#finish(entry, true, error),
      );
    }
    this.#finish(entry, false, outcome);
  };

  /** The greenthread of `entry` ended with `outcome`. */
  #finish(entry: RequestEntry, failed: boolean, outcome: unknown): void {
    const state = entry.state;
    if (state === DONE) return;
    entry.state = DONE;
    unlist(entry);
    this.#active--;
    if (state === RUNNING) {
      let response: Response;
      if (failed && isKill(outcome)) {
        this.#killed++; // someone else's kill: the client still needs an answer
        response = plain(503);
      } else {
        this.#served++;
        if (failed) response = this.#failure(entry, outcome);
        else if (outcome instanceof Response) response = outcome;
        else {
          response = this.#failure(
            entry,
            new TypeError(
              `Cannot answer ${entry.gt?.name}: the handler must return a Response, received ${
                describe(outcome)
              }`,
            ),
          );
        }
      }
      entry.resolve(this.#logged(entry, response));
    } else {
      if (state === SESSION) this.#served++;
      if (failed && !isKill(outcome)) this.#report(entry, outcome);
    }
    if (this.#shuttingDown && !entry.killedByShutdown) this.#drained++;
    this.#startWaiting();
  }

  /** Reports a handler's error and makes its `500`. */
  #failure(entry: RequestEntry, error: unknown): Response {
    this.#report(entry, error);
    const body = this.#settings.debug
      ? (error instanceof Error ? (error.stack ?? String(error)) : String(error))
      : null;
    return plain(500, body, { "content-type": "text/plain; charset=utf-8" });
  }

  #report(entry: RequestEntry, error: unknown): void {
    const onError = this.#settings.onError;
    if (onError === null) {
      hub.onError(error, entry.gt ?? undefined);
      return;
    }
    try {
      onError(error, entry.request);
    } catch (thrown) {
      hub.onError(thrown, entry.gt ?? undefined);
    }
  }

  /** Starts waiting requests while slots are free; notices when nothing is held. */
  #startWaiting(): void {
    const maxSize = this.#settings.maxSize;
    while (this.#waiting.size > 0 && this.#active < maxSize) this.#start(this.#waiting.shift()!);
    if (this.#active === 0 && this.#waiting.size === 0) {
      if (this.#idle !== null && !this.#idle.ready()) this.#idle.send();
      if (this.#idleWaiters.length > 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /** `response`, counted for the access log when it is on. */
  #logged(entry: RequestEntry, response: Response): Response {
    const log = this.#settings.log;
    if (log === null) return response;
    let counted = response;
    try {
      counted = countBody(response, entry);
    } catch {
      // a body already read or locked: Deno will refuse it, the log shows 0 bytes
    }
    const write = () => this.#writeLog(entry, response.status);
    entry.info.completed.then(write, write);
    return counted;
  }

  #writeLog(entry: RequestEntry, status: number): void {
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
      this.#settings.log!(line);
    } catch (error) {
      hub.onError(error);
    }
  }

  /** Answers `entry` on the server's behalf; its greenthread is to be killed. */
  #answer(entry: RequestEntry, response: Response): void {
    entry.state = ANSWERED;
    unlist(entry);
    this.#answered.push(entry);
    entry.resolve(this.#logged(entry, response));
  }

  /** Kills `entry`'s greenthread from a greenthread of its own. */
  #killSoon(entry: RequestEntry): void {
    spawnN(this.#kill, entry);
  }

  #kill = (entry: RequestEntry): Promise<void> | void => {
    const gt = entry.gt!;
    if (gt.started) return gt.kill();
    void gt.kill(); // never started: it ends now without running #run
    this.#finish(entry, false, undefined);
  };

  /** Arms the runner's one timer if it is not armed and something needs watching. */
  #tickSoon(): void {
    if (this.#timer !== null || !this.#watching) return;
    this.#timer = hub.scheduleCallGlobal(TICK_SECONDS, this.#tick);
  }

  /** Cancels the runner's timer (the server has stopped: nothing is held). */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#removeScopeSource();
  }

  /**
   * Every TICK_SECONDS while requests are held: kill what overran its
   * deadline, and start watching for disconnects the requests that have run
   * for at least one whole tick.
   *
   * Why not watch every request: on Deno 2.9.6 merely touching
   * `request.signal` and adding an `abort` listener costs about 9 µs, half of
   * a hello-world's throughput (0.44–0.51 × raw `Deno.serve` with wrk), and a
   * `Timeout` per request about as much. But the signal still aborts 2–3 ms
   * after a disconnect when it is first read long after it (read 200 ms
   * after the close, its listener fired 3 ms later). So a request that ends
   * within a tick (nearly all) never touches its signal; one still running
   * after 10–20 ms gets a listener, and a disconnect kills it within about
   * 25 ms. The deadlines need no per-request timer either: every request has
   * the same timeout, so arrival order is deadline order and only list heads
   * are looked at. Measured with bench/http.ts: see bench/README.md.
   */
  #tick = (): void => {
    this.#timer = null;
    if (this.#settings.timeoutMs !== Infinity) {
      const now = performance.now();
      this.#expire(this.#waiting, now);
      this.#expire(this.#watched, now);
      this.#expire(this.#young, now);
    }
    if (this.#settings.killOnDisconnect) {
      const young = this.#young;
      const generation = this.#generation;
      for (let e = young.head; e !== null && e.generation < generation; e = young.head) {
        young.remove(e);
        this.#watched.push(e);
        const signal = e.request.signal;
        if (signal.aborted) this.clientLeft(e);
        else signal.addEventListener("abort", e);
      }
    }
    this.#generation++;
    if (this.#waiting.size + this.#young.size + this.#watched.size > 0) this.#tickSoon();
  };

  /** Times out the head of `list` while its deadline has passed. */
  #expire(list: EntryList, now: number): void {
    for (let e = list.head; e !== null && e.deadline <= now; e = list.head) {
      this.#timedOut++;
      if (e.state === QUEUED) this.#dropWaiting(e, plain(503));
      else {
        this.#answer(e, plain(503));
        this.#killSoon(e);
      }
    }
  }

  /** Answers a request that never got a greenthread. */
  #dropWaiting(entry: RequestEntry, response: Response): void {
    entry.state = DONE;
    unlist(entry);
    entry.resolve(this.#logged(entry, response));
    if (this.#shuttingDown && !entry.killedByShutdown) this.#drained++;
    this.#startWaiting();
  }

  // ------------------------------------------------ the RequestScope side

  /** See `RequestScope.respondEarly`. */
  respondEarly(entry: RequestEntry, response: Response): void {
    if (!(response instanceof Response)) {
      throw new TypeError(
        `Cannot respond early: response must be a Response, received ${describe(response)}`,
      );
    }
    if (entry.state !== RUNNING) {
      throw new Error(`Cannot respond early: ${entry.gt?.name} was already answered`);
    }
    entry.state = SESSION;
    unlist(entry);
    this.#answered.push(entry);
    if (this.#settings.log !== null) this.#writeLog(entry, response.status);
    entry.resolve(response);
  }

  /** See `RequestScope.onShutdown`. */
  onShutdown(callback: () => void): () => void {
    if (this.#shuttingDown) {
      queueMicrotask(() => this.#callShutdownCallback(callback));
      return () => {};
    }
    this.#shutdownCallbacks.add(callback);
    return () => void this.#shutdownCallbacks.delete(callback);
  }

  #callShutdownCallback(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      hub.onError(error);
    }
  }

  /** The `abort` listener's work: the client of `entry` went away. */
  clientLeft(entry: RequestEntry): void {
    if (entry.state !== RUNNING) return; // answered: the legacy abort after a response
    this.#killed++;
    this.#answer(entry, plain(499)); // nobody reads it; the access log shows 499
    this.#killSoon(entry);
  }

  // ------------------------------------------------------------ shutdown

  /** True once the shutdown began. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Marks the shutdown begun and runs the `onShutdown` callbacks. */
  beginShutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    const callbacks = [...this.#shutdownCallbacks];
    this.#shutdownCallbacks.clear();
    for (const callback of callbacks) this.#callShutdownCallback(callback);
  }

  /**
   * Waits up to `deadline` seconds for every held request to end; then kills
   * the rest (answering `503` where nothing was sent) and waits until their
   * `finally` blocks ran. A switch point.
   */
  async drain(deadline: number): Promise<DrainResult> {
    if (!this.#isIdle()) {
      this.#idle = new Event<void>();
      await this.#idle.wait(deadline === Infinity ? undefined : deadline);
    }
    let killed = 0;
    if (!this.#isIdle()) {
      const waiting = this.#waiting.toArray();
      const running = [
        ...this.#young.toArray(),
        ...this.#watched.toArray(),
        ...this.#answered.toArray(),
      ];
      for (const entry of [...waiting, ...running]) entry.killedByShutdown = true;
      killed = waiting.length + running.length;
      this.#killed += killed;
      this.#waiting = new EntryList(); // nothing waiting starts any more
      for (const entry of waiting) entry.state = DONE;
      for (const entry of waiting) entry.resolve(this.#logged(entry, plain(503)));
      for (const entry of running) {
        if (entry.state === RUNNING) this.#answer(entry, plain(503));
        this.#killSoon(entry);
      }
      if (!this.#isIdle()) {
        this.#idle = new Event<void>();
        await this.#idle.wait();
      }
    }
    return { drained: this.#drained, killed };
  }

  #isIdle(): boolean {
    return this.#active === 0 && this.#waiting.size === 0;
  }

  /** Resolves (a plain promise, not a switch point) once no request is held. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
