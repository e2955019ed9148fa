"""Blocking recall, estimated: the share of matching pairs the blocking rules put up for scoring.

A sample of records is paired loosely (each with up to ``partners`` (50) records
sharing a sounds-alike surname, a sounds-alike first name, a date of birth,
a postcode or any compared identifier or place), the trained model scores
those pairs, and the expected matches among them (the sum of their match
probabilities) are split into those the rules found and those they missed.

A loose pair the rules did not find is weighed by the inverse of its chance
of being drawn (Horvitz-Thompson): from a block of 2,000 records sharing a
surname sound only 50 partners are drawn, so each drawn pair stands for 40;
the rules' own pairs of a sampled record are all taken.  Without that weight
the misses in large loose blocks (a common surname in one city, the pairs a
name-and-place rule is most likely to miss) were undercounted and the
estimate read high (0.963 against a true 0.832 on one shape of the benchmark,
docs/performance.md).

Two limits remain, both making the estimate read high: matches that share
none of the loose keys are invisible to it, and the model gives a matching
pair that disagrees on what blocking keys on (a replaced first name and a
mistyped postcode) a low probability, as it does the sibling pair it cannot
be told from.
"""

from __future__ import annotations

import numpy as np

from ..graph.kernels import member
from ._blocking import CandidatePairs
from ._compare import compare_pairs
from ._model import FellegiSunterModel
from ._prepare import Records, key_codes

__all__ = ["estimate_blocking_recall", "RECALL_WARNING", "LOOSE_KEYS"]

#: below this estimate a note warns and proposes a rule
RECALL_WARNING = 0.95
LOOSE_KEYS = ("last_name_sound", "first_name_sound", "dob", "postcode")
#: second keys a proposed rule may add to a loose key
_NARROWING = ("first_initial", "last_initial", "dob_year", "postcode_district", "first_name_sound", "last_name_sound",
              "dob_year_month")


