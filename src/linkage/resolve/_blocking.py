"""Blocking: candidate pairs from rules that must agree, OR-ed, each pair scored once.

Pairs are generated inside each block with array arithmetic (no Python loop
per pair).  A block larger than ``max_block_size`` is split by a second key
(the first initial, the year of birth, ...; see ``SPLIT_KEYS``), then a third,
until it fits; only a block that no key splits small enough is skipped, and
the records it held are counted in the rule's ``skipped_records``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._prepare import Records, key_codes
from ..config import BlockingRule

__all__ = ["SPLIT_KEYS", "CandidatePairs", "block_pairs", "explain_blocking", "pairs_within_blocks", "split_oversized"]

#: keys that split an oversized block, in the order tried (a key the rule already implies is not tried)
SPLIT_KEYS = ("first_initial", "last_initial", "dob_year", "postcode_district", "sex", "first_name_sound",
              "last_name_sound", "dob_year_month", "last_name_prefix")
#: what a rule key already pins down, so splitting by it would change nothing
_IMPLIES = {
    "first_name": ("first_initial", "first_name_sound"),
    "first_name_canonical": ("first_initial",),
    "first_name_sound": ("first_initial",),
    "last_name": ("last_initial", "last_name_sound", "last_name_prefix"),
    "last_name_sound": ("last_initial",),
    "last_name_prefix": ("last_initial",),
    "name_set": ("first_initial", "last_initial", "first_name_sound", "last_name_sound", "last_name_prefix"),
    "initials_set": (),
    "dob": ("dob_year", "dob_year_month"),
    "dob_unordered": ("dob_year",),
    "dob_year_month": ("dob_year",),
    "postcode": ("postcode_district",),
    "postcode_sector": ("postcode_district",),
}


@dataclass
class CandidatePairs:
    """Record positions ``left < right``; ``rule`` is the first rule that produced each pair."""

    left: np.ndarray
    right: np.ndarray
    rule: np.ndarray
    rule_names: list[str]
    per_rule: pd.DataFrame

    def __len__(self) -> int:
        return len(self.left)


def pairs_within_blocks(codes: np.ndarray, max_block_size: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """All pairs of records sharing a code (code -1 = no block). Returns left, right and block stats."""
    positions = np.flatnonzero(codes >= 0)
    if len(positions) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, {"blocks": 0, "largest_block": 0, "skipped_blocks": 0, "skipped_records": 0}
    # by code, then by position (a stable argsort's order), as one sort of code * n + position
    n = max(len(codes), 1)
    packed = np.sort(codes[positions].astype(np.int64) * n + positions)
    order, sorted_codes = packed % n, packed // n
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    too_big = sizes > max_block_size
    stats = {
        "blocks": int((sizes > 1).sum()),
        "largest_block": int(sizes.max()),
        "skipped_blocks": int(too_big.sum()),
        "skipped_records": int(sizes[too_big].sum()),
    }
    keep_block = (sizes > 1) & ~too_big
    block_of = np.repeat(np.arange(len(starts)), sizes)
    in_kept = keep_block[block_of]
    position_in_block = np.arange(len(order)) - np.repeat(starts, sizes)
    after = np.where(in_kept, np.repeat(sizes, sizes) - position_in_block - 1, 0)
    total = int(after.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, stats
    left_slot = np.repeat(np.arange(len(order)), after)
    offsets = np.arange(total) - np.repeat(np.cumsum(after) - after, after) + 1
    right_slot = left_slot + offsets
    left = order[left_slot]
    right = order[right_slot]
    low = np.minimum(left, right)
    high = np.maximum(left, right)
    return low.astype(np.int64), high.astype(np.int64), stats


def split_oversized(codes: np.ndarray, max_block_size: int, splitters: list[np.ndarray]) -> tuple[np.ndarray, int, int]:
    """Codes with every block larger than ``max_block_size`` split by the next splitter.

    Returns the codes, how many blocks were split and how many splitters were used.

    A record whose splitter value is unknown stays with the others of its
    block that lack it too (their own sub-block), never dropped.
    """
    codes = codes.copy()
    split = used = 0
    for splitter in splitters:
        known = codes >= 0
        if not known.any():
            break
        sizes = np.bincount(codes[known])
        big = sizes > max_block_size
        if not big.any():
            break
        split += int(big.sum())
        used += 1
        in_big = known & big[np.maximum(codes, 0)]
        combined = codes[in_big].astype(np.int64) * (int(splitter.max(initial=0)) + 2) + (splitter[in_big] + 1)
        sub, _ = pd.factorize(combined)
        codes[in_big] = len(sizes) + sub
        compact, _ = pd.factorize(codes[codes >= 0])
        codes[codes >= 0] = compact
    return codes, split, used


def _splitters(records: Records, rule: BlockingRule) -> tuple[list[str], list[np.ndarray]]:
    """The split keys for ``rule``'s oversized blocks: known in most records, not already implied by the rule."""
    implied = set(rule.keys)
    for key in rule.keys:
        implied.update(_IMPLIES.get(key, ()))
    names, arrays = [], []
    for key in SPLIT_KEYS:
        if key in implied or key not in records.columns:
            continue
        codes, _ = records.codes(key)
        if (codes >= 0).mean() >= 0.5:
            names.append(key)
            arrays.append(codes)
    return names, arrays


