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
 * - One hub timer per runner (request_watch.ts, armed only while requests
 *   are held) kills what overran `requestTimeout` and notices clients that
 *   left, without a timer or a `request.signal` listener per request.
 * - Kills are handed to a fresh greenthread (`spawnN`), never made inline:
 *   an `abort` event may fire while the request's own greenthread runs, and
 *   the tick runs in the hub's greenthread.
 * - Who hears when the shutdown begins is shutdown_notice.ts's business.
 *
 * @module
 */

import { getHub } from "../hub/hub.ts";
import { spawn, spawnN } from "../green/spawn.ts";
import { Event } from "../green/event.ts";
import { isKill } from "../hub/greenlet_exit.ts";
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
import { clientAddress } from "./access_log.ts";
import { loggedResponse, writeLogLine } from "./request_log.ts";
import { RequestWatch, type WatchOwner } from "./request_watch.ts";
import { ShutdownNotice } from "./shutdown_notice.ts";
import type { HttpHandler, RequestSettings } from "./options.ts";
import type { DrainResult, HttpStats } from "./stats.ts";

const hub = getHub();

// Hot path: one executor for every request's promise, fed through a module
// variable, so that making the promise allocates no closure.
let pending: RequestEntry;
function captureResolve(resolve: (response: Response) => void): void {
  pending.resolve = resolve;
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
export class RequestRunner implements EntryOwner, ScopeSource, WatchOwner {
  readonly #handler: HttpHandler;
  readonly #settings: RequestSettings;
  /** QUEUED entries, in arrival order. */
  #waiting = new EntryList();
  /** RUNNING entries (in its two lists), and the one timer. */
  readonly #watch: RequestWatch;
  /** ANSWERED and SESSION entries whose greenthreads still run. */
  #answered = new EntryList();
  #active = 0;
  #served = 0;
  #shed = 0;
  #timedOut = 0;
  #killed = 0;
  readonly #shutdown = new ShutdownNotice();
  #drained = 0;
  #idle: Event<void> | null = null;
  #idleWaiters: (() => void)[] = [];
  #removeScopeSource: () => void;

  constructor(handler: HttpHandler, settings: RequestSettings) {
    this.#handler = handler;
    this.#settings = settings;
    this.#watch = new RequestWatch(this, settings, this.#waiting);
    this.#removeScopeSource = addScopeSource(this);
  }

  /** The entry (the request scope) whose greenthread is `greenthread`. */
  scopeOf(greenthread: object): RequestEntry | undefined {
    for (const list of [this.#watch.young, this.#watch.watched, this.#answered]) {
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
      this.#watch.armed();
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
    this.#watch.add(entry);
    const gt = spawn(this.#run, entry);
    const query = entry.target.indexOf("?");
    gt.name = `${entry.request.method} ${query < 0 ? entry.target : entry.target.slice(0, query)}`;
    entry.gt = gt;
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
    if (this.#shutdown.begun && !entry.killedByShutdown) this.#drained++;
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
    return log === null ? response : loggedResponse(log, entry, response);
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

  /** Stops the runner's timer (the server has stopped: nothing is held). */
  stop(): void {
    this.#watch.stop();
    this.#removeScopeSource();
  }

  /** See `WatchOwner.timedOut`. */
  timedOut(entry: RequestEntry): void {
    this.#timedOut++;
    if (entry.state === QUEUED) this.#dropWaiting(entry, plain(503));
    else {
      this.#answer(entry, plain(503));
      this.#killSoon(entry);
    }
  }

  /** Answers a request that never got a greenthread. */
  #dropWaiting(entry: RequestEntry, response: Response): void {
    entry.state = DONE;
    unlist(entry);
    entry.resolve(this.#logged(entry, response));
    if (this.#shutdown.begun && !entry.killedByShutdown) this.#drained++;
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
    if (this.#settings.log !== null) writeLogLine(this.#settings.log, entry, response.status);
    entry.resolve(response);
  }

  /** See `RequestScope.onShutdown`. */
  onShutdown(callback: () => void): () => void {
    return this.#shutdown.listen(callback);
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
    return this.#shutdown.begun;
  }

  /** Marks the shutdown begun and runs the `onShutdown` callbacks. */
  beginShutdown(): void {
    this.#shutdown.begin();
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
        ...this.#watch.young.toArray(),
        ...this.#watch.watched.toArray(),
        ...this.#answered.toArray(),
      ];
      for (const entry of [...waiting, ...running]) entry.killedByShutdown = true;
      killed = waiting.length + running.length;
      this.#killed += killed;
      for (const entry of waiting) {
        unlist(entry); // nothing waiting starts any more
        entry.state = DONE;
      }
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
