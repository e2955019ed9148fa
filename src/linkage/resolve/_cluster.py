"""Cluster linked pairs into entities, guarded against chaining, honouring overrides.

Links at or above the threshold (and must-links) form connected components.
A component that contains two records that clearly conflict (different sex
and dates of birth far apart, or dates of birth years apart), or a
cannot-link pair, is rebuilt greedily: strongest links first, a link is
taken only if it joins no conflicting records.  So two children can never end
up in one entity through a chain of plausible-looking links.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..graph import connected_components
from ._compare import keyed_slip
from ._prepare import UNKNOWN_DAY, Records

__all__ = ["ClusterResult", "cluster_pairs", "conflicts"]


@dataclass
class ClusterResult:
    labels: np.ndarray  # component label per record (0..k-1)
    guarded_components: int
    refused_links: int


def conflicts(
    records: Records, a: np.ndarray, b: np.ndarray, *, dob_days: int, max_dob_years: int, strong: tuple[str, ...] = ()
) -> np.ndarray:
    """True where records a[i] and b[i] cannot be the same person.

    ``strong`` names record keys of identifiers (an NHS number): two records that share one are the
    same person whatever their dates of birth say (FEBRL's duplicates keep the identifier and get a
    new date of birth).
    """
    sex = _sex_codes(records)
    sa, sb = sex[a], sex[b]
    different_sex = (sa >= 0) & (sb >= 0) & (sa != sb)
    da, db = records.dob_days[a], records.dob_days[b]
    known = (da != UNKNOWN_DAY) & (db != UNKNOWN_DAY)
    gap = np.where(known, np.abs(np.where(known, da, 0) - np.where(known, db, 0)), 0)
    # partial dates are stored as the first day of their month/year: allow for that
    slack = np.where((records.dob_precision[a] < 3) | (records.dob_precision[b] < 3), 366, 0)
    far = known & (gap - slack > dob_days)
    very_far = known & (gap - slack > max_dob_years * 365.25)
    # a date of birth keyed with one digit wrong or two swapped (1937 / 1973) is one person's, however far apart
    both_day = (records.dob_precision[a] == 3) & (records.dob_precision[b] == 3)
    digits_a = records.dob_year[a] * 10000 + records.dob_month[a] * 100 + records.dob_day[a]
    digits_b = records.dob_year[b] * 10000 + records.dob_month[b] * 100 + records.dob_day[b]
    slip = both_day.copy()
    slip[both_day] = keyed_slip(digits_a[both_day], digits_b[both_day], 8)
    same_identifier = np.zeros(len(a), dtype=bool)
    for key in strong:
        codes, _ = records.codes(key)
        same_identifier |= (codes[a] == codes[b]) & (codes[a] >= 0)
    return ((different_sex & far) | very_far) & ~slip & ~same_identifier


def _sex_codes(records: Records) -> np.ndarray:
    """An integer per record for its sex, -1 where unknown or empty (the codes are computed once per ``records``)."""
    codes, uniques = records.codes("sex")
    empty = np.flatnonzero(np.asarray([value == "" for value in uniques], dtype=bool))
    return np.where(np.isin(codes, empty), -1, codes) if len(empty) else codes


def cluster_pairs(
    records: Records,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    *,
    must_link: tuple[np.ndarray, np.ndarray] | None = None,
    cannot_link: tuple[np.ndarray, np.ndarray] | None = None,
    dob_days: int = 366,
    max_dob_years: int = 10,
    strong: tuple[str, ...] = (),
) -> ClusterResult:
    """Entities from links (``strength`` orders them, strongest first); must-links always join."""
    n = len(records)
    must_a, must_b = must_link if must_link is not None else (np.empty(0, np.int64), np.empty(0, np.int64))
    cannot_a, cannot_b = cannot_link if cannot_link is not None else (np.empty(0, np.int64), np.empty(0, np.int64))
    all_left = np.concatenate([must_a, left]).astype(np.int64)
    all_right = np.concatenate([must_b, right]).astype(np.int64)
    all_strength = np.concatenate([np.full(len(must_a), np.inf), strength.astype(np.float64)])
    is_must = np.concatenate([np.ones(len(must_a), bool), np.zeros(len(left), bool)])
    labels = connected_components(n, all_left, all_right)

    # which components need the guard: a conflicting pair of members, or a cannot-link inside
    members = pd.DataFrame({"label": labels, "position": np.arange(n)})
    sizes = members.groupby("label")["position"].transform("size").to_numpy()
    multi = np.flatnonzero(sizes > 1)
    suspect: set[int] = set()
    if len(multi):
        frame = members.iloc[multi]
        sex = records.columns["sex"].fillna("").to_numpy(dtype=object)[multi]
        days = records.dob_days[multi]
        known = days != UNKNOWN_DAY
        summary = pd.DataFrame(
            {
                "label": frame["label"].to_numpy(),
                "male": sex == "M",
                "female": sex == "F",
                "day": np.where(known, days, np.nan),
            }
        ).groupby("label").agg(male=("male", "any"), female=("female", "any"), low=("day", "min"), high=("day", "max"))
        spread = (summary["high"] - summary["low"]).fillna(0)
        risky = ((summary["male"] & summary["female"]) & (spread > dob_days - 366)) | (spread > max_dob_years * 365.25 - 366)
        suspect.update(int(x) for x in summary.index[risky.to_numpy()])
    if len(cannot_a):
        same = labels[cannot_a] == labels[cannot_b]
        suspect.update(int(x) for x in labels[cannot_a][same])
    if not suspect:
        return ClusterResult(_relabel(labels), 0, 0)

    cannot = {(int(min(x, y)), int(max(x, y))) for x, y in zip(cannot_a, cannot_b)}
    edge_in_suspect = np.isin(labels[all_left], list(suspect))
    order = np.flatnonzero(edge_in_suspect)
    order = order[np.argsort(-all_strength[order], kind="stable")]
    parent = {int(p): int(p) for p in np.flatnonzero(np.isin(labels, list(suspect)))}
    groups = {p: [p] for p in parent}
    refused = 0

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for edge in order:
        x, y = find(int(all_left[edge])), find(int(all_right[edge]))
        if x == y:
            continue
        gx, gy = groups[x], groups[y]
        ax = np.repeat(np.array(gx), len(gy))
        ay = np.tile(np.array(gy), len(gx))
        blocked = any((min(p, q), max(p, q)) in cannot for p, q in zip(ax.tolist(), ay.tolist()))
        if not blocked and not is_must[edge]:
            blocked = bool(conflicts(records, ax, ay, dob_days=dob_days, max_dob_years=max_dob_years,
                                     strong=strong).any())
        if blocked:
            refused += 1
            continue
        if len(gx) < len(gy):
            x, y = y, x
        parent[y] = x
        groups[x].extend(groups.pop(y))
    new_labels = labels.copy()
    for position in parent:
        new_labels[position] = find(position)
    return ClusterResult(_relabel(new_labels), len(suspect), refused)


def _relabel(labels: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(labels, sort=True)
    return codes.astype(np.int64)
