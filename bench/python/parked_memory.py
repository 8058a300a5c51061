"""Workload 3, eventlet: memory per greenthread parked in eventlet.sleep(10),
N of them, as the RSS delta (resident pages from /proc/self/statm, after
gc.collect()) divided by N. RSS, not tracemalloc: tracemalloc does not see
the C stack slices greenlet copies to the heap for each parked greenlet.

    python3 bench/python/parked_memory.py [--n=100000]
"""

import gc
import os

import eventlet
from common import int_arg, report

n = int_arg("n", 100000)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


gc.collect()
rss0 = rss_bytes()
gts = [eventlet.spawn(eventlet.sleep, 10) for _ in range(n)]
eventlet.sleep(0)  # every one starts and parks in its sleep
started = sum(1 for gt in gts if gt)  # a greenlet is true while started and not dead
if started < n:
    raise SystemExit("Cannot measure: only %d of %d greenthreads parked" % (started, n))
gc.collect()
rss1 = rss_bytes()
report(workload="parked_memory", impl="eventlet", n=n, rssBytes=(rss1 - rss0) / n)
os._exit(0)  # the greenthreads would sleep on for 10 s
