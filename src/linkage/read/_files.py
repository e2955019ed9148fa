"""Read one table file (CSV or Parquet) into strings, keeping each row's line number.

Everything is read as text first; typing and validation come after, so that a
bad value becomes a reject naming its line rather than a failed read.

CSV files are read as partners send them: comma, semicolon, tab or pipe
separated (found from the header line); UTF-8 with or without a BOM, UTF-16
with a BOM, or latin-1, down to a single value (a UTF-8 file with a few
latin-1 bytes keeps both right, and the values are counted).  A line whose
quote is never closed is one reject, and the lines it would have swallowed
are read as rows of their own.  Parquet columns of any type are turned into
text their parser understands (timestamps and dates as ISO 8601).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import mmap
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import DataError

__all__ = ["RawTable", "BadRow", "read_raw_table", "SUFFIXES", "DELIMITERS", "decode_mixed"]

SUFFIXES = (".csv", ".parquet")
#: delimiters found from the header line, in order of preference when tied
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
#: pyarrow's default block; a row longer than it needs a bigger one
_BLOCK = 1 << 20
_MAX_BLOCK = (1 << 31) - 1

# a cell may be long (free text, a pasted document): the csv module's default
# limit of 128 KiB per field would raise instead of reading it
csv.field_size_limit(2**31 - 1)


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


@dataclass(frozen=True)
class BadRow:
    """A line the CSV parser could not turn into a row (wrong number of fields, an unbalanced quote)."""

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
    #: the character that separates columns (CSV)
    delimiter: str = ","
    #: values that were not UTF-8 and were read as latin-1 (Windows-1252), and the first lines holding them
    recoded_values: int = 0
    recoded_lines: list[int] = field(default_factory=list)
    #: Parquet columns stored as a type that is not text, dates or numbers (``duration[us]``)
    column_types: dict[str, str] = field(default_factory=dict)


# --- the bytes of a file ---------------------------------------------------------------------------


class _Source:
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


def _utf16(path: Path, head: bytes) -> bytes | None:
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


# --- the header line --------------------------------------------------------------------------------


def _fix_text(text: str) -> tuple[str, bool]:
    """Undo ``surrogateescape``: bytes that were not UTF-8 read as latin-1; and whether there were any."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text, False
    return decode_mixed(text.encode("utf-8", errors="surrogateescape"))


def _header_text(source: _Source, encoding: str) -> str:
    head = source.head(_BLOCK)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if encoding == "latin-1":
        return head.decode("latin-1")
    if encoding == "utf-8":
        try:
            # final=False: ``head`` may end inside a character cut off by the read
            return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            raise DataError(
                f"{source.path} is not UTF-8 text; save it as UTF-8, or set input: {{encoding: latin-1}} in the job config"
            ) from None
    return head.decode("utf-8", errors="surrogateescape")


def _first_line(text: str, delimiter: str) -> tuple[list[str], int] | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                return row, reader.line_num
    except csv.Error:
        return None
    return None


def _sniff(text: str) -> str:
    """The delimiter that splits the header line into the most columns (',' when none splits it)."""
    best, width = ",", 1
    for candidate in DELIMITERS:
        found = _first_line(text, candidate)
        if found and len(found[0]) > width:
            best, width = candidate, len(found[0])
    return best


def _read_header(source: _Source, encoding: str, delimiter: str) -> tuple[list[str], int, str]:
    """The header's cells, the line the header ends on, and the delimiter."""
    text = _header_text(source, encoding)
    if not text.strip():
        raise DataError(f"{source.path} is empty; it needs a header line with the column names, then one line per row")
    if delimiter == "auto":
        delimiter = _sniff(text)
    found = _first_line(text, delimiter)
    if found is None:
        raise DataError(f"{source.path} has no header line; the first line must name the columns")
    cells, line = found
    return [_fix_text(cell)[0].strip() for cell in cells], line, delimiter


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


# --- records, the careful way -------------------------------------------------------------------------


@dataclass
class _Records:
    """What a line-by-line read found: the start line of every good record (and its cells, when collected)."""

    lines: list[int]
    bad: list[BadRow]
    cells: list[list[str]] | None
    #: a quote was left open somewhere: the lines it spanned were read again one by one
    quote_errors: int = 0


def _unbalanced(delimiter: str) -> str:
    shown = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    return (
        "has a quote (\") that is never closed where it should be, so it ran over the lines after it; "
        "this line is rejected and the lines after it are read as rows of their own. Close the quote, "
        f"or double a quote inside a value (\"\"), or quote the whole value when it contains {shown}"
    )


