"""Workload 5, eventlet: GreenPool(1000).imap over N calls of a trivial
function, results read in order. Calls per second.

    python3 bench/python/pool_imap.py [--n=200000]
"""

import time

import eventlet
from common import int_arg, report

n = int_arg("n", 200000)


def work(i):
    return i + 1


def run(count):
    pool = eventlet.GreenPool(1000)
    total = sum(pool.imap(work, range(count)))
    if total != count * (count + 1) // 2:
        raise SystemExit("imap lost results: sum %d" % total)


run(n // 10)  # warm-up (CPython has no JIT: a tenth is enough)
start = time.perf_counter()
run(n)
ms = (time.perf_counter() - start) * 1000
report(workload="imap", impl="eventlet", n=n, ms=ms, rate=n / ms * 1000)
