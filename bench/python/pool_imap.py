"""Workload 5, eventlet: GreenPool(1000).imap over N calls of a trivial
function, results read in order. Calls per second.

    python3 bench/python/pool_imap.py [--n=200000]
"""


import eventlet
from common import int_arg, measure

n = int_arg("n", 200000)


def work(i):
    return i + 1


def run(count):
    pool = eventlet.GreenPool(1000)
    total = sum(pool.imap(work, range(count)))
    if total != count * (count + 1) // 2:
        raise SystemExit("imap lost results: sum %d" % total)


measure("imap", run, n)