def _holds_a_row(lines: list[str], delimiter: str, width: int) -> bool:
    """Whether a line inside a quoted value reads, on its own, as a whole row: the quote swallowed rows.

    A note or an address that breaks over lines rarely has a full row's
    worth of delimiters on one of its lines; a row swallowed by a quote that
    was never closed always does.
    """
    for line in lines:
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
        if len(cells) == width and cells[0].strip() and '"' not in cells[0]:
            return True
    return False


def _records(source: _Source, encoding: str, delimiter: str, width: int, header_line: int, *, collect: bool) -> _Records:
    """Every record after the header, with its first line; malformed ones become ``BadRow``s.

    ``strict`` CSV: a quote that is never closed (or closed in the middle of a
    value) makes the record it starts a reject, and the lines after its first
    are read again, so that no row is swallowed.  The same happens to a record
    that spans lines and has the wrong number of fields.
    """
    found = _Records([], [], [] if collect else None)
    with source.open_text(encoding) as handle:
        physical: Iterator[str] = iter(handle)
        pending: list[str] = []
        number = 0  # physical lines consumed before ``pending``

        def feed(lines: Iterator[str]) -> Iterator[str]:
            for line in lines:
                pending.append(line)
                yield line

        for _ in range(header_line):
            next(physical, None)
        number = header_line
        stream = feed(physical)
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        while True:
            try:
                record = next(reader)
                error = None
            except StopIteration:
                if not pending:
                    break
                record, error = None, "end"
            except csv.Error:
                record, error = None, "quote"
            span = len(pending)
            start = number + 1
            if record is not None and (not record or (len(record) == 1 and record[0] == "")):
                number += span
                pending.clear()
                continue
            swallowed = error is None and span > 1 and len(record) == width and _holds_a_row(pending[1:], delimiter, width)
            if error is None and not swallowed and (len(record) == width or span <= 1):
                if len(record) == width:
                    found.lines.append(start)
                    if collect:
                        found.cells.append(record)
                else:
                    text = _fix_text(delimiter.join(record))[0]
                    found.bad.append(BadRow(start, text[:200], (
                        f"has {len(record)} field(s) but the header has {width}; "
                        f"quote values that contain {_DELIMITER_NAMES.get(delimiter, repr(delimiter))} "
                        "and check the row is not cut short")))
                number += span
                pending.clear()
                continue
            # an open quote: reject the first line, read the others again
            first = pending[0] if pending else ""
            if swallowed:
                reason = (
                    f"starts a quoted value that runs over lines {start}-{start + span - 1}, and those lines read as "
                    "rows of their own: a quote is probably not closed. " + _unbalanced(delimiter)
                )
            elif error is None:
                reason = (
                    f"starts a quoted value that runs over lines {start}-{start + span - 1} and then has {len(record)} "
                    f"field(s) where the header has {width}: a quote is probably not closed. " + _unbalanced(delimiter)
                )
            else:
                reason = _unbalanced(delimiter)
            found.bad.append(BadRow(start, _fix_text(first.rstrip("\r\n"))[0][:200], reason))
            found.quote_errors += 1
            again = pending[1:]
            pending.clear()
            number += 1
            stream = feed(itertools.chain(again, physical))
            reader = csv.reader(stream, delimiter=delimiter, strict=True)
    return found


# --- CSV --------------------------------------------------------------------------------------------


def _strip_and_nullify(table: pa.Table) -> pa.Table:
    columns = []
    for column in table.columns:
        trimmed = pc.utf8_trim_whitespace(column)
        columns.append(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
    return pa.table(columns, names=table.column_names)


@dataclass
class _Recoded:
    values: int = 0
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    clean_non_ascii: bool = False


def _decode_binary_column(column: pa.ChunkedArray | pa.Array, tally: _Recoded) -> pa.Array:
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


def _arrow_read(source: _Source, names: list[str], header_line: int, delimiter: str, encoding: str, *,
                binary: bool, block: int, quotes: bool, invalid: list) -> pa.Table:
    def on_invalid(row: pacsv.InvalidRow) -> str:
        # the line is found again, and decoded value by value, by the careful read (``_records``)
        invalid.append(row.number)
        return "skip"

    kind = pa.binary() if binary else pa.string()
    # pyarrow decodes a ragged line as UTF-8 before calling the handler: a latin-1 byte in it would print an
    # "Exception ignored" to the terminal; catch it here and count the line as ragged (it is read again, carefully)
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError):
            invalid.append(None)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        return _arrow_csv(source, names, header_line, delimiter, encoding, kind, block, quotes, on_invalid)
    finally:
        sys.unraisablehook = previous


