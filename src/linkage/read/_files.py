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

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import DataError
from ._csv_lines import DELIMITERS, BadRow, check_one_column, read_header, read_records, table_from_cells, unique_header
from ._text import BLOCK, Recoded, TextSource, decode_binary_column, decode_mixed, strip_and_nullify, utf16_as_utf8

__all__ = ["RawTable", "BadRow", "read_raw_table", "SUFFIXES", "DELIMITERS", "decode_mixed"]

SUFFIXES = (".csv", ".parquet")
_MAX_BLOCK = (1 << 31) - 1


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


# --- CSV --------------------------------------------------------------------------------------------


def _arrow_read(source: TextSource, names: list[str], header_line: int, delimiter: str, encoding: str, *,
                binary: bool, block: int, quotes: bool, invalid: list) -> pa.Table:
    def on_invalid(row: pacsv.InvalidRow) -> str:
        # the line is found again, and decoded value by value, by the careful read (``read_records``)
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


def _arrow_csv(source: TextSource, names: list[str], header_line: int, delimiter: str, encoding: str, kind: pa.DataType,
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
        head = handle.read(BLOCK)
    label = encoding
    transcoded = utf16_as_utf8(path, head)
    source = TextSource(path, transcoded)
    if transcoded is not None:
        encoding, label = "utf-8", "utf-16"
    header, header_line, delimiter = read_header(source, encoding, delimiter)
    names = unique_header(header, path)
    if len(names) == 1 and encoding != "latin-1":
        check_one_column(path, names[0], delimiter)
    quotes = source.contains((b'"',))
    invalid: list = []
    binary = False
    block = BLOCK
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
    tally = Recoded()
    if table is not None and binary:
        table = pa.table([decode_binary_column(c, tally) for c in table.columns], names=names)
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
        found = read_records(source, encoding, delimiter, len(names), header_line, collect=False)
        bad_rows = found.bad
        if table is None or found.quote_errors or len(found.lines) != table.num_rows:
            # the file is read line by line: every line is a row or a reject, none swallowed
            found = read_records(source, encoding, delimiter, len(names), header_line, collect=True)
            bad_rows = found.bad
            table, tally = table_from_cells(found.cells, names)
        lines = np.asarray(found.lines, dtype=np.int64)
    else:
        lines = np.arange(header_line + 1, header_line + 1 + table.num_rows, dtype=np.int64)
    table = strip_and_nullify(table)
    frame = table.to_pandas()
    if tally.values:
        label = "latin-1" if not tally.clean_non_ascii and label == "auto" else f"{_label(label)} ({tally.values} value(s) latin-1)"
    recoded_lines = lines[tally.rows[:5]].tolist() if tally.values else []
    return RawTable(path, frame, lines, names, _label(label), bad_rows, delimiter=delimiter,
                    recoded_values=tally.values, recoded_lines=recoded_lines)


def _label(encoding: str) -> str:
    return "utf-8" if encoding == "auto" else encoding


# --- Parquet ------------------------------------------------------------------------------------------


def _parquet_text(name: str, column: pa.ChunkedArray, tally: Recoded, iso: set[str], kinds: dict[str, str]) -> pa.Array:
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
            return decode_binary_column(column.cast(pa.large_binary() if pa.types.is_large_string(kind) else pa.binary()), tally)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return decode_binary_column(column.cast(pa.binary()) if pa.types.is_fixed_size_binary(kind) else column, tally)
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
    names = unique_header([str(n).strip() for n in table.column_names], path)
    iso: set[str] = set()
    kinds: dict[str, str] = {}
    tally = Recoded()
    columns = [_parquet_text(name, column, tally, iso, kinds) for name, column in zip(names, table.columns)]
    table = strip_and_nullify(pa.table(columns, names=names))
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
