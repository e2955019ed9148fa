"""Dates as partners write them: the layout of each column detected from its values.

A column is read in whatever layouts its values use: ISO 8601 (``2021-03-04``,
``2021-03``, ``2021``, ``2021-03-04T22:15``, ``2021/03/04``, ``20210304``),
day-first or month-first numbers (``04/03/2021``, ``4-3-21``), month names
(``4 Mar 2021``, ``04-MAR-21``, ``March 4, 2021``) and Excel serial numbers
(``44259``).  Only the order of day and month in ``04/03/2021`` is a
decision; it is made once per column from its values (a value with a first
number above 12 can only be day-first), by the job config when it says so, or
not at all: an ambiguous column is an error naming the column, examples and
the setting that decides it.

Everything is computed on the distinct values of a column (dates repeat a
lot) with vectorised regular expressions and numpy date arithmetic.  Years
are checked against a window (1900-2100 by default) so that a date in year 1
never reaches date arithmetic later.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._date_parts import read_parts
from ._date_rules import (
    LAYOUT_FORMATS,
    PRECISION_NAMES,
    AmbiguousDates,
    DateRules,
    DateValues,
    format_family,
    numeric_order,
    range_reason,
    strftime_for,
)

__all__ = [
    "AmbiguousDates",
    "DateRules",
    "DateValues",
    "read_dates",
    "strftime_for",
    "numeric_order",
    "LAYOUT_FORMATS",
    "PRECISION_NAMES",
]

#: a value the fast path hands to pandas' ISO 8601 parser as it is
_ISO_FAST = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?$"
)


# --- reading a column -----------------------------------------------------------------------------


def _arrow(text: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The column as Arrow strings, without copying when pandas already holds it in Arrow."""
    array = text.array
    if hasattr(array, "__arrow_array__"):
        arrow = array.__arrow_array__()
        if pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type):
            return arrow
    return pa.array(text.astype(object).where(text.notna(), None), type=pa.string(), from_pandas=True)


def read_dates(text: pd.Series, rules: DateRules) -> DateValues:
    """Read a column of date text (NA = empty) by ``rules``; raises ``AmbiguousDates``."""
    arrow = _arrow(text)
    uniques = pc.drop_null(pc.unique(arrow))
    distinct = pd.Series(uniques.to_pandas(), dtype="str")
    n = len(distinct)
    values = np.full(n, np.datetime64("NaT", "s"), dtype="datetime64[s]")
    precision = np.zeros(n, dtype=np.int8)
    bad = np.zeros(n, dtype=bool)
    reasons = np.full(n, "", dtype=object)
    layouts: dict[str, int] = {}
    result = DateValues(arrow, uniques, values, precision, bad, reasons, layouts, tuple(rules.years))
    if n == 0:
        return result
    stripped = distinct.str.strip()
    todo = np.ones(n, dtype=bool)

    fmt = rules.date_format
    if fmt in ("auto", "ISO8601") or format_family(fmt) is not None:
        _fast_iso(stripped, todo, result, rules)
    if todo.any():
        if fmt in ("auto", "ISO8601") or format_family(fmt) is not None:
            read_parts(stripped, todo, result, rules)
        else:
            _read_strftime(stripped, todo, result, rules)
    return result


def _fast_iso(text: pd.Series, todo: np.ndarray, out: DateValues, rules: DateRules) -> None:
    """Contract dates (ISO 8601) straight through pandas' C parser; what it cannot read goes on."""
    shaped = text.str.match(_ISO_FAST, na=False).to_numpy()
    if not shaped.any():
        return
    parsed = pd.to_datetime(text.where(shaped), format="ISO8601", errors="coerce", utc=True)
    ok = shaped & parsed.notna().to_numpy()
    if not ok.any():
        return
    seconds = parsed.dt.tz_convert(None).to_numpy().astype("datetime64[s]")
    length = text.str.len().to_numpy()
    precision = np.where(length >= 10, 3, np.where(length == 7, 2, 1)).astype(np.int8)
    if rules.with_time:
        ok &= precision == 3  # a date and time needs the day
    else:
        seconds = seconds.astype("datetime64[D]").astype("datetime64[s]")
    years = seconds.astype("datetime64[Y]").astype(np.int64) + 1970
    ok &= (years >= rules.years[0]) & (years <= rules.years[1])
    out.values[ok] = seconds[ok]
    out.precision[ok] = precision[ok]
    todo &= ~ok
    if ok.any():
        out.layouts["ISO 8601"] = out.layouts.get("ISO 8601", 0) + int(ok.sum())


def _read_strftime(text: pd.Series, todo: np.ndarray, out: DateValues, rules: DateRules) -> None:
    """A layout linkage has no parser of its own for: pandas reads it; ISO 8601 is read as well."""
    parsed = pd.to_datetime(text.where(todo), format=rules.date_format, errors="coerce")
    ok = todo & parsed.notna().to_numpy()
    seconds = parsed.to_numpy().astype("datetime64[s]")
    if not rules.with_time:
        seconds = seconds.astype("datetime64[D]").astype("datetime64[s]")
    years = seconds.astype("datetime64[Y]").astype(np.int64) + 1970
    in_range = (years >= rules.years[0]) & (years <= rules.years[1])
    out.values[ok & in_range] = seconds[ok & in_range]
    out.precision[ok & in_range] = 3
    if (ok & in_range).any():
        out.layouts[rules.date_format] = int((ok & in_range).sum())
    wide = ok & ~in_range
    out.bad[wide] = True
    out.reasons[wide] = range_reason(rules)
    rest = todo & ~ok
    out.bad[rest] = True
    out.reasons[rest] = f"is not a date in the layout the job config names for {rules.key} ({rules.date_format}); correct it, or change that layout"
    todo[:] = False
