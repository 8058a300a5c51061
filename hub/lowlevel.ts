/**
 * The hub's low-level API, for the package's own switch points (green/,
 * net/, tpool/, http/, …): what trio calls `trio.lowlevel`. Not exported by
 * any entry point; users see `Hub` (hub.ts) and the primitives.
 *
 * How to write a switch point: see the recipe at the top of park.ts. In
 * short: `currentGreenlet()`, the pending-error prologue
 * (`hasPendingError`/`deliverPending`), an at-once outcome through
 * `completed`/`failed`, or a wait in a `ParkingLot` (`park`, `parkFor`
 * with `resolveAfter`/`rejectAfter`; woken by `wakeFirst`, `wakeAll`,
 * `failAll`).
 *
 * @module
 */

export { captureContext, runAs } from "./current.ts";
export {
  addExitHook,
  currentGreenlet,
  GreenletExit,
  GreenThread,
  hubGreenlet,
  mainGreenlet,
  outcomeOf,
  runInline,
  setSoleArgument,
  setSpawnSite,
  spawnSiteOf,
} from "./greenthread.ts";
export { scheduleStart, startAlone } from "./greenthread_start.ts";
export {
  isDead,
  isStarted,
  parksOf,
  pendingErrorCount,
  takePendingError,
  withdrawPendingError,
} from "./greenlet_core.ts";
export { isKill } from "./greenlet_exit.ts";
export { type Deadline, rejectAfter, resolveAfter } from "./deadline.ts";
export {
  newPark,
  Park,
  PARKED,
  setDeadline,
  suspend,
  wake,
  wakeNow,
  wakeWithError,
} from "./park.ts";
export { ParkingLot } from "./parking_lot.ts";
export {
  awaitForeign,
  completed,
  completedHere,
  deliverPending,
  failed,
  hasPendingError,
  throwInto,
  yieldInterruptible,
  yieldShielded,
} from "./switch_points.ts";
export {
  budgetSpent,
  callLater,
  captureSpawnSites,
  checkBlocked,
  pendingTimers,
  register,
  reportError,
  schedule,
  setBlockWatch,
  setCaptureSpawnSites,
} from "./scheduler.ts";
export type { HubTimer } from "./hub_timer.ts";
export { RUN } from "./run_queue.ts";
export { describeUserTimer } from "./user_timer.ts";
