"""The one atomic writer: a temporary file beside the target, renamed over it only when complete.

A reader never sees a half-written file, and a failure or a signal leaves the
old file as it was.  The temporary file is named
``.<file>.<owner>-<random>.tmp``, where ``<owner>`` is this process's id and
start time, so the next run (or ``linkage clean``) can remove one that a
killed process left (``_leftovers``).
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from ._leftovers import owner_token

__all__ = ["atomic_path", "atomic_open", "write_text", "write_json", "write_parquet"]


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends normally it replaces ``path``.

    On any exception (a signal raised as ``Interrupted`` included) the
    temporary file is removed and ``path`` is left as it was.  For writers that
    take a file name (``networkx.write_graphml``); ``atomic_open`` gives a stream.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.{owner_token()}-", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_open(path: str | Path, *, binary: bool = False) -> Iterator[IO]:
    """A stream to write ``path`` atomically: UTF-8 text with ``\\n`` line ends, or bytes with ``binary``."""
    with atomic_path(path) as temp:
        if binary:
            with open(temp, "wb") as stream:
                yield stream
        else:
            with open(temp, "w", encoding="utf-8", newline="") as stream:
                yield stream


def write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_open(path) as stream:
        stream.write(text)
    return Path(path)


def write_json(data: Any, path: str | Path) -> Path:
    """Write ``data`` as indented JSON (keys in the given order; dates and paths as text) atomically."""
    return write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", path)


def write_parquet(table, path: str | Path) -> Path:
    """Write an Arrow ``table`` as Parquet (zstd) atomically, without pandas metadata: the bytes depend on the data."""
    import pyarrow.parquet as pq

    with atomic_open(path, binary=True) as stream:
        pq.write_table(table.replace_schema_metadata(None), stream, compression="zstd")
    return Path(path)
