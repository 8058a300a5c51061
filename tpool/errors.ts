/**
 * Errors of the thread pool, and how an error crosses a thread boundary.
 *
 * Structured clone keeps an `Error`'s message but drops the name of a custom
 * subclass and every extra property (`code`, `errno`, …), so errors are
 * serialized by hand: `serializeError` runs in the worker (its source is
 * shipped there, so it must stay self-contained) and `deserializeError`
 * rebuilds an error of the same name in the calling thread.
 *
 * @module
 */

/**
 * An error of the thread pool itself (not of the function it ran): the pool
 * was shut down by `killall()`, the worker thread exited or was ended, a
 * proxy was released. `code` tells which.
 *
 * - `ERR_TPOOL_KILLED`: `killall()` stopped the pool while the call waited or ran.
 * - `ERR_TPOOL_WORKER_EXITED`: the worker crashed or exited (`close()`,
 *   `process.exit()`, an uncaught error); `cause` holds the uncaught error.
 * - `ERR_TPOOL_WORKER_ENDED`: a proxy's worker was ended because a call on it
 *   was interrupted by a kill or a `Timeout`.
 * - `ERR_TPOOL_PROXY_RELEASED`: the proxy was released.
 *
 * @example
 * ```ts
 * import { execute, killall, TpoolError } from "@eventlet/eventlet/tpool";
 * const p = execute(() => new Promise((r) => setTimeout(r, 1000)));
 * await killall();
 * await p.catch((e) => console.log(e instanceof TpoolError && e.code)); // "ERR_TPOOL_KILLED"
 * ```
 */
export class TpoolError extends Error {
  /** Which failure: see the class comment. */
  readonly code: string;

  /** Makes a TpoolError with a message, a code and an optional cause. */
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TpoolError";
    this.code = code;
  }
}

/**
 * An error as it crosses from a worker to the calling thread.
 * @ignore
 */
export interface SerializedError {
  /** False when the thrown value was not an Error: then `raw` is the value. */
  isError: boolean;
  /** The thrown non-Error value (structured-cloned, or its String() if not cloneable). */
  raw?: unknown;
  /** `error.name`. */
  name: string;
  /** `error.message`. */
  message: string;
  /** `error.stack`, with the worker script's data: URL shortened. */
  stack?: string;
  /** True for a DOMException (rebuilt as one). */
  dom: boolean;
  /** Own enumerable properties (`code`, `errno`, …), each cloned or stringified. */
  props: Record<string, unknown> | null;
  /** True when the error has a `cause`. */
  hasCause: boolean;
  /** Its serialized `cause`. */
  cause?: SerializedError;
  /** An AggregateError's errors. */
  errors?: SerializedError[];
}

/**
 * Serializes `error` for `postMessage`. Runs in the worker: self-contained
 * (its source is shipped to the worker), no outside references.
 * @ignore
 */
export function serializeError(error: unknown, depth?: number): SerializedError {
  const level = depth ?? 0;
  const cloneOrString = (value: unknown): unknown => {
    try {
      structuredClone(value);
      return value;
    } catch {
      try {
        return String(value);
      } catch {
        return "[value that cannot be shown]";
      }
    }
  };
  const isDom = typeof DOMException !== "undefined" && error instanceof DOMException;
  if (!(error instanceof Error) && !isDom) {
    return {
      isError: false,
      raw: cloneOrString(error),
      name: "",
      message: "",
      dom: false,
      props: null,
      hasCause: false,
    };
  }
  const e = error as Error & { cause?: unknown; errors?: unknown };
  let stack = typeof e.stack === "string" ? e.stack : undefined;
  if (stack !== undefined) {
    // Deno shows the worker script's data: URL in frames; name it instead.
    stack = stack.replace(/data:text\/javascript,\S*?(:\d+:\d+\)?)$/gm, "eventlet-tpool-worker$1");
  }
  let props: Record<string, unknown> | null = null;
  for (const key of Object.keys(e)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    let value: unknown;
    try {
      value = (e as unknown as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    (props ??= {})[key] = cloneOrString(value);
  }
  const out: SerializedError = {
    isError: true,
    name: String(e.name),
    message: String(e.message),
    stack,
    dom: isDom,
    props,
    hasCause: "cause" in e && level < 8,
  };
  if (out.hasCause) out.cause = serializeError(e.cause, level + 1);
  if (Array.isArray(e.errors) && level < 8) {
    out.errors = e.errors.map((x: unknown) => serializeError(x, level + 1));
  }
  return out;
}

type ErrorCtor = new (message?: string) => Error;
const BUILTIN: Record<string, ErrorCtor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Rebuilds the error `serializeError` described: same name (a built-in class
 * when the name is one, else an `Error` whose `name` is set), message, own
 * properties, cause, and the worker's stack.
 * @ignore
 */
export function deserializeError(s: SerializedError): unknown {
  if (!s.isError) return s.raw;
  let error: Error;
  if (s.dom) {
    error = new DOMException(s.message, s.name) as unknown as Error;
  } else if (s.name === "AggregateError") {
    error = new AggregateError((s.errors ?? []).map(deserializeError), s.message);
  } else {
    const Ctor = Object.hasOwn(BUILTIN, s.name) ? BUILTIN[s.name] : undefined;
    error = Ctor === undefined ? new Error(s.message) : new Ctor(s.message);
    if (Ctor === undefined) setHidden(error, "name", s.name);
  }
  if (s.stack !== undefined) setHidden(error, "stack", s.stack);
  if (s.hasCause && s.cause !== undefined) setHidden(error, "cause", deserializeError(s.cause));
  if (s.props !== null) {
    for (const key of Object.keys(s.props)) {
      try {
        (error as unknown as Record<string, unknown>)[key] = s.props[key];
      } catch {
        // a read-only property of a DOMException: keep the original
      }
    }
  }
  return error;
}

/** Sets `key` on `error` as an own non-enumerable property, as the engine's own are. */
function setHidden(error: Error, key: string, value: unknown): void {
  Object.defineProperty(error, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * The error for a value `postMessage` could not clone: a DOMException named
 * `DataCloneError`, as the platform's, with a message that says what to do.
 * @ignore
 */
export function cloneError(action: string, what: string, error: unknown): Error {
  const detail = error instanceof Error ? error.message : String(error);
  return new DOMException(
    `Cannot ${action}: ${what} could not be cloned to send it to another thread ` +
      `(functions, sockets, streams and objects with private state cannot cross threads; ` +
      `pass plain data, or keep the object in the worker with proxy()), received ${detail}`,
    "DataCloneError",
  ) as unknown as Error;
}
