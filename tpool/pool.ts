/**
 * The pool: how many workers, which one runs a call, and when they end.
 *
 * - Size: `EVENTLET_THREADPOOL_SIZE` when the environment can be read
 *   without a permission prompt, else 20; read at first use.
 *   `setNumThreads(n)` overrides it.
 * - Workers start lazily, one per call while fewer than the size exist.
 *   When all exist and are busy, each takes a few calls ahead
 *   (`PIPELINE_DEPTH`), run one at a time, so it never waits for a round
 *   trip; beyond that calls wait in one FIFO line. A worker that runs dry
 *   takes back a not-yet-started call from the busiest one, so a long call
 *   does not hold up the calls queued behind it. A free worker is reused
 *   most-recently-idle first, so the others age out.
 * - A worker idle longer than the idle timeout (default 1 s) is terminated.
 *   Idle workers are unref'd anyway, so an idle pool never keeps the process
 *   alive, and neither does the idle timer.
 * - Proxies get a dedicated worker each (outside the size), ended when its
 *   last object is released.
 *
 * @module
 */

import { Fifo } from "../hub/fifo.ts";
import { QUEUED, type Task } from "./task.ts";
import { type SlotHost, WorkerSlot } from "./worker_slot.ts";

const ENV = "EVENTLET_THREADPOOL_SIZE";
const DEFAULT_SIZE = 20;

function sizeFromEnv(): number {
  let raw: string | undefined;
  try {
    const status = Deno.permissions.querySync({ name: "env", variable: ENV });
    if (status.state === "granted") raw = Deno.env.get(ENV);
  } catch {
    raw = undefined;
  }
  if (raw === undefined || raw.trim() === "") return DEFAULT_SIZE;
  if (!/^\d+$/.test(raw.trim())) {
    throw new RangeError(
      `Cannot start the thread pool: ${ENV} must be a non-negative integer, received ${
        JSON.stringify(raw)
      }`,
    );
  }
  return Number(raw.trim());
}

/**
 * The thread pool of this thread. One instance, `pool`.
 * @ignore
 */
export class Pool implements SlotHost {
  #size = -1;
  #explicit = false;
  #idleTimeout = 1;
  readonly #slots = new Set<WorkerSlot>();
  /** Free workers; the most recently freed at the end, the oldest at 0. */
  readonly #idle: WorkerSlot[] = [];
  readonly #queue = new Fifo<Task>();
  /** Calls taken back from a worker before they started: they go first. */
  #retry: Task[] = [];
  readonly #dedicated = new Set<WorkerSlot>();
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #spawnedThisTurn = false;
  #growthPending = false;

  /** The pool size; read from the environment at first use (RangeError if bad). */
  size(): number {
    if (this.#size < 0) this.#size = sizeFromEnv();
    return this.#size;
  }

  /** Changes the size: grows at once, shrinks as workers go idle. */
  setSize(n: number): void {
    this.#size = n;
    this.#explicit = true;
    while (this.#slots.size > n && this.#idle.length > 0) this.#retire(this.#idle.shift()!);
    this.#drain();
  }

  /** Sets the idle timeout in seconds (Infinity: never). */
  setIdleTimeout(seconds: number): void {
    this.#idleTimeout = seconds;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armTimer();
  }

  /**
   * Runs `task` on a free worker (starting one if the pool has room) or
   * queues it. Throws a DataCloneError if it was posted at once and an
   * argument cannot be cloned; the pool is then as before.
   */
  submit(task: Task): void {
    let slot = this.#idle.pop();
    if (slot === undefined) {
      if (this.#slots.size < this.size() && !this.#spawnedThisTurn) slot = this.#spawn();
      else {
        if (this.#slots.size < this.#size) this.#scheduleGrowth();
        // All workers are busy: the least loaded one with room takes it ahead
        // (none has room while calls wait in line).
        const ahead = this.#queue.length === 0 ? this.#roomiest() : undefined;
        if (ahead === undefined) {
          this.#queue.push(task);
          return;
        }
        ahead.run(task); // a DataCloneError leaves it as it was
        return;
      }
    }
    try {
      slot.run(task);
    } catch (error) {
      this.#makeIdle(slot);
      throw error;
    }
  }

  /** The busy pool worker with the fewest calls that has room, if any. */
  #roomiest(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.#slots) {
      if (!slot.hasRoom) continue;
      if (best === undefined || slot.inflight.length < best.inflight.length) best = slot;
    }
    return best;
  }

  /** True if a call waits (drops interrupted ones from the fronts of the lines). */
  #hasWaiting(): boolean {
    const retry = this.#retry;
    while (retry.length > 0 && retry[0].state !== QUEUED) retry.shift();
    if (retry.length > 0) return true;
    const queue = this.#queue;
    while (queue.length > 0 && queue.peek()!.state !== QUEUED) queue.shift();
    return queue.length > 0;
  }

  /** The next waiting call, taken-back ones first. */
  #nextTask(): Task | undefined {
    while (this.#retry.length > 0) {
      const task = this.#retry.shift()!;
      if (task.state === QUEUED) return task;
    }
    const queue = this.#queue;
    while (queue.length > 0) {
      const task = queue.shift()!;
      if (task.state === QUEUED) return task; // else its caller was interrupted
    }
    return undefined;
  }

  /** @ignore */
  requeue(tasks: Task[]): void {
    this.#retry = tasks.concat(this.#retry);
    this.#drain();
  }

