"""Comparison levels of candidate pairs, vectorised with rapidfuzz's batch scorers.

Each comparison gives one int8 level per pair, 0 = its best level (see
``COMPARISON_KINDS``); -1 means a value is missing on either side, which
neither rewards nor penalises the pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from ._prepare import UNKNOWN_DAY, Records, nickname_groups
from ._settings import Comparison

__all__ = ["Gamma", "compare_pairs", "jaro_winkler", "names_swapped", "MISSING"]

MISSING = np.int8(-1)


@dataclass
class Gamma:
    """Levels of every comparison for every pair; ``frequency`` holds term frequencies for exact name levels."""

    levels: np.ndarray  # (pairs, comparisons) int8
    names: list[str]
    frequency: dict[str, np.ndarray]
    names_swapped: np.ndarray  # bool per pair: names compared in swapped order


    def __len__(self) -> int:
        return self.levels.shape[0]

    def take(self, index: np.ndarray) -> "Gamma":
        return Gamma(
            self.levels[index], self.names, {k: v[index] for k, v in self.frequency.items()}, self.names_swapped[index]
        )


def jaro_winkler(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaro-Winkler similarity of aligned string arrays, on all cores."""
    if len(a) == 0:
        return np.empty(0, dtype=np.float32)
    return process.cpdist(list(a), list(b), scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32)


def _strings(series: pd.Series) -> np.ndarray:
    return series.fillna("").to_numpy(dtype=object)


def _pick(conditions: list[np.ndarray], missing: np.ndarray, n: int, otherwise: int) -> np.ndarray:
    """First true condition's index as the level; ``otherwise`` when none; -1 where missing."""
    levels = np.full(n, otherwise, dtype=np.int8)
    for level in range(len(conditions) - 1, -1, -1):
        levels[conditions[level]] = level
    levels[missing] = MISSING
    return levels


