"""Per-group sets of values, vectorised (pandas' per-group Python functions are too slow at 1M groups)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import isin

__all__ = ["joined_values", "group_has"]

#: up to this many distinct values, a key's set of values is held as the bits of one integer
_BITS_LIMIT = 64


def joined_values(keys, values, *, index: pd.Index | None = None, sep: str = ";") -> pd.Series:
    """The sorted distinct ``values`` of each key, joined by ``sep`` ("" when a key has none).

    ``keys`` and ``values`` are aligned by position. ``index`` (default: the
    distinct keys in order of appearance) sets the result's rows; keys not
    in it are ignored. When the distinct values are few (sources, flags, roles,
    categories) each key's set is the bits of one integer and each distinct
    set is joined once; otherwise the sets come from a sorted, de-duplicated
    frame of integer codes.
    """
    keys = pd.Series(keys).reset_index(drop=True)
    values = pd.Series(values).reset_index(drop=True)
    if index is None:
        index = pd.Index(keys.dropna().unique())
    valid = (keys.notna() & values.notna()).to_numpy()
    if not valid.any() or len(index) == 0:
        return pd.Series("", index=index, dtype=object)
    rows = index.get_indexer(keys[valid])
    value_code, distinct = pd.factorize(values[valid].astype(str), sort=True)
    keep = rows >= 0
    rows, value_code = rows[keep], value_code[keep]
    distinct = np.asarray(distinct, dtype=object)
    if len(distinct) <= _BITS_LIMIT:
        # each row's set of values as the bits of one integer; each distinct set is joined once
        bits = np.zeros(len(index), dtype=np.uint64)
        np.bitwise_or.at(bits, rows, np.left_shift(np.uint64(1), value_code.astype(np.uint64)))
        sets, which = np.unique(bits, return_inverse=True)
        texts = np.array([sep.join(distinct[[i for i in range(len(distinct)) if int(held) >> i & 1]])
                          for held in sets.tolist()] + [""], dtype=object)[:-1]
        return pd.Series(texts[which], index=index, dtype=object)
    pairs = pd.DataFrame({"row": rows, "code": value_code}).drop_duplicates().sort_values(["row", "code"])
    pairs["value"] = distinct[pairs["code"].to_numpy()]
    joined = pairs.groupby("row", sort=False)["value"].agg(sep.join)
    out = np.full(len(index), "", dtype=object)
    out[joined.index.to_numpy()] = joined.to_numpy(dtype=object)
    return pd.Series(out, index=index, dtype=object)


def group_has(keys, mask, *, index: pd.Index) -> pd.Series:
    """True for the keys in ``index`` that have at least one row where ``mask`` is true (aligned by position)."""
    keys = pd.Series(keys).reset_index(drop=True)
    mask = np.asarray(pd.Series(mask).fillna(False), dtype=bool)
    hit = keys[mask].dropna().unique()
    if pd.api.types.is_string_dtype(index.dtype) or pd.api.types.is_object_dtype(index.dtype):
        return pd.Series(isin(index, pd.Series(hit, dtype=object).astype(str)), index=index)
    return pd.Series(index.isin(hit), index=index)