  /** A new dedicated worker for a proxy. */
  dedicatedSlot(): WorkerSlot {
    const slot = new WorkerSlot(this, true);
    this.#dedicated.add(slot);
    return slot;
  }

  /** Ends a dedicated worker that holds nothing (a failed proxy factory). */
  retire(slot: WorkerSlot): void {
    this.#retire(slot);
  }

  /** @ignore */
  slotFree(slot: WorkerSlot): void {
    if (slot.dedicated) {
      if (!slot.next() && slot.liveObjects <= 0) this.#retire(slot);
      return;
    }
    if (!this.#slots.has(slot)) return;
    while (slot.hasRoom) {
      const task = this.#nextTask();
      if (task === undefined) break;
      try {
        slot.run(task);
      } catch (error) {
        task.fail(error);
      }
    }
    if (slot.inflight.length > 0) return;
    if (this.#slots.size > this.#size) {
      this.#retire(slot);
      return;
    }
    // Run dry: take a call that waits behind a running one elsewhere.
    let victim: WorkerSlot | undefined;
    for (const other of this.#slots) {
      if (other.inflight.length > 1 && (victim?.inflight.length ?? 1) < other.inflight.length) {
        victim = other;
      }
    }
    const stolen = victim?.steal();
    if (stolen) {
      try {
        slot.run(stolen);
        return;
      } catch (error) {
        stolen.fail(error);
      }
    }
    this.#makeIdle(slot);
  }

  /** @ignore */
  slotEnded(slot: WorkerSlot): void {
    if (slot.dedicated) {
      this.#dedicated.delete(slot);
      return;
    }
    if (!this.#slots.delete(slot)) return;
    const i = this.#idle.indexOf(slot);
    if (i >= 0) this.#idle.splice(i, 1);
    this.#drain(); // replace it if calls wait
  }

  /** Stops every worker; waiting and running calls fail with `why`. */
  async killall(why: { reason: string; code: string }): Promise<void> {
    // Reset first: a call made in this same turn must see the fresh size.
    if (!this.#explicit) this.#size = -1; // re-read the environment at next use
    const queue = this.#queue;
    while (queue.length > 0) queue.shift()!.fail(why);
    for (const task of this.#retry.splice(0)) task.fail(why);
    const all = [...this.#slots, ...this.#dedicated];
    this.#slots.clear();
    this.#dedicated.clear();
    this.#idle.length = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all(all.map((slot) => slot.terminate(why)));
  }

  /** Starts workers for waiting calls while the pool has room. */
  #drain(): void {
    if (this.#size < 0) return; // not started: nothing waits
    while (this.#hasWaiting()) {
      let slot = this.#idle.pop();
      if (slot === undefined) {
        const room = this.#slots.size < this.#size;
        if (room && !this.#spawnedThisTurn) slot = this.#spawn();
        else {
          if (room) this.#scheduleGrowth();
          slot = this.#roomiest();
        }
        if (slot === undefined) return;
      }
      const task = this.#nextTask()!;
      try {
        slot.run(task);
      } catch (error) {
        if (slot.inflight.length === 0) this.#makeIdle(slot);
        task.fail(error);
      }
    }
  }

  // Starting a worker blocks this thread for ~20-30 ms (Deno creates the
  // thread synchronously), so at most one starts per turn of the event loop:
  // a burst of calls grows the pool over several turns while other
  // greenthreads keep running between them.
  #spawn(): WorkerSlot {
    const slot = new WorkerSlot(this, false);
    this.#slots.add(slot);
    this.#spawnedThisTurn = true;
    this.#scheduleGrowth();
    return slot;
  }

  #scheduleGrowth(): void {
    if (this.#growthPending) return;
    this.#growthPending = true;
    setImmediate(this.#grow);
  }

  /** Next turn: start one more worker if calls wait or queue up behind others. */
  #grow = (): void => {
    this.#growthPending = false;
    this.#spawnedThisTurn = false;
    if (this.#size < 0 || this.#slots.size >= this.#size) return;
    if (this.#hasWaiting()) {
      this.#drain();
      return;
    }
    for (const slot of this.#slots) {
      if (slot.inflight.length > 1) {
        this.slotFree(this.#spawn()); // takes a call waiting behind a running one
        return;
      }
    }
  };

  #makeIdle(slot: WorkerSlot): void {
    if (!slot.alive) return;
    slot.idleSince = performance.now();
    this.#idle.push(slot);
    this.#armTimer();
  }

  #retire(slot: WorkerSlot): void {
    void slot.terminate({ reason: "its worker was retired", code: "ERR_TPOOL_WORKER_ENDED" });
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#idle.length === 0) return;
    if (this.#idleTimeout === Infinity) return;
    const due = this.#idle[0].idleSince + this.#idleTimeout * 1000;
    const delay = Math.max(0, Math.ceil(due - performance.now()));
    // Deno clamps delays above 2^31-1 ms to 1 ms; #reap re-arms for the rest.
    this.#timer = setTimeout(this.#reap, Math.min(delay, 0x7fffffff));
    // The idle timer must not keep the process alive.
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  #reap = (): void => {
    this.#timer = undefined;
    const limit = this.#idleTimeout * 1000;
    const now = performance.now();
    const idle = this.#idle;
    while (idle.length > 0 && now - idle[0].idleSince >= limit - 1) {
      this.#retire(idle[0]); // slotEnded removes it from idle
    }
    this.#armTimer();
  };
}

/**
 * This thread's pool.
 * @ignore
 */
export const pool: Pool = new Pool();