def _nickname_match(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where two different names share a nickname group (``tom`` ~ ``thomas``, ``liz`` ~ ``beth``)."""
    groups = nickname_groups()
    vocabulary = pd.Index(pd.unique(np.concatenate([a, b])))
    table = pd.DataFrame(
        [(name, group) for name in vocabulary if name in groups for group in groups[name]], columns=["name", "group"]
    )
    if table.empty:
        return np.zeros(len(a), dtype=bool)
    equivalent = table.merge(table, on="group")
    codes_left = vocabulary.get_indexer(equivalent["name_x"])
    codes_right = vocabulary.get_indexer(equivalent["name_y"])
    size = len(vocabulary)
    keys = np.unique(codes_left.astype(np.int64) * size + codes_right)
    pair_keys = vocabulary.get_indexer(a).astype(np.int64) * size + vocabulary.get_indexer(b)
    return np.isin(pair_keys, keys)


def names_swapped(records: Records, left: np.ndarray, right: np.ndarray, threshold: float = 0.92) -> np.ndarray:
    """True where one record's first and last names are the other's last and first names.

    A swap is an error in how a name was recorded, not evidence of its own:
    such pairs are compared with the names put back in order.
    """
    first = _strings(records.columns["first_name"])
    last = _strings(records.columns["last_name"])
    fa, la, fb, lb = first[left], last[left], first[right], last[right]
    complete = (fa != "") & (la != "") & (fb != "") & (lb != "")
    direct = jaro_winkler(fa, fb) + jaro_winkler(la, lb)
    cross_first = jaro_winkler(fa, lb)
    cross_last = jaro_winkler(la, fb)
    return complete & (cross_first >= threshold) & (cross_last >= threshold) & (cross_first + cross_last > direct)


def _compare_names(
    records: Records, comparison: Comparison, left: np.ndarray, right: np.ndarray, swapped: np.ndarray
):
    first = _strings(records.columns["first_name"])
    last = _strings(records.columns["last_name"])
    own, other = (first, last) if comparison.kind == "first_name" else (last, first)
    a = own[left]
    b = np.where(swapped, other[right], own[right])
    missing = (a == "") | (b == "")
    similarity = jaro_winkler(a, b)
    exact = (a == b) & ~missing
    high, mid = comparison.thresholds
    if comparison.kind == "first_name":
        nickname = _nickname_match(a, b) & ~exact
        conditions = [exact, nickname, similarity >= high, similarity >= mid]
    else:
        conditions = [exact, similarity >= high, similarity >= mid]
    levels = _pick(conditions, missing, len(a), otherwise=len(conditions))
    frequency = None
    if comparison.term_frequency:
        freq = records.name_frequency[comparison.kind]
        position = freq.index.get_indexer(a)
        values = np.where(position >= 0, freq.to_numpy()[np.maximum(position, 0)], np.nan)
        frequency = np.where(exact, values, np.nan)
    return levels, frequency


def _compare_dob(records: Records, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    pa, pb = records.dob_precision[left], records.dob_precision[right]
    missing = (pa == 0) | (pb == 0)
    both_day = (pa == 3) & (pb == 3)
    both_month = (pa >= 2) & (pb >= 2)
    ya, yb = records.dob_year[left], records.dob_year[right]
    ma, mb = records.dob_month[left], records.dob_month[right]
    da, db = records.dob_day[left], records.dob_day[right]
    days_a, days_b = records.dob_days[left], records.dob_days[right]
    exact = both_day & (days_a == days_b)
    swapped = both_day & (ya == yb) & (ma == db) & (da == mb) & (ma != da)
    gap = np.where(both_day, np.abs(np.where(both_day, days_a, 0) - np.where(both_day, days_b, 0)), 10**9)
    one_day = both_day & (gap == 1)
    year_apart = both_day & (np.abs(ya - yb) == 1) & (ma == mb) & (da == db)
    same_month = both_month & (ya == yb) & (ma == mb)
    same_year = ya == yb
    del days_a, days_b
    return _pick([exact, swapped, one_day, year_apart, same_month, same_year], missing, len(left), otherwise=6)


def _compare_postcode(records: Records, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    full = _strings(records.columns["postcode"])
    sector = _strings(records.columns["postcode_sector"])
    district = _strings(records.columns["postcode_district"])
    da, db = district[left], district[right]
    missing = (da == "") | (db == "")
    fa, fb = full[left], full[right]
    sa, sb = sector[left], sector[right]
    conditions = [(fa == fb) & (fa != ""), (sa == sb) & (sa != ""), da == db]
    return _pick(conditions, missing, len(left), otherwise=3)


def _compare_column(records: Records, comparison: Comparison, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    key = comparison.column if comparison.column in records.columns else f"column:{comparison.column}"
    if key not in records.columns:
        raise KeyError(comparison.column)
    values = _strings(records.columns[key])
    a, b = values[left], values[right]
    missing = (a == "") | (b == "")
    exact = (a == b) & ~missing
    if comparison.kind == "exact":
        return _pick([exact], missing, len(a), otherwise=1)
    similarity = jaro_winkler(a, b)
    high, mid = comparison.thresholds
    return _pick([exact, similarity >= high, similarity >= mid], missing, len(a), otherwise=3)


def compare_pairs(records: Records, comparisons: tuple[Comparison, ...], left: np.ndarray, right: np.ndarray) -> Gamma:
    """The level of every comparison for the pairs (left[i], right[i])."""
    levels = np.empty((len(left), len(comparisons)), dtype=np.int8)
    frequency: dict[str, np.ndarray] = {}
    uses_names = any(c.kind in ("first_name", "last_name") for c in comparisons)
    swapped = names_swapped(records, left, right) if uses_names else np.zeros(len(left), dtype=bool)
    for index, comparison in enumerate(comparisons):
        if comparison.kind in ("first_name", "last_name"):
            column, freq = _compare_names(records, comparison, left, right, swapped)
            if freq is not None:
                frequency[comparison.name] = freq
        elif comparison.kind == "dob":
            column = _compare_dob(records, left, right)
        elif comparison.kind == "postcode":
            column = _compare_postcode(records, left, right)
        else:
            column = _compare_column(records, comparison, left, right)
        levels[:, index] = column
    return Gamma(levels, [c.name for c in comparisons], frequency, swapped)