def _partners(codes: np.ndarray, chosen: np.ndarray, partners: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(chosen record, another record of its block): all of a small block, ``partners`` drawn from a large one."""
    known = codes >= 0
    order = np.flatnonzero(known)
    order = order[np.argsort(codes[order], kind="stable")]
    sorted_codes = codes[order]
    mine = codes[chosen]
    chosen = chosen[mine >= 0]
    mine = mine[mine >= 0]
    start = np.searchsorted(sorted_codes, mine, side="left")
    size = np.searchsorted(sorted_codes, mine, side="right") - start
    take = np.minimum(size, partners)
    total = int(take.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    owner = np.repeat(np.arange(len(chosen)), take)
    step = np.arange(total) - np.repeat(np.cumsum(take) - take, take)
    drawn = (rng.random(total) * np.repeat(size, take)).astype(np.int64)
    offset = np.where(np.repeat(size <= partners, take), step, drawn)
    other = order[start[owner] + offset]
    left = chosen[owner]
    keep = other != left
    return left[keep], other[keep]


def _chance_drawn(records: Records, keys: list[str], sampled: np.ndarray, left: np.ndarray, right: np.ndarray,
                  partners: int) -> np.ndarray:
    """The chance that ``_partners`` drew the pair (left, right) from some loose key, either end sampled.

    For each key the pair shares, a sampled end with a block of ``size`` records drew ``partners`` times
    from it (with replacement, itself included), so it missed the other end with chance
    ``(1 - 1 / size) ** partners``; all of a block of at most ``partners`` records is taken.
    """
    not_drawn = np.ones(len(left))
    for key in keys:
        codes, _ = records.codes(key)
        sizes = np.bincount(codes[codes >= 0], minlength=1).astype(np.float64)
        shared = (codes[left] == codes[right]) & (codes[left] >= 0)
        size = sizes[np.maximum(codes[left], 0)]
        missed_from_one = np.where(size <= partners, 0.0, (1.0 - 1.0 / np.maximum(size, 1.0)) ** partners)
        for end in (left, right):
            drawing = shared & sampled[end]
            not_drawn = np.where(drawing, not_drawn * missed_from_one, not_drawn)
    return 1.0 - not_drawn


def estimate_blocking_recall(
    records: Records,
    model: FellegiSunterModel,
    candidates: CandidatePairs,
    *,
    seed: int = 0,
    sample: int = 1000,
    partners: int = 50,
) -> dict:
    """The estimate, the expected matches found and missed (whole data), and a rule that would find the most missed."""
    n = len(records)
    if n < 2:
        return {}
    rng = np.random.default_rng([seed, 20_12])
    chosen = np.sort(rng.choice(n, size=min(n, sample), replace=False)).astype(np.int64)
    keys = [k for k in LOOSE_KEYS if k in records.columns]
    keys += [name for name in records.columns if name.startswith("column:")]
    lefts, rights = [], []
    for key in keys:
        codes, _ = records.codes(key)
        a, b = _partners(codes, chosen, partners, rng)
        lefts.append(a)
        rights.append(b)
    in_sample = np.zeros(n, dtype=bool)
    in_sample[chosen] = True
    mine = in_sample[candidates.left] | in_sample[candidates.right]
    lefts.append(candidates.left[mine])
    rights.append(candidates.right[mine])
    low = np.minimum(np.concatenate(lefts), np.concatenate(rights))
    high = np.maximum(np.concatenate(lefts), np.concatenate(rights))
    pair_key = np.unique(low.astype(np.int64) * n + high)
    if len(pair_key) == 0:
        return {}
    left, right = pair_key // n, pair_key % n
    gamma = compare_pairs(records, model.comparisons, left, right)
    probability = FellegiSunterModel.probability(model.match_weight(gamma))
    # block_pairs gives its pairs in key order, so a binary search finds them (np.isin would hash all of them)
    candidate_keys = candidates.left.astype(np.int64) * n + candidates.right
    found = member(pair_key, candidate_keys if (candidate_keys[1:] >= candidate_keys[:-1]).all() else np.sort(candidate_keys))
    # the rules' pairs of a sampled record are all taken; a loose pair stands for 1 / its chance of being drawn
    chance = np.where(found, 1.0, _chance_drawn(records, keys, in_sample, left, right, partners))
    weighted = probability / np.maximum(chance, 1e-9)
    expected = float(weighted.sum())
    if expected < 1.0:
        return {"sampled_records": int(len(chosen)), "loose_pairs": int(len(pair_key)), "expected_matches": round(expected, 2),
                "line": "too few likely matches in the sample to estimate it"}
    recall = float(weighted[found].sum() / expected)
    # pairs with both ends sampled are reached from either; scale the misses to the whole data roughly
    scale = n / len(chosen)
    missed = float(weighted[~found].sum()) * scale
    result = {
        "estimate": round(recall, 4),
        "sampled_records": int(len(chosen)),
        "loose_pairs": int(len(pair_key)),
        "expected_matches_in_sample": round(expected, 1),
        "expected_matches_missed": round(missed, 1),
    }
    # every missed pair, by its expected matches: the misses are mostly pairs the model is unsure of
    missed_pairs = ~found & (weighted > 0)
    proposal = _propose_rule(records, left[missed_pairs], right[missed_pairs], weighted[missed_pairs], n) \
        if recall < RECALL_WARNING and missed_pairs.any() else None
    if proposal:
        result["proposed_rule"] = proposal
    result["line"] = (f"{recall:.3f} (from {len(chosen):,} sampled records and {len(pair_key):,} loosely blocked pairs; "
                      f"about {missed:,.0f} likely matching pairs missed)")
    return result


def _propose_rule(records: Records, left: np.ndarray, right: np.ndarray, weight: np.ndarray, n: int) -> list[str] | None:
    """The two-key rule agreeing on the most missed matches, among rules of at most 20 pairs per record."""
    keys = [k for k in LOOSE_KEYS + _NARROWING if k in records.columns]
    keys += [name for name in records.columns if name.startswith("column:")]
    keys = list(dict.fromkeys(keys))
    agree = {}
    for key in keys:
        codes, _ = records.codes(key)
        agree[key] = (codes[left] == codes[right]) & (codes[left] >= 0)
    best, best_score = None, 0.0
    for position, first in enumerate(keys):
        for second in [None, *keys[position + 1:]]:
            rule = (first,) if second is None else (first, second)
            both = agree[first] if second is None else agree[first] & agree[second]
            score = float(weight[both].sum())
            if score <= best_score:
                continue
            codes = key_codes(records, rule)
            sizes = np.bincount(codes[codes >= 0]).astype(np.int64)
            if (sizes * (sizes - 1) // 2).sum() <= 20 * n:
                best, best_score = list(rule), score
    return best
