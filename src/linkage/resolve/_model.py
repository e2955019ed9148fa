"""The Fellegi-Sunter model: m and u per comparison level, a prior, and term-frequency adjustment.

- ``u`` (how often non-matching records agree at a level) from random record pairs;
- ``m`` (how often matching records agree) by expectation-maximisation over
  the candidate pairs, or from labelled pairs;
- the prior (probability that two random records match) by a fixed point over
  all candidate pairs.

A pair's match weight is ``log2(prior odds) + sum of log2(m/u)`` over its
comparisons, with exact name agreement weighted by how rare the name is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import LinkageError
from ._compare import Gamma
from ..config import Comparison, ResolveSettings

__all__ = ["FellegiSunterModel", "common_agreement", "estimate_u", "estimate_m_by_em", "estimate_m_from_labels", "estimate_prior", "held_for_review", "REVIEW_FLOOR"]

_SMOOTHING = 1.0
#: least m kept for the "different" level of a comparison in review_when_different,
#: so that such pairs still score high enough to reach the review queue
REVIEW_FLOOR = 0.005


def held_for_review(gamma: Gamma, comparisons: tuple[Comparison, ...], names: tuple[str, ...]) -> np.ndarray:
    """Pairs that clearly disagree on a comparison in ``names``: never linked automatically.

    Exact agreement on a ``strong`` comparison (an NHS number, say) lifts the hold.
    """
    held = np.zeros(len(gamma), dtype=bool)
    for index, comparison in enumerate(comparisons):
        if comparison.name in names:
            held |= gamma.levels[:, index] == comparison.levels.index("different")
    for index, comparison in enumerate(comparisons):
        if comparison.strong:
            held &= gamma.levels[:, index] != 0
    return held


def common_agreement(model: "FellegiSunterModel", gamma: Gamma, n_records: int) -> np.ndarray:
    """Pairs whose agreements are ones that many records share: never linked automatically.

    For each pair, the chance that two random records look at least this much
    alike is the product of the u of its levels (an exact name at its own
    frequency); times the records in the data, it is how many other records
    would look this alike by chance.  At 1 or more (first name and town, in a
    city of many people of that first name), the pair's agreements do not
    single out one person, whatever EM learnt: it goes to review.
    """
    log_chance = np.zeros(len(gamma))
    for index, comparison in enumerate(model.comparisons):
        levels = gamma.levels[:, index]
        column = _by_level(np.log2(model.u[index]), levels)
        frequency = gamma.frequency.get(comparison.name)
        if frequency is not None:
            exact = (levels == 0) & np.isfinite(frequency)
            column[exact] = np.log2(np.maximum(frequency[exact], 1e-12))
        log_chance += column
    common = log_chance + np.log2(max(2, n_records)) >= 0
    personal = [index for index, c in enumerate(model.comparisons) if c.name in PERSONAL or c.kind in ("email", "phone") or c.strong]
    if personal:
        # nothing known on both sides that tells the members of one family apart (a first name, a date of
        # birth, an email, an identifier): a surname, an address and a sex are a household's, not a person's
        common |= (gamma.levels[:, personal] < 0).all(axis=1)
    return common


#: comparisons that tell the people of one household apart
PERSONAL = ("first_name", "dob")


def _by_level(table: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``table[level]`` per pair, 0.0 where the level is -1 (missing): one gather, no masks."""
    return np.append(np.asarray(table, dtype=np.float64), 0.0)[levels]


def _starting_m(levels: tuple[str, ...]) -> np.ndarray:
    m = np.array([0.8 * (0.35 ** i) for i in range(len(levels))], dtype=np.float64)
    m[-1] = 0.02
    return m / m.sum()


