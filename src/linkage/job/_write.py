"""Write output files atomically, neutralising spreadsheet formulas in CSV cells."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ._leftovers import owner_token

__all__ = ["write_csv", "write_json", "write_text", "neutralise_formulas", "restore_neutralised", "FORMULA_PREFIXES"]

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


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # the owner in the name lets the next run (or `linkage clean`) remove it if this process is killed
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.{owner_token()}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            write(stream)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV (no index), atomically, formulas neutralised."""
    path = Path(path)
    safe = neutralise_formulas(frame)
    _atomic(path, lambda stream: safe.to_csv(stream, index=False, lineterminator="\n", date_format="%Y-%m-%d"))
    return path


def write_json(data: Any, path: str | Path) -> Path:
    path = Path(path)
    _atomic(path, lambda stream: stream.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"))
    return path


def write_text(text: str, path: str | Path) -> Path:
    path = Path(path)
    _atomic(path, lambda stream: stream.write(text))
    return path
