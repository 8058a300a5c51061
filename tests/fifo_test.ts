/**
 * The hub's ring-buffer FIFO: order across growth, wrap-around and the
 * shrink back to a small buffer once a burst has drained.
 */

import assert from "node:assert/strict";
import { Fifo } from "../hub/fifo.ts";

function drain<T>(q: Fifo<T>): T[] {
  const out: T[] = [];
  while (q.length > 0) out.push(q.shift()!);
  return out;
}

Deno.test("Fifo keeps order through growth and wrap-around", () => {
  const q = new Fifo<number>();
  for (let i = 0; i < 10; i++) q.push(i);
  assert.deepEqual([q.shift(), q.shift(), q.shift()], [0, 1, 2]); // head moves: the next growth wraps
  for (let i = 10; i < 40; i++) q.push(i);
  assert.equal(q.peek(), 3);
  assert.equal(q.at(36), 39);
  assert.equal(q.at(37), undefined);
  assert.deepEqual(drain(q), Array.from({ length: 37 }, (_, i) => i + 3));
  assert.equal(q.shift(), undefined);
});

Deno.test("Fifo drained after a burst keeps working in order (its buffer is given back)", () => {
  const q = new Fifo<number>();
  for (let round = 0; round < 3; round++) {
    const n = 5000 + round;
    for (let i = 0; i < n; i++) q.push(round * 10_000 + i);
    for (let i = 0; i < 100; i++) assert.equal(q.shift(), round * 10_000 + i);
    for (let i = 0; i < 50; i++) q.push(-i); // pushed while partly drained
    const rest = drain(q);
    assert.equal(rest.length, n - 100 + 50);
    assert.equal(rest[0], round * 10_000 + 100);
    assert.equal(rest[n - 101], round * 10_000 + n - 1);
    assert.deepEqual(rest.slice(n - 100), Array.from({ length: 50 }, (_, i) => -i));
    assert.equal(q.length, 0);
    assert.deepEqual([...q], []);
  }
  q.push(7);
  assert.deepEqual([...q], [7]);
});