@dataclass
class FellegiSunterModel:
    comparisons: tuple[Comparison, ...]
    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float = 1e-6
    info: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.comparisons]

    def level_weights(self) -> list[np.ndarray]:
        return [np.log2(m / u) for m, u in zip(self.m, self.u)]

    def comparison_weights(self, gamma: Gamma) -> np.ndarray:
        """(pairs, comparisons) match weight contributed by each comparison; 0 where a value is missing."""
        weights = np.zeros(gamma.levels.shape, dtype=np.float64)
        for index, (comparison, table) in enumerate(zip(self.comparisons, self.level_weights())):
            levels = gamma.levels[:, index]
            column = _by_level(table, levels)
            frequency = gamma.frequency.get(comparison.name)
            if frequency is not None:
                adjust = (levels == 0) & np.isfinite(frequency)
                if adjust.any():
                    u_exact = self.u[index][0]
                    floor = max(1e-7, u_exact / 100)
                    column[adjust] += np.log2(u_exact / np.maximum(frequency[adjust], floor))
            weights[:, index] = column
        return weights

    def match_weight(self, gamma: Gamma) -> np.ndarray:
        return np.log2(self.prior / (1 - self.prior)) + self.comparison_weights(gamma).sum(axis=1)

    @staticmethod
    def probability(weight: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))

    def to_dict(self) -> dict:
        return {
            "model": "fellegi-sunter",
            "prior": self.prior,
            "comparisons": [
                {
                    "column": c.column,
                    "kind": c.kind,
                    "thresholds": list(c.thresholds),
                    "term_frequency": c.term_frequency,
                    "strong": c.strong,
                    "when_differs": c.when_differs,
                    "levels": [
                        {"level": name, "m": float(m), "u": float(u), "weight": float(np.log2(m / u))}
                        for name, m, u in zip(c.levels, self.m[i], self.u[i])
                    ],
                }
                for i, c in enumerate(self.comparisons)
            ],
            "info": self.info,
        }

    def save(self, path: str | Path) -> Path:
        from ..files import write_json

        return write_json(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | Path) -> "FellegiSunterModel":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            comparisons = []
            m, u = [], []
            for item in data["comparisons"]:
                comparison = Comparison(
                    item["column"], item["kind"], tuple(item["thresholds"]), bool(item["term_frequency"]), bool(item.get("strong", False)),
                    item.get("when_differs") if isinstance(item.get("when_differs"), str) else None,
                )
                if [level["level"] for level in item["levels"]] != list(comparison.levels):
                    raise ValueError(f"levels of {comparison.column} do not match this version's {comparison.kind} comparison")
                comparisons.append(comparison)
                m.append(np.array([level["m"] for level in item["levels"]], dtype=np.float64))
                u.append(np.array([level["u"] for level in item["levels"]], dtype=np.float64))
                if not all(np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all() for p in (m[-1], u[-1])):
                    raise ValueError(f"the m and u of {comparison.column} must be probabilities between 0 and 1")
            prior = float(data["prior"])
            if not 0 < prior < 1:
                raise ValueError(f"prior {prior} must be a probability between 0 and 1")
            info = data.get("info", {})
            return cls(tuple(comparisons), m, u, prior, info if isinstance(info, dict) else {})
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise LinkageError(f"{path} is not a linkage model file ({exc}); point resolve.model at the model.json of an earlier job") from None


def _level_distribution(levels: np.ndarray, n_levels: int, weights: np.ndarray | None = None) -> np.ndarray:
    # shifted by one, missing (-1) counts in slot 0, dropped: each level's sum runs over its pairs in order, as
    # over only the known pairs
    counts = np.bincount(levels.astype(np.int64) + 1, weights=weights, minlength=n_levels + 1)[1:]
    counts = counts.astype(np.float64) + _SMOOTHING * (1 if weights is None else 1e-3)
    return counts / counts.sum()


def estimate_u(gamma: Gamma, comparisons: tuple[Comparison, ...]) -> list[np.ndarray]:
    """u per level from comparisons of random record pairs (nearly all non-matches)."""
    return [_level_distribution(gamma.levels[:, i], len(c.levels)) for i, c in enumerate(comparisons)]


