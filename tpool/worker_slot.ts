/**
 * WorkerSlot: one worker thread and the calls posted to it.
 *
 * - A pool slot holds up to `PIPELINE_DEPTH` calls: the worker runs them one
 *   at a time, in order, and starts the next without waiting for a round
 *   trip. Each posted call has a start cell (protocol.ts): a call the worker
 *   has not started can be taken back (`reclaim`) and run elsewhere, or
 *   dropped when its caller is interrupted.
 * - A *dedicated* slot hosts proxied objects: one call at a time, the
 *   others wait in `pinned`, in call order; it ends with its last object.
 * - The worker is a `node:worker_threads` Worker (see mod.ts for why not a
 *   Web Worker), always unref'd; calls and replies go through a web
 *   `MessagePort` (protocol.ts says why), ref'd only while calls are in
 *   flight, so an idle worker never keeps the process alive.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { Fifo } from "../hub/fifo.ts";
import { cloneError, deserializeError, type SerializedError } from "./errors.ts";
import { CANCELLED, OP, REPLY } from "./protocol.ts";
import { ABANDONED, type EndReason, QUEUED, RUNNING, Task } from "./task.ts";
import { workerScriptUrl } from "./worker_main.ts";

/** Calls a pool worker may hold at once: one running, the rest waiting in it. */
export const PIPELINE_DEPTH = 8;

/**
 * After a worker exits, how long its port may stay quiet before it is
 * taken as drained (ms). Node's "exit" event can overtake the replies and
 * the crash report the worker posted just before: those are taken first.
 * The crash report is the worker's last message, so it ends the wait.
 */
const EXIT_QUIET_MS = 25;

/** What a slot tells the pool. */
export interface SlotHost {
  /** The slot has room for more calls (or a dedicated slot freed an object). */
  slotFree(slot: WorkerSlot): void;
  /** The slot's worker is gone (crashed, exited, or terminated). */
  slotEnded(slot: WorkerSlot): void;
  /** Calls taken back from a worker before they started: run them first. */
  requeue(tasks: Task[]): void;
}

type PostMessage = (message: unknown, transfer?: Transferable[]) => void;
/** Deno's MessagePort has Node's ref/unref. */
interface RefPort {
  ref(): void;
  unref(): void;
}

let lastToken = 0;
function nextToken(): number {
  lastToken = lastToken >= 0x3fffffff ? 1 : lastToken + 1;
  return lastToken;
}

/** One worker thread; see the module comment. */
export class WorkerSlot {
  /** Calls posted and not yet answered, oldest (running) first. */
  readonly inflight: Task[] = [];
  /** Why it ended, once it has (later calls on its proxies reject with this). */
  ended: EndReason | null = null;
  /** A call of it was abandoned while it may be running: it takes no more calls. */
  doomed = false;
  /** When it last became idle (performance.now()), for the idle timeout. */
  idleSince = 0;
  /** Objects kept in it that a live proxy stands for (dedicated slots). */
  liveObjects = 0;
  /** Calls waiting for it, in call order (dedicated slots). */
  readonly pinned: Fifo<Task> | null;
  readonly #capacity: number;
  readonly #worker: Worker;
  readonly #port: MessagePort & RefPort;
  readonly #post: PostMessage;
  readonly #host: SlotHost;
  readonly #sentFns = new Set<number>();
  readonly #cells: Int32Array | null = null;
  readonly #freeCells: number[] = [];
  #refed = false;
  #crashError: unknown = undefined;
  /** Set when the worker exited by itself; its port is drained before it ends. */
  #exitCode: number | null = null;
  #exitTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #terminated: Promise<void> | null = null;

