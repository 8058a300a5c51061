/**
 * GreenMap: the async iterator behind `GreenPool.imap` and `starmap`.
 *
 * Each input item becomes a call in its own greenthread; at most `limit`
 * calls are in flight (spawned and not yet read); results come out in input
 * order through a `ResultLine`. Once half of them have been read, the map
 * refills up to `limit`: sync inputs are pulled by whoever read (the reader,
 * or the exit of the call it waited for); async inputs by a producer
 * greenthread, which parks while the map is full.
 *
 * Internal to the package: users see an `AsyncIterableIterator`.
 *
 * @module
 */

import {
  captureContext,
  completed,
  currentGreenlet,
  deliverPending,
  failed,
  GreenletExit,
  type GreenThread,
  hasPendingError,
  isDead,
  isStarted,
  ParkingLot,
  reportError,
  throwInto,
  wake,
  wakeWithError,
} from "../hub/lowlevel.ts";
import { waitFor } from "./sleep.ts";
import { spawnIn, spawnSoleIn } from "./spawn.ts";
import { DONE, ResultLine } from "./result_line.ts";
import { checkFunction, typeName } from "../hub/checks.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => unknown;
type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

// A map's phase (#phase), in the order it goes through them.
/** Not started: the inputs are untouched until the first `next()`. */
const FRESH = 0;
/** Calls are being spawned from the inputs. */
const FILLING = 1;
/** The inputs ended: the calls in flight are all that is left. */
const EXHAUSTED = 2;
/** The inputs ended with an error (#inputError) that a reader still has to get. */
const FAILED = 3;
/** Ended: every `next()` resolves done. */
const CLOSED = 4;

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof (x as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === "function";
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return typeof (x as Iterable<unknown>)?.[Symbol.iterator] === "function";
}

const ARRAY_VALUES = Array.prototype[Symbol.iterator];
const ARRAY_ITERATOR_NEXT = Object.getPrototypeOf([][Symbol.iterator]()).next;

/** True if `it`, made by `input[Symbol.iterator]()`, is the built-in array iterator. */
function isBuiltinArrayIterator(input: unknown, it: AnyIterator): boolean {
  return Array.isArray(input) && input[Symbol.iterator] === ARRAY_VALUES &&
    it.next === ARRAY_ITERATOR_NEXT;
}

/** A starmap item as an argument list. */
function toArgs(item: unknown): unknown[] {
  return Array.isArray(item) ? item : Array.from(item as Iterable<unknown>);
}

/** Closes an input early (a generator runs its `finally`); errors go to hub.onError. */
function closeIterator(it: AnyIterator): void {
  try {
    const closing = it.return?.();
    if (closing instanceof Promise) closing.catch((error) => reportError(error));
  } catch (error) {
    reportError(error);
  }
}

/** Ends `gt` without waiting for it (callable from an exit hook). */
function abandon(gt: GreenThread<unknown>): void {
  if (!isStarted(gt)) gt.kill(); // never runs; ends synchronously
  else throwInto(gt, new GreenletExit());
}

/**
 * The iterator of `GreenPool.imap`/`starmap`; see the module comment.
 * @ignore
 */
export class GreenMap<T> implements AsyncIterableIterator<T> {
  #fn: AnyFn;
  #star: boolean;
  #limit: number;
  #inputs: (Iterable<unknown> | AsyncIterable<unknown>)[];
  #iterators: AnyIterator[] | null = null;
  /** The one input, when it is a plain array read by the built-in iterator. */
  #array: unknown[] | null = null;
  /** The index of #array's next item. */
  #index = 0;
  #async: boolean;
  /** The AsyncLocalStorage values every call starts with. */
  #spawnContext: unknown;
  #line = new ResultLine<T, GreenMap<T>>(this, GreenMap.#took);
  #phase = FRESH;
  #inputError: unknown = undefined;
  #producer: GreenThread<void> | null = null;
  // The producer, parked while `limit` calls are in flight.
  #room = new ParkingLot();

