"""Independent jobs in worker processes: a GD sweep's cells, the GD figures' computations.

Each job is a module-level function and its arguments; results come back in the jobs'
order whatever the order they end in, so a parallel run gives what a serial one gives when
each job is seeded on its own.  The workers are fresh interpreters ("spawn"): forking a
process that runs threads (a live display, BLAS) can deadlock.  A fresh interpreter
re-imports the caller's main module, so a script that starts workers guards its work with
``if __name__ == "__main__":`` (the ``reluflow`` command and the ``paper_figures`` scripts do).
Written here rather than with Dask (the ``cluster`` extra) because the base install must run
``reluflow reproduce``, and :mod:`concurrent.futures` covers one machine.

>>> run_jobs([(pow, (2, 10)), (pow, (3, 2))], workers=1)
[1024, 9]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any

from .problem import positive_int

__all__ = ["auto_workers", "cores", "run_jobs"]

Job = tuple[Callable[..., Any], tuple]


def cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def auto_workers(jobs: int, worth_it: bool) -> int:
    """The default number of processes for ``jobs`` jobs: one per core (at most one per job)
    when the jobs are ``worth_it`` (long enough to repay a process start of about half a
    second, and on the CPU), else 1.

    >>> auto_workers(5, worth_it=False)
    1
    """
    return max(1, min(cores(), jobs)) if worth_it else 1


def run_jobs(
    jobs: Sequence[Job],
    workers: int = 1,
    done: Callable[[int, Any], None] | None = None,
    *,
    first: Sequence[int] | None = None,
) -> list[Any]:
    """``[fn(*args) for fn, args in jobs]``, in ``workers`` processes when more than one;
    ``done(i, result)`` hears of each job as it ends, and the jobs listed in ``first``
    (indices, e.g. the largest) are started before the others."""
    workers = min(positive_int(workers, "workers"), len(jobs) or 1)
    results: list[Any] = [None] * len(jobs)
    if workers == 1:
        for i, (fn, args) in enumerate(jobs):
            results[i] = fn(*args)
            if done is not None:
                done(i, results[i])
        return results
    order = list(first or ()) + [i for i in range(len(jobs)) if i not in set(first or ())]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(jobs[i][0], *jobs[i][1]): i for i in order}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if done is not None:
                done(i, results[i])
    return results
