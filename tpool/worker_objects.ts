/**
 * The worker side of proxies: objects kept in a worker, and autowrap.
 *
 * `objectHost` runs inside the worker script (its source is shipped with
 * `workerMain`'s, so it is self-contained): it keeps the objects proxies
 * stand for in a map by id, runs their methods, reads their attributes,
 * steps their iterators, and decides which results stay in the worker
 * (autowrap) and come back as new proxies.
 *
 * @module
 */

import type { Ops, Replies } from "./protocol.ts";

/** A function the worker calls. */
// deno-lint-ignore no-explicit-any
export type WorkerFn = (...args: any[]) => unknown;

/**
 * Calls `fn` with `self` and `args`; its value (awaited) goes to `onValue`,
 * its error back as a reply (`fnId` > 0: reworded when the shipped function
 * closes over variables); then `after()`, either way.
 * @ignore
 */
export type RunFn = (
  id: number,
  fn: WorkerFn,
  self: unknown,
  args: unknown[],
  fnId: number,
  onValue: (value: unknown) => void,
  after?: () => void,
) => void;

/**
 * What `workerMain` lends `objectHost`.
 * @ignore
 */
export interface WorkerKit {
  /** Operation codes. */
  OP: Ops;
  /** Reply kinds. */
  REPLY: Replies;
  /** Posts a reply message as is. */
  send(message: unknown[]): void;
  /** The compiled function for a shipped function id (source on first sight). */
  fnFor(id: number, source: string | null): WorkerFn;
  /** Calls `fn`, then `onValue(result)` (awaited) or replies its error. */
  run: RunFn;
  /**
   * Runs the function a CALL, MCALL or NEW message names in its items 2-4
   * (a shipped function or a workerFunction's export), as `run` does.
   */
  runNamed(m: unknown[], onValue: (value: unknown) => void, after?: () => void): void;
  /** Replies an error (reworded when a shipped function closes over variables). */
  fail(id: number, error: unknown, fnId: number, what?: string): void;
  /** Replies a value (unpacking a transfer box; a DataCloneError if it cannot be sent). */
  deliver(id: number, value: unknown): void;
  /** True for a `transfer(value, list)` box. */
  isTransfer(value: unknown): boolean;
}

/**
 * Makes the handler of proxy messages (NEW, PCALL, PGET, PITER, PNEXT,
 * RELEASE). Self-contained: shipped as source text.
 * @ignore
 */
