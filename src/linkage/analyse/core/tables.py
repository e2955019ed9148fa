"""Table helpers shared by the analyses: typed empty and output tables, columns read safely, per-group text.

Every analysis returns DataFrames with declared columns and dtypes
(``{"column": "dtype"}``), empty ones included, so that a job's CSV headers
never depend on the data. Text is handled as Arrow strings (``linkage._arrow``)
so that a million ids never become a million Python objects on a hot path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..._arrow import isin, strings
from ...graph.kernels import pairs

__all__ = [
    "empty_table",
    "typed_table",
    "flag",
    "text",
    "text_at",
    "column_strings",
    "column_isin",
    "joined",
    "join_groups",
    "UNDATED",
    "seconds",
]


def empty_table(columns: dict[str, str]) -> pd.DataFrame:
    """No rows, the declared columns and dtypes (``{"column": "dtype"}``)."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def typed_table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The declared columns of ``frame``, in order, cast to their dtypes, on a fresh 0.. index."""
    return pd.DataFrame({name: frame[name].astype(dtype) for name, dtype in columns.items()}).reset_index(drop=True)


def flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column as a numpy mask (missing and absent columns are False)."""
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].fillna(False).to_numpy(dtype=bool)


def text(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as Python strings ('' for missing and absent columns)."""
    if column not in frame:
        return np.full(len(frame), "", dtype=object)
    return frame[column].fillna("").astype(str).to_numpy(dtype=object)


def text_at(frame: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """``text`` of some rows only (converting a million strings to Python objects takes a second)."""
    if column not in frame:
        return np.full(len(rows), "", dtype=object)
    return frame[column].iloc[rows].fillna("").astype(str).to_numpy(dtype=object)


def column_strings(frame: pd.DataFrame | None, column: str, rows: np.ndarray | None = None) -> pa.Array:
    """A column (or some of its rows) as Arrow large strings; empty when the table or column is absent."""
    if frame is None or column not in frame or not len(frame):
        return pa.array([], type=pa.large_string())
    array = strings(frame[column])
    return array if rows is None else array.take(pa.array(rows, type=pa.int64()))


def column_isin(frame: pd.DataFrame | None, column: str, values) -> np.ndarray:
    """Boolean mask: the rows whose ``column`` is one of ``values`` (compared in Arrow, no Python strings)."""
    if frame is None or column not in frame or not len(frame):
        return np.zeros(0 if frame is None else len(frame), dtype=bool)
    return isin(frame[column], [values] if isinstance(values, str) else list(values))


def joined(owner: np.ndarray, values: np.ndarray, n_owners: int) -> tuple[np.ndarray, np.ndarray]:
    """Per owner (a code below ``n_owners``): its sorted distinct non-empty values joined by ';', and how many.

    Examples
    --------
    >>> joined(np.array([0, 0, 2, 0]), np.array(["b", "a", "c", "b"], dtype=object), 3)
    (array(['a;b', '', 'c'], dtype=object), array([2, 0, 1]))
    """
    text_ = np.full(n_owners, "", dtype=object)
    values = pd.Series(values, dtype=object)
    present = (values.notna() & (values.astype(str) != "")).to_numpy()
    codes, distinct = pd.factorize(values[present].astype(str), sort=True)
    if not len(distinct):
        return text_, np.zeros(n_owners, dtype=np.int64)
    owner, value = pairs(np.asarray(owner)[present], codes, len(distinct))
    count = np.bincount(owner, minlength=n_owners)
    pieces = np.asarray(distinct, dtype=object)[value] + ";"
    start = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    together = np.add.reduceat(pieces, start)
    text_[owner[start]] = [t[:-1] for t in together]
    return text_, count


def _sorted_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """Integer codes that sort like the (non-missing, string) ``values``, and the sorted distinct values."""
    encoded = pc.dictionary_encode(strings(values))
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[encoded.indices.to_numpy(zero_copy_only=False)], encoded.dictionary.take(pa.array(order))


def join_groups(frame: pd.DataFrame, keys: list[str], value: str, *, sep: str = ";") -> pd.DataFrame:
    """The distinct ``value`` of each ``keys`` group, sorted and joined by ``sep``, and ``n`` (how many).

    All columns hold strings; rows with a missing key or value are ignored.
    Vectorised: the strings become sortable integer codes (Arrow dictionary
    encoding), one lexsort orders and de-duplicates them, and Arrow joins
    every group's list at once (``groupby().agg(";".join)`` calls Python once
    per group: seconds at a million groups). Groups come out sorted by keys.
    """
    frame = frame[keys + [value]].dropna()
    if frame.empty:
        out = pd.DataFrame({k: pd.Series(dtype="str") for k in keys + [value]})
        out["n"] = pd.Series(dtype="int64")
        return out
    key_codes, key_values = zip(*(_sorted_codes(frame[k]) for k in keys))
    value_codes, values = _sorted_codes(frame[value])
    group = key_codes[0]
    for codes, distinct in zip(key_codes[1:], key_values[1:]):
        # lexicographic group number, made dense again so that it never overflows
        group = np.unique(group * len(distinct) + codes, return_inverse=True)[1]
    order = np.lexsort((value_codes, group))
    group, value_codes = group[order], value_codes[order]
    fresh = np.r_[True, (group[1:] != group[:-1]) | (value_codes[1:] != value_codes[:-1])]
    group, value_codes, order = group[fresh], value_codes[fresh], order[fresh]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    counts = np.diff(np.r_[starts, len(group)])
    offsets = pa.array(np.r_[starts, len(group)], type=pa.int64())
    together = pc.binary_join(pa.LargeListArray.from_arrays(offsets, values.take(pa.array(value_codes))),
                              pa.scalar(sep, pa.large_string()))
    first = order[starts]
    out = pd.DataFrame({k: pd.array(distinct.take(pa.array(codes[first])), dtype="str")
                        for k, codes, distinct in zip(keys, key_codes, key_values)})
    out[value] = pd.array(together, dtype="str")
    out["n"] = counts.astype("int64")
    return out


#: a missing date as int64 seconds (NaT's own int64 value)
UNDATED = np.iinfo(np.int64).min


def seconds(values) -> np.ndarray:
    """Dates as int64 seconds since 1970; missing dates become ``UNDATED``."""
    values = pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    return values.to_numpy(dtype="datetime64[s]").astype(np.int64)
