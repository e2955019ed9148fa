"""Arrow-backed helpers for hot paths over string columns: the package's one string converter and its lookups.

pandas' ``Series.isin`` on Arrow strings turns the allowed values into Python
objects one by one: fine for a short list, seconds for a million ids. Here
every lookup is one Arrow hash table in C++, and pandas' Arrow-backed string
columns are read without a copy (``strings``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["strings", "isin", "id_set", "positions_in", "positions_in_each", "take_strings", "str_series"]


def _array(values) -> pa.Array | pa.ChunkedArray:
    """``values`` as Arrow large strings, chunks kept (see ``strings``)."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        array = values
    else:
        source = values.array if isinstance(values, (pd.Series, pd.Index)) else values
        try:  # strings and missing values: no copy for pandas' Arrow strings, one pass for Python objects
            array = pa.array(source, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            # numbers, mixed objects, categories: their text, missing values kept missing
            array = pa.array(pd.Series(values, dtype=object).astype("str").array)
    return array if pa.types.is_large_string(array.type) else array.cast(pa.large_string())


def strings(values) -> pa.Array:
    """One Arrow ``large_string`` array of ``values`` (a pandas column, numpy array, list or Arrow array).

    pandas' Arrow-backed ``str`` columns are taken without a copy; other
    values become their text, and missing values (None, NaN) stay missing.
    The one converter of the package: every string lookup below goes through it.
    """
    array = _array(values)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def id_set(values) -> pa.Array:
    """The distinct non-missing values, as an Arrow array for ``isin``."""
    return pc.unique(pc.drop_null(_array(values)))


def isin(values, allowed) -> np.ndarray:
    """Boolean mask: which of ``values`` are among ``allowed`` (both string-like; missing is never in)."""
    allowed = allowed if isinstance(allowed, pa.Array) else id_set(allowed)
    mask = pc.is_in(_array(values), value_set=allowed)
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool) if len(mask) else np.zeros(0, dtype=bool)


def positions_in(values, value_set, *, runs: bool = False) -> np.ndarray:
    """For each of ``values``, its position in ``value_set`` (distinct strings), or -1 when absent or missing.

    A C++ hash lookup: about 20x faster than ``Index.get_indexer`` on millions
    of Arrow strings. ``runs``: ``values`` come in runs of equal values (a
    tie table sorted by source); when they do, each run is looked up once.
    """
    value_set = value_set if isinstance(value_set, pa.Array) else strings(value_set)
    array = strings(values) if runs else _array(values)
    run = None
    if runs and len(array) > 1:
        changed = pc.not_equal(array.slice(1), array.slice(0, len(array) - 1)).fill_null(True)
        head = np.r_[True, changed.to_numpy(zero_copy_only=False)]
        if head.sum() < 0.5 * len(array):
            run = np.cumsum(head) - 1
            array = array.filter(pa.array(head))
    found = pc.index_in(array, value_set=value_set)
    found = (np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64) if len(found)
             else np.zeros(0, dtype=np.int64))
    return found if run is None else found[run]


def positions_in_each(columns: list, value_set) -> list[np.ndarray]:
    """``positions_in`` for each of ``columns``, in one hash lookup over all of them."""
    arrays = [strings(c) for c in columns]
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    if not len(arrays) or not lengths.sum() or not len(value_set):
        return [np.full(n, -1, dtype=np.int64) for n in lengths]
    codes = positions_in(pa.concat_arrays(arrays), value_set)
    return np.split(codes, np.cumsum(lengths)[:-1])


def take_strings(values, positions) -> pd.Series:
    """``values[positions]`` as a pandas string Series, taken in Arrow (no Python object per row)."""
    return str_series(strings(values).take(pa.array(np.asarray(positions, dtype=np.int64))))


def str_series(array: pa.Array) -> pd.Series:
    """A pandas ``str`` column on an Arrow string array, without making Python strings."""
    return pd.Series(pd.array(array, dtype="str"))
