/**
 * The worker side of the thread pool: the script every tpool worker runs.
 *
 * `node:worker_threads` workers in Deno load only `file:` and `data:` URLs,
 * and this package may be imported from `https:` (JSR), so the script is not
 * a file: it is built as a `data:` URL from the source of `workerMain` and
 * of the helpers it needs (`serializeError`, `compileFunction`,
 * `explainReferenceError`, and worker_objects.ts's `objectHost` for
 * proxies). Those functions are therefore self-contained: they use nothing
 * from their modules' scope.
 *
 * What the worker does with each message is described in protocol.ts. It
 * runs pool calls one at a time, in arrival order, each after claiming its
 * start cell; keeps proxied objects in a map by id; and reports an uncaught
 * error (a throw in a timer callback, an unhandled rejection) before it
 * exits, so its in-flight call can say why.
 *
 * @module
 */

import {
  IN_WORKER_KEY,
  OP,
  type Ops,
  type Replies,
  REPLY,
  STARTED,
  TRANSFER_KEY,
} from "./protocol.ts";
import { type SerializedError, serializeError } from "./errors.ts";
import { compileFunction, explainReferenceError } from "./function_source.ts";
import { objectHost, type RunFn, type WorkerFn, type WorkerKit } from "./worker_objects.ts";

/** The part of `parentPort` the worker uses: it only brings the INIT message. */
interface ParentPort {
  once(event: "message", listener: (message: unknown[]) => void): void;
}

/**
 * The worker's main function. Self-contained: shipped as source text.
 * @ignore
 */
