"""Helpers shared by the eventlet workload programs: read ``--name=value``
arguments and print the one JSON line of figures that bench/compare.ts reads."""

import json
import sys


def int_arg(name, fallback):
    """The integer value of ``--name=value`` on the command line, or fallback."""
    prefix = "--%s=" % name
    for a in sys.argv[1:]:
        if a.startswith(prefix):
            return int(a[len(prefix):])
    return fallback


def report(**figures):
    """Prints the program's figures as one JSON line."""
    print(json.dumps(figures), flush=True)


def measure(workload, run, n):
    """Warms ``run`` up with a tenth of ``n`` (CPython has no JIT: a tenth is
    enough), times ``run(n)``, and reports it as one JSON line."""
    import time

    run(n // 10)
    start = time.perf_counter()
    run(n)
    ms = (time.perf_counter() - start) * 1000
    report(workload=workload, impl="eventlet", n=n, ms=ms, rate=n / ms * 1000)
