"""Sort-based integer kernels that the graph algorithms and the analyses are written in.

Nodes, people, places and clusters are integer codes; pairs and groups are
int64 keys (``owner * n_items + item``). One sort does the work of a hash
table here: numpy's hashed ``unique`` is several times slower than a sort on
millions of int64, and a sort gives the keys in order for free.

Every function is O(k log k) for k values (one sort), unless it says otherwise.
"""

from __future__ import annotations

import numpy as np

__all__ = ["distinct", "counted", "dense", "sum_by_key", "pairs", "pair_keys", "rank_in_runs", "member", "runs_of"]


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct integers.

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2]))
    array([1, 2, 3])
    """
    values = np.sort(np.asarray(values))
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct integers and how often each occurs.

    Examples
    --------
    >>> counted(np.array([3, 1, 3]))
    (array([1, 3]), array([1, 2]))
    """
    values = np.sort(np.asarray(values))
    if not len(values):
        return values, np.zeros(0, dtype=np.int64)
    start = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return values[start], np.diff(np.r_[start, len(values)])


def dense(values: np.ndarray) -> np.ndarray:
    """Integers renumbered 0, 1, 2... in their sorted order (``np.unique(..., return_inverse=True)[1]``).

    Examples
    --------
    >>> dense(np.array([7, 3, 7, 9]))
    array([1, 0, 1, 2])
    """
    values = np.asarray(values)
    if not len(values):
        return values.astype(np.int64)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.cumsum(np.r_[0, ordered[1:] != ordered[:-1]])
    return out


def sum_by_key(key: np.ndarray, *values: np.ndarray, runs: bool = False) -> tuple[np.ndarray, ...]:
    """Sorted distinct keys and the sum of each of ``values`` per key.

    ``runs``: the keys are already in long sorted runs (timsort then takes a
    fraction of quicksort's time).

    Examples
    --------
    >>> sum_by_key(np.array([2, 1, 2]), np.array([1.0, 5.0, 3.0]))
    (array([1, 2]), array([5., 4.]))
    """
    if not len(key):
        return (key, *[v[:0] for v in values])
    order = np.argsort(key, kind="stable" if runs else None)
    key = key[order]
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return (key[start], *[np.add.reduceat(v[order], start) for v in values])


def pairs(owner: np.ndarray, item: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (owner, item) pairs, sorted by owner then item; pairs with an owner or item below 0 are left out.

    Examples
    --------
    >>> pairs(np.array([1, 0, 1, -1]), np.array([2, 2, 2, 0]), 3)
    (array([0, 1]), array([2, 2]))
    """
    keep = (owner >= 0) & (item >= 0)
    key = distinct(owner[keep].astype(np.int64) * max(n_items, 1) + item[keep])
    return key // max(n_items, 1), key % max(n_items, 1)


def pair_keys(n: int, a: np.ndarray, b: np.ndarray, weight) -> tuple[np.ndarray, np.ndarray]:
    """Undirected pair keys ``min * n + max`` and their weights (``weight`` may be a scalar).

    Pairs of a node with itself, or with an unknown node (below 0), are left
    out. O(k), no sort.
    """
    weight = np.broadcast_to(np.asarray(weight, dtype=np.float64), a.shape)
    keep = (a >= 0) & (b >= 0) & (a != b)
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    return lo * n + hi, weight[keep]


def rank_in_runs(values: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal (sorted) ``values``. O(k), no sort.

    Examples
    --------
    >>> rank_in_runs(np.array([4, 4, 5, 6, 6, 6]))
    array([0, 1, 0, 0, 1, 2])
    """
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.empty(0, dtype=np.int64)
    return np.arange(len(values)) - np.repeat(starts, np.diff(np.r_[starts, len(values)]))


def member(values: np.ndarray, sorted_distinct: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``sorted_distinct`` (sorted, distinct). O(k log m), a binary search each.

    Examples
    --------
    >>> member(np.array([1, 4, 9]), np.array([1, 2, 9]))
    array([ True, False,  True])
    """
    if len(sorted_distinct) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_distinct, values), len(sorted_distinct) - 1)
    return sorted_distinct[at] == values


def runs_of(sorted_keys: np.ndarray, queries: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """All (query position, sorted position) with ``sorted_keys[pos] == queries[q]``: a many-to-many join.

    Keys are codes in [0, size), sorted: the rows of each key are found
    through an offsets array (a compressed index), not by binary search.
    A query of -1 matches nothing. O(size + len(queries) + matches).

    Examples
    --------
    >>> runs_of(np.array([0, 2, 2]), np.array([2, -1, 0]), 3)
    (array([0, 0, 2]), array([1, 2, 0]))
    """
    offsets = np.r_[0, np.cumsum(np.bincount(sorted_keys, minlength=size))]
    valid = queries >= 0
    lo = np.where(valid, offsets[np.where(valid, queries, 0)], 0)
    count = np.where(valid, offsets[np.where(valid, queries, 0) + 1], 0) - lo
    q = np.repeat(np.arange(len(queries)), count)
    pos = np.repeat(lo - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
    return q, pos
