"""Workload 2, eventlet: two greenthreads each looping on eventlet.sleep(0),
N switches in all. Reports switches per second.

    python3 bench/python/ping_pong.py [--n=1000000]
"""


import eventlet
from common import int_arg, measure

n = int_arg("n", 1000000)


def loop(steps):
    for _ in range(steps):
        eventlet.sleep(0)


def ping_pong(switches):
    a = eventlet.spawn(loop, switches // 2)
    b = eventlet.spawn(loop, switches // 2)
    a.wait()
    b.wait()


measure("ping_pong", ping_pong, n)
