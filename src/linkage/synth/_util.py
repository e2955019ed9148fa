"""Vectorised helpers for the synthetic world: seeded generators, tokens, dates, pools, pairs."""

from __future__ import annotations

import zlib

import numpy as np

__all__ = [
    "NODATE",
    "HORIZON_START",
    "HORIZON_END",
    "day",
    "stage_rng",
    "unique_ints",
    "hex_tokens",
    "digit_tokens",
    "letter_tokens",
    "zipf_p",
    "pick_from_pools",
    "join_lists",
    "overlap_pairs",
    "fmt_days",
    "fmt_seconds",
    "ranks_within",
]

#: Sentinel for "no date" in the int64 day and second columns used internally.
NODATE = np.int64(-(2**40))

EPOCH = np.datetime64("1970-01-01", "D")


def day(text: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int((np.datetime64(text, "D") - EPOCH).astype(np.int64))


#: The period the world covers: care histories, episodes and events fall inside it.
HORIZON_START = day("2019-01-01")
HORIZON_END = day("2025-06-30")


def stage_rng(seed: int, name: str) -> np.random.Generator:
    """A generator for one stage of the world, independent of every other stage's draws."""
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=(zlib.crc32(name.encode()),)))


def unique_ints(rng: np.random.Generator, n: int, high: int) -> np.ndarray:
    """``n`` distinct integers in ``[0, high)``, in random order."""
    if n > high:
        raise ValueError(f"cannot draw {n} distinct values below {high}")
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        cand = rng.integers(0, high, size=int((n - out.size) * 1.1) + 16, dtype=np.int64)
        both = np.concatenate([out, cand])
        _, first = np.unique(both, return_index=True)
        out = both[np.sort(first)]
    return out[:n]


def _tokens(values: np.ndarray, width: int, alphabet: str) -> np.ndarray:
    codes = np.frombuffer(alphabet.encode("utf-32-le"), dtype=np.uint32)
    base = len(alphabet)
    values = np.asarray(values, dtype=np.int64)
    powers = base ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (values[:, None] // powers) % base
    return np.ascontiguousarray(codes[digits]).view(f"<U{width}").reshape(len(values))


def hex_tokens(values: np.ndarray, width: int) -> np.ndarray:
    """Fixed-width lower-case hex strings of non-negative integers."""
    return _tokens(values, width, "0123456789abcdef")


def digit_tokens(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal strings of non-negative integers."""
    return _tokens(values, width, "0123456789")


def letter_tokens(values: np.ndarray, width: int, alphabet: str = "ABCDEFGHJKLMNOPRSTUVWXYZ") -> np.ndarray:
    """Fixed-width strings over ``alphabet`` (base-len(alphabet) digits of ``values``)."""
    return _tokens(values, width, alphabet)


def zipf_p(n: int, s: float = 1.0, q: float = 5.0) -> np.ndarray:
    """Zipf-Mandelbrot probabilities for ranks 1..n: common names collide as in real life."""
    w = 1.0 / (np.arange(1, n + 1) + q) ** s
    return w / w.sum()


def pick_from_pools(pool_keys: np.ndarray, pool_items: np.ndarray, query: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each query key, a uniformly chosen item of the pool with that key (``u`` in [0, 1)), or -1."""
    query = np.asarray(query)
    if len(pool_items) == 0:
        return np.full(len(query), -1, dtype=np.int64)
    order = np.argsort(pool_keys, kind="stable")
    keys = np.asarray(pool_keys)[order]
    items = np.asarray(pool_items)[order]
    lo = np.searchsorted(keys, query, "left")
    hi = np.searchsorted(keys, query, "right")
    count = hi - lo
    idx = np.minimum(lo + np.floor(u * count).astype(np.int64), len(items) - 1)
    return np.where(count > 0, items[idx], -1).astype(np.int64)


def ranks_within(groups: np.ndarray) -> np.ndarray:
    """0-based position of each element among equal ``groups`` values, in array order."""
    groups = np.asarray(groups)
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.r_[True, g[1:] != g[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n) - first
    return out


def join_lists(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``;``-joined ``values`` per owner ``0..n-1`` (sorted, duplicates dropped); '' where none."""
    joined = np.full(n, "", dtype=object)
    owner = np.asarray(owner, dtype=np.int64)
    values = np.asarray(values, dtype=str)
    if owner.size == 0:
        return joined
    order = np.lexsort((values, owner))
    owner, values = owner[order], values[order]
    keep = np.r_[True, (owner[1:] != owner[:-1]) | (values[1:] != values[:-1])]
    owner, values = owner[keep], values[keep]
    rank = ranks_within(owner)
    for r in range(int(rank.max()) + 1):
        sel = rank == r
        o, v = owner[sel], values[sel]
        if r == 0:
            joined[o] = v
        else:
            joined[o] = np.char.add(np.char.add(joined[o].astype(str), ";"), v)
    return joined


def overlap_pairs(key: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i before j, of intervals with the same key that overlap.

    Intervals are half-open ``[start, end)`` with ``end > start``; the sweep
    over (key, start) order makes this linear in the number of pairs found.
    """
    key = np.asarray(key, dtype=np.int64)
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    n = len(key)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((start, key))
    k, s, e = key[order], start[order], end[order]
    lo = int(min(s.min(), e.min()))
    span = int(max(s.max(), e.max())) - lo + 2
    comp = (k - k.min()) * span + (s - lo)
    hi = np.searchsorted(comp, (k - k.min()) * span + (e - lo), "left")
    count = np.maximum(hi - np.arange(n) - 1, 0)
    total = int(count.sum())
    i = np.repeat(np.arange(n), count)
    offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    j = i + 1 + offset
    return order[i], order[j]


def fmt_days(days: np.ndarray) -> np.ndarray:
    """ISO dates (``2021-03-04``) of day numbers; '' for ``NODATE``."""
    days = np.asarray(days, dtype=np.int64)
    ok = days != NODATE
    out = np.full(len(days), "", dtype="U10")
    if ok.any():
        lo, hi = int(days[ok].min()), int(days[ok].max())
        table = np.datetime_as_string(np.arange(lo, hi + 1).astype("datetime64[D]"), unit="D")
        out[ok] = table[days[ok] - lo]
    return out


def fmt_seconds(seconds: np.ndarray) -> np.ndarray:
    """ISO datetimes (``2021-03-04T22:15:00``) of seconds since 1970; '' for ``NODATE``."""
    seconds = np.asarray(seconds, dtype=np.int64)
    ok = seconds != NODATE
    out = np.full(len(seconds), "", dtype="U19")
    out[ok] = np.datetime_as_string(seconds[ok].astype("datetime64[s]"), unit="s")
    return out
