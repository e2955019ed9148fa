"""CSV files: written atomically with spreadsheet formulas neutralised, and small side CSVs read with clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import LinkageError
from ._atomic import atomic_open

__all__ = ["write_csv", "read_side_csv", "neutralise_formulas", "restore_neutralised", "FORMULA_PREFIXES"]

#: a spreadsheet treats a cell starting with one of these as a formula
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with ``'``."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
            continue
        text = series.astype("str")
        risky = text.str.startswith(FORMULA_PREFIXES, na=False).to_numpy(dtype=bool, copy=True)
        if not risky.any():
            continue
        if series.dtype == object:  # only text is a formula; a negative number stays a number
            risky[risky] = [isinstance(value, str) for value in series.to_numpy(dtype=object)[risky]]
        if risky.any():
            out[column] = series.where(~risky, "'" + text)
    return out


def restore_neutralised(values: pd.Series) -> pd.Series:
    """Undo ``neutralise_formulas`` on values read back from a CSV linkage wrote."""
    text = values.astype("str")
    marked = text.str.startswith("'", na=False) & text.str[1:2].isin(list(FORMULA_PREFIXES))
    return text.where(~marked, text.str[1:])


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV (no index), atomically, formulas neutralised."""
    safe = neutralise_formulas(frame)
    with atomic_open(path) as stream:
        safe.to_csv(stream, index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return Path(path)


def read_side_csv(path: str | Path, *, what: str, fix: str, blank_is_missing: bool = False) -> pd.DataFrame:
    """A CSV handed in beside the data (overrides, labels, a previous run's entities.csv, a truth file).

    Every cell is read as text, ``''`` for an empty one (missing instead with
    ``blank_is_missing``); a byte-order mark is skipped.  A file that is
    absent, empty or not CSV raises ``LinkageError`` naming ``what``, the path
    and ``fix``, e.g. ``what="override file"``, ``fix="it needs columns
    record_id_a, record_id_b, decision"``.
    """
    path = Path(path)
    if not path.is_file():
        raise LinkageError(f"{what} {path} does not exist; {fix}")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""] if blank_is_missing else None,
                           encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise LinkageError(f"{what} {path} is empty; {fix}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise LinkageError(f"{what} {path} cannot be read as CSV ({' '.join(str(exc).split())}); {fix}") from None