def _arrow_csv(source: _Source, names: list[str], header_line: int, delimiter: str, encoding: str, kind: pa.DataType,
               block: int, quotes: bool, on_invalid) -> pa.Table:
    return pacsv.read_csv(
        source.for_arrow(),
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=header_line, encoding="latin1" if encoding == "latin-1" else "utf8",
            block_size=block,
        ),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quotes, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={name: kind for name in names}, strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )


def _read_csv(path: Path, encoding: str, delimiter: str) -> RawTable:
    with path.open("rb") as handle:
        head = handle.read(_BLOCK)
    label = encoding
    transcoded = _utf16(path, head)
    source = _Source(path, transcoded)
    if transcoded is not None:
        encoding, label = "utf-8", "utf-16"
    header, header_line, delimiter = _read_header(source, encoding, delimiter)
    names = _unique_header(header, path)
    if len(names) == 1 and encoding != "latin-1":
        _check_one_column(path, names[0], delimiter)
    quotes = source.contains((b'"',))
    invalid: list = []
    binary = False
    block = _BLOCK
    table: pa.Table | None = None
    for _ in range(3):
        try:
            table = _arrow_read(source, names, header_line, delimiter, encoding, binary=binary, block=block,
                                quotes=quotes, invalid=invalid)
            break
        except pa.ArrowInvalid as exc:
            invalid.clear()
            message = str(exc)
            if "UTF8" in message and encoding == "auto" and not binary:
                binary = True
            elif "UTF8" in message and encoding == "utf-8":
                raise DataError(
                    f"{path} is not valid UTF-8; save it as UTF-8, or set input: {{encoding: latin-1}} in the job config"
                ) from None
            elif "straddl" in message and block < _MAX_BLOCK:
                block = int(min(max(source.size + 1, 2 * block), _MAX_BLOCK))
            else:
                table = None
                break
    tally = _Recoded()
    if table is not None and binary:
        table = pa.table([_decode_binary_column(c, tally) for c in table.columns], names=names)
    # before trimming: a quoted value that only starts or ends with a line break still spans lines
    multiline = False
    if table is not None and quotes and table.num_rows:
        for column in table.columns:
            if pc.any(pc.match_substring_regex(column, r"[\r\n]")).as_py():
                multiline = True
                break
    blank_lines = source.contains((b"\n\n", b"\n\r\n", b"\r\r"))
    bad_rows: list[BadRow] = []
    if table is None or multiline or blank_lines or invalid:
        found = _records(source, encoding, delimiter, len(names), header_line, collect=False)
        bad_rows = found.bad
        if table is None or found.quote_errors or len(found.lines) != table.num_rows:
            # the file is read line by line: every line is a row or a reject, none swallowed
            found = _records(source, encoding, delimiter, len(names), header_line, collect=True)
            bad_rows = found.bad
            table, tally = _table_from_cells(found.cells, names)
        lines = np.asarray(found.lines, dtype=np.int64)
    else:
        lines = np.arange(header_line + 1, header_line + 1 + table.num_rows, dtype=np.int64)
    table = _strip_and_nullify(table)
    frame = table.to_pandas()
    if tally.values:
        label = "latin-1" if not tally.clean_non_ascii and label == "auto" else f"{_label(label)} ({tally.values} value(s) latin-1)"
    recoded_lines = lines[tally.rows[:5]].tolist() if tally.values else []
    return RawTable(path, frame, lines, names, _label(label), bad_rows, delimiter=delimiter,
                    recoded_values=tally.values, recoded_lines=recoded_lines)


def _label(encoding: str) -> str:
    return "utf-8" if encoding == "auto" else encoding


def _table_from_cells(cells: list[list[str]], names: list[str]) -> tuple[pa.Table, _Recoded]:
    tally = _Recoded()
    columns = []
    for position in range(len(names)):
        values = [row[position] for row in cells]
        fixed = [_fix_text(v) for v in values]
        hit = np.array([f for _, f in fixed], dtype=bool)
        if hit.any():
            tally.values += int(hit.sum())
            tally.rows = np.union1d(tally.rows, np.flatnonzero(hit))
        if any(not f and not t.isascii() for t, f in fixed):
            tally.clean_non_ascii = True
        columns.append(pa.array([t for t, _ in fixed], type=pa.string()))
    return pa.table(columns, names=names), tally


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _odd_separator(header: str) -> str | None:
    """A character (or run of them) that splits a one-column header into contract column names: ``¦``, NUL, ``||``."""
    from ..contract import TABLES

    known = {c for table in TABLES.values() for c in table.column_names}
    for match in dict.fromkeys(re.findall(r"[^\w\s.\-]+", header)):
        parts = [re.sub(r"[\s\-.]+", "_", p.strip().lower()) for p in header.split(match)]
        if len(parts) >= 2 and sum(p in known for p in parts) >= 2:
            return match
    return None


