/**
 * proxy(): an object that lives in a worker thread, called from here.
 *
 * eventlet's `tpool.Proxy` wraps an object so each method call runs in a
 * native thread. A JavaScript object cannot be shared between threads, so
 * here the object is *built* in a worker by a factory and stays there; the
 * proxy forwards method calls and attribute reads to it as messages.
 *
 * @module
 */

import {
  currentGreenlet,
  deliverPending,
  failed,
  hasPendingError,
  newPark,
  suspend,
} from "../hub/lowlevel.ts";
import { TpoolError } from "./errors.ts";
import { functionInfo } from "./function_source.ts";
import { pool } from "./pool.ts";
import { OP, REPLY } from "./protocol.ts";
import { endError, Task } from "./task.ts";
import { unpackArgs } from "./transfer.ts";
import { isWorkerFunction, type WorkerFunction } from "./worker_function.ts";
import type { WorkerSlot } from "./worker_slot.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/**
 * Options of `proxy`.
 *
 * @example
 * ```ts
 * import { proxy, type ProxyOptions } from "@eventlet/eventlet/tpool";
 * interface Rows {
 *   rows: number[];
 * }
 * const options: ProxyOptions = { autowrap: ["StatementSync"], autowrapNames: ["open"] };
 * const p = await proxy<{ open(): Rows }, Rows>(() => ({ open: () => ({ rows: [1] }) }), options);
 * const handle = await p.open(); // a proxy: "open" is in autowrapNames
 * console.log(await handle.rows); // [1]
 * await handle.release();
 * await p.release();
 * ```
 */
export interface ProxyOptions {
  /**
   * Which results stay in the worker and come back as proxies: constructor
   * names (a result whose class, or a base class, has one of these names),
   * or a self-contained predicate `(value, name) => boolean` run in the
   * worker (`name` is the method or attribute name). Proxies handed back
   * inherit it.
   */
  autowrap?: readonly string[] | ((value: unknown, name: string) => boolean);
  /**
   * Method and attribute names whose results come back as proxies. Not
   * inherited by the proxies handed back (as eventlet's `autowrap_names`).
   */
  autowrapNames?: readonly string[];
  /** Arguments for the factory (structured-cloned; `transfer` works). */
  args?: readonly unknown[];
}

/** What every proxy offers besides the object's own members. */
export interface ProxyControls {
  /**
   * Frees the object in the worker, after the calls made before it; later
   * calls reject. The worker ends when its last object is released.
   *
   * @example
   * ```ts
   * import { proxy } from "@eventlet/eventlet/tpool";
   * const p = await proxy(() => new Map<string, number>());
   * await p.set("a", 1);
   * await p.release();
   * await p.get("a").catch((e) => console.log(e.code)); // "ERR_TPOOL_PROXY_RELEASED"
   * ```
   */
  release(): Promise<void>;
  /** Same as `release()`: `await using p = await proxy(...)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A value as it comes back from a proxy: a proxy when its type is in `W`. */
export type Remote<V, W> = V extends W ? Proxied<V, W> : V;

/** The signatures of a function with up to four overloads, as a union. */
export type OverloadUnion<F> = F extends {
  (...a: infer A1): infer R1;
  (...a: infer A2): infer R2;
  (...a: infer A3): infer R3;
  (...a: infer A4): infer R4;
} ? ((...a: A1) => R1) | ((...a: A2) => R2) | ((...a: A3) => R3) | ((...a: A4) => R4)
  : never;

/** A union of types made into their intersection. */
// deno-lint-ignore no-explicit-any
export type UnionToIntersection<U> = (U extends any ? (x: U) => void : never) extends
  (x: infer I) => void ? I : never;

/** One signature made async, its result a proxy when its type is in `W`. */
export type RemoteSignature<F, W> = F extends (...a: infer A) => infer R
  ? (...a: A) => Promise<Remote<Awaited<R>, W>>
  : never;

/** A method of a proxy: every overload of `M`, made async. */
export type ProxiedMethod<M, W> = UnionToIntersection<RemoteSignature<OverloadUnion<M>, W>>;

/** One member of a proxy: a method becomes async, an attribute awaitable. */
// deno-lint-ignore no-explicit-any
export type ProxiedMember<M, W> = M extends (...args: any[]) => any ? ProxiedMethod<M, W>
  : PromiseLike<Remote<Awaited<M>, W>>;

/**
 * The proxy of a `T` kept in a worker. `W` lists the types that autowrap
 * sends back as proxies (`proxy<DatabaseSync, StatementSync>(…)`).
 * `Proxied<any>` is `any`.
 *
 * @example
 * ```ts
 * import { type Proxied, proxy } from "@eventlet/eventlet/tpool";
 * const words: Proxied<string[]> = await proxy(() => ["b", "a"]);
 * await words.sort(); // the array in the worker is sorted; the proxy comes back cloned
 * console.log(await words.length, await words.join("+")); // 2 "a+b"
 * await words.release();
 * ```
 */
// deno-lint-ignore no-explicit-any
export type Proxied<T, W = never> = 0 extends (1 & T) ? any : ProxiedObject<T, W>;

/** `Proxied<T, W>` for a `T` that is not `any`. */
export type ProxiedObject<T, W> =
  & {
    readonly [K in keyof T as K extends "then" | "release" ? never : K extends string ? K : never]:
      ProxiedMember<T[K], W>;
  }
  & ProxyControls
  // deno-lint-ignore no-explicit-any
  & (T extends (...args: any[]) => any ? ProxiedMethod<T, W> : unknown)
  & (T extends Iterable<infer V> | AsyncIterable<infer V> ? AsyncIterable<Remote<V, W>> : unknown);

const INSPECT = Symbol.for("Deno.customInspect");
const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");

// Frees a worker-side object whose proxy was garbage-collected unreleased.
const registry = new FinalizationRegistry<ProxyState>((state) => state.release());

function decodeValue(reply: unknown[], task: Task): unknown {
  if (reply[1] !== REPLY.WRAPPED) return reply[2];
  return makeProxy(task.slot!, reply[2] as number, reply[3] as string);
}

function decodeStep(reply: unknown[], task: Task): IteratorResult<unknown> {
  if (reply[1] === REPLY.WRAPPED) return { done: false, value: decodeValue(reply, task) };
  const [done, value] = reply[2] as [boolean, unknown];
  return { done, value };
}

function decodeIterator(reply: unknown[], task: Task): ProxyState {
  return new ProxyState(task.slot!, reply[2] as number, reply[3] as string);
}

/** The calling side of one kept object; it counts in its worker's live objects until released. */
class ProxyState {
  released = false;
  readonly #members = new Map<string, AnyFn>();

