"""Workload 2, eventlet: two greenthreads each looping on eventlet.sleep(0),
N switches in all. Reports switches per second.

    python3 bench/python/ping_pong.py [--n=1000000]
"""

import time

import eventlet
from common import int_arg, report

n = int_arg("n", 1000000)


def loop(steps):
    for _ in range(steps):
        eventlet.sleep(0)


def ping_pong(switches):
    a = eventlet.spawn(loop, switches // 2)
    b = eventlet.spawn(loop, switches // 2)
    a.wait()
    b.wait()


ping_pong(n // 10)  # warm-up (CPython has no JIT: a tenth is enough)
start = time.perf_counter()
ping_pong(n)
ms = (time.perf_counter() - start) * 1000
report(workload="ping_pong", impl="eventlet", n=n, ms=ms, rate=n / ms * 1000)