def _check_one_column(path: Path, name: str, delimiter: str) -> None:
    """A header that reads as one column but holds another delimiter: the config named the wrong one."""
    others = [d for d in DELIMITERS if d != delimiter and d in name]
    odd = _odd_separator(name)
    if odd and not others:
        raise DataError(
            f"{path} reads as a single column '{_printable(name[:60])}', but its header seems separated by {odd!r}, which "
            "cannot separate columns (it must be one plain character: ',', ';', tab or '|'); save the file with one of those"
        )
    if others:
        found = _DELIMITER_NAMES[others[0]]
        raise DataError(
            f"{path} reads as a single column '{name[:60]}' with the delimiter {_DELIMITER_NAMES.get(delimiter, repr(delimiter))} "
            f"the job config names, but its header is separated by {found}; set input: {{delimiter: "
            f"{'tab' if others[0] == chr(9) else found}}} (or remove input.delimiter: it is found from the header line)"
        )


# --- Parquet ------------------------------------------------------------------------------------------


def _parquet_text(name: str, column: pa.ChunkedArray, tally: _Recoded, iso: set[str], kinds: dict[str, str]) -> pa.Array:
    kind = column.type
    if pa.types.is_timestamp(kind):
        iso.add(name)
        # the instant in UTC, to the second (the contract's datetimes)
        column = column.cast(pa.timestamp("s"), safe=False)
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_date(kind):
        iso.add(name)
        return pc.strftime(column, format="%Y-%m-%d")
    if pa.types.is_dictionary(kind):
        return _parquet_text(name, column.cast(kind.value_type), tally, iso, kinds)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        try:
            column.validate(full=True)
            return column.cast(pa.string())
        except pa.ArrowInvalid:
            return _decode_binary_column(column.cast(pa.large_binary() if pa.types.is_large_string(kind) else pa.binary()), tally)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return _decode_binary_column(column.cast(pa.binary()) if pa.types.is_fixed_size_binary(kind) else column, tally)
    if pa.types.is_duration(kind):
        kinds[name] = str(kind)
        values = column.to_pandas()
        text = values.astype(str).to_numpy(dtype=object)
        text[values.isna().to_numpy()] = None
        return pa.array(text, type=pa.string())
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_decimal(kind) \
            or pa.types.is_null(kind):
        return column.cast(pa.string())
    kinds[name] = str(kind)
    try:
        return column.cast(pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
        values = column.to_pylist()
        return pa.array([None if v is None else json.dumps(v, default=str, ensure_ascii=False) for v in values], pa.string())


def _read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(f"{path} cannot be read as Parquet ({' '.join(str(exc).split())[:300]}); re-export it, or send CSV") from None
    names = _unique_header([str(n).strip() for n in table.column_names], path)
    iso: set[str] = set()
    kinds: dict[str, str] = {}
    tally = _Recoded()
    columns = [_parquet_text(name, column, tally, iso, kinds) for name, column in zip(names, table.columns)]
    table = _strip_and_nullify(pa.table(columns, names=names))
    frame = table.to_pandas()
    lines = np.arange(1, table.num_rows + 1, dtype=np.int64)
    label = f"parquet ({tally.values} value(s) latin-1)" if tally.values else "parquet"
    return RawTable(path, frame, lines, names, label, [], frozenset(iso), recoded_values=tally.values,
                    recoded_lines=lines[tally.rows[:5]].tolist(), column_types=kinds)


def read_raw_table(path: str | Path, *, encoding: str = "auto", delimiter: str = "auto") -> RawTable:
    """Read ``path`` (``.csv`` or ``.parquet``) into strings with the line number of each row.

    CSV: UTF-8 with or without BOM, UTF-16 with BOM, or latin-1
    (``encoding="auto"`` reads UTF-8 and decodes only the values that are
    not UTF-8 as latin-1); ``delimiter="auto"`` takes ``,`` ``;`` tab or ``|``
    from the header line.  Line numbers count the header as line 1 and follow
    quoted values that span lines.  Parquet: ``lines`` are 1-based row
    positions.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist; check the dataset folder, or name the file under tables: in the job config")
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path)
    if delimiter != "auto" and (len(delimiter) != 1 or not delimiter.isascii() or delimiter in '\x00"\r\n'):
        raise DataError(f"the delimiter {delimiter!r} cannot separate columns; use one plain character such as ',', ';', '|' or tab")
    return _read_csv(path, encoding, delimiter)
