"""Dates that are not plain ISO 8601, read part by part: day-first or month-first numbers, month names,
compact ``yyyymmdd``, Excel serial numbers; impossible ones explained (and, for dates of birth, salvaged)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._date_rules import DATE_PATTERNS, MONTH_NAMES, AmbiguousDates, DateRules, DateValues, format_family, range_reason

__all__ = ["read_parts"]

_COMPILED = {name: re.compile(pattern) for name, pattern in DATE_PATTERNS.items()}
#: two-digit years: 00-68 are 2000-2068, 69-99 are 1969-1999 (the POSIX rule ``%y`` follows)
_PIVOT = 69


# --- the pieces of a value ------------------------------------------------------------------------


@dataclass
class DateParts:
    """Year, month, day, time and offset of some distinct values (NaN = not given)."""

    rows: np.ndarray  # positions in the distinct values
    layout: np.ndarray  # object: layout name per value
    y: np.ndarray
    m: np.ndarray
    d: np.ndarray
    hh: np.ndarray
    mm: np.ndarray
    ss: np.ndarray
    offset: np.ndarray  # minutes east of UTC
    precision: np.ndarray  # what the value writes: 3 day, 2 month, 1 year


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _time_parts(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    hh, mm, ss = _num(frame, "H"), _num(frame, "M"), _num(frame, "S")
    ampm = frame["ampm"].fillna("").str.lower().str.replace(".", "", regex=False).to_numpy(dtype=object) if "ampm" in frame else np.full(len(frame), "", dtype=object)
    pm = ampm == "pm"
    am = ampm == "am"
    twelve = (am | pm) & ((hh < 1) | (hh > 12))
    hh = np.where(am | pm, np.where(hh == 12, 0, hh) + np.where(pm, 12, 0), hh)
    hh = np.where(twelve, 99, hh)  # "13:00 pm" is not a time
    tz = frame["tz"].fillna("").to_numpy(dtype=object) if "tz" in frame else np.full(len(frame), "", dtype=object)
    offset = np.zeros(len(frame))
    signed = pd.Series(tz, dtype=object).str.extract(r"^([+-])(\d{2}):?(\d{2})$")
    has = signed[0].notna().to_numpy()
    if has.any():
        minutes = pd.to_numeric(signed[1]).to_numpy() * 60 + pd.to_numeric(signed[2]).to_numpy()
        offset = np.where(has, np.where(signed[0].to_numpy() == "-", -minutes, minutes), 0.0)
    return hh, mm, ss, offset


#: every spelling of a month read: its name cut to 3 letters or more (``mar``, ``marc``, ``march``), and ``sept``
_MONTH_WORDS = {month[:n]: number for number, month in enumerate(MONTH_NAMES, start=1) for n in range(3, len(month) + 1)}
_MONTH_WORDS["sept"] = 9


def _month_number(names: pd.Series) -> np.ndarray:
    """``Mar``/``march``/``Sept`` -> 3/3/9; anything else -1."""
    return names.fillna("").str.lower().map(_MONTH_WORDS).fillna(-1).to_numpy(dtype="float64")  # -1: no such month


def _two_digit(years: pd.Series) -> np.ndarray:
    y = pd.to_numeric(years, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    short = years.fillna("").str.len().to_numpy() == 2
    return np.where(short, np.where(y < _PIVOT, 2000 + y, 1900 + y), y)


def _extract(text: pd.Series, name: str) -> pd.DataFrame:
    return text.str.extract(_COMPILED[name])


def read_parts(text: pd.Series, todo: np.ndarray, out: DateValues, rules: DateRules) -> None:
    fmt = rules.date_format
    forced = format_family(fmt) if fmt not in ("auto", "ISO8601") else None
    allowed = {"iso"} if fmt == "ISO8601" else ({"iso", forced[0]} if forced else set(DATE_PATTERNS))
    parts: list[DateParts] = []
    remaining = todo.copy()

    def take(name: str, mask_fn=None) -> pd.DataFrame | None:
        if name not in allowed or not remaining.any():
            return None
        rows = np.flatnonzero(remaining)
        frame = _extract(text.iloc[rows], name)
        first = frame.columns[0]
        hit = frame[first].notna().to_numpy().copy()
        if mask_fn is not None:
            hit &= mask_fn(frame)
        if not hit.any():
            return None
        frame = frame[hit]
        frame.index = rows[hit]
        remaining[rows[hit]] = False
        return frame

    # Excel serials first decide how a bare four-digit number is read (a year, or a serial)
    serial_rows = np.flatnonzero(remaining & text.str.fullmatch(r"\d{1,5}(\.\d+)?", na=False).to_numpy())
    digits = text.iloc[serial_rows].str.split(".").str[0].str.len().to_numpy() if len(serial_rows) else np.zeros(0)
    serial_column = "serial" in allowed and (digits == 5).sum() > 0 and (digits == 5).sum() >= (digits == 4).sum()

    iso = take("iso", (lambda f: f["m"].notna().to_numpy()) if serial_column else None)
    if iso is not None:
        y = pd.to_numeric(iso["y"]).to_numpy(dtype="float64")
        m, d = _num(iso, "m"), _num(iso, "d")
        hh, mm, ss, offset = _time_parts(iso)
        prec = np.where(~np.isnan(d), 3, np.where(~np.isnan(m), 2, 1)).astype(np.int8)
        parts.append(DateParts(iso.index.to_numpy(), np.full(len(iso), "ISO 8601", dtype=object), y, m, d, hh, mm, ss, offset, prec))
    compact = take("compact")
    if compact is not None:
        nan = np.full(len(compact), np.nan)
        parts.append(DateParts(compact.index.to_numpy(), np.full(len(compact), "yyyymmdd", dtype=object),
                            _num(compact, "y"), _num(compact, "m"), _num(compact, "d"), nan, nan, nan, np.zeros(len(compact)),
                            np.full(len(compact), 3, np.int8)))
    numeric = take("numeric")
    if numeric is not None:
        parts.append(_numeric_parts(numeric, rules, forced[1] if forced and forced[0] == "numeric" else None))
    for name, layout in (("named", "d Mon yyyy"), ("named_us", "Mon d, yyyy")):
        named = take(name)
        if named is not None:
            month = _month_number(named["mon"])
            hh, mm, ss, offset = _time_parts(named)
            parts.append(DateParts(named.index.to_numpy(), np.full(len(named), layout, dtype=object), _two_digit(named["y"]),
                                month, _num(named, "d"), hh, mm, ss, offset, np.full(len(named), 3, np.int8)))
    if serial_column:
        serial = take("serial")
        if serial is not None:
            parts.append(_serial_parts(serial))

    for p in parts:
        _assemble(p, out, rules)
    rest = remaining
    out.bad[rest] = True
    example = "2021-03-04T22:15:00" if rules.with_time else "2021-03-04"
    if forced:
        out.reasons[rest] = (
            f"is not a date in the layout the job config names for {rules.key} ({fmt}); correct it, or change that layout"
        )
    else:
        out.reasons[rest] = (
            f"is not a valid {'date and time' if rules.with_time else 'date'}; write it as {example} (ISO 8601), "
            f"or name its layout in the job config: input: {{date_format: {{{rules.key}: '%d/%m/%Y'}}}}"
        )
    todo[:] = False


def _numeric_parts(frame: pd.DataFrame, rules: DateRules, forced: str | None) -> DateParts:
    a, b = _num(frame, "a"), _num(frame, "b")
    short = frame["y"].str.len().to_numpy() == 2
    separator = frame["sep"].mode().iloc[0]
    order = forced
    note = ""
    if order is None:
        day_first_only = (a > 12) & (b <= 12)
        month_first_only = (b > 12) & (a <= 12)
        either = (a <= 12) & (b <= 12) & (a != b)
        n_dm, n_md = int(day_first_only.sum()), int(month_first_only.sum())
        if n_dm or n_md:
            order = "dmy" if n_dm >= n_md else "mdy"
            if n_dm and n_md:
                note = "dmy-majority" if order == "dmy" else "mdy-majority"
        elif not either.any():
            order = "dmy"  # every value reads the same both ways (01/01/2020)
        elif rules.file_order:
            order = rules.file_order
        elif rules.day_first:
            order = "dmy"
        else:
            raise AmbiguousDates([str(v) for v in _examples(frame, either)], separator, bool(short.all()))
    day, month = (a, b) if order == "dmy" else (b, a)
    hh, mm, ss, offset = _time_parts(frame)
    year_word = "yy" if short.all() else "yyyy"
    layout = f"dd{separator}mm{separator}{year_word}" if order == "dmy" else f"mm{separator}dd{separator}{year_word}"
    layouts = np.full(len(frame), layout, dtype=object)
    p = DateParts(frame.index.to_numpy(), layouts, _two_digit(frame["y"]), month, day, hh, mm, ss, offset,
               np.full(len(frame), 3, np.int8))
    p.order_note = note  # type: ignore[attr-defined]
    return p


def _examples(frame: pd.DataFrame, mask: np.ndarray) -> list[str]:
    text = frame["a"].astype(str) + frame["sep"] + frame["b"].astype(str) + frame["sep"] + frame["y"].astype(str)
    return text[mask].head(3).tolist()


def _serial_parts(frame: pd.DataFrame) -> DateParts:
    whole = _num(frame, "n")
    fraction = pd.to_numeric("0" + frame["f"].fillna(""), errors="coerce").fillna(0).to_numpy(dtype="float64")
    # Excel's 1900 system counts 1900-02-29, which never was: serials after it are a day ahead
    base = np.where(whole < 60, np.datetime64("1899-12-31", "D"), np.datetime64("1899-12-30", "D"))
    days = base + whole.astype(np.int64)
    nan = np.full(len(frame), np.nan)
    dates = pd.DatetimeIndex(days.astype("datetime64[s]"))
    seconds = np.round(fraction * 86400)
    p = DateParts(frame.index.to_numpy(), np.full(len(frame), "Excel serial numbers", dtype=object),
               dates.year.to_numpy(dtype="float64"), dates.month.to_numpy(dtype="float64"), dates.day.to_numpy(dtype="float64"),
               np.where(seconds > 0, seconds // 3600, nan), np.where(seconds > 0, (seconds % 3600) // 60, nan),
               np.where(seconds > 0, seconds % 60, nan), np.zeros(len(frame)), np.full(len(frame), 3, np.int8))
    p.bad_serial = (whole == 60) | (whole == 0)  # type: ignore[attr-defined]
    return p


def _month_name(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    names = np.array([m.capitalize() for m in MONTH_NAMES], dtype=object)
    return names[np.clip(month.astype(np.int64) - 1, 0, 11)] + " " + _text(year)


def _text(numbers: np.ndarray) -> np.ndarray:
    """Whole numbers as text (object array), for reasons."""
    return np.nan_to_num(np.asarray(numbers, dtype="float64")).astype(np.int64).astype(str).astype(object)


def _assemble(p: DateParts, out: DateValues, rules: DateRules) -> None:
    """Check and combine the parts; impossible values get a reason (and, for dates of birth, keep what is certain)."""
    y, m, d = p.y, p.m, p.d
    lo, hi = rules.years
    has_m = ~np.isnan(m)
    has_d = ~np.isnan(d)
    month_ok = ~has_m | ((m >= 1) & (m <= 12))
    year_ok = (y >= lo) & (y <= hi)
    safe_y = np.where(np.isnan(y), 1970, np.clip(y, -9999, 9999)).astype(np.int64)
    safe_m = np.where(has_m & month_ok, m, 1).astype(np.int64)
    first = ((safe_y - 1970) * 12 + safe_m - 1).astype("datetime64[M]")
    month_days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    day_ok = ~has_d | ((d >= 1) & (d <= month_days))
    has_time = ~np.isnan(p.hh)
    time_ok = ~has_time | ((p.hh < 24) & (p.mm < 60) & (np.nan_to_num(p.ss) < 60))
    serial_ok = ~getattr(p, "bad_serial", np.zeros(len(y), dtype=bool))
    needs_time = bool(rules.with_time)
    whole = year_ok & month_ok & day_ok & serial_ok
    if needs_time:
        whole &= time_ok & (p.precision == 3)

    days = first.astype("datetime64[D]") + np.where(has_d & day_ok, d, 1).astype(np.int64) - 1
    seconds = days.astype("datetime64[s]")
    if rules.with_time:
        clock = (np.nan_to_num(p.hh) * 3600 + np.nan_to_num(p.mm) * 60 + np.nan_to_num(p.ss) - p.offset * 60).astype(np.int64)
        seconds = seconds + np.where(time_ok, clock, 0).astype("timedelta64[s]")
    rows = p.rows
    out.values[rows[whole]] = seconds[whole]
    out.precision[rows[whole]] = p.precision[whole]
    for layout in pd.unique(p.layout[whole]):
        out.layouts[layout] = out.layouts.get(layout, 0) + int((p.layout[whole] == layout).sum())

    broken = ~whole
    if not broken.any():
        return
    out.bad[rows[broken]] = True
    kind = "date and time" if rules.with_time else "date"
    why = np.full(len(y), "", dtype=object)
    why[~serial_ok] = f"is not a valid {kind} (Excel serial 0 and 60 are no days)"
    no_month = serial_ok & ~month_ok
    why[no_month] = np.where(m[no_month] < 0, f"is not a valid {kind} (its month is not a month name)",
                             f"is not a valid {kind} (there is no month " + _text(m[no_month]) + ")")
    no_day = serial_ok & month_ok & ~day_ok
    why[no_day] = f"is not a valid {kind} (" + _month_name(safe_y[no_day], safe_m[no_day]) + " has no day " + _text(d[no_day]) + ")"
    order_note = getattr(p, "order_note", "")
    if order_note:
        read = "day-first (dd/mm)" if order_note == "dmy-majority" else "month-first (mm/dd)"
        why[no_month | no_day] = why[no_month | no_day] + f"; the column is read {read}, as most of its values need"
    bad_time = needs_time & serial_ok & month_ok & day_ok & ~time_ok
    why[bad_time] = f"is not a valid {kind} (the time is not a time of day)"
    partial_in_datetime = needs_time & (p.precision < 3) & serial_ok & month_ok & day_ok
    why[partial_in_datetime] = "is a date without its day; a date and time is needed, e.g. 2021-03-04T22:15:00"
    out_of_range = serial_ok & month_ok & day_ok & ~bad_time & ~partial_in_datetime & ~year_ok
    why[out_of_range] = range_reason(rules)
    outside = (no_month | no_day) & ~year_ok & ~np.isnan(y)
    why[outside] = why[outside] + (
        f", and its year is outside the years {lo}-{hi} that a {rules.key} can have; correct it, or widen the window "
        f"in the job config: input: {{year_range: [{lo - 100}, {hi}]}}"
    )
    # what is certain is kept for a date of birth: the month of an impossible day, the year of an impossible month
    if rules.partial:
        keep_month = serial_ok & month_ok & has_m & ~day_ok & year_ok
        keep_year = serial_ok & ~month_ok & year_ok
        out.values[rows[keep_month]] = first[keep_month].astype("datetime64[s]")
        out.precision[rows[keep_month]] = 2
        shown = pd.Series(first[keep_month].astype("datetime64[s]")).dt.strftime("%Y-%m").to_numpy(dtype=object)
        why[keep_month] = why[keep_month] + "; its month and year " + shown + " are kept"
        out.values[rows[keep_year]] = (safe_y[keep_year] - 1970).astype("datetime64[Y]").astype("datetime64[s]")
        out.precision[rows[keep_year]] = 1
        why[keep_year] = why[keep_year] + "; its year " + _text(y[keep_year]) + " is kept"
    out.reasons[rows[broken]] = why[broken]
