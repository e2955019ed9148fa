"""A CSV file's header line and, when the fast reader cannot be trusted, its records read line by line.

The header names the columns and gives the delimiter.  The careful read makes
every line a row or a reject (``BadRow``): a quote that is never closed
rejects its line, and the lines it would have swallowed are read as rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa

from ..errors import DataError
from ._text import BLOCK, Recoded, TextSource, fix_text

__all__ = ["BadRow", "DELIMITERS", "DELIMITER_NAMES", "Records", "check_one_column", "read_header", "read_records",
           "table_from_cells", "unique_header"]

#: delimiters found from the header line, in order of preference when tied
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}

# a cell may be long (free text, a pasted document): the csv module's default
# limit of 128 KiB per field would raise instead of reading it
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class BadRow:
    """A line the CSV parser could not turn into a row (wrong number of fields, an unbalanced quote)."""

    line: int
    text: str
    reason: str


# --- the header line --------------------------------------------------------------------------------


def _header_text(source: TextSource, encoding: str) -> str:
    head = source.head(BLOCK)
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


def read_header(source: TextSource, encoding: str, delimiter: str) -> tuple[list[str], int, str]:
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
    return [fix_text(cell)[0].strip() for cell in cells], line, delimiter


def unique_header(header: list[str], path: Path) -> list[str]:
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


def check_one_column(path: Path, name: str, delimiter: str) -> None:
    """A header that reads as one column but holds another delimiter: the config named the wrong one."""
    others = [d for d in DELIMITERS if d != delimiter and d in name]
    odd = _odd_separator(name)
    if odd and not others:
        raise DataError(
            f"{path} reads as a single column '{_printable(name[:60])}', but its header seems separated by {odd!r}, which "
            "cannot separate columns (it must be one plain character: ',', ';', tab or '|'); save the file with one of those"
        )
    if others:
        found = DELIMITER_NAMES[others[0]]
        raise DataError(
            f"{path} reads as a single column '{name[:60]}' with the delimiter {DELIMITER_NAMES.get(delimiter, repr(delimiter))} "
            f"the job config names, but its header is separated by {found}; set input: {{delimiter: "
            f"{'tab' if others[0] == chr(9) else found}}} (or remove input.delimiter: it is found from the header line)"
        )


# --- records, the careful way -------------------------------------------------------------------------


@dataclass
class Records:
    """What a line-by-line read found: the start line of every good record (and its cells, when collected)."""

    lines: list[int]
    bad: list[BadRow]
    cells: list[list[str]] | None
    #: a quote was left open somewhere: the lines it spanned were read again one by one
    quote_errors: int = 0


def _unbalanced(delimiter: str) -> str:
    shown = DELIMITER_NAMES.get(delimiter, repr(delimiter))
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


def read_records(source: TextSource, encoding: str, delimiter: str, width: int, header_line: int, *, collect: bool) -> Records:
    """Every record after the header, with its first line; malformed ones become ``BadRow``s.

    ``strict`` CSV: a quote that is never closed (or closed in the middle of a
    value) makes the record it starts a reject, and the lines after its first
    are read again, so that no row is swallowed.  The same happens to a record
    that spans lines and has the wrong number of fields.
    """
    found = Records([], [], [] if collect else None)
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
                    text = fix_text(delimiter.join(record))[0]
                    found.bad.append(BadRow(start, text[:200], (
                        f"has {len(record)} field(s) but the header has {width}; "
                        f"quote values that contain {DELIMITER_NAMES.get(delimiter, repr(delimiter))} "
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
            found.bad.append(BadRow(start, fix_text(first.rstrip("\r\n"))[0][:200], reason))
            found.quote_errors += 1
            again = pending[1:]
            pending.clear()
            number += 1
            stream = feed(itertools.chain(again, physical))
            reader = csv.reader(stream, delimiter=delimiter, strict=True)
    return found


def table_from_cells(cells: list[list[str]], names: list[str]) -> tuple[pa.Table, Recoded]:
    tally = Recoded()
    columns = []
    for position in range(len(names)):
        values = [row[position] for row in cells]
        fixed = [fix_text(v) for v in values]
        hit = np.array([f for _, f in fixed], dtype=bool)
        if hit.any():
            tally.values += int(hit.sum())
            tally.rows = np.union1d(tally.rows, np.flatnonzero(hit))
        if any(not f and not t.isascii() for t, f in fixed):
            tally.clean_non_ascii = True
        columns.append(pa.array([t for t, _ in fixed], type=pa.string()))
    return pa.table(columns, names=names), tally
