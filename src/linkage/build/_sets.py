"""Per-group sets of values, vectorised (pandas' per-group Python functions are too slow at 1M groups)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["joined_values", "group_has"]


def joined_values(keys: pd.Series, values: pd.Series, *, index: pd.Index | None = None, sep: str = ";") -> pd.Series:
    """The sorted distinct ``values`` of each key, joined by ``sep`` ("" when a key has none).

    Built from a keys x distinct-values boolean matrix when the distinct
    values are few (sources, flags, roles, categories); otherwise from a
    sorted, de-duplicated frame.
    """
    frame = pd.DataFrame({"key": keys.to_numpy(dtype=object), "value": values.to_numpy(dtype=object)}).dropna()
    frame = frame.drop_duplicates()
    index = index if index is not None else pd.Index(pd.unique(keys.dropna()))
    if frame.empty:
        return pd.Series("", index=index, dtype=object)
    distinct = np.sort(frame["value"].astype(str).unique())
    if len(distinct) <= 64:
        rows = index.get_indexer(frame["key"])
        cols = np.searchsorted(distinct, frame["value"].astype(str).to_numpy())
        keep = rows >= 0
        present = np.zeros((len(index), len(distinct)), dtype=bool)
        present[rows[keep], cols[keep]] = True
        text = np.full(len(index), "", dtype=object)
        for position, value in enumerate(distinct):
            piece = np.where(present[:, position], value + sep, "")
            text = text + piece
        text = np.array([t[: -len(sep)] if t else t for t in text], dtype=object)
        return pd.Series(text, index=index, dtype=object)
    frame = frame.assign(value=frame["value"].astype(str)).sort_values(["key", "value"], kind="stable")
    joined = frame.groupby("key", sort=False)["value"].agg(sep.join)
    return joined.reindex(index).fillna("")


def group_has(keys: pd.Series, mask: pd.Series | np.ndarray, *, index: pd.Index) -> pd.Series:
    """True for the keys that have at least one row where ``mask`` is true."""
    hit = pd.unique(keys.to_numpy(dtype=object)[np.asarray(mask, dtype=bool)])
    return pd.Series(index.isin(hit), index=index)
