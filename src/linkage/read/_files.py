"""Read one table file (CSV or Parquet) into strings, keeping each row's line number.

Everything is read as text first; typing and validation come after, so that a
bad value becomes a reject naming its line rather than a failed read.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import DataError

__all__ = ["RawTable", "BadRow", "read_raw_table", "SUFFIXES"]

SUFFIXES = (".csv", ".parquet")

# a cell may be long (free text, a pasted document): the csv module's default
# limit of 128 KiB per field would raise instead of reading it
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class BadRow:
    """A line the CSV parser could not turn into a row (wrong number of fields)."""

    line: int
    text: str
    reason: str


@dataclass
class RawTable:
    """A table as text: ``frame`` holds strings (missing = NA), ``lines`` the line of each row."""

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray
    header: list[str]
    encoding: str
    bad_rows: list[BadRow] = field(default_factory=list)
    #: columns already typed as dates in the file (Parquet), read as ISO 8601
    iso_columns: frozenset[str] = frozenset()


def _decode_header(first: bytes, encoding: str) -> tuple[str, str]:
    """The header line as text, and the encoding to read the file with."""
    if first.startswith(b"\xef\xbb\xbf"):
        return first[3:].decode("utf-8", errors="replace"), "utf-8"
    if encoding in ("auto", "utf-8"):
        try:
            # final=False: ``first`` may end inside a character cut off by the read
            return codecs.getincrementaldecoder("utf-8")().decode(first, final=False), "utf-8"
        except UnicodeDecodeError:
            if encoding == "utf-8":
                raise
    return first.decode("latin-1"), "latin-1"


def _read_header(path: Path, encoding: str, delimiter: str) -> tuple[list[str], str, int]:
    """The header's cells, the file's encoding, and the line the header ends on."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if not head.strip():
        raise DataError(f"{path} is empty; it needs a header line with the column names, then one line per row")
    try:
        text, file_encoding = _decode_header(head, encoding)
    except UnicodeDecodeError:
        raise DataError(
            f"{path} is not UTF-8 text; save it as UTF-8, or set input: {{encoding: latin-1}} in the job config"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        if row and any(cell.strip() for cell in row):
            return [cell.strip() for cell in row], file_encoding, reader.line_num
    raise DataError(f"{path} has no header line; the first line must name the columns")


def _has_bytes(path: Path, needles: tuple[bytes, ...]) -> bool:
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return any(data.find(needle) != -1 for needle in needles)


def _unique_header(header: list[str], path: Path) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    problems = []
    for position, name in enumerate(header, start=1):
        if not name:
            name = f"column_{position}"
        if name in seen:
            problems.append(
                f"{path} has two columns called '{name}' (columns {seen[name]} and {position}); rename one in the header line"
            )
        seen.setdefault(name, position)
        names.append(name)
    if problems:
        raise DataError.from_problems(problems)
    return names


def _record_lines(path: Path, encoding: str, delimiter: str, width: int) -> tuple[list[int], list[BadRow]]:
    """Start line of every well-formed record, and the malformed ones (slow path)."""
    good: list[int] = []
    bad: list[BadRow] = []
    with path.open("r", encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        previous = 0
        header_seen = False
        for record in reader:
            start = previous + 1
            previous = reader.line_num
            if not record or (len(record) == 1 and record[0] == ""):
                continue
            if not header_seen:
                header_seen = True
                continue
            if len(record) == width:
                good.append(start)
            else:
                text = delimiter.join(record)
                bad.append(
                    BadRow(
                        start,
                        text[:200],
                        f"has {len(record)} field(s) but the header has {width}; "
                        f"quote values that contain '{delimiter}' and check the row is not cut short",
                    )
                )
    return good, bad


def _strip_and_nullify(table: pa.Table) -> pa.Table:
    columns = []
    for column in table.columns:
        trimmed = pc.utf8_trim_whitespace(column)
        columns.append(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
    return pa.table(columns, names=table.column_names)


def _read_csv(path: Path, encoding: str, delimiter: str) -> RawTable:
    header, file_encoding, header_line = _read_header(path, encoding, delimiter)
    names = _unique_header(header, path)
    has_quotes = _has_bytes(path, (b'"',))
    invalid: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row.text)
        return "skip"

    def attempt(enc: str) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=header_line, encoding=enc),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=has_quotes, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        table = attempt("utf8" if file_encoding == "utf-8" else "latin1")
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) and encoding == "auto":
            invalid.clear()
            file_encoding = "latin-1"
            table = attempt("latin1")
        elif "UTF8" in str(exc):
            raise DataError(
                f"{path} is not valid UTF-8; save it as UTF-8, or set input: {{encoding: latin-1}} in the job config"
            ) from None
        else:
            raise DataError(f"{path} cannot be read as CSV ({' '.join(str(exc).split())}); check it is a comma-separated text file") from None
    # before trimming: a quoted value that only starts or ends with a line break still spans lines
    multiline = False
    if has_quotes and table.num_rows:
        for column in table.columns:
            if pc.any(pc.match_substring_regex(column, r"[\r\n]")).as_py():
                multiline = True
                break
    table = _strip_and_nullify(table)
    blank_lines = _has_bytes(path, (b"\n\n", b"\n\r\n", b"\r\r"))
    bad_rows: list[BadRow] = []
    if multiline or blank_lines or invalid:
        good, bad_rows = _record_lines(path, file_encoding, delimiter, len(names))
        if len(good) != table.num_rows:
            raise DataError(
                f"{path} could not be split into rows consistently ({len(good)} vs {table.num_rows}); "
                "check the file for unbalanced quote characters"
            )
        lines = np.asarray(good, dtype=np.int64)
    else:
        lines = np.arange(header_line + 1, header_line + 1 + table.num_rows, dtype=np.int64)
    frame = table.to_pandas()
    return RawTable(path, frame, lines, names, file_encoding, bad_rows)


def _read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path} cannot be read as Parquet ({' '.join(str(exc).split())}); re-export it, or send CSV") from None
    names = _unique_header([str(n).strip() for n in table.column_names], path)
    iso: set[str] = set()
    columns = []
    for name, column in zip(names, table.columns):
        kind = column.type
        if pa.types.is_temporal(kind):
            iso.add(name)
            if pa.types.is_timestamp(kind):
                column = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
            else:
                column = pc.strftime(column, format="%Y-%m-%d")
        elif pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type).cast(pa.string())
        elif not pa.types.is_string(kind) and not pa.types.is_large_string(kind):
            try:
                column = column.cast(pa.string())
            except pa.ArrowNotImplementedError:
                raise DataError(f"{path}: column '{name}' has type {kind}, which is not a table value; store it as text") from None
        columns.append(column.cast(pa.string()))
    table = _strip_and_nullify(pa.table(columns, names=names))
    frame = table.to_pandas()
    return RawTable(path, frame, np.arange(1, table.num_rows + 1, dtype=np.int64), names, "parquet", [], frozenset(iso))


def read_raw_table(path: str | Path, *, encoding: str = "auto", delimiter: str = ",") -> RawTable:
    """Read ``path`` (``.csv`` or ``.parquet``) into strings with the line number of each row.

    CSV: UTF-8 with or without BOM, or latin-1 (``encoding="auto"`` tries UTF-8
    first). Line numbers count the header as line 1 and follow quoted values
    that span lines. Parquet: ``lines`` are 1-based row positions.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist; check the dataset folder, or name the file under tables: in the job config")
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path)
    return _read_csv(path, encoding, delimiter)