export function workerMain(
  parentPort: ParentPort,
  OP: Ops,
  REPLY: Replies,
  STARTED: number,
  keys: { transfer: string; inWorker: string },
  serializeError: (error: unknown) => SerializedError,
  // deno-lint-ignore ban-types
  compileFunction: (source: string, id: number) => Function,
  explainReferenceError: (error: unknown, id: number, what: string) => unknown,
  objectHost: (kit: WorkerKit) => (m: unknown[]) => void,
): void {
  const g = globalThis as unknown as Record<PropertyKey, unknown>;
  const TRANSFER = Symbol.for(keys.transfer);
  g[Symbol.for(keys.inWorker)] = true;
  Object.defineProperty(g, "transfer", {
    value: function transfer(value: unknown, list: Transferable[]) {
      if (!Array.isArray(list)) {
        throw new TypeError(
          `Cannot transfer: transferables must be an array, received ${typeof list}`,
        );
      }
      return { [TRANSFER]: true, value, list };
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });

  // Calls and replies go through a web MessageChannel port that INIT hands
  // over: Deno's node:worker_threads postMessage clones typed arrays element
  // by element (~100 ms per MiB), a web port does not.
  let port = null as unknown as MessagePort;
  let cells: Int32Array | null = null;
  /** Pool calls that arrived while one runs: started in order, one at a time. */
  const waiting: unknown[][] = [];
  let busy = false;
  let draining = false;
  const fns = new Map<number, WorkerFn>();
  const moduleFns = new Map<string, WorkerFn>();

  const send = (message: unknown[]): void => port.postMessage(message);

  const crash = (error: unknown): void => {
    try {
      send([0, REPLY.CRASH, serializeError(error)]);
    } finally {
      (g.process as { exit(code: number): never }).exit(1);
    }
  };
  addEventListener("error", (event) => {
    event.preventDefault();
    crash((event as ErrorEvent).error);
  });
  addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    crash((event as PromiseRejectionEvent).reason);
  });

  const fnFor = (id: number, source: string | null): WorkerFn => {
    let fn = fns.get(id);
    if (fn === undefined) {
      try {
        fn = compileFunction(source ?? "", id) as WorkerFn;
      } catch (error) {
        fn = () => {
          throw error;
        };
      }
      fns.set(id, fn);
    }
    return fn;
  };

  const moduleFn = (url: string, name: string): WorkerFn | Promise<WorkerFn> => {
    const key = `${url}#${name}`;
    const cached = moduleFns.get(key);
    if (cached !== undefined) return cached;
    return import(url).then((mod: Record<string, unknown>) => {
      const fn = mod[name];
      if (typeof fn !== "function") {
        throw new TypeError(
          `Cannot run workerFunction: the module ${url} has no exported function ` +
            `${JSON.stringify(name)}, received ${typeof fn}`,
        );
      }
      moduleFns.set(key, fn as WorkerFn);
      return fn as WorkerFn;
    });
  };

  const fail = (id: number, error: unknown, fnId: number, what = "fn"): void => {
    const explained = fnId > 0 ? explainReferenceError(error, fnId, what) : error;
    let serialized: SerializedError;
    try {
      serialized = serializeError(explained);
    } catch (inner) {
      serialized = serializeError(new Error(String(inner)));
    }
    send([id, REPLY.ERR, serialized]);
  };

  const isTransfer = (value: unknown): boolean =>
    typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[TRANSFER] === true;

  const deliver = (id: number, value: unknown): void => {
    try {
      if (isTransfer(value)) {
        const box = value as { value: unknown; list: Transferable[] };
        port.postMessage([id, REPLY.OK, box.value], box.list);
      } else port.postMessage([id, REPLY.OK, value]);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      fail(
        id,
        new DOMException(
          `Cannot send the result back from the worker: it could not be cloned (functions, ` +
            `class instances with private state and native handles cannot cross threads; ` +
            `return plain data, or keep the object in the worker with proxy()), received ${detail}`,
          "DataCloneError",
        ),
        0,
      );
    }
  };

  /** Calls fn; its value (awaited) goes to onValue, its error back as a reply; then after(). */
  const run: RunFn = (id, fn, self, args, fnId, onValue, after) => {
    let result: unknown;
    try {
      result = fn.apply(self, args);
    } catch (error) {
      fail(id, error, fnId);
      after?.();
      return;
    }
    if (
      result !== null && (typeof result === "object" || typeof result === "function") &&
      typeof (result as PromiseLike<unknown>).then === "function"
    ) {
      (result as PromiseLike<unknown>).then(
        (value) => {
          onValue(value);
          after?.();
        },
        (error) => {
          fail(id, error, fnId);
          after?.();
        },
      );
    } else {
      onValue(result);
      after?.();
    }
  };

  /** Runs the shipped function (CALL, NEW) or module export (MCALL, NEW) a message names. */
  const runNamed: WorkerKit["runNamed"] = (m, onValue, after) => {
    const id = m[1] as number;
    const args = m[4] as unknown[];
    if (typeof m[2] === "number") {
      run(id, fnFor(m[2], m[3] as string | null), undefined, args, m[2], onValue, after);
      return;
    }
    const f = moduleFn(m[2] as string, m[3] as string);
    if (typeof f === "function") run(id, f, undefined, args, 0, onValue, after);
    else {
      f.then(
        (fn) => run(id, fn, undefined, args, 0, onValue, after),
        (e) => {
          fail(id, e, 0);
          after?.();
        },
      );
    }
  };

  /** Starts a pool call unless the calling thread took it back. */
  const start = (m: unknown[]): void => {
    // Keep a function's source even when the call is skipped: the calling
    // thread counts it as sent to this worker.
    if (m[0] === OP.CALL && m[3] !== null) fnFor(m[2] as number, m[3] as string);
    const cell = m[5] as number;
    if (cell >= 0 && Atomics.compareExchange(cells!, cell, m[6] as number, STARTED) !== m[6]) {
      return; // taken back (or a stale message): skip it
    }
    busy = true;
    const id = m[1] as number;
    runNamed(m, (value) => deliver(id, value), finish);
  };

  const finish = (): void => {
    busy = false;
    if (draining) return;
    draining = true;
    while (!busy && waiting.length > 0) start(waiting.shift()!);
    draining = false;
  };

  const objects = objectHost({ OP, REPLY, send, fnFor, run, runNamed, fail, deliver, isTransfer });

  const onMessage = (m: unknown[]): void => {
    if (m[0] === OP.CALL || m[0] === OP.MCALL) {
      if (busy) waiting.push(m);
      else start(m);
    } else objects(m);
  };

  parentPort.once("message", (m: unknown[]) => {
    // [INIT, 0, cells | null, port]
    if (m[2] !== null) cells = new Int32Array(m[2] as SharedArrayBuffer);
    port = m[3] as MessagePort;
    port.onmessage = (event) => onMessage(event.data);
  });
}

let scriptUrl: URL | undefined;

/**
 * The `data:` URL of the worker script (built once).
 * @ignore
 */
export function workerScriptUrl(): URL {
  if (scriptUrl !== undefined) return scriptUrl;
  const keys = JSON.stringify({ transfer: TRANSFER_KEY, inWorker: IN_WORKER_KEY });
  const source = `import { parentPort } from "node:worker_threads";\n` +
    `(${workerMain})(parentPort, ${JSON.stringify(OP)}, ${JSON.stringify(REPLY)}, ${STARTED},\n` +
    `${keys},\n` +
    `${serializeError},\n${compileFunction},\n${explainReferenceError},\n${objectHost});\n` +
    `// eventlet-tpool-worker\n`;
  scriptUrl = new URL(`data:text/javascript,${encodeURIComponent(source)}`);
  return scriptUrl;
}