  constructor(host: SlotHost, readonly dedicated: boolean) {
    this.#host = host;
    this.pinned = dedicated ? new Fifo<Task>() : null;
    this.#capacity = dedicated ? 1 : PIPELINE_DEPTH;
    const worker = new Worker(workerScriptUrl());
    this.#worker = worker;
    worker.on("error", this.#onError);
    worker.on("exit", this.#onExit);
    worker.unref(); // ref'd only while calls run (see #hold)
    let shared: SharedArrayBuffer | null = null;
    if (!dedicated) {
      shared = new SharedArrayBuffer(4 * PIPELINE_DEPTH);
      this.#cells = new Int32Array(shared);
      for (let i = PIPELINE_DEPTH - 1; i >= 0; i--) this.#freeCells.push(i);
    }
    // Everything after INIT goes through a web MessagePort: Deno's
    // node:worker_threads postMessage clones typed arrays element by element.
    const channel = new MessageChannel();
    worker.postMessage([OP.INIT, 0, shared, channel.port2], [channel.port2 as never]);
    const port = channel.port1 as MessagePort & RefPort;
    this.#port = port;
    this.#post = port.postMessage.bind(port) as PostMessage;
    port.onmessage = (event) => this.#onMessage(event.data);
    port.unref();
  }

  /** True if it can take another call now. */
  get hasRoom(): boolean {
    return this.alive && !this.doomed && this.inflight.length < this.#capacity;
  }

  /** True while the worker may still take calls (it has neither ended nor exited). */
  get alive(): boolean {
    return this.ended === null && this.#exitCode === null;
  }

  /**
   * Posts `task` to the worker. Throws a DataCloneError (and changes
   * nothing) when an argument cannot be cloned.
   */
  run(task: Task): void {
    const msg = task.msg;
    const fnId = task.fnId;
    if (fnId > 0) msg[3] = this.#sentFns.has(fnId) ? null : task.source;
    let cell = -1;
    let token = 0;
    if (this.#cells !== null) {
      cell = this.#freeCells.pop()!;
      token = nextToken();
      Atomics.store(this.#cells, cell, token);
      msg[5] = cell;
      msg[6] = token;
    }
    try {
      if (task.transfer === null) this.#post(msg);
      else this.#post(msg, task.transfer as Transferable[]);
    } catch (error) {
      if (cell >= 0) this.#freeCells.push(cell);
      throw cloneError(task.action, "an argument", error);
    }
    if (fnId > 0) this.#sentFns.add(fnId);
    if (task.park === null && msg[0] === OP.RELEASE) return; // no reply comes
    task.cell = cell;
    task.token = token;
    task.state = RUNNING;
    task.slot = this;
    this.inflight.push(task);
    if (!this.#refed) this.#hold(true);
  }

  /**
   * Takes `task` back if the worker has not started it: it will skip it.
   * False if it has started (or cannot be taken back).
   */
  reclaim(task: Task): boolean {
    const cells = this.#cells;
    if (cells === null || task.cell < 0) return false;
    if (Atomics.compareExchange(cells, task.cell, task.token, CANCELLED) !== task.token) {
      return false;
    }
    const i = this.inflight.indexOf(task);
    if (i >= 0) this.inflight.splice(i, 1);
    this.#freeCells.push(task.cell);
    task.cell = -1;
    task.slot = null;
    return true;
  }

  /** Takes back its newest call not yet started, to run on an idle worker; null if none. */
  steal(): Task | null {
    const inflight = this.inflight;
    for (let i = inflight.length - 1; i >= 1; i--) {
      const task = inflight[i];
      if (task.state !== RUNNING) return null; // an abandoned call that started
      if (task.transfer !== null) continue; // its buffers moved: it cannot be re-sent
      if (!this.reclaim(task)) return null; // started: those before it are done
      task.state = QUEUED;
      return task;
    }
    return null;
  }

  /** A dedicated slot's call: runs now if the slot is free, else waits in line. */
  submit(task: Task): void {
    if (this.inflight.length === 0 && this.pinned!.length === 0) this.run(task);
    else this.pinned!.push(task);
  }

  /** Runs the next waiting call of a dedicated slot; false if none. */
  next(): boolean {
    const line = this.pinned!;
    while (line.length > 0) {
      const task = line.shift()!;
      if (task.state !== QUEUED) continue;
      try {
        this.run(task);
      } catch (error) {
        task.fail(error);
        continue;
      }
      if (this.inflight.length > 0) return true;
    }
    return false;
  }

  /** Forgets kept object `objId` once the calls before it have run. */
  releaseObject(objId: number): void {
    if (this.ended !== null) return;
    this.liveObjects--;
    const task = new Task([OP.RELEASE, 0, objId], null, 0, null, null, "release a proxy");
    if (this.inflight.length === 0 && this.pinned!.length === 0) {
      this.run(task);
      this.#host.slotFree(this);
    } else this.pinned!.push(task);
  }

  /** The caller of posted `task` was interrupted. */
  abandon(task: Task): void {
    const i = this.inflight.indexOf(task);
    if (i < 0 || !this.alive) return; // an exited worker: it is ending anyway
    if (this.dedicated) {
      void this.terminate({
        reason: `its worker was ended because a call on it (${task.action}) was ` +
          `interrupted by a kill or Timeout`,
        code: "ERR_TPOOL_WORKER_ENDED",
      });
      return;
    }
    if (i > 0 && this.reclaim(task)) {
      this.#host.slotFree(this); // never started: the worker will skip it
      return;
    }
    // It may be running: a worker cannot stop a call half-way, so it ends,
    // once the calls before it have answered.
    this.doomed = true;
    if (i === 0) this.#settleDoom();
  }

  /**
   * The oldest call is abandoned and may be running. Take back the calls
   * behind it, newest first; if one has started, the abandoned call is over
   * and the worker lives on; else end the worker and run them elsewhere.
   */
  #settleDoom(): void {
    this.doomed = true;
    const back: Task[] = [];
    const inflight = this.inflight;
    for (let j = inflight.length - 1; j >= 1; j--) {
      const task = inflight[j];
      if (!this.reclaim(task)) {
        this.doomed = false;
        break;
      }
      if (task.state !== RUNNING) continue;
      if (task.transfer !== null) {
        task.fail({
          reason: "its worker was ended before the call started (another call on it was " +
            "interrupted) and its transferred buffers cannot be sent again",
          code: "ERR_TPOOL_WORKER_ENDED",
        });
      } else {
        task.state = QUEUED;
        back.unshift(task);
      }
    }
    if (this.doomed) {
      void this.terminate({
        reason: "its worker was ended because an abandoned call was running on it",
        code: "ERR_TPOOL_WORKER_ENDED",
      });
    }
    if (back.length > 0) this.#host.requeue(back);
  }

  /** Terminates the worker; its calls fail with `why`. */
  terminate(why: EndReason): Promise<void> {
    if (this.#terminated !== null) return this.#terminated;
    this.#end(why, false); // first: terminate() may emit "exit" synchronously
    // Ref'd until it has exited: an unref'd worker's exit does not keep the
    // event loop alive, so awaiting terminate() could end the program.
    this.#worker.ref();
    this.#terminated = this.#worker.terminate().then(noop, noop);
    return this.#terminated;
  }

  /**
   * Marks it ended and fails its calls with `why`, except, when `requeue`
   * (it exited by itself), those not yet started: they go back to the pool.
   */
  #end(why: EndReason, requeue: boolean): void {
    if (this.ended !== null) return;
    this.ended = why;
    if (this.#exitTimer !== undefined) clearTimeout(this.#exitTimer);
    this.#exitTimer = undefined;
    if (this.#refed) this.#hold(false);
    this.#port.onmessage = null;
    this.#port.close();
    const tasks = this.inflight.splice(0);
    const back: Task[] = [];
    for (let j = tasks.length - 1; j >= 0; j--) {
      const task = tasks[j];
      // The running call (it claimed its start cell) cannot be taken back.
      if (
        requeue && task.state === RUNNING && task.transfer === null && this.reclaim(task)
      ) {
        task.state = QUEUED;
        back.unshift(task);
      } else task.fail(why);
    }
    const line = this.pinned;
    if (line !== null) {
      while (line.length > 0) line.shift()!.fail(why);
    }
    this.#host.slotEnded(this);
    if (back.length > 0) this.#host.requeue(back);
  }

  /**
   * Keeps the process alive (or not) while calls are in flight: both the port
   * (replies) and the worker (its "exit" event, if it crashes) are ref'd.
   */
  #hold(on: boolean): void {
    this.#refed = on;
    if (on) {
      this.#port.ref();
      this.#worker.ref();
    } else {
      this.#port.unref();
      this.#worker.unref();
    }
  }

  #onMessage = (reply: unknown[]): void => {
    if (reply[1] === REPLY.CRASH) {
      this.#crashError = deserializeError(reply[2] as SerializedError);
      // Its last message: every reply before it has been taken.
      if (this.#exitCode !== null) this.#endExited();
      return;
    }
    if (this.#exitCode !== null) this.#waitForQuiet();
    const inflight = this.inflight;
    const task = inflight[0];
    if (task === undefined || task.id !== reply[0] || this.ended !== null) return;
    inflight.shift();
    if (task.cell >= 0) this.#freeCells.push(task.cell);
    task.settle(reply); // only queues the caller's wake-up (nothing for an abandoned call)
    if (inflight.length > 0 && inflight[0].state === ABANDONED) this.#settleDoom();
    if (this.alive) this.#host.slotFree(this);
    if (inflight.length === 0 && this.#refed) this.#hold(false);
    if (inflight.length === 0 && this.#exitCode !== null) this.#endExited(); // nothing left to wait for
  };

  #onError = (error: unknown): void => {
    this.#crashError ??= error; // "exit" follows
  };

  #onExit = (code: number): void => {
    if (this.ended !== null || this.#exitCode !== null) return;
    this.#exitCode = code;
    // Replies (and the crash report) posted just before the exit may still
    // be on their way through the port: a result produced is never lost.
    if (this.inflight.length > 0 && this.#crashError === undefined) this.#waitForQuiet();
    else this.#endExited();
  };

  /** (Re)starts the wait for the exited worker's port to go quiet. */
  #waitForQuiet(): void {
    if (this.#exitTimer !== undefined) clearTimeout(this.#exitTimer);
    this.#exitTimer = setTimeout(this.#endExited, EXIT_QUIET_MS);
  }

  /** Ends a worker that exited by itself: its running call fails with the cause. */
  #endExited = (): void => {
    if (this.ended !== null) return;
    const code = this.#exitCode;
    const cause = this.#crashError;
    let reason = `its worker thread exited with code ${code}`;
    if (cause !== undefined) {
      const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      reason += ` after an uncaught error (${text})`;
    } else reason += " (it called close() or process.exit())";
    this.#end({ reason, code: "ERR_TPOOL_WORKER_EXITED", cause }, true);
  };
}

function noop(): void {}