  constructor(
    readonly slot: WorkerSlot,
    readonly objId: number,
    readonly ctor: string,
  ) {
    slot.liveObjects++;
  }

  get label(): string {
    return `[tpool proxy ${this.ctor} #${this.objId}]`;
  }

  /** The method/attribute `name`: call it, or await it to read the attribute. */
  member(name: string): AnyFn {
    let member = this.#members.get(name);
    if (member === undefined) {
      const fn = (...args: unknown[]) => this.op(OP.PCALL, name, args, decodeValue);
      (fn as unknown as PromiseLike<unknown>).then = (onValue, onError) =>
        this.op(OP.PGET, name, null, decodeValue).then(onValue, onError);
      member = fn;
      this.#members.set(name, member);
    }
    return member;
  }

  op<T>(
    op: number,
    name: string | null,
    args: unknown[] | null,
    decode: (r: unknown[], t: Task) => T,
  ): Promise<T> {
    const what = op === OP.PGET
      ? `read ${name}`
      : op === OP.PCALL
      ? `call ${name ?? "it"}`
      : "iterate";
    const action = `${what} on the proxied ${this.ctor}`;
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.released) {
      return failed(
        g,
        new TpoolError(`Cannot ${action}: the proxy was released`, "ERR_TPOOL_PROXY_RELEASED"),
      );
    }
    if (this.slot.ended !== null) return failed(g, endError(action, this.slot.ended));
    const msg = args === null ? [op, 0, this.objId, name] : [op, 0, this.objId, name, args];
    const task = new Task(msg, args === null ? null : unpackArgs(args), 0, null, decode, action);
    try {
      this.slot.submit(task);
    } catch (error) {
      return failed(g, error);
    }
    const park = newPark(g, `tpool.proxy ${what}`);
    task.attach(park);
    return suspend(park);
  }

  release(): Promise<void> {
    if (!this.released) {
      this.released = true;
      registry.unregister(this);
      this.slot.releaseObject(this.objId);
    }
    return Promise.resolve();
  }
}

/** Iterates a proxied iterable; each step runs in the worker. */
class RemoteIterator implements AsyncIterator<unknown> {
  #of: ProxyState;
  #iter: ProxyState | null = null;

  constructor(of: ProxyState) {
    this.#of = of;
  }

  async next(): Promise<IteratorResult<unknown>> {
    this.#iter ??= await this.#of.op(OP.PITER, null, null, decodeIterator);
    const step = await this.#iter.op(OP.PNEXT, null, null, decodeStep);
    if (step.done) await this.#iter.release();
    return step;
  }

