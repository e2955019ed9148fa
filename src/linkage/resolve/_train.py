"""Train the Fellegi-Sunter model of a run: u from random pairs and value frequencies, m by EM (or labels), the prior."""

from __future__ import annotations

import numpy as np

from ._compare import Gamma, compare_pairs
from ._model import (
    FellegiSunterModel,
    estimate_m_by_em,
    estimate_m_from_labels,
    estimate_prior,
    estimate_u,
    held_for_review,
)
from ._prepare import Records
from ..config import ResolveSettings

__all__ = ["train_model", "score_pairs", "u_sample_size", "exact_agreement_u", "U_MIN_PAIRS", "U_PAIRS_PER_RECORD"]


def _random_pairs(n: int, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    a = rng.integers(0, n, size=count)
    b = rng.integers(0, n - 1, size=count)
    b = np.where(b >= a, b + 1, b)
    return np.minimum(a, b), np.maximum(a, b)


def u_sample_size(settings: ResolveSettings, n: int) -> int:
    """Random pairs for u: ``U_PAIRS_PER_RECORD`` per record, at least ``U_MIN_PAIRS``, at most resolve.u_sample_pairs.

    Exact agreement, the level whose u is smallest, is computed from the value
    frequencies instead (``exact_agreement_u``), so the sample only has to
    see the partial levels; a fixed 2M pairs cost small runs most of their time.
    """
    return int(min(settings.u_sample_pairs, max(U_MIN_PAIRS, U_PAIRS_PER_RECORD * n)))


U_MIN_PAIRS = 200_000
U_PAIRS_PER_RECORD = 10


def exact_agreement_u(records: Records, comparisons, u: list[np.ndarray]) -> list[np.ndarray]:
    """u with the exact level of each comparison set to the chance two random records share a value.

    That chance is the sum over values of their squared share (among records
    with a value); the other levels keep their sampled proportions.
    """
    out = []
    for comparison, levels in zip(comparisons, u):
        key = {"dob": "dob", "postcode": "postcode"}.get(comparison.kind)
        if comparison.kind in ("first_name", "last_name", "bloom_name"):
            key = "first_name" if comparison.kind == "first_name" or comparison.column == "first_name" else "last_name"
        elif key is None:
            key = comparison.column if comparison.column in records.columns else f"column:{comparison.column}"
        if key not in records.columns or len(levels) < 2:
            out.append(levels)
            continue
        codes, _ = records.codes(key)
        known = codes[codes >= 0]
        if len(known) < 2:
            out.append(levels)
            continue
        share = np.bincount(known).astype(np.float64) / len(known)
        exact = float(max((share**2).sum(), 1.0 / len(known) ** 2))
        rest = levels[1:] / max(levels[1:].sum(), 1e-12) * (1.0 - exact)
        out.append(np.r_[exact, rest])
    return out


def train_model(
    records: Records,
    settings: ResolveSettings,
    gamma: Gamma,
    *,
    labels: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    u: list[np.ndarray] | None = None,
) -> FellegiSunterModel:
    """u from random pairs (or as given: a retrain after a blocking rule is added), m by EM over candidate pairs
    (or from labels), then the prior."""
    rng = np.random.default_rng(settings.seed)
    n = len(records)
    sample = min(u_sample_size(settings, n), max(1, n * (n - 1) // 2))
    u_left, u_right = _random_pairs(n, sample, rng)
    if u is None:
        u = estimate_u(compare_pairs(records, settings.comparisons, u_left, u_right), settings.comparisons)
        u = exact_agreement_u(records, settings.comparisons, u)
    info: dict = {"u_pairs": int(len(u_left)), "records": n, "u_exact_from": "value frequencies (sum of squares)"}
    if labels is not None and labels[2].any():
        left, right, same = labels
        labelled = compare_pairs(records, settings.comparisons, left[same], right[same])
        m = estimate_m_from_labels(labelled, np.ones(len(labelled), bool), settings.comparisons)
        info["m_from"] = f"{int(same.sum())} labelled matching pairs"
    else:
        sample = np.arange(len(gamma))
        if len(sample) > settings.em_sample_pairs:
            sample = np.sort(rng.choice(sample, settings.em_sample_pairs, replace=False))
        sampled = gamma.take(sample)
        m, prior, report = estimate_m_by_em(
            sampled,
            settings,
            u,
            n_records=n,
            sampled_fraction=len(sample) / max(1, len(gamma)),
            eligible=~held_for_review(sampled, settings.comparisons, settings.review_when_different),
        )
        info["m_from"] = "expectation-maximisation over candidate pairs, u fixed"
        info["em"] = report
    model = FellegiSunterModel(settings.comparisons, m, u, 1e-6, info)
    model.prior = estimate_prior(
        model, gamma, n, eligible=~held_for_review(gamma, settings.comparisons, settings.review_when_different)
    )
    model.info["prior_from"] = "expected matches among candidate pairs / all record pairs"
    return model


def score_pairs(model: FellegiSunterModel, gamma: Gamma) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-comparison weights, total match weight and match probability of every pair."""
    weights = model.comparison_weights(gamma)
    total = np.log2(model.prior / (1 - model.prior)) + weights.sum(axis=1)
    return weights, total, FellegiSunterModel.probability(total)
