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

from ..bloom import bloom_matrix, dice_pairs
from ._prepare import Records, nickname_groups
from ..config import BLOOM_THRESHOLDS, Comparison

__all__ = [
    "Gamma",
    "bloom_comparisons",
    "coded_dice",
    "compare_pairs",
    "coded_similarity",
    "jaro_winkler",
    "keyed_slip",
    "name_similarity",
    "text_slip",
    "coded_text_slip",
    "names_swapped",
    "MISSING",
]

NAME_KINDS = ("first_name", "last_name", "bloom_name")

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


def coded_similarity(a: np.ndarray, b: np.ndarray, vocabulary: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of coded strings (-1 = missing gives 0), computed once per distinct pair of values.

    Candidate pairs repeat the same pairs of names over and over (a block of
    Smiths); scoring each distinct pair once is what keeps comparison fast.
    """
    out = np.zeros(len(a), dtype=np.float32)
    known = (a >= 0) & (b >= 0)
    if not known.any():
        return out
    low = np.minimum(a[known], b[known])
    high = np.maximum(a[known], b[known])
    keys = low * (len(vocabulary) + 1) + high
    inverse, distinct = pd.factorize(keys)  # hashing, not sorting: the order of the distinct pairs does not matter
    scores = jaro_winkler(vocabulary[distinct // (len(vocabulary) + 1)], vocabulary[distinct % (len(vocabulary) + 1)])
    out[known] = scores[inverse]
    return out


def coded_dice(a: np.ndarray, b: np.ndarray, vocabulary: np.ndarray, matrix: np.ndarray | None = None) -> np.ndarray:
    """Dice similarity of coded Bloom-encoded names (-1 = missing gives 0), once per distinct pair of values.

    The filters are decoded once into a bit matrix; each distinct pair costs
    one AND and a popcount over its bytes, in numpy, never a Python loop.
    """
    out = np.zeros(len(a), dtype=np.float32)
    known = (a >= 0) & (b >= 0)
    if not known.any():
        return out
    if matrix is None:
        matrix = bloom_matrix(vocabulary)
    size = len(vocabulary) + 1
    low = np.minimum(a[known], b[known])
    high = np.maximum(a[known], b[known])
    distinct, inverse = np.unique(low * size + high, return_inverse=True)
    scores = dice_pairs(matrix, distinct // size, distinct % size)
    out[known] = scores[inverse]
    return out


def name_similarity(records: Records, a: np.ndarray, b: np.ndarray, vocabulary: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of coded names, or Dice of their Bloom filters when the names are Bloom-encoded."""
    if records.bloom_names:
        return coded_dice(a, b, vocabulary, _bloom_bits(records, vocabulary))
    return coded_similarity(a, b, vocabulary)


def _bloom_bits(records: Records, vocabulary: np.ndarray) -> np.ndarray:
    cached = records._codes.get("bloom_bits:names")
    if cached is None or cached[1] is not vocabulary:
        cached = (bloom_matrix(vocabulary), vocabulary)
        records._codes["bloom_bits:names"] = cached
    return cached[0]


def bloom_comparisons(comparisons: tuple[Comparison, ...], records: Records) -> tuple[Comparison, ...]:
    """Name comparisons turned into Dice comparisons (``bloom_name``) when the records' names are Bloom-encoded."""
    if not records.bloom_names:
        return comparisons
    out = []
    for comparison in comparisons:
        if comparison.kind in ("first_name", "last_name"):
            comparison = Comparison(comparison.column, "bloom_name", BLOOM_THRESHOLDS, comparison.term_frequency,
                                    comparison.strong, comparison.when_differs)
        out.append(comparison)
    return tuple(out)


def _pick(conditions: list[np.ndarray], missing: np.ndarray, n: int, otherwise: int) -> np.ndarray:
    """First true condition's index as the level; ``otherwise`` when none; -1 where missing."""
    levels = np.full(n, otherwise, dtype=np.int8)
    for level in range(len(conditions) - 1, -1, -1):
        levels[conditions[level]] = level
    levels[missing] = MISSING
    return levels


def _nickname_match(a: np.ndarray, b: np.ndarray, vocabulary: np.ndarray) -> np.ndarray:
    """True where two different coded names share a nickname group (``tom`` ~ ``thomas``, ``liz`` ~ ``beth``)."""
    groups = nickname_groups()
    table = pd.DataFrame(
        [(code, group) for code, name in enumerate(vocabulary) if name in groups for group in groups[name]],
        columns=["code", "group"],
    )
    if table.empty:
        return np.zeros(len(a), dtype=bool)
    equivalent = table.merge(table, on="group")
    size = len(vocabulary) + 1
    keys = np.unique(equivalent["code_x"].to_numpy(np.int64) * size + equivalent["code_y"].to_numpy(np.int64))
    # only pairs of two names that have a nickname group can match: look those few up in the sorted keys
    grouped = np.zeros(size, dtype=bool)
    grouped[table["code"].to_numpy(np.int64)] = True
    out = np.zeros(len(a), dtype=bool)
    check = np.flatnonzero(grouped[a] & grouped[b])  # a code of -1 (missing) lands on the last, False, slot
    wanted = a[check] * size + b[check]
    found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    out[check] = keys[found] == wanted
    return out


def names_swapped(records: Records, left: np.ndarray, right: np.ndarray, threshold: float = 0.92) -> np.ndarray:
    """True where one record's first and last names are the other's last and first names.

    A swap is an error in how a name was recorded, not evidence of its own:
    such pairs are compared with the names put back in order.  Only pairs
    whose names do not already agree in order are checked.
    """
    first, vocabulary = records.codes("first_name")
    last, _ = records.codes("last_name")
    fa, la, fb, lb = first[left], last[left], first[right], last[right]
    candidate = (fa >= 0) & (la >= 0) & (fb >= 0) & (lb >= 0) & ~((fa == fb) & (la == lb))
    swapped = np.zeros(len(left), dtype=bool)
    index = np.flatnonzero(candidate)
    if len(index) == 0:
        return swapped
    # both crossed names must be alike: the second is scored only where the first is (a small share)
    cross_first = name_similarity(records, fa[index], lb[index], vocabulary)
    possible = cross_first >= threshold
    index, cross_first = index[possible], cross_first[possible]
    cross_last = name_similarity(records, la[index], fb[index], vocabulary)
    possible = cross_last >= threshold
    index, cross_first, cross_last = index[possible], cross_first[possible], cross_last[possible]
    direct = name_similarity(records, fa[index], fb[index], vocabulary) + name_similarity(
        records, la[index], lb[index], vocabulary
    )
    swapped[index[cross_first + cross_last > direct]] = True
    return swapped


def _compare_names(
    records: Records, comparison: Comparison, left: np.ndarray, right: np.ndarray, swapped: np.ndarray
):
    if comparison.kind == "bloom_name":
        first = comparison.column != "last_name"
    else:
        first = comparison.kind == "first_name"
    own_name, other_name = ("first_name", "last_name") if first else ("last_name", "first_name")
    own, vocabulary = records.codes(own_name)
    other, _ = records.codes(other_name)
    a = own[left]
    b = own[right]
    turned = np.flatnonzero(swapped)
    b[turned] = other[right[turned]]
    missing = (a < 0) | (b < 0)
    exact = (a == b) & ~missing
    similarity = name_similarity(records, np.where(exact, -1, a), b, vocabulary)
    high, mid = comparison.thresholds
    if comparison.kind == "first_name":
        nickname = np.zeros(len(a), dtype=bool) if records.bloom_names else _nickname_match(a, b, vocabulary) & ~exact
        conditions = [exact, nickname, similarity >= high, similarity >= mid]
    else:
        conditions = [exact, similarity >= high, similarity >= mid]
    levels = _pick(conditions, missing, len(a), otherwise=len(conditions))
    frequency = None
    if comparison.term_frequency:
        by_code = records.name_frequency[own_name].reindex(vocabulary).to_numpy(dtype=np.float64, na_value=np.nan)
        if len(by_code):
            frequency = np.where(exact, by_code[np.maximum(a, 0)], np.nan)
            if swapped.any():
                # names the wrong way round: "wilson" agrees as one record's first name and the other's surname, and
                # is rare as a first name only because it is a surname; it weighs as the commoner of its two uses
                as_other = records.name_frequency[other_name].reindex(vocabulary).to_numpy(dtype=np.float64)
                common = np.fmax(frequency, as_other[np.maximum(a, 0)])
                frequency = np.where(exact & swapped, common, frequency)
        else:  # no names at all (an SSDA903 import, say): nothing to weigh
            frequency = np.full(len(a), np.nan)
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
    # a slip leaves the year, or the month and day, as they were: only those pairs are checked digit by digit
    keyed = both_day & ((ya == yb) | ((ma == mb) & (da == db))) & ~exact & ~swapped
    check = np.flatnonzero(keyed)
    keyed[check] = keyed_slip(ya[check] * 10000 + ma[check] * 100 + da[check],
                              yb[check] * 10000 + mb[check] * 100 + db[check], 8)
    same_month = both_month & (ya == yb) & (ma == mb)
    same_year = ya == yb
    del days_a, days_b
    return _pick([exact, swapped, one_day, year_apart, keyed, same_month, same_year], missing, len(left), otherwise=7)


def keyed_slip(a: np.ndarray, b: np.ndarray, width: int) -> np.ndarray:
    """True where two numbers of ``width`` digits differ by one digit, or by two neighbouring digits swapped.

    ``19560409`` and ``19650409`` (1956 keyed as 1965), ``19560409`` and
    ``19560408``: the slips of someone keying a date.  Vectorised over the
    digits, one column per position.
    """
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _one_slip((a.astype(np.int64)[:, None] // powers) % 10, (b.astype(np.int64)[:, None] // powers) % 10)


def text_slip(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where two strings of one length differ by one character, or by two neighbouring characters swapped."""
    out = np.zeros(len(a), dtype=bool)
    if len(a) == 0:
        return out
    lengths_a = np.fromiter((len(v) for v in a), dtype=np.int64, count=len(a))
    lengths_b = np.fromiter((len(v) for v in b), dtype=np.int64, count=len(b))
    same = np.flatnonzero((lengths_a == lengths_b) & (lengths_a > 1))
    if len(same) == 0:
        return out
    width = int(lengths_a[same].max())
    chars_a = np.array([v.encode("utf-8", "replace") for v in a[same]], dtype=f"S{width * 4}")
    chars_b = np.array([v.encode("utf-8", "replace") for v in b[same]], dtype=f"S{width * 4}")
    matrix_a = chars_a.view(np.uint8).reshape(len(same), -1)
    matrix_b = chars_b.view(np.uint8).reshape(len(same), -1)
    out[same] = _one_slip(matrix_a, matrix_b)
    return out


def coded_text_slip(a: np.ndarray, b: np.ndarray, vocabulary) -> np.ndarray:
    """``text_slip`` of ``vocabulary[a]`` and ``vocabulary[b]``, each value measured and encoded once.

    At 1M records the postcodes compared for a slip are 2M distinct pairs of some 300,000 postcodes:
    encoding each pair's two strings had cost a Python call per string per pair.
    """
    out = np.zeros(len(a), dtype=bool)
    if len(a) == 0:
        return out
    values = np.asarray(vocabulary, dtype=object)
    position, used = pd.factorize(np.concatenate([a, b]))
    lengths = np.fromiter((len(v) for v in values[used]), dtype=np.int64, count=len(used))
    at_a, at_b = position[: len(a)], position[len(a):]
    same = np.flatnonzero((lengths[at_a] == lengths[at_b]) & (lengths[at_a] > 1))
    if len(same) == 0:
        return out
    width = int(lengths[at_a[same]].max())
    chars = np.array([v.encode("utf-8", "replace") for v in values[used]], dtype=f"S{width * 4}")
    matrix = chars.view(np.uint8).reshape(len(used), -1)
    out[same] = _one_slip(matrix[at_a[same]], matrix[at_b[same]])
    return out


def _one_slip(da: np.ndarray, db: np.ndarray) -> np.ndarray:
    """Rows of two aligned symbol matrices that differ in one position, or in two neighbours swapped."""
    differ = da != db
    count = differ.sum(axis=1)
    one = count == 1
    neighbours = differ[:, :-1] & differ[:, 1:] & (da[:, :-1] == db[:, 1:]) & (da[:, 1:] == db[:, :-1])
    return one | ((count == 2) & neighbours.any(axis=1))


def _compare_postcode(records: Records, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    full, _ = records.codes("postcode")
    sector, _ = records.codes("postcode_sector")
    district, _ = records.codes("postcode_district")
    da, db = district[left], district[right]
    fa, fb = full[left], full[right]
    sa, sb = sector[left], sector[right]
    missing = ((fa < 0) & (sa < 0) & (da < 0)) | ((fb < 0) & (sb < 0) & (db < 0))
    conditions = [(fa == fb) & (fa >= 0), (sa == sb) & (sa >= 0), (da == db) & (da >= 0)]
    # a keyed slip (72125 / 72152, PR1 4AB / PR7 4AB), checked once per distinct pair of whole postcodes
    slip = np.zeros(len(left), dtype=bool)
    check = np.flatnonzero((fa >= 0) & (fb >= 0) & (fa != fb) & ~conditions[1] & ~conditions[2])
    if len(check):
        _, vocabulary = records.codes("postcode")
        size = len(vocabulary) + 1
        # hashing, not sorting: each distinct pair is checked once, in whatever order
        inverse, distinct = pd.factorize(np.minimum(fa[check], fb[check]) * size + np.maximum(fa[check], fb[check]))
        slip[check] = coded_text_slip(distinct // size, distinct % size, vocabulary)[inverse]
    return _pick(conditions + [slip], missing, len(left), otherwise=4)


def _compare_column(records: Records, comparison: Comparison, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    key = comparison.column if comparison.column in records.columns else f"column:{comparison.column}"
    if key not in records.columns:
        raise KeyError(comparison.column)
    codes, vocabulary = records.codes(key)
    a, b = codes[left], codes[right]
    missing = (a < 0) | (b < 0)
    exact = (a == b) & ~missing
    if comparison.kind in ("exact", "phone"):
        return _pick([exact], missing, len(a), otherwise=1)
    similarity = coded_similarity(np.where(exact, -1, a), b, vocabulary)
    high, mid = comparison.thresholds
    return _pick([exact, similarity >= high, similarity >= mid], missing, len(a), otherwise=3)


def _compare_email(records: Records, comparison: Comparison, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    codes, vocabulary = records.codes(f"column:{comparison.column}")
    a, b = codes[left], codes[right]
    missing = (a < 0) | (b < 0)
    exact = (a == b) & ~missing
    local = np.asarray([str(v).split("@")[0] for v in vocabulary], dtype=object)
    local_codes, _ = pd.factorize(local)
    local_exact = ~missing & (local_codes[np.maximum(a, 0)] == local_codes[np.maximum(b, 0)])
    similarity = coded_similarity(np.where(exact | local_exact, -1, a), b, vocabulary)
    return _pick([exact, local_exact, similarity >= comparison.thresholds[0]], missing, len(a), otherwise=3)


def compare_pairs(records: Records, comparisons: tuple[Comparison, ...], left: np.ndarray, right: np.ndarray) -> Gamma:
    """The level of every comparison for the pairs (left[i], right[i])."""
    levels = np.empty((len(left), len(comparisons)), dtype=np.int8)
    frequency: dict[str, np.ndarray] = {}
    uses_names = any(c.kind in NAME_KINDS for c in comparisons)
    swapped = names_swapped(records, left, right) if uses_names else np.zeros(len(left), dtype=bool)
    for index, comparison in enumerate(comparisons):
        if comparison.kind in NAME_KINDS:
            column, freq = _compare_names(records, comparison, left, right, swapped)
            if freq is not None:
                frequency[comparison.name] = freq
        elif comparison.kind == "dob":
            column = _compare_dob(records, left, right)
        elif comparison.kind == "postcode":
            column = _compare_postcode(records, left, right)
        elif comparison.kind == "email":
            column = _compare_email(records, comparison, left, right)
        else:
            column = _compare_column(records, comparison, left, right)
        levels[:, index] = column
    names = [c.name for c in comparisons]
    compared = levels.copy()
    for index, comparison in enumerate(comparisons):
        # a town that follows the postcode says something only where the postcodes do not agree (and a county
        # that follows the town, only where neither agrees)
        finer, seen = comparison.when_differs, {comparison.name}
        while finer in names and finer not in seen:
            seen.add(finer)
            position = names.index(finer)
            agrees = (compared[:, position] >= 0) & (compared[:, position] != comparisons[position].levels.index("different"))
            levels[agrees, index] = MISSING
            finer = comparisons[position].when_differs
    return Gamma(levels, names, frequency, swapped)
