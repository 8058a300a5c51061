"""Workload 7, eventlet: eventlet.tpool.execute of a tiny function (x + 1),
N calls in all, made by --inflight greenthreads at once (1: sequential),
on --threads OS threads. Calls per second.

    python3 bench/python/tpool_execute.py [--n=20000] [--inflight=1] [--threads=4]
"""

import time

import eventlet
from eventlet import tpool
from common import int_arg, report

n = int_arg("n", 20000)
inflight = int_arg("inflight", 1)
tpool.set_num_threads(int_arg("threads", 4))


def inc(x):
    return x + 1


def caller(calls):
    x = 0
    for _ in range(calls):
        x = tpool.execute(inc, x)
    return x


def run(count):
    per = max(1, count // inflight)
    gts = [eventlet.spawn(caller, per) for _ in range(inflight)]
    if sum(gt.wait() for gt in gts) != per * inflight:
        raise SystemExit("tpool lost results")


run(n // 10)  # warm-up: starts the threads (CPython has no JIT: a tenth is enough)
start = time.perf_counter()
run(n)
ms = (time.perf_counter() - start) * 1000
calls = max(1, n // inflight) * inflight
report(workload="tpool", impl="eventlet", n=calls, inflight=inflight, ms=ms, rate=calls / ms * 1000)
tpool.killall()
