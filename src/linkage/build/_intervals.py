"""Overlapping intervals within groups, by sort and sweep (never all pairs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["overlapping_pairs"]


def overlapping_pairs(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j) of intervals in the same group that overlap: start_j < end_i and start_i < end_j.

    Intervals are sorted by (group, start); each interval is paired only with
    the later-starting intervals of its group that start before it ends, found
    by binary search, so the work is proportional to the overlaps, not to the
    square of a group's size. ``end`` must not be missing (fill open intervals
    first). Returned positions index the inputs.
    """
    n = len(group)
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((start, group))
    g, s, e = group[order], start[order], end[order]
    boundaries = np.flatnonzero(np.r_[True, g[1:] != g[:-1], True])
    group_end = np.repeat(boundaries[1:], np.diff(boundaries))
    # for each interval, the first later interval (same group) starting at or after its end
    # searchsorted on (group, start) pairs: offset starts by group rank so groups never mix
    rank = np.repeat(np.arange(len(boundaries) - 1), np.diff(boundaries)).astype(np.float64)
    span = float(np.nanmax(e) - np.nanmin(s) + 1) if n else 1.0
    keyed_start = rank * span * 2 + (s - np.nanmin(s))
    keyed_end = rank * span * 2 + (e - np.nanmin(s))
    stop = np.searchsorted(keyed_start, keyed_end, side="left")
    stop = np.minimum(stop, group_end)
    first = np.arange(n) + 1
    count = np.maximum(stop - first, 0)
    total = int(count.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    left = np.repeat(np.arange(n), count)
    offsets = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    right = left + 1 + offsets
    return order[left].astype(np.int64), order[right].astype(np.int64)


def interval_days(start: pd.Series, end: pd.Series, open_until: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Start and end as float days since 1970, open ends filled with ``open_until``."""
    s = start.to_numpy(dtype="datetime64[s]").astype("int64") / 86400.0
    e_filled = end.fillna(open_until).to_numpy(dtype="datetime64[s]").astype("int64") / 86400.0
    return s, e_filled
