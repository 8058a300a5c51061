/**
 * One request's record while the server holds it, and the intrusive lists
 * that order them.
 *
 * A record is made when `Deno.serve` hands the request over and dropped when
 * its greenthread ends. It sits in exactly one list at a time (waiting for a
 * slot, running, or answered-but-still-running), linked through its own
 * `prev`/`next` fields: appending and removing cost two pointer writes and
 * no allocation, which matters at 100k requests a second. Lists keep arrival
 * order, so the oldest deadline is always at a list's head.
 *
 * @module
 */

import type { GreenThread } from "../hub/greenthread.ts";
import type { RequestScope } from "./request_scope.ts";

/** Waiting in the FIFO for a slot: no greenthread yet. */
export const QUEUED = 0;
/** Its greenthread runs and nothing has been sent yet. */
export const RUNNING = 1;
/** Answered by the server (timeout, disconnect, shutdown) while its greenthread is being killed. */
export const ANSWERED = 2;
/** Answered early by the handler itself (a `101` upgrade): a session until its greenthread ends. */
export const SESSION = 3;
/** Over: its greenthread ended (or it never got one). */
export const DONE = 4;

/** What the entry asks of the runner that owns it (kept narrow to avoid an import cycle). */
export interface EntryOwner {
  respondEarly(entry: RequestEntry, response: Response): void;
  onShutdown(callback: () => void): () => void;
  clientLeft(entry: RequestEntry): void;
}

/**
 * One request held by the server. It is also the request's
 * {@link RequestScope} and its `abort` listener (`handleEvent`), so linking
 * it anywhere allocates no closure.
 */
export class RequestEntry implements RequestScope, EventListenerObject {
  state = QUEUED;
  gt: GreenThread<unknown> | null = null;
  /** Resolves the promise `Deno.serve` awaits. */
  resolve: (response: Response) => void = noResolve;
  /** The tick generation it started in: the disconnect sweep links it one tick later. */
  generation = 0;
  /** When it must be answered (performance.now() ms), Infinity without requestTimeout. */
  deadline = Infinity;
  /** For the access log: arrival (ms), client address, body bytes. */
  arrival = 0;
  client = "-";
  bytes = 0;
  /** Set when shutdown's deadline cut it (it does not count as drained). */
  killedByShutdown = false;
  prev: RequestEntry | null = null;
  next: RequestEntry | null = null;
  list: EntryList | null = null;

  constructor(
    readonly owner: EntryOwner,
    readonly request: Request,
    readonly info: Deno.ServeHandlerInfo,
    /** The request target: path and query. */
    readonly target: string,
  ) {}

  respondEarly(response: Response): void {
    this.owner.respondEarly(this, response);
  }

  onShutdown(callback: () => void): () => void {
    return this.owner.onShutdown(callback);
  }

  /** The `abort` listener of `request.signal`. */
  handleEvent(): void {
    this.owner.clientLeft(this);
  }
}

function noResolve(): void {}

/** A doubly linked list of entries through their own fields. */
export class EntryList {
  head: RequestEntry | null = null;
  tail: RequestEntry | null = null;
  size = 0;

  /** Appends `entry` (which must be in no list). */
  push(entry: RequestEntry): void {
    entry.list = this;
    entry.prev = this.tail;
    entry.next = null;
    if (this.tail === null) this.head = entry;
    else this.tail.next = entry;
    this.tail = entry;
    this.size++;
  }

  /** Takes `entry` out of this list. */
  remove(entry: RequestEntry): void {
    const { prev, next } = entry;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = null;
    entry.list = null;
    this.size--;
  }

  /** Removes and returns the head, or null when empty. */
  shift(): RequestEntry | null {
    const entry = this.head;
    if (entry !== null) this.remove(entry);
    return entry;
  }

  /** The entries now in the list (a copy: safe to change the list while going through it). */
  toArray(): RequestEntry[] {
    const all: RequestEntry[] = [];
    for (let e = this.head; e !== null; e = e.next) all.push(e);
    return all;
  }
}

/** Takes `entry` out of whichever list holds it. */
export function unlist(entry: RequestEntry): void {
  entry.list?.remove(entry);
}
