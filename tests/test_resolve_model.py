"""The Fellegi-Sunter model: EM recovers known m, u comes from random pairs, models round-trip."""

from __future__ import annotations

import numpy as np
import pytest

from linkage.resolve import Comparison, FellegiSunterModel, ResolveSettings
from linkage.resolve._compare import Gamma
from linkage.resolve._model import estimate_m_by_em, estimate_u, held_for_review

COMPARISONS = (
    Comparison("first_name", "first_name"),
    Comparison("last_name", "last_name"),
    Comparison("dob", "dob"),
    Comparison("postcode", "postcode"),
)
TRUE_M = [
    np.array([0.86, 0.04, 0.05, 0.03, 0.02]),
    np.array([0.90, 0.06, 0.03, 0.01]),
    np.array([0.84, 0.03, 0.04, 0.02, 0.01, 0.02, 0.02, 0.02]),
    np.array([0.70, 0.10, 0.05, 0.03, 0.12]),
]
TRUE_U = [
    np.array([0.01, 0.002, 0.01, 0.05, 0.928]),
    np.array([0.005, 0.01, 0.04, 0.945]),
    np.array([0.0005, 0.0005, 0.001, 0.001, 0.0005, 0.007, 0.07, 0.9195]),
    np.array([0.0005, 0.005, 0.05, 0.005, 0.9395]),
]


def _draw(rng: np.random.Generator, distributions: list[np.ndarray], count: int) -> np.ndarray:
    return np.column_stack([rng.choice(len(p), size=count, p=p) for p in distributions]).astype(np.int8)


def _gamma(levels: np.ndarray) -> Gamma:
    return Gamma(levels, [c.name for c in COMPARISONS], {}, np.zeros(len(levels), bool))


def test_em_recovers_known_m_with_u_fixed():
    rng = np.random.default_rng(7)
    matches, non_matches = 3_000, 27_000
    levels = np.vstack([_draw(rng, TRUE_M, matches), _draw(rng, TRUE_U, non_matches)])
    # every pair of 250 records is a candidate: the candidate set is the whole pair space
    n_records = 246  # 246 * 245 / 2 = 30,135 ~ 30,000 pairs
    settings = ResolveSettings(comparisons=COMPARISONS, em_iterations=200, review_when_different=())
    m, prior, report = estimate_m_by_em(_gamma(levels), settings, TRUE_U, n_records=n_records)
    for estimated, true in zip(m, TRUE_M):
        assert np.allclose(estimated, true, atol=0.02), (estimated, true)
    assert prior == pytest.approx(matches / (n_records * (n_records - 1) / 2), rel=0.05)
    assert report["expected_matching_pairs"] == pytest.approx(matches, rel=0.05)


def test_em_leaves_out_pairs_held_for_review():
    rng = np.random.default_rng(3)
    matches = _draw(rng, TRUE_M, 2_000)
    non_matches = _draw(rng, TRUE_U, 20_000)
    # twins: agree on everything but the first name
    twins = np.tile(np.array([[4, 0, 0, 0]], dtype=np.int8), (1_000, 1))
    gamma = _gamma(np.vstack([matches, non_matches, twins]))
    settings = ResolveSettings(comparisons=COMPARISONS, em_iterations=200, review_when_different=("first_name",))
    held = held_for_review(gamma, COMPARISONS, ("first_name",))
    assert held.sum() >= 1_000
    m, _, _ = estimate_m_by_em(gamma, settings, TRUE_U, n_records=230, eligible=~held)
    # without the twins' influence, first names of matches almost never clearly differ
    assert m[0][4] < 0.03
    unguarded, _, _ = estimate_m_by_em(
        gamma, ResolveSettings(comparisons=COMPARISONS, em_iterations=200, review_when_different=()), TRUE_U, n_records=230
    )
    assert unguarded[0][4] > m[0][4] + 0.1


def test_u_is_the_level_distribution_of_random_pairs():
    rng = np.random.default_rng(11)
    levels = _draw(rng, TRUE_U, 200_000)
    u = estimate_u(_gamma(levels), COMPARISONS)
    for estimated, true in zip(u, TRUE_U):
        assert np.allclose(estimated, true, atol=0.003)


def test_missing_levels_are_ignored_by_u():
    levels = np.array([[0, 3, -1, -1], [4, 3, 7, 3], [4, 3, 7, 3]], dtype=np.int8)
    u = estimate_u(_gamma(levels), COMPARISONS)
    # dob: two known values, both 'different' (plus smoothing of 1 per level, 8 levels)
    assert u[2][7] == pytest.approx(3 / 10)


def test_match_weight_adds_prior_and_level_weights():
    m = [np.array([0.9, 0.1])]
    u = [np.array([0.1, 0.9])]
    model = FellegiSunterModel((Comparison("sex", "exact"),), m, u, prior=0.5)
    gamma = Gamma(np.array([[0], [1], [-1]], dtype=np.int8), ["sex"], {}, np.zeros(3, bool))
    weight = model.match_weight(gamma)
    assert weight == pytest.approx([np.log2(9), -np.log2(9), 0.0])
    assert model.probability(weight) == pytest.approx([0.9, 0.1, 0.5])


def test_rare_names_weigh_more_than_common_ones():
    comparison = Comparison("last_name", "last_name", term_frequency=True)
    model = FellegiSunterModel((comparison,), [TRUE_M[1]], [TRUE_U[1]], prior=0.5)
    frequency = {"last_name": np.array([0.05, 0.0001])}
    gamma = Gamma(np.array([[0], [0]], dtype=np.int8), ["last_name"], frequency, np.zeros(2, bool))
    common, rare = model.comparison_weights(gamma)[:, 0]
    assert rare > common
    assert common == pytest.approx(np.log2(TRUE_M[1][0] / 0.05))


def test_model_round_trips_through_json(tmp_path):
    model = FellegiSunterModel(COMPARISONS, [m.copy() for m in TRUE_M], [u.copy() for u in TRUE_U], prior=1e-5)
    path = model.save(tmp_path / "model.json")
    loaded = FellegiSunterModel.load(path)
    assert loaded.prior == pytest.approx(1e-5)
    for a, b in zip(loaded.m + loaded.u, model.m + model.u):
        assert np.allclose(a, b)
    gamma = _gamma(_draw(np.random.default_rng(1), TRUE_U, 100))
    assert np.allclose(loaded.match_weight(gamma), model.match_weight(gamma))


def test_loading_a_file_that_is_not_a_model_says_so(tmp_path):
    from linkage.errors import LinkageError

    path = tmp_path / "model.json"
    path.write_text('{"something": 1}')
    with pytest.raises(LinkageError, match="is not a linkage model file"):
        FellegiSunterModel.load(path)
