"""What every benchmark module shares: the registry and a query/time counter.

A module ``bench/bench_<topic>.py`` registers its benchmarks with :func:`bench`;
``bench/run.py`` imports every such module.
"""

import time

BENCHES = {}


def bench(func):
    BENCHES[func.__name__] = func
    return func


class Counter:
    """Counts the SQL queries and the wall time of a block."""

    def __init__(self, env):
        self.env = env

    def __enter__(self):
        self.env.flush_all()
        self.queries = self.env.cr.sql_log_count
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.env.flush_all()
        self.seconds = time.perf_counter() - self.start
        self.queries = self.env.cr.sql_log_count - self.queries
