"""The job folder: built beside its final place and moved in when the job succeeds.

An interrupted run therefore never leaves a half-written job folder, and a
previous job is only replaced with ``overwrite=True``.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import JobExistsError

__all__ = ["job_folder", "check_can_write"]


def check_can_write(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise JobExistsError(f"{out} is a file; pass --out a folder for the job")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise JobExistsError(
            f"{out} already holds a job; pass --overwrite to replace it, or --out a new folder"
        )


@contextmanager
def job_folder(out: Path, *, overwrite: bool) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces ``out``, on failure it is removed."""
    out = Path(out)
    check_can_write(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = None
    if out.exists():
        previous = out.parent / f".{out.name}.previous-{staging.name.rsplit('-', 1)[-1]}"
        out.rename(previous)
    staging.rename(out)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
