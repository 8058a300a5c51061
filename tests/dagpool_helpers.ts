/**
 * Shared helpers of the DAGPool tests: letting ready greenthreads run, a
 * message capture ordered by groups, eventlet's canonical observing pool
 * function, a Map from an object, and a function that waits for every
 * dependency.
 */

import assert from "node:assert/strict";
import type { DAGFunction } from "../dagpool/mod.ts";
import type { Event } from "../green/event.ts";
import { sleep } from "../green/sleep.ts";

/** Lets every ready greenthread run until it blocks. */
export async function spin(): Promise<void> {
  for (let i = 0; i < 10; i++) await sleep(0);
}

/** Messages in groups: within a group order is free, groups are ordered. */
export class Capture {
  sequence: Set<string>[] = [new Set()];
  add(message: string): void {
    this.sequence[this.sequence.length - 1].add(message);
  }
  step(): void {
    this.sequence.push(new Set());
  }
  validate(expected: string[][]): void {
    assert.deepEqual(this.sequence, expected.map((group) => new Set(group)));
  }
}

/** eventlet's canonical pool function: note each result, then return what `event` sends. */
export function observe(capture: Capture, event: Event<string>): DAGFunction<string, unknown> {
  return async (key, results) => {
    for await (const [k] of results) capture.add(`${key} got ${k}`);
    const result = await event.wait();
    capture.add(`${key} returning ${result}`);
    return result;
  };
}

export const asMap = (o: Record<string, unknown>) => new Map(Object.entries(o));

export const consumer: DAGFunction<string, unknown> = async (_key, results) => {
  for await (const _ of results) { /* every dependency */ }
  return true;
};
