/**
 * Task: one call sent to a tpool worker, and how a kill or Timeout reaches it.
 *
 * A task is QUEUED (waiting for a worker), RUNNING (posted to a worker:
 * running there, or waiting in that worker's line),
 * SETTLED (its caller was woken with the reply or an error) or ABANDONED
 * (its caller was interrupted: a queued task is then skipped, a running
 * task's worker is terminated and replaced, since a worker cannot stop a
 * call half-way).
 *
 * The caller's park has an `onInterrupt` hook: when a kill or Timeout
 * interrupts the caller, the task is abandoned at that moment.
 *
 * @module
 */

import { wake, wakeWithError } from "../hub/lowlevel.ts";
import type { Park } from "../hub/park.ts";
import { deserializeError, type SerializedError, TpoolError } from "./errors.ts";
import { REPLY } from "./protocol.ts";
import type { WorkerSlot } from "./worker_slot.ts";

/** Waiting for a worker. */
export const QUEUED = 0;
/** Posted to a worker, which replies once. */
export const RUNNING = 1;
/** Its caller has its outcome. */
export const SETTLED = 2;
/** Its caller was interrupted; nobody waits for it. */
export const ABANDONED = 3;

/** Why a worker ended, for the errors of the calls it takes down. */
export interface EndReason {
  /** Completes "Cannot <action>: …". */
  readonly reason: string;
  /** The TpoolError code. */
  readonly code: string;
  /** An uncaught error that crashed the worker, if any. */
  readonly cause?: unknown;
}

/** The TpoolError for a call that `why` stopped: "Cannot <action>: <reason>". */
export function endError(action: string, why: EndReason): TpoolError {
  return new TpoolError(
    `Cannot ${action}: ${why.reason}`,
    why.code,
    why.cause === undefined ? undefined : { cause: why.cause },
  );
}

/** Turns a worker's OK or WRAPPED reply into the caller's value. */
export type Decode = (reply: unknown[], task: Task) => unknown;

let nextTaskId = 1;

/** One call for a worker; see the module comment. */
export class Task {
  /** Matches the worker's reply to the call (message slot 1). */
  readonly id: number = nextTaskId++;
  /** QUEUED, RUNNING, SETTLED or ABANDONED. */
  state = QUEUED;
  /** The caller's park; null for a message without reply (RELEASE). */
  park: Park | null = null;
  /** The worker it was posted to. */
  slot: WorkerSlot | null = null;
  /** Its start cell in that worker (-1: none, a proxy call), and the token there. */
  cell = -1;
  /** See `cell`. */
  token = 0;

  constructor(
    /** The message (see protocol.ts); its task id is filled in here. */
    readonly msg: unknown[],
    /** Buffers to move with it, or null. */
    readonly transfer: Transferable[] | null,
    /** The shipped function's id, if the message carries one (its source goes in msg[3]). */
    readonly fnId: number,
    /** That function's source, sent the first time a worker sees the id. */
    readonly source: string | null,
    /** Makes the caller's value from the reply; null: the reply's value as is. */
    readonly decode: Decode | null,
    /** What the call does, for error messages ("execute fn in a worker"). */
    readonly action: string,
  ) {
    msg[1] = this.id;
  }

  /** Parks the caller on this task (called right after the task is submitted). */
  attach(park: Park): void {
    this.park = park;
    park.data = this;
    park.onInterrupt = abandon;
  }

  /** Wakes the caller with the worker's reply. */
  settle(reply: unknown[]): void {
    if (this.state !== RUNNING) return;
    this.state = SETTLED;
    const park = this.park;
    if (park === null) return;
    if (reply[1] === REPLY.ERR) {
      wakeWithError(park, deserializeError(reply[2] as SerializedError));
      return;
    }
    let value: unknown;
    try {
      value = this.decode === null ? reply[2] : this.decode(reply, this);
    } catch (error) {
      wakeWithError(park, error);
      return;
    }
    wake(park, value);
  }

  /** Wakes the caller with `error` (an Error, or an EndReason to word). */
  fail(error: unknown): void {
    if (this.state !== QUEUED && this.state !== RUNNING) return;
    this.state = SETTLED;
    if (this.park === null) return;
    wakeWithError(this.park, isEndReason(error) ? endError(this.action, error) : error);
  }

  /** Its caller was interrupted (kill, Timeout). */
  interrupted(): void {
    const posted = this.state === RUNNING;
    if (this.state !== QUEUED && !posted) return;
    this.state = ABANDONED;
    if (posted) this.slot!.abandon(this);
  }
}

function isEndReason(value: unknown): value is EndReason {
  return typeof value === "object" && value !== null && !(value instanceof Error) &&
    typeof (value as EndReason).reason === "string";
}

/** A tpool caller was interrupted by a kill or Timeout: abandon its task. */
function abandon(park: Park): void {
  (park.data as Task).interrupted();
}
