/**
 * LoopBudget: when the hub must let Deno's event loop run.
 *
 * Operations that complete at once (`q.get()` with items present,
 * `sleep(0)`) resolve through promise jobs, and promise jobs never let Deno
 * poll timers or sockets. So the hub keeps a budget: after about 1 ms
 * without a turn of the event loop, the next pump (and every operation that
 * would complete at once) waits until the loop has taken a few dozen turns.
 *
 * @module
 */

// Deno loads `setImmediate` lazily, and that first load runs the microtask
// queue synchronously: touched for the first time inside `spawn`, it would
// start greenthreads before `spawn` returns. Take it once, at module load.
const setImmediate: (fn: () => void) => unknown = globalThis.setImmediate;

/** After this long without a turn of Deno's event loop, pumps wait for one. */
const BUDGET_MS = 1;
/**
 * How many event-loop turns one budget yield takes. Deno's runtime (tokio)
 * polls sockets only every few dozen loop turns while work is always
 * pending, so a single `setImmediate` hop per millisecond lets timers run
 * but leaves a socket round trip waiting ~120 ms. Measured here (a busy
 * loop yielding every 1 ms, 64-byte echo round trip): 1 hop → 120 ms,
 * 8 → 15 ms, 32 → 4 ms, 64 → 2 ms. 32 hops cost ~30 µs per millisecond
 * of work (3%) and keep I/O latency in the low milliseconds under full load;
 * `setTimeout(0)` polls I/O at once but idles the thread ~1-2 ms per hop.
 */
const HOPS = 32;

/**
 * The loop budget of one hub; see the module comment.
 *
 * - `spent()` is called on every pump request and every at-once operation,
 *   so it reads the clock (~90 ns) only every `#checkInterval` calls; the
 *   interval adapts to aim at one read per ~0.1 ms.
 * - While the hub is busy, a `setImmediate` heartbeat records each loop
 *   turn that happens anyway (I/O wake-ups), so no yield is forced then.
 */
export class LoopBudget {
  #afterYield: () => void;
  #yieldPending = false;
  #heartbeatPending = false;
  #hopsLeft = 0;
  #lastLoopTurn = performance.now();
  #lastClockCheck = 0;
  #checkInterval = 64;
  #countdown = 64;

  /** `afterYield` runs once the loop has taken its turns (the hub pumps then). */
  constructor(afterYield: () => void) {
    this.#afterYield = afterYield;
  }

  /** True while a yield to the loop is due or under way. */
  get yieldPending(): boolean {
    return this.#yieldPending;
  }

  /**
   * True when the thread has gone about 1 ms without a turn of Deno's event
   * loop: an operation that would complete at once must park for one turn.
   */
  spent(): boolean {
    return this.#yieldPending || (--this.#countdown <= 0 && this.#clockSaysYield());
  }

  /** Records a turn of the event loop (our own timer callback fired). */
  loopTurned(now: number): void {
    this.#lastLoopTurn = now;
  }

  /** Lets Deno's event loop take HOPS turns, then calls `afterYield`. */
  yieldToLoop(): void {
    this.#hopsLeft = HOPS;
    setImmediate(this.#hop);
  }

  /**
   * Watches for loop turns while the hub is busy (one heartbeat at a time).
   * Called when a pump is wanted, before `spent()`: with no heartbeat
   * pending, the hub asked for nothing since the last one fired, so it was
   * idle and this request comes from a new callback of the event loop — a
   * loop turn, stamped now (one clock read per wake; stamping it lazily at
   * the next check would credit work done since the wake as a fresh turn).
   * Without this, the first
   * check after an idle spell saw the old stamp and yielded HOPS turns for
   * nothing (381 yields, 12,192 hops per 92k echoed WebSocket messages).
   */
  watch(): void {
    if (this.#heartbeatPending) return;
    this.#heartbeatPending = true;
    this.#lastLoopTurn = performance.now();
    setImmediate(this.#heartbeat);
  }

  #hop = (): void => {
    if (--this.#hopsLeft > 0) {
      setImmediate(this.#hop);
      return;
    }
    this.#lastLoopTurn = performance.now();
    this.#yieldPending = false;
    this.#afterYield();
  };

  #heartbeat = (): void => {
    this.#heartbeatPending = false;
    this.#lastLoopTurn = performance.now();
  };

  #clockSaysYield(): boolean {
    const now = performance.now();
    const sinceCheck = now - this.#lastClockCheck;
    this.#lastClockCheck = now;
    if (sinceCheck < 0.05) {
      if (this.#checkInterval < 4096) this.#checkInterval *= 2;
    } else if (sinceCheck > 0.2 && this.#checkInterval > 1) {
      this.#checkInterval >>= 1;
    }
    this.#countdown = this.#checkInterval;
    if (now - this.#lastLoopTurn < BUDGET_MS) return false;
    this.#yieldPending = true;
    return true;
  }
}
