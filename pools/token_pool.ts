/**
 * TokenPool: a Pool of opaque tokens, a right to use some limited resource
 * (eventlet's `eventlet.pools.TokenPool`).
 *
 * @module
 */

import { checkPositiveInteger } from "../hub/checks.ts";
import { Pool } from "./pool.ts";

/** The opaque, distinct object a TokenPool hands out. */
class Token {}

/**
 * A pool of at most `maxSize` (default 4, a positive integer) tokens:
 * distinct opaque objects, made as needed. Holding one is the right to use
 * whatever the pool limits.
 *
 * - Everything is `Pool`'s: `get` waits (a switch point) while every token
 *   is out, waiters are served first come first served, `item()` lends one
 *   for `using`, `put` never switches.
 * - A kill or `Timeout` in `get` takes no token, or completes the hand-over
 *   already made (the kill lands at the next switch point): no token is
 *   lost, so the limit never shrinks.
 *
 * @example
 * ```ts
 * import { TokenPool } from "@eventlet/eventlet/pools";
 * import { sleep, spawn } from "@eventlet/eventlet";
 * using tokens = new TokenPool(2); // at most two downloads at once
 * let busy = 0;
 * const jobs = [1, 2, 3, 4, 5].map(() =>
 *   spawn(async () => {
 *     using _token = await tokens.item();
 *     console.log(++busy <= 2); // true
 *     await sleep(0.01);
 *     busy--;
 *   })
 * );
 * for (const job of jobs) await job.wait();
 * ```
 */
export class TokenPool extends Pool<object> {
  /**
   * Makes a pool of at most `maxSize` tokens (default 4).
   *
   * @example
   * ```ts
   * import { TokenPool } from "@eventlet/eventlet/pools";
   * using tokens = new TokenPool(3);
   * const a = await tokens.get();
   * const b = await tokens.get();
   * console.log(a !== b, tokens.free()); // true 1
   * ```
   */
  constructor(maxSize: number = 4) {
    super({
      create: () => new Token(),
      maxSize: checkPositiveInteger("create TokenPool", "maxSize", maxSize),
    });
  }
}
