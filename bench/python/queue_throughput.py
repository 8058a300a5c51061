"""Workload 4, eventlet: one producer greenthread puts N numbers into an
eventlet.Queue(100), one consumer greenthread gets them. Items per second.

    python3 bench/python/queue_throughput.py [--n=1000000]
"""


import eventlet
from common import int_arg, measure

n = int_arg("n", 1000000)


def produce(q, count):
    for i in range(count):
        q.put(i)


def consume(q, count):
    total = 0
    for _ in range(count):
        total += q.get()
    return total


def run(count):
    q = eventlet.Queue(100)
    producer = eventlet.spawn(produce, q, count)
    consumer = eventlet.spawn(consume, q, count)
    producer.wait()
    total = consumer.wait()
    if total != count * (count - 1) // 2:
        raise SystemExit("Queue lost items: sum %d" % total)


measure("queue", run, n)
