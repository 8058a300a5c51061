"""Workload 1, eventlet: spawn N greenthreads running a trivial function,
then wait for each (eventlet.spawn + GreenThread.wait).

    python3 bench/python/spawn_wait.py [--n=100000]
"""

import time

import eventlet
from common import int_arg, report

n = int_arg("n", 100000)


def work(i):
    return i + 1


def spawn_wait(count):
    gts = [eventlet.spawn(work, i) for i in range(count)]
    for gt in gts:
        gt.wait()


spawn_wait(n // 10)  # warm-up (CPython has no JIT: a tenth is enough)
start = time.perf_counter()
spawn_wait(n)
ms = (time.perf_counter() - start) * 1000
report(workload="spawn_wait", impl="eventlet", n=n, ms=ms, rate=n / ms * 1000)
