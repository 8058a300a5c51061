"""Workload 1, eventlet: spawn N greenthreads running a trivial function,
then wait for each (eventlet.spawn + GreenThread.wait).

    python3 bench/python/spawn_wait.py [--n=100000]
"""


import eventlet
from common import int_arg, measure

n = int_arg("n", 100000)


def work(i):
    return i + 1


def spawn_wait(count):
    gts = [eventlet.spawn(work, i) for i in range(count)]
    for gt in gts:
        gt.wait()


measure("spawn_wait", spawn_wait, n)
