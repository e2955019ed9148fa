"""Between a job's stages: let go of what the later stages do not read, and hand the freed memory back.

A whole job's peak is the memory still held when its heaviest stage runs.
Each stage that is the last reader of a table says so (``Stage.release``);
after it runs, the job drops those tables and returns the freed memory to the
system: Python's garbage is collected, Arrow's pool releases its unused
pages, and glibc's ``malloc_trim`` gives back the free pages it keeps (on
other C libraries that step is skipped).

A job also allocates Arrow's buffers from the C library's allocator
(``job_allocator``) rather than Arrow's default, mimalloc, which keeps the
pages it frees: on the medium world that kept the process 0.15 GiB higher
after every stage and 0.12 GiB higher at the peak, for no gain in time
(docs/performance.md, "A whole job").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from typing import Iterator

from ._context import JobContext

__all__ = ["job_allocator", "return_freed_memory", "release_pair_tables", "release_raw_tables", "TABLES_KEPT_AFTER_BUILD"]

#: the dataset tables read after the network is built: the people, for the views' record search and review.html
TABLES_KEPT_AFTER_BUILD = ("people",)


@lru_cache(maxsize=1)
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


def return_freed_memory() -> None:
    """Collect Python's garbage and give the memory freed back to the system (Arrow's pool, glibc's heap)."""
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextmanager
def job_allocator() -> Iterator[None]:
    """Arrow allocates from the C library's allocator while the job runs (the pool before is put back after),
    unless ``ARROW_DEFAULT_MEMORY_POOL`` names a pool: that choice is the user's."""
    try:
        import pyarrow as pa
    except ImportError:
        yield
        return
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        yield
        return
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def release_pair_tables(ctx: JobContext) -> None:
    """After resolve: match_pairs.csv and blocking.csv are written and no later stage reads them."""
    resolution = ctx.state.resolution
    if resolution is not None:
        ctx.state.resolution = replace(resolution, match_pairs=resolution.match_pairs.head(0).copy(),
                                       blocking=resolution.blocking.head(0).copy())


def release_raw_tables(ctx: JobContext) -> None:
    """After build: the network holds what the analyses, exports and pages read, so of the dataset's tables
    only ``TABLES_KEPT_AFTER_BUILD`` stay (``Dataset.has`` still answers for the rest)."""
    if ctx.state.dataset is not None:
        ctx.state.dataset.release(keep=TABLES_KEPT_AFTER_BUILD)