def block_pairs(records: Records, rules: tuple[BlockingRule, ...], *, max_block_size: int, split: bool = True) -> CandidatePairs:
    """Candidate pairs from every rule, deduplicated: a pair found by several rules is scored once.

    With ``split``, oversized blocks are split by further keys (``split_oversized``) instead of skipped.
    """
    n = len(records)
    keys_seen: list[np.ndarray] = []
    rows = []
    for rule in rules:
        codes = key_codes(records, rule.keys)
        split_blocks, used, split_by = 0, 0, []
        if split:
            split_by, arrays = _splitters(records, rule)
            codes, split_blocks, used = split_oversized(codes, max_block_size, arrays)
        left, right, stats = pairs_within_blocks(codes, max_block_size)
        pair_key = left * n + right
        rows.append({"rule": rule.name, "pairs": len(pair_key), **stats, "split_blocks": split_blocks,
                     "split_by": " then ".join(split_by[:used])})
        keys_seen.append(pair_key)
    unique_keys, first_rule = _first_rule_per_pair(keys_seen, n, len(rules))
    per_rule = pd.DataFrame(rows)
    if len(per_rule):
        per_rule["new_pairs"] = np.bincount(first_rule, minlength=len(rules))
    return CandidatePairs(
        left=(unique_keys // n).astype(np.int64),
        right=(unique_keys % n).astype(np.int64),
        rule=first_rule,
        rule_names=[r.name for r in rules],
        per_rule=per_rule,
    )


#: a pair key with its rule's index beside it must fit in this many bits of an int64
PACKED_BITS = 62


def _first_rule_per_pair(keys_seen: list[np.ndarray], n: int, n_rules: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pair keys, sorted, and the first rule (lowest index) that produced each.

    A rule produces a pair at most once, so one sort of ``key << bits | rule`` puts each pair's first rule first:
    no argsort (a stable argsort of the 14M pairs of 1M records' rules took about as long as the comparisons).
    """
    if not keys_seen:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int16)
    shift = max(1, (n_rules - 1).bit_length())
    if n * n << shift >= 2**PACKED_BITS:  # too many records to pack a rule beside a pair: the stable argsort of the keys
        all_keys = np.concatenate(keys_seen)
        all_rules = np.repeat(np.arange(len(keys_seen), dtype=np.int16), [len(keys) for keys in keys_seen])
        unique_keys, first = np.unique(all_keys, return_index=True)
        return unique_keys, all_rules[first]
    packed = np.concatenate([(keys << shift) | rule for rule, keys in enumerate(keys_seen)])
    packed.sort()
    keys = packed >> shift
    first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.empty(0, dtype=bool)
    return keys[first], (packed[first] & ((1 << shift) - 1)).astype(np.int16)


def explain_blocking(records: Records, rules: tuple[BlockingRule, ...], *, max_block_size: int, top: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairs per rule (before scoring) and the largest blocks of each rule, with their key values."""
    pairs = block_pairs(records, rules, max_block_size=max_block_size)
    largest = []
    for rule in rules:
        codes = key_codes(records, rule.keys)
        known = codes >= 0
        if not known.any():
            continue
        counts = np.bincount(codes[known])
        for code in np.argsort(-counts, kind="stable")[:top]:
            if counts[code] < 2:
                break
            example = int(np.flatnonzero(codes == code)[0])
            value = " & ".join(f"{k}={records.columns[k].iloc[example]}" for k in rule.keys)
            largest.append(
                {
                    "rule": rule.name,
                    "block": value,
                    "records": int(counts[code]),
                    "pairs": int(counts[code] * (counts[code] - 1) // 2),
                    "over_max_block_size": bool(counts[code] > max_block_size),
                }
            )
    per_rule = pairs.per_rule.copy()
    total = {column: pd.NA for column in per_rule.columns}
    total.update({"rule": "all rules (each pair once)", "pairs": len(pairs), "new_pairs": len(pairs)})
    per_rule = pd.concat([per_rule, pd.DataFrame([total])], ignore_index=True)
    for column in per_rule.columns.drop(["rule", "split_by"], errors="ignore"):
        per_rule[column] = per_rule[column].astype("Int64")
    if "split_by" in per_rule:
        per_rule["split_by"] = per_rule["split_by"].fillna("")
    return per_rule, pd.DataFrame(largest)
