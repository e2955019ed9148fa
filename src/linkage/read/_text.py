"""The bytes of a table file as text: UTF-8, latin-1 byte runs inside UTF-8, UTF-16 transcoded.

A value that is not UTF-8 is read as latin-1 (Windows-1252) on its own, and
counted (``Recoded``), so that one stray byte does not spoil the file.
"""

from __future__ import annotations

import codecs
import io
import mmap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["BLOCK", "Recoded", "TextSource", "decode_binary_column", "decode_mixed", "fix_text", "strip_and_nullify",
           "utf16_as_utf8"]

#: pyarrow's default block; a row longer than it needs a bigger one
BLOCK = 1 << 20


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 cannot as Windows-1252 (latin-1 where 1252 has no character)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return "".join(b.to_bytes(1, "big").decode("cp1252", errors="ignore") or chr(b) for b in chunk), error.end


codecs.register_error("linkage-latin1", _latin1_fallback)


def decode_mixed(data: bytes) -> tuple[str, bool]:
    """``data`` as text: UTF-8 where it is, latin-1 (Windows-1252) byte runs where it is not; and whether any were."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="linkage-latin1"), True


class TextSource:
    """The bytes of a CSV file: the file itself, or a transcoded copy in memory (UTF-16)."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self.path = path
        self.data = data

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size

    def head(self, n: int) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with self.path.open("rb") as handle:
            return handle.read(n)

    def for_arrow(self):
        return pa.BufferReader(self.data) if self.data is not None else str(self.path)

    def contains(self, needles: tuple[bytes, ...]) -> bool:
        if self.data is not None:
            return any(needle in self.data for needle in needles)
        if self.size == 0:
            return False
        with self.path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return any(data.find(needle) != -1 for needle in needles)

    def open_text(self, encoding: str) -> io.TextIOBase:
        """Text with line endings untouched; bytes that are not ``encoding`` kept as surrogates (fixed per value)."""
        binary = io.BytesIO(self.data) if self.data is not None else self.path.open("rb")
        if encoding == "latin-1":
            return io.TextIOWrapper(binary, encoding="latin-1", newline="")
        return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def utf16_as_utf8(path: Path, head: bytes) -> bytes | None:
    """The file as UTF-8 bytes when it is UTF-16 (a BOM, or a NUL beside most ASCII characters)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    elif len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):
        odd, even = head[1::2].count(b"\x00"), head[0::2].count(b"\x00")
        if odd * 4 >= len(head) and even * 10 < len(head):
            codec = "utf-16-le"
        elif even * 4 >= len(head) and odd * 10 < len(head):
            codec = "utf-16-be"
        else:
            return None
    else:
        return None
    return path.read_bytes().decode(codec, errors="replace").encode("utf-8")


def fix_text(text: str) -> tuple[str, bool]:
    """Undo ``surrogateescape``: bytes that were not UTF-8 read as latin-1; and whether there were any."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text, False
    return decode_mixed(text.encode("utf-8", errors="surrogateescape"))


def strip_and_nullify(table: pa.Table) -> pa.Table:
    columns = []
    for column in table.columns:
        trimmed = pc.utf8_trim_whitespace(column)
        columns.append(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
    return pa.table(columns, names=table.column_names)


@dataclass
class Recoded:
    values: int = 0
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    clean_non_ascii: bool = False


def decode_binary_column(column: pa.ChunkedArray | pa.Array, tally: Recoded) -> pa.Array:
    """Binary values as text, value by value (distinct values once); counts what needed latin-1."""
    try:
        text = column.cast(pa.string())
        if not tally.clean_non_ascii and len(text) and not pc.all(pc.string_is_ascii(text)).as_py():
            tally.clean_non_ascii = True
        return text
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    values = column.to_pandas() if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column]).to_pandas()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    decoded = [decode_mixed(bytes(u)) for u in uniques]
    fallback = np.array([f for _, f in decoded] + [False], dtype=bool)
    texts = np.array([t for t, _ in decoded] + [None], dtype=object)
    if any(not f and not t.isascii() for t, f in decoded):
        tally.clean_non_ascii = True
    hit = fallback[codes]
    tally.values += int(hit.sum())
    tally.rows = np.union1d(tally.rows, np.flatnonzero(hit))
    return pa.array(texts[codes], type=pa.string())
