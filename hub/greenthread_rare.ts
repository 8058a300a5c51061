/**
 * GreenThreadRare: the GreenThread state few greenthreads need — links, a
 * name, a spawn site, the spawner's AsyncLocalStorage values — kept in an
 * object made on first use, so that the many greenthreads without them
 * are smaller (each field is 8 B on the spawn path; bench/README.md).
 *
 * @module
 */

import type { LinkCallback } from "./greenthread.ts";

/** See the module comment. */
export class GreenThreadRare {
  /** Links not yet run, in link order. */
  // deno-lint-ignore no-explicit-any
  links: [LinkCallback<any>, unknown[]][] | null = null;
  /** The links being run as it ends (a link may add more to this pass). */
  // deno-lint-ignore no-explicit-any
  linking: [LinkCallback<any>, unknown[]][] | null = null;
  /** Set by the `name` setter. */
  name: string | undefined = undefined;
  /** Set by spawn when `debug.captureSpawnSites` is on. */
  spawnSite: string | undefined = undefined;
  /** The spawner's AsyncLocalStorage values, until the start. */
  spawnContext: unknown = undefined;
}