  constructor(
    what: string,
    fn: AnyFn,
    inputs: (Iterable<unknown> | AsyncIterable<unknown>)[],
    star: boolean,
    limit: number,
  ) {
    checkFunction(what, fn);
    if (inputs.length === 0) {
      throw new TypeError(`Cannot ${what}: at least one iterable is needed, received none`);
    }
    let async = false;
    inputs.forEach((input, i) => {
      if (isAsyncIterable(input)) async = true;
      else if (!isIterable(input)) {
        throw new TypeError(
          `Cannot ${what}: argument ${i + 2} must be an iterable or async iterable, received ${
            typeName(input)
          }`,
        );
      }
    });
    if (limit === 0) {
      throw new RangeError(`Cannot ${what}: the pool's size is 0, so no call could start`);
    }
    this.#fn = fn;
    this.#inputs = inputs;
    this.#star = star;
    this.#limit = limit;
    this.#async = async;
    // Every call starts with the AsyncLocalStorage values of the code that
    // asked for the map, whichever call's end spawns it.
    this.#spawnContext = captureContext();
  }

  /** Itself: it is its own async iterable. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next result in input order (a switch point while it is not ready). */
  next(): Promise<IteratorResult<T>> {
    if (this.#phase === FILLING) {
      const ready = this.#line.readNow(); // hot path: see ResultLine.readNow
      if (ready !== undefined) return ready;
    }
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    if (this.#phase === CLOSED) return completed(g, DONE);
    if (this.#phase === FRESH) this.#start();
    const line = this.#line;
    if (line.length > line.readers || this.#phase === FILLING) {
      return line.read(g, true, "GreenPool.imap") as Promise<IteratorResult<T>>;
    }
    // Every result is read (or promised to an earlier reader).
    if (this.#phase === FAILED) return failed(g, this.#takeInputError());
    this.#phase = CLOSED;
    return completed(g, DONE);
  }

  /**
   * Stops early: kills the calls in flight, closes the inputs, ends other
   * readers; resolves once the killed calls have ended.
   */
  return(): Promise<IteratorResult<T>> {
    const g = currentGreenlet();
    const live = this.#close();
    if (live.length === 0) return completed(g, DONE);
    return Promise.all(live.map((gt) => gt.kill())).then(() => DONE);
  }

  #start(): void {
    this.#phase = FILLING;
    try {
      this.#iterators = this.#inputs.map((input) =>
        isAsyncIterable(input) ? input[Symbol.asyncIterator]() : (input as Iterable<unknown>)[
          Symbol.iterator
        ]()
      );
    } catch (error) {
      this.#inputFailed(error);
      return;
    }
    const iterators = this.#iterators;
    if (
      iterators.length === 1 && !this.#star && isBuiltinArrayIterator(this.#inputs[0], iterators[0])
    ) {
      this.#array = this.#inputs[0] as unknown[];
    }
    if (!this.#async) this.#fill();
    else {
      this.#producer = spawnIn(this.#spawnContext, () => this.#produce(), []);
      this.#producer.name = "GreenPool.imap producer";
    }
  }

  /** Spawns the call for one argument list and queues it for reading. */
  #launch(args: unknown[]): void {
    const fn = this.#fn as (...a: unknown[]) => T;
    this.#line.push(spawnIn(this.#spawnContext, fn, args) as GreenThread<T>);
  }

  /** ResultLine's onTake: one function for every map (see its constructor). */
  static #took(map: GreenMap<unknown>, ok: boolean): void {
    map.#onTake(ok);
  }