  async return(): Promise<IteratorResult<unknown>> {
    if (this.#iter !== null) await this.#iter.release();
    return { done: true, value: undefined };
  }
}

function makeProxy(slot: WorkerSlot, objId: number, ctor: string): unknown {
  const state = new ProxyState(slot, objId, ctor);
  const release = () => state.release();
  const label = () => state.label;
  const iterate = () => new RemoteIterator(state);
  const target = function () {} as unknown as object;
  const handle = new Proxy(target, {
    get(_target, key) {
      if (typeof key === "symbol") {
        if (key === Symbol.asyncDispose) return release;
        if (key === Symbol.asyncIterator) return iterate;
        if (key === Symbol.toPrimitive || key === INSPECT || key === NODE_INSPECT) return label;
        if (key === Symbol.toStringTag) return "tpool.Proxy";
        return undefined;
      }
      if (key === "then") return undefined; // a proxy is not a promise
      if (key === "release") return release;
      return state.member(key);
    },
    apply(_target, _self, args) {
      return state.op(OP.PCALL, null, args, decodeValue);
    },
    set(_target, key) {
      throw new TypeError(
        `Cannot set ${String(key)} on a tpool proxy: an assignment cannot wait for the ` +
          `worker; call a method of the object instead`,
      );
    },
  });
  registry.register(handle, state, state);
  return handle;
}

/**
 * Builds an object in a worker thread with `factory` and returns a proxy
 * to it (eventlet's `tpool.Proxy`). `factory` is a self-contained function
 * (it may `await import(...)`) or a `workerFunction`; `options.args` are
 * passed to it.
 *
 * - `await p.method(...args)` runs the method in the worker; `await p.attr`
 *   reads an attribute; `p(...args)` calls a proxied function. Each is a
 *   switch point. Arguments and results are structured-cloned.
 * - Calls on the proxies of one worker run one at a time, in call order.
 * - A result whose constructor name is in `autowrap` (or that its predicate
 *   accepts), or that comes from a name in `autowrapNames`, stays in the
 *   worker and comes back as a proxy; proxies handed back inherit
 *   `autowrap` (not `autowrapNames`). `for await (const x of p)` iterates.
 * - Each `proxy()` call gets a worker of its own (outside the pool size);
 *   the proxies it hands back live in that worker.
 * - `release()` / `await using` frees the object; a garbage-collected proxy
 *   is released too. The worker ends with its last object.
 * - A `kill` or `Timeout` of a call that is running, or a crash, ends the
 *   worker and every proxy in it: later calls reject with a `TpoolError`.
 *   A call still waiting its turn is just dropped. `killall()` ends them all.
 * - Deviations: assigning `p.attr = v` throws (call a method); a remote
 *   method named `then` or `release` cannot be reached through the proxy.
 *
 * @example
 * ```ts
 * import { proxy } from "@eventlet/eventlet/tpool";
 * import type { DatabaseSync, StatementSync } from "node:sqlite";
 * await using db = await proxy<DatabaseSync, StatementSync>(async () => {
 *   const { DatabaseSync } = await import("node:sqlite");
 *   return new DatabaseSync(":memory:");
 * }, { autowrap: ["StatementSync"] });
 * await db.exec("CREATE TABLE t (x INTEGER)");
 * const insert = await db.prepare("INSERT INTO t VALUES (?)");
 * for (let i = 0; i < 3; i++) await insert.run(i);
 * console.log(await (await db.prepare("SELECT count(*) AS n FROM t")).get()); // { n: 3 }
 * ```
 */
export function proxy<T, W = never>(
  factory: ((...args: never[]) => T | PromiseLike<T>) | WorkerFunction,
  options: ProxyOptions = {},
): Promise<Proxied<Awaited<T>, W>> {
  const action = "create a proxy";
  const { autowrap = [], autowrapNames = [], args = [] } = options;
  let predId = 0;
  let predSource: string | null = null;
  let ctors: string[] = [];
  if (typeof autowrap === "function") {
    const info = functionInfo(autowrap, `${action} with an autowrap predicate`);
    predId = info.id;
    predSource = info.source;
  } else if (Array.isArray(autowrap) && autowrap.every((x) => typeof x === "string")) {
    ctors = [...autowrap];
  } else {
    throw new TypeError(
      `Cannot ${action}: autowrap must be an array of constructor names or a predicate, ` +
        `received ${typeof autowrap}`,
    );
  }
  if (!Array.isArray(autowrapNames) || !autowrapNames.every((x) => typeof x === "string")) {
    throw new TypeError(
      `Cannot ${action}: autowrapNames must be an array of names, received ${typeof autowrapNames}`,
    );
  }
  if (!Array.isArray(args)) {
    throw new TypeError(`Cannot ${action}: args must be an array, received ${typeof args}`);
  }
  const spec = [ctors, predId, predSource, [...autowrapNames]];
  const factoryArgs = [...args];
  let msg: unknown[];
  if (typeof factory === "function") {
    const info = functionInfo(factory, `${action}: its factory`);
    msg = [OP.NEW, 0, info.id, info.source, factoryArgs, spec];
  } else if (isWorkerFunction(factory)) {
    msg = [OP.NEW, 0, factory.url, factory.exportName, factoryArgs, spec];
  } else {
    throw new TypeError(
      `Cannot ${action}: factory must be a function or a workerFunction(), received ${typeof factory}`,
    );
  }
  const g = currentGreenlet();
  if (hasPendingError(g)) return deliverPending(g);
  const slot = pool.dedicatedSlot();
  const task = new Task(msg, unpackArgs(factoryArgs), 0, null, decodeValue, action);
  try {
    slot.submit(task);
  } catch (error) {
    pool.retire(slot);
    return failed(g, error);
  }
  const park = newPark(g, "tpool.proxy");
  task.attach(park);
  return suspend(park);
}
