"""Turn text columns into typed columns, vectorised, with a reason for every value that fails.

Each parser takes a Series of strings (NA = empty cell) and returns a
``Parsed``: the typed values, a mask of the values that could not be parsed,
and the reason to give for each of them (a string, or a Series aligned with
the input when the reason depends on the value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

__all__ = [
    "Parsed",
    "parse_date",
    "parse_bool",
    "parse_int",
    "parse_float",
    "parse_enum",
    "parse_list",
    "date_precision",
    "TRUE_WORDS",
    "FALSE_WORDS",
]

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
_BOOL_MAP = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}

#: what the contract's ISO 8601 dates look like (dates may be partial: YYYY-MM or YYYY)
_ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"


@dataclass
class Parsed:
    values: pd.Series
    bad: np.ndarray
    reason: str | pd.Series = ""


def _present(text: pd.Series) -> np.ndarray:
    return text.notna().to_numpy()


def parse_date(text: pd.Series, *, date_format: str = "ISO8601", with_time: bool = False, column: str = "date") -> Parsed:
    """Dates (``2021-03-04``) or datetimes (``2021-03-04T22:15:00``); ``date_format`` for other layouts."""
    present = _present(text)
    if date_format == "ISO8601":
        shape = text.str.match(_ISO_DATETIME if with_time else _ISO_DATE, na=False).to_numpy()
        candidate = text.where(shape)
        values = pd.to_datetime(candidate, format="ISO8601", errors="coerce", utc=False)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert(None)
        example = "2021-03-04T22:15:00" if with_time else "2021-03-04"
        hint = f"write it as {example} (ISO 8601), or set input: {{date_format: '%d/%m/%Y'}} in the job config if the whole file uses another layout"
    else:
        values = pd.to_datetime(text, format=date_format, errors="coerce")
        hint = f"write it in the layout the job config names ({date_format})"
    values = values.astype("datetime64[s]") if not with_time else values.astype("datetime64[s]")
    bad = present & values.isna().to_numpy()
    kind = "date and time" if with_time else "date"
    return Parsed(values, bad, f"is not a valid {kind}; {hint}")


def date_precision(text: pd.Series) -> pd.Series:
    """``day``, ``month`` or ``year`` for ISO dates written in full, as YYYY-MM or as YYYY."""
    length = text.str.len()
    out = pd.Series(pd.NA, index=text.index, dtype="string")
    out[length >= 10] = "day"
    out[length == 7] = "month"
    out[length == 4] = "year"
    return out


def parse_bool(text: pd.Series) -> Parsed:
    present = _present(text)
    values = text.str.lower().map(_BOOL_MAP)
    bad = present & values.isna().to_numpy()
    values = values.astype("boolean")
    return Parsed(values, bad, "is not true or false; write true or false (yes/no, y/n, 1/0 are read too)")


def parse_int(text: pd.Series, *, minimum: float | None = None) -> Parsed:
    present = _present(text)
    numbers = pd.to_numeric(text, errors="coerce")
    whole = numbers.notna().to_numpy() & (np.floor(numbers.fillna(0).to_numpy()) == numbers.fillna(0).to_numpy())
    bad = present & ~whole
    if minimum is not None:
        bad |= present & whole & (numbers.fillna(minimum).to_numpy() < minimum)
    values = numbers.where(~pd.Series(bad, index=text.index)).astype("Int64")
    floor = f" of at least {int(minimum)}" if minimum is not None else ""
    return Parsed(values, bad, f"is not a whole number{floor}; write digits only, e.g. 3")


def parse_float(text: pd.Series, *, minimum: float | None = None, maximum: float | None = None) -> Parsed:
    present = _present(text)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    finite = np.isfinite(numbers.to_numpy(na_value=np.nan))
    ok = finite.copy()
    if minimum is not None:
        ok &= numbers.to_numpy(na_value=np.nan) >= minimum
    if maximum is not None:
        ok &= numbers.to_numpy(na_value=np.nan) <= maximum
    bad = present & ~ok
    values = numbers.where(pd.Series(ok, index=text.index))
    span = f" between {minimum:g} and {maximum:g}" if minimum is not None and maximum is not None else ""
    return Parsed(values, bad, f"is not a number{span}; write a decimal number such as 53.7632")


def parse_enum(text: pd.Series, allowed: tuple[str, ...], *, table: str, column: str) -> Parsed:
    """Match ``allowed`` case-insensitively (and ignoring spaces/hyphens vs underscores); store the contract spelling."""
    present = _present(text)
    canonical = {_key(v): v for v in allowed}
    keys = text.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    values = keys.map(canonical)
    bad = present & values.isna().to_numpy()
    reason: str | pd.Series = ""
    if bad.any():
        unique_bad = pd.unique(text[bad])
        by_value = {}
        for value in unique_bad:
            match = process.extractOne(str(value).lower(), list(allowed), scorer=fuzz.ratio, score_cutoff=70)
            suggestion = f"did you mean '{match[0]}'? " if match else ""
            target = match[0] if match else allowed[0]
            by_value[value] = (
                f"is not one of {', '.join(allowed)}; {suggestion}"
                f"correct it, or map your value in the job config: values: {{{table}.{column}: {{'{value}': {target}}}}}"
            )
        reason = text.map(by_value)
    return Parsed(values.astype("str"), bad, reason)


def _key(value: str) -> str:
    return value.lower().replace(" ", "_").replace("-", "_")


def parse_list(text: pd.Series) -> Parsed:
    """``a;b;c`` -> ('a', 'b', 'c'); empty cells -> ()."""
    empty: tuple[str, ...] = ()
    values = text.map(
        lambda cell: tuple(part.strip() for part in cell.split(";") if part.strip()) if isinstance(cell, str) else empty
    ).astype(object)
    return Parsed(values, np.zeros(len(text), dtype=bool), "")
