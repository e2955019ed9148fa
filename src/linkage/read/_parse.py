"""Turn text columns into typed columns, vectorised, with a reason for every value that fails.

Each parser takes a Series of strings (NA = empty cell) and returns a
``Parsed``: the typed values, a mask of the values that could not be parsed,
and the reason to give for each of them (a string, or a Series aligned with
the input when the reason depends on the value).
"""

from __future__ import annotations

from dataclasses import dataclass

import re

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
    "map_unique",
    "SEX_CODES",
]

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
#: how partners write sex (lower case) -> the contract's M/F/U; numbers follow the ONS / NHS Data Dictionary
#: coding (1 male, 2 female, 0 not known, 9 not specified)
SEX_CODES = {
    "m": "M", "male": "M", "man": "M", "boy": "M", "1": "M",
    "f": "F", "female": "F", "woman": "F", "girl": "F", "2": "F",
    "u": "U", "unknown": "U", "not known": "U", "not specified": "U", "nk": "U", "n/k": "U", "0": "U", "9": "U", "x": "U",
}
_BOOL_MAP = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}

#: what the contract's ISO 8601 dates look like (dates may be partial: YYYY-MM or YYYY)
_ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"


@dataclass
class Parsed:
    values: pd.Series
    bad: np.ndarray
    reason: str | pd.Series = ""


def map_unique(text: pd.Series, function, *, dtype=object) -> pd.Series:
    """``text.map(function)`` computed once per distinct value (fast on repetitive columns)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(value) for value in uniques]
    mapped[-1] = function(None)
    if dtype == "str":  # convert the distinct values to Arrow strings once, then gather them (Arrow's take)
        return pd.Series(pd.array(mapped, dtype="str").take(np.where(codes < 0, len(uniques), codes)), index=text.index)
    return pd.Series(mapped[codes], index=text.index, dtype=dtype)


def _present(text: pd.Series) -> np.ndarray:
    return text.notna().to_numpy()


def _by_distinct(text: pd.Series, parse) -> pd.Series:
    """Apply a vectorised ``parse`` to the distinct values only, then spread back (dates and counts repeat a lot)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = parse(pd.Series(uniques, dtype="str"))
    spread = parsed.iloc[np.where(codes < 0, 0, codes)] if len(parsed) else parsed.reindex(range(len(codes)))
    spread = spread.reset_index(drop=True).set_axis(text.index)
    return spread.where(codes >= 0)


def parse_date(text: pd.Series, *, date_format: str = "ISO8601", with_time: bool = False, column: str = "date") -> Parsed:
    """Dates (``2021-03-04``) or datetimes (``2021-03-04T22:15:00``); ``date_format`` for other layouts.

    ``auto`` reads every layout ``read_dates`` knows (day-first where a column leaves the order open); the
    reader itself uses ``read_dates``, which also explains impossible dates and keeps what is certain.
    """
    if date_format == "auto":
        from ._dates import DateRules, read_dates

        read = read_dates(text, DateRules(key=column, with_time=with_time, day_first=True, years=(1, 9999)))
        kind = "date and time" if with_time else "date"
        return Parsed(read.series(text.index), read.bad_mask() & ~read.kept_mask(),
                      f"is not a valid {kind}; write it as 2021-03-04 (ISO 8601)")
    values = _by_distinct(text, lambda distinct: _parse_date_values(distinct, date_format, with_time))
    present = _present(text)
    bad = present & values.isna().to_numpy()
    kind = "date and time" if with_time else "date"
    if date_format == "ISO8601":
        example = "2021-03-04T22:15:00" if with_time else "2021-03-04"
        hint = f"write it as {example} (ISO 8601), or set input: {{date_format: '%d/%m/%Y'}} in the job config if the whole file uses another layout"
    else:
        hint = f"write it in the layout the job config names ({date_format})"
    return Parsed(values, bad, f"is not a valid {kind}; {hint}")


def _parse_date_values(text: pd.Series, date_format: str, with_time: bool) -> pd.Series:
    if date_format == "ISO8601":
        shape = text.str.match(_ISO_DATETIME if with_time else _ISO_DATE, na=False).to_numpy()
        candidate = text.where(shape)
        values = pd.to_datetime(candidate, format="ISO8601", errors="coerce", utc=True).dt.tz_convert(None)
    else:
        values = pd.to_datetime(text, format=date_format, errors="coerce")
    return values.astype("datetime64[s]")


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
    values = map_unique(text, lambda v: _BOOL_MAP.get(v.lower()) if isinstance(v, str) else None)
    bad = present & values.isna().to_numpy()
    values = values.astype("boolean")
    return Parsed(values, bad, "is not true or false; write true or false (yes/no, y/n, 1/0 are read too)")


def parse_int(text: pd.Series, *, minimum: float | None = None) -> Parsed:
    present = _present(text)
    numbers = pd.to_numeric(text, errors="coerce")
    as_float = numbers.to_numpy(dtype="float64", na_value=np.nan)
    whole = np.isfinite(as_float) & (np.floor(as_float) == as_float) & (np.abs(as_float) < 2.0**63)
    bad = present & ~whole
    if minimum is not None:
        bad |= present & whole & (as_float < minimum)
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


def parse_enum(
    text: pd.Series, allowed: tuple[str, ...], *, table: str, column: str, known: dict[str, str] | None = None
) -> Parsed:
    """Match ``allowed`` case-insensitively (and ignoring spaces/hyphens vs underscores); store the contract spelling.

    A value that is not allowed gets a reason with the ``values:`` line that
    maps it: to what ``known`` (lower-case code -> contract value) says it
    means, to a close spelling, or to ``other`` / ``U``; never to a guess.
    """
    present = _present(text)
    canonical = {_key(v): v for v in allowed}
    values = map_unique(text, lambda v: canonical.get(_key(v)) if isinstance(v, str) else None)
    bad = present & values.isna().to_numpy()
    reason: str | pd.Series = ""
    if bad.any():
        unique_bad = pd.unique(text[bad])
        fallback = "other" if "other" in allowed else ("U" if "U" in allowed else None)
        choices = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
        by_value = {}
        for value in unique_bad:
            meant = (known or {}).get(str(value).strip().lower())
            match = None if meant else process.extractOne(
                str(value), list(allowed), scorer=fuzz.ratio, processor=str.lower, score_cutoff=70
            )
            suggestion = f"did you mean '{match[0]}'? " if match else ""
            target = meant or (match[0] if match else fallback) or f"<{choices}>"
            by_value[value] = (
                f"is not one of {', '.join(allowed)}; {suggestion}"
                f"correct it, or map your value in the job config: values: {{{table}.{column}: {{'{value}': {target}}}}}"
            )
        reason = text.map(by_value)
    return Parsed(values.astype("str"), bad, reason)


def _key(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def parse_list(text: pd.Series) -> Parsed:
    """``a;b;c`` -> ('a', 'b', 'c'); empty cells -> ()."""
    empty: tuple[str, ...] = ()
    values = map_unique(
        text, lambda cell: tuple(part.strip() for part in cell.split(";") if part.strip()) if isinstance(cell, str) else empty
    )
    return Parsed(values, np.zeros(len(text), dtype=bool), "")
