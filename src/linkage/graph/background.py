"""Long graph computations in worker processes, so that they run beside the rest of the analyses.

On a big network two computations dominate the analyses: the community
search of ``clusters`` (Leiden over every tie) and the betweenness of
``key_people`` (one Dijkstra search per sampled source over every tie). Both
are pure functions of a few numpy arrays, and neither needs the other, so a
job starts them in worker processes as soon as the ties are known and runs
the other analyses meanwhile; the analysis that needs a result waits for it.
A computation gives the same result in a worker as in the job's own process:
the same function on the same arrays with the same seed.

Workers are started with ``spawn``: they inherit neither the parent's memory
nor its threads (pyarrow keeps a thread pool that a forked child could
deadlock on). If a worker cannot start or dies (no memory, a killed process),
the computation runs again in the job's own process and the result is the
same, only later.
"""

from __future__ import annotations

import concurrent.futures as futures
import importlib
import multiprocessing
import os
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Background", "Pending", "worker_count"]


def worker_count(requested: int | None = None) -> int:
    """Worker processes to use: ``requested``, or one per long computation (two) on a machine with two cores
    or more, none on one core.

    One worker per computation, even on two cores where the job's own process needs one too: with fewer
    workers than computations the second waits for the first to finish, and its inputs wait in the pipe to
    the worker, which held the job's own process back by minutes on the large synthetic world; three
    processes on two cores keep both cores busy until the last computation ends."""
    if requested is not None:
        return max(0, int(requested))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 if cores > 1 else 0


@dataclass
class Pending:
    """A computation started in the background: ``result()`` waits for it, or runs it here if the worker failed."""

    function: Callable
    args: tuple
    kwargs: dict
    future: futures.Future | None = None
    _value: Any = field(default=None, repr=False)
    _done: bool = False

    def result(self) -> Any:
        if not self._done:
            value = None
            if self.future is not None:
                try:
                    value = self.future.result()
                    self._done = True
                except (futures.process.BrokenProcessPool, OSError, MemoryError):
                    self.future = None
            if not self._done:
                value = self.function(*self.args, **self.kwargs)
                self._done = True
            self._value = value
            self.args, self.kwargs, self.future = (), {}, None   # let the inputs go
        return self._value


class Background:
    """A lazily started pool of ``workers`` worker processes; with 0 workers every computation runs at once,
    in this process, when it is submitted.

    Examples
    --------
    >>> with Background(workers=0) as background:
    ...     background.submit(sum, [1, 2, 3]).result()
    6
    """

    def __init__(self, workers: int = 0):
        self.workers = workers
        self._pool: futures.ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker processes now, each importing the graph code, so that their start (a fresh Python
        importing numpy and igraph) overlaps the caller's own work rather than delaying the first computation.
        Nothing happens with 0 workers; a pool that cannot start is started again by ``submit``."""
        if self.workers <= 0 or self._pool is not None:
            return
        try:
            self._pool = futures.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            for _ in range(self.workers):
                self._pool.submit(importlib.import_module, "linkage.graph")
        except (futures.process.BrokenProcessPool, OSError, RuntimeError):
            self.close()

    def submit(self, function: Callable, *args, **kwargs) -> Pending:
        pending = Pending(function, args, kwargs)
        if self.workers <= 0:
            pending.result()
            return pending
        try:
            if self._pool is None:
                self._pool = futures.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            pending.future = self._pool.submit(function, *args, **kwargs)
        except (futures.process.BrokenProcessPool, OSError, RuntimeError):
            pending.result()
        return pending

    def close(self) -> None:
        """Stop the workers (waiting for any still running) and release them."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *_) -> None:
        self.close()