export function objectHost(kit: WorkerKit): (m: unknown[]) => void {
  type Pred = (value: unknown, name: string) => unknown;
  interface Rules {
    ctors: string[];
    pred: Pred | null;
    predId: number;
    names: string[];
    child: Rules;
  }
  interface Kept {
    obj: Record<PropertyKey, unknown>;
    rules: Rules;
  }
  type Spec = [string[], number, string | null, string[]];
  const { OP, REPLY, fail, run } = kit;
  const kept = new Map<number, Kept>();
  let nextObj = 1;

  const rulesOf = (spec: Spec): Rules => {
    const [ctors, predId, predSource, names] = spec;
    const pred = predId > 0 ? kit.fnFor(predId, predSource) as Pred : null;
    const rules = { ctors, pred, predId, names, child: null as unknown as Rules };
    // Proxies handed back inherit `autowrap` but not `autowrapNames` (eventlet).
    if (names.length === 0) rules.child = rules;
    else {
      const child = { ctors, pred, predId, names: [], child: null as unknown as Rules };
      child.child = child;
      rules.child = child;
    }
    return rules;
  };

  const ctorName = (value: unknown): string => {
    try {
      const name = Object.getPrototypeOf(value)?.constructor?.name;
      return typeof name === "string" && name !== "" ? name : typeof value;
    } catch {
      return typeof value;
    }
  };

  const isObject = (value: unknown): boolean =>
    value !== null && (typeof value === "object" || typeof value === "function");

  const wraps = (value: unknown, name: string, rules: Rules): boolean => {
    if (!isObject(value)) return false;
    if (name !== "" && rules.names.includes(name)) return true;
    if (rules.ctors.length > 0) {
      for (let p = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
        // `constructor` may be an accessor (Iterator.prototype's is): read it.
        const ctor = Object.hasOwn(p, "constructor") ? p.constructor : undefined;
        if (typeof ctor === "function" && rules.ctors.includes(ctor.name)) return true;
      }
    }
    return rules.pred !== null && Boolean(rules.pred(value, name));
  };

  const keep = (id: number, value: unknown, rules: Rules): void => {
    const objId = nextObj++;
    kept.set(objId, { obj: value as Record<PropertyKey, unknown>, rules });
    kit.send([id, REPLY.WRAPPED, objId, ctorName(value)]);
  };

  /** Replies a result: kept (and proxied) if autowrap says so, else cloned. */
  const answer = (id: number, value: unknown, rules: Rules, name: string, read: boolean) => {
    if (kit.isTransfer(value)) {
      kit.deliver(id, value);
      return;
    }
    let wrap: boolean;
    try {
      wrap = wraps(value, name, rules);
    } catch (error) {
      fail(id, error, rules.predId, "the autowrap predicate");
      return;
    }
    if (wrap) keep(id, value, rules.child);
    else if (read && typeof value === "function") {
      fail(
        id,
        new TypeError(
          `Cannot read ${name} through the proxy: it is a method; call it instead ` +
            `(await p.${name}(...))`,
        ),
        0,
      );
    } else kit.deliver(id, value);
  };

  const entryFor = (id: number, objId: number, action: string): Kept | undefined => {
    const entry = kept.get(objId);
    if (entry === undefined) {
      fail(id, new ReferenceError(`Cannot ${action}: the proxied object was released`), 0);
    }
    return entry;
  };

  const create = (id: number, m: unknown[]): void => {
    let rules: Rules;
    try {
      rules = rulesOf(m[5] as Spec);
    } catch (error) {
      fail(id, error, 0);
      return;
    }
    const root = (value: unknown): void => {
      if (isObject(value)) keep(id, value, rules);
      else {
        const what = value === null ? "null" : typeof value;
        fail(
          id,
          new TypeError(
            `Cannot create proxy: the factory must return an object to keep in the worker, ` +
              `received ${what}`,
          ),
          0,
        );
      }
    };
    kit.runNamed(m, root);
  };

  const call = (id: number, m: unknown[]): void => {
    const method = m[3] as string | null;
    const entry = entryFor(id, m[2] as number, `call ${method ?? "the object"}`);
    if (entry === undefined) return;
    let target: unknown;
    try {
      target = method === null ? entry.obj : entry.obj[method];
    } catch (error) {
      fail(id, error, 0);
      return;
    }
    if (typeof target !== "function") {
      fail(
        id,
        new TypeError(
          `Cannot call ${method ?? "the object"} through the proxy: on the proxied ` +
            `${ctorName(entry.obj)} it is not a function, received ${typeof target}`,
        ),
        0,
      );
      return;
    }
    const self = method === null ? undefined : entry.obj;
    run(id, target as WorkerFn, self, m[4] as unknown[], 0, (value) => {
      answer(id, value, entry.rules, method ?? "", false);
    });
  };

  const read = (id: number, objId: number, name: string): void => {
    const entry = entryFor(id, objId, `read ${name}`);
    if (entry === undefined) return;
    run(id, () => entry.obj[name], undefined, [], 0, (value) => {
      answer(id, value, entry.rules, name, true);
    });
  };

  const iterate = (id: number, objId: number): void => {
    const entry = entryFor(id, objId, "iterate");
    if (entry === undefined) return;
    try {
      const obj = entry.obj;
      const make = (obj[Symbol.asyncIterator] ?? obj[Symbol.iterator]) as WorkerFn | undefined;
      if (typeof make !== "function") {
        throw new TypeError(
          `Cannot iterate through the proxy: the proxied ${ctorName(obj)} is not iterable`,
        );
      }
      keep(id, make.call(obj), entry.rules);
    } catch (error) {
      fail(id, error, 0);
    }
  };

  const step = (id: number, objId: number): void => {
    const entry = entryFor(id, objId, "iterate");
    if (entry === undefined) return;
    run(id, entry.obj.next as WorkerFn, entry.obj, [], 0, (result) => {
      const r = result as IteratorResult<unknown>;
      if (!r.done) {
        let wrap: boolean;
        try {
          wrap = wraps(r.value, "", entry.rules);
        } catch (error) {
          fail(id, error, entry.rules.predId, "the autowrap predicate");
          return;
        }
        if (wrap) {
          keep(id, r.value, entry.rules.child);
          return;
        }
      }
      kit.deliver(id, [r.done === true, r.value]);
    });
  };

  return (m: unknown[]): void => {
    const id = m[1] as number;
    switch (m[0]) {
      case OP.NEW:
        return create(id, m);
      case OP.PCALL:
        return call(id, m);
      case OP.PGET:
        return read(id, m[2] as number, m[3] as string);
      case OP.PITER:
        return iterate(id, m[2] as number);
      case OP.PNEXT:
        return step(id, m[2] as number);
      case OP.RELEASE:
        kept.delete(m[2] as number);
        return;
    }
  };
}