  /** A result was read: room for more calls; an error ends the map. */
  #onTake(ok: boolean): void {
    if (!ok) {
      for (const gt of this.#close()) abandon(gt);
      return;
    }
    // Refill in bursts, once half the calls in flight have been read: a
    // burst of spawns costs the hub one pump, one per call costs twice the
    // time for trivial calls (bench/pool_ratios.ts).
    if (this.#line.length > this.#limit >> 1) return;
    if (!this.#async) this.#fill();
    else {
      this.#room.wakeFirst(undefined);
    }
  }

  /** Sync inputs: spawns calls until `limit` are in flight or the inputs end. */
  #fill(): void {
    const array = this.#array;
    if (array !== null) {
      if (this.#fillFromArray(array)) {
        this.#closeInputs(0);
        this.#inputsEnded();
      }
      return;
    }
    const line = this.#line;
    while (this.#phase === FILLING && line.length < this.#limit) {
      let args: unknown[] | null;
      try {
        args = this.#pull();
      } catch (error) {
        this.#inputFailed(error);
        return;
      }
      if (args === null) {
        this.#inputsEnded();
        return;
      }
      this.#launch(args);
    }
  }

  /**
   * #fill for imap over one plain array, the hot path. Read by index, as
   * the built-in iterator reads (length at each step, holes as undefined),
   * without its step objects: CPU ms per 200k-call map 66.0 -> 62.7
   * (medians, taskset -c 0). Each call gets its item as its sole argument,
   * with no list to allocate and spread: time per call 0.85-0.93 of before
   * (RESULTS.md, sixth session). True when the array has ended: the caller
   * ends the inputs, as that branch here deopts the next map's loop
   * (`ResultLine.push` gives the figure).
   */
  #fillFromArray(array: unknown[]): boolean {
    const line = this.#line;
    const fn = this.#fn;
    while (this.#phase === FILLING && line.length < this.#limit) {
      const i = this.#index;
      if (i >= array.length) return true; // the caller ends the inputs
      this.#index = i + 1;
      let item: unknown;
      try {
        item = array[i]; // an index getter may throw
      } catch (error) {
        this.#inputFailed(error);
        return false;
      }
      line.push(spawnSoleIn(this.#spawnContext, fn, item) as GreenThread<T>);
    }
    return false;
  }

  /** The next argument list from sync inputs, or null at the shortest one's end. */
  #pull(): unknown[] | null {
    const iterators = this.#iterators as Iterator<unknown>[];
    const values = new Array(iterators.length);
    for (let i = 0; i < iterators.length; i++) {
      const step = iterators[i].next();
      if (step.done) {
        this.#closeInputs(i);
        return null;
      }
      values[i] = step.value;
    }
    return this.#star ? toArgs(values[0]) : values;
  }

  /** As #pull, for inputs of which some are async. */
  async #pullAsync(): Promise<unknown[] | null> {
    const iterators = this.#iterators!;
    const values = new Array(iterators.length);
    for (let i = 0; i < iterators.length; i++) {
      const step = await iterators[i].next();
      if (step.done) {
        this.#closeInputs(i);
        return null;
      }
      values[i] = step.value;
    }
    return this.#star ? toArgs(values[0]) : values;
  }

  /** The producer greenthread of async inputs. */
  async #produce(): Promise<void> {
    try {
      while (this.#phase !== CLOSED) {
        if (this.#line.length >= this.#limit) {
          await this.#waitForRoom();
          continue;
        }
        const args = await waitFor(this.#pullAsync());
        if (args === null) {
          this.#inputsEnded();
          return;
        }
        if (this.#phase !== CLOSED) this.#launch(args);
      }
    } catch (error) {
      // A kill because the map was closed is just the end.
      if (this.#phase !== CLOSED) this.#inputFailed(error);
    } finally {
      this.#producer = null;
      if (this.#phase === CLOSED) this.#closeInputs(-1);
    }
  }

  #waitForRoom(): Promise<void> {
    const g = currentGreenlet();
    if (hasPendingError(g)) return deliverPending(g);
    return this.#room.park(g, "GreenPool.imap room");
  }

  #inputFailed(error: unknown): void {
    this.#inputError = error;
    this.#phase = FAILED;
    this.#closeInputs(-1);
    this.#inputsEnded();
  }

  /** The input error, for the one reader that gets it; the map is closed after. */
  #takeInputError(): unknown {
    const error = this.#inputError;
    this.#inputError = undefined;
    this.#phase = CLOSED;
    return error;
  }

  /** No more calls will come: readers beyond the pending results end. */
  #inputsEnded(): void {
    if (this.#phase < EXHAUSTED) this.#phase = EXHAUSTED;
    for (const park of this.#line.readersAfter(this.#line.length)) {
      if (this.#phase === FAILED) wakeWithError(park, this.#takeInputError());
      else wake(park, DONE);
    }
  }

  /** Closes every input except the one at `except` (which ended by itself). */
  #closeInputs(except: number): void {
    const iterators = this.#iterators;
    if (iterators === null) return;
    this.#iterators = [];
    this.#array = null;
    iterators.forEach((it, i) => {
      if (i !== except) closeIterator(it);
    });
  }

  /**
   * Ends the map: no more spawns, readers get done, inputs are closed.
   * Returns the greenthreads still to stop (calls not read, the producer).
   */
  #close(): GreenThread<unknown>[] {
    if (this.#phase === CLOSED && this.#line.length === 0 && this.#producer === null) return [];
    this.#phase = CLOSED;
    const live: GreenThread<unknown>[] = this.#line.takeAll().filter((gt) => !isDead(gt));
    for (const park of this.#line.readersAfter(0)) wake(park, DONE);
    if (this.#producer !== null) live.push(this.#producer); // closes the inputs as it ends
    else this.#closeInputs(-1);
    return live;
  }
}
