/**
 * The async-context carrier: how the running greenlet travels across
 * `await`s, so that code after an `await` knows which greenthread it is in.
 *
 * Two carriers give the same results:
 * - **native** (the default on Deno 2): the greenlet rides in V8's
 *   "continuation preserved embedder data", the one value that every
 *   promise reaction captures when it is made and restores when it runs.
 * - **portable**: a `node:async_hooks` `AsyncLocalStorage`. Used when the
 *   native carrier is not there or fails its probe, or when the environment
 *   variable `EVENTLET_ASYNC_CONTEXT=portable` is set (env permission
 *   needed to read it).
 *
 * Why two (hot path, measured): on Deno 2.9 each `AsyncLocalStorage.run`
 * copies the context into a new null-prototype object (dictionary mode in
 * V8), makes an entry object and a WeakMap slot: ~340 ns and ~450 B per
 * greenthread, the largest single cost of a spawn. The native carrier
 * allocates nothing: the greenlet itself is the value in the slot. In
 * fresh processes (bench/compare/spawn_wait_ours.ts, parked_memory_ours.ts)
 * native against portable: ~3M against ~0.4M spawn+wait/s, 736 against
 * ~1450 B per parked greenthread (the portable carrier also snapshots the
 * spawner's context at every spawn).
 *
 * How the native carrier stays compatible with `AsyncLocalStorage`: Deno's
 * AsyncLocalStorage keeps, in that same slot, a plain object mapping
 * numbered variable ids to entries. A greenlet has no numbered keys, so
 * AsyncLocalStorage finds "no value" in it; and it refers to itself under
 * the CARRIED symbol, which AsyncLocalStorage's `run` copies (with the
 * greenlet's other own keys — only its `id`: the rest is private) into the
 * object it makes, so the greenlet survives an `als.run` inside a
 * greenthread. A greenthread spawned inside `als.run` starts in a copy of
 * those values (captured where the spawn was asked for) with CARRIED set
 * to itself. The raw get/set live on `Deno[Deno.internal].core`, which is
 * not a public API: a probe at load checks each behaviour above before we
 * rely on it.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** Carries one value (the running greenlet) across awaits. */
export interface ContextCarrier<T> {
  /** "native" or "portable" (see the module comment). */
  readonly kind: "native" | "portable";
  /** The value `run` set for the code now running, or undefined outside any. */
  get(): T | undefined;
  /**
   * The other `AsyncLocalStorage` values of the code now running, to hand
   * to a later `run`; undefined when there are none.
   */
  capture(): unknown;
  /**
   * Calls `fn(arg)` with `value` as the carried value and, beside it, the
   * `AsyncLocalStorage` values `captured` earlier by `capture()` — never
   * those of whatever code happens to call `run`. (Undefined means none
   * for the native carrier; the portable one's `capture()` never returns
   * undefined, and given undefined anyway it keeps the caller's values.)
   */
  run<A, R>(value: T, fn: (arg: A) => R, arg: A, captured: unknown): R;
}

const ENV = "EVENTLET_ASYNC_CONTEXT";

/** The carrier to use in this thread (see the module comment). */
export function makeContextCarrier<T extends Carried>(): ContextCarrier<T> {
  if (envSaysPortable()) return portableCarrier();
  const slot = findNativeSlot();
  if (slot !== null && probe(slot)) return nativeCarrier(slot);
  return portableCarrier();
}

/**
 * The portable carrier: an AsyncLocalStorage. A capture is an
 * `AsyncLocalStorage.snapshot()` (an AsyncResource each: the slow path).
 */
function portableCarrier<T>(): ContextCarrier<T> {
  const storage = new AsyncLocalStorage<T>();
  type Snapshot = ReturnType<typeof AsyncLocalStorage.snapshot>;
  return {
    kind: "portable",
    get: () => storage.getStore(),
    capture: () => AsyncLocalStorage.snapshot(),
    run: (value, fn, arg, captured) =>
      captured === undefined
        ? storage.run(value, fn, arg) // nothing captured: the caller's values
        : (captured as Snapshot)(() => storage.run(value, fn, arg)),
  };
}

// ------------------------------------------------------------------ native

interface NativeSlot {
  getAsyncContext(): unknown;
  setAsyncContext(context: unknown): void;
}

/**
 * The key under which a carried value refers to itself: the native carrier
 * stores the value itself in the slot (no allocation per run), and finds it
 * again under this key — also in the objects AsyncLocalStorage builds by
 * spreading our value's own keys. A carried value should keep its other
 * state in private fields, so that such a spread copies nothing else.
 */
export const CARRIED: unique symbol = Symbol("eventlet.carried");

/** A value the carrier can carry: it refers to itself under CARRIED. */
export interface Carried {
  readonly [CARRIED]: unknown;
}

function nativeCarrier<T extends Carried>(slot: NativeSlot): ContextCarrier<T> {
  return {
    kind: "native",
    get(): T | undefined {
      const context = slot.getAsyncContext() as Carried | undefined | null;
      return context?.[CARRIED] as T | undefined;
    },
    capture(): unknown {
      const context = slot.getAsyncContext() as Carried | undefined | null;
      // Only a carried value itself, or nothing: no AsyncLocalStorage values.
      if (context === undefined || context === null || context[CARRIED] === context) {
        return undefined;
      }
      return context;
    },
    run<A, R>(value: T, fn: (arg: A) => R, arg: A, captured: unknown): R {
      const outer = slot.getAsyncContext();
      slot.setAsyncContext(
        captured === undefined
          ? value
          : { __proto__: null, ...(captured as object), [CARRIED]: value },
      );
      try {
        return fn(arg);
      } finally {
        slot.setAsyncContext(outer);
      }
    },
  };
}

function findNativeSlot(): NativeSlot | null {
  try {
    const deno = Deno as unknown as Record<symbol, unknown> & { internal?: unknown };
    if (typeof deno.internal !== "symbol") return null;
    const core = (deno[deno.internal] as { core?: Partial<NativeSlot> } | undefined)?.core;
    if (
      typeof core?.getAsyncContext !== "function" ||
      typeof core.setAsyncContext !== "function"
    ) return null;
    return core as NativeSlot;
  } catch {
    return null; // no Deno internals here: the portable carrier will do
  }
}

/** True if the slot behaves as the module comment says we rely on. */
function probe(slot: NativeSlot): boolean {
  const before = slot.getAsyncContext();
  const als = new AsyncLocalStorage<number>();
  const mark: { [CARRIED]: unknown } = { [CARRIED]: null };
  mark[CARRIED] = mark;
  try {
    slot.setAsyncContext(mark);
    if (slot.getAsyncContext() !== mark || als.getStore() !== undefined) return false;
    const insideRun = als.run(1, () => {
      const inner = slot.getAsyncContext() as Carried | undefined;
      return als.getStore() === 1 && inner?.[CARRIED] === mark;
    });
    return insideRun && slot.getAsyncContext() === mark;
  } catch {
    return false;
  } finally {
    slot.setAsyncContext(before);
  }
}

function envSaysPortable(): boolean {
  try {
    const status = Deno.permissions.querySync({ name: "env", variable: ENV });
    if (status.state !== "granted") return false;
    const raw = Deno.env.get(ENV);
    if (raw === undefined || raw === "" || raw === "native") return false;
    if (raw === "portable") return true;
    throw new RangeError(
      `Cannot choose the async-context carrier: ${ENV} must be "native" or "portable", received ${
        JSON.stringify(raw)
      }`,
    );
  } catch (error) {
    if (error instanceof RangeError) throw error;
    return false; // no permission API here (a worker without Deno): default
  }
}