def estimate_m_by_em(
    gamma: Gamma,
    settings: ResolveSettings,
    u: list[np.ndarray],
    *,
    n_records: int,
    sampled_fraction: float = 1.0,
    eligible: np.ndarray | None = None,
) -> tuple[list[np.ndarray], float, dict]:
    """m per level and the prior, by EM in the space of all record pairs.

    u stays fixed at its random-pair estimate, so the match class is anchored
    to how rarely random records agree; pairs outside the candidate set have
    a posterior of practically zero and only enter through the prior
    (expected matches / all pairs).  ``gamma`` may be a uniform sample of the
    candidate pairs (``sampled_fraction`` of them).  Pairs not ``eligible``
    (held for review: twins and siblings look like matches on everything but
    a first name) are left out, so they cannot teach the model that matches
    often disagree on first names.
    """
    comparisons = settings.comparisons
    m = [_starting_m(c.levels) for c in comparisons]
    total_pairs = max(1.0, n_records * (n_records - 1) / 2)
    if len(gamma) == 0:
        return m, 1.0 / total_pairs, {"pairs": 0, "note": "no candidate pairs; default m used"}
    log_u = [np.log2(array) for array in u]
    prior = min(0.5, max(1e-12, n_records / total_pairs))
    iterations = 0
    for iterations in range(1, settings.em_iterations + 1):
        evidence = np.zeros(len(gamma))
        for index in range(len(m)):
            evidence += _by_level(np.log2(m[index]) - log_u[index], gamma.levels[:, index])
        posterior = 1.0 / (1.0 + np.exp2(-np.clip(np.log2(prior / (1 - prior)) + evidence, -60, 60)))
        if eligible is not None:
            posterior = np.where(eligible, posterior, 0.0)
        new_prior = min(0.5, max(1e-12, posterior.sum() / sampled_fraction / total_pairs))
        change = abs(np.log(new_prior / prior))
        prior = new_prior
        for index in range(len(m)):
            updated = _level_distribution(gamma.levels[:, index], len(m[index]), posterior)
            change = max(change, float(np.abs(updated - m[index]).max()))
            m[index] = updated
        if change < 1e-5:
            break
    for index, comparison in enumerate(comparisons):
        if comparison.name in settings.review_when_different:
            different = comparison.levels.index("different")
            if m[index][different] < REVIEW_FLOOR:
                m[index][different] = REVIEW_FLOOR
                m[index] = m[index] / m[index].sum()
    expected = float(posterior.sum() / sampled_fraction)
    return m, prior, {"pairs": int(len(gamma)), "iterations": iterations, "expected_matching_pairs": round(expected, 1)}


def estimate_m_from_labels(gamma: Gamma, is_match: np.ndarray, comparisons: tuple[Comparison, ...]) -> list[np.ndarray]:
    """m per level from labelled matching pairs."""
    matched = gamma.levels[is_match]
    return [_level_distribution(matched[:, i], len(c.levels)) for i, c in enumerate(comparisons)]


def estimate_prior(
    model: FellegiSunterModel, gamma: Gamma, n_records: int, iterations: int = 30, eligible: np.ndarray | None = None
) -> float:
    """Probability that two random records match: fixed point of expected matches among candidate pairs."""
    total_pairs = n_records * (n_records - 1) / 2
    if total_pairs <= 0 or len(gamma) == 0:
        return model.prior
    evidence = model.comparison_weights(gamma).sum(axis=1)
    if eligible is not None:
        evidence = evidence[eligible]
    prior = min(0.5, max(1e-12, n_records / total_pairs))
    for _ in range(iterations):
        weight = np.log2(prior / (1 - prior)) + evidence
        expected = float(FellegiSunterModel.probability(weight).sum())
        new_prior = min(0.5, max(1e-12, expected / total_pairs))
        if abs(np.log(new_prior / prior)) < 1e-4:
            prior = new_prior
            break
        prior = new_prior
    return prior
