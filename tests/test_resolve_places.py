"""A coarser place that follows a finer one (a town per postcode) is compared only where the finer one disagrees:
never counted twice with it, and a move within the town is evidence that a move across the county is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkage.config import config_from_dict
from linkage.errors import ConfigError
from linkage.resolve import Comparison, FellegiSunterModel, ResolveSettings, derive_settings, prepare_records, resolve_people
from linkage.resolve._compare import compare_pairs

TOWNS = {"PR1": "Preston", "PR2": "Preston", "BB1": "Blackburn", "BB2": "Blackburn", "LA1": "Lancaster"}


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source"] = "a"
    frame["dob"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
    frame["dob_precision"] = None
    for column in ("sex", "local_authority"):
        if column not in frame:
            frame[column] = None
    return frame


def _levels(pairs: list[tuple[str | None, str | None, str | None, str | None]]) -> list[str]:
    """The local_authority level of each pair (postcode a, town a, postcode b, town b)."""
    rows = []
    for number, (postcode_a, town_a, postcode_b, town_b) in enumerate(pairs):
        rows.append({"record_id": f"{number}a", "first_name": "Ann", "last_name": "Lee", "postcode": postcode_a,
                     "local_authority": town_a})
        rows.append({"record_id": f"{number}b", "first_name": "Ann", "last_name": "Lee", "postcode": postcode_b,
                     "local_authority": town_b})
    comparisons = (Comparison("postcode", "postcode"), Comparison("local_authority", "exact", when_differs="postcode"))
    records = prepare_records(_frame(rows), extra_columns=("local_authority",))
    left = np.arange(0, len(rows), 2)
    gamma = compare_pairs(records, comparisons, left, left + 1)
    labels = list(comparisons[1].levels) + ["missing"]
    return [labels[level] for level in gamma.levels[:, 1]]


def test_the_town_is_compared_only_where_the_postcodes_do_not_agree():
    assert _levels([
        ("PR1 4AB", "Preston", "PR1 4AB", "Preston"),    # same postcode: the town adds nothing
        ("PR1 4AB", "Preston", "PR1 4ZZ", "Preston"),    # same sector
        ("PR1 4AB", "Preston", "PR1 9XY", "Preston"),    # same district
        ("PR1 4AB", "Preston", "PR2 1CD", "Preston"),    # a move within the town
        ("PR1 4AB", "Preston", "LA1 1CD", "Lancaster"),  # a move across the county
        (None, "Preston", "PR2 1CD", "Preston"),         # no postcode on one side: the town is all there is
        ("PR1 4AB", None, "PR2 1CD", "Preston"),         # no town on one side
    ]) == ["missing", "missing", "missing", "exact", "different", "exact", "missing"]


def _world(seed: int = 3) -> pd.DataFrame:
    """300 people, two records each, no dob; one in three moved between their records, within the town or out of it."""
    rng = np.random.default_rng(seed)
    first = [f"{a}{b}" for a in ("Al", "Be", "Ca", "Do", "El", "Fa") for b in ("na", "ri", "to", "sa", "mi")]
    last = [f"{a}{b}" for a in ("Ash", "Bro", "Cle", "Dun", "Eve", "Fox", "Gre", "Hal") for b in ("worth", "ley", "ton")]
    districts = list(TOWNS)
    rows = []
    for person in range(300):
        district = districts[person % len(districts)]
        postcode = f"{district} {rng.integers(1, 9)}{'ABCDEFGH'[rng.integers(0, 8)]}{'JKLMNPQR'[rng.integers(0, 8)]}"
        moved = postcode
        if person % 3 == 1:  # moved within the town: the other district of it, or the same one
            same_town = [d for d in districts if TOWNS[d] == TOWNS[district] and d != district] or [district]
            moved = f"{same_town[0]} {rng.integers(1, 9)}XY"
        elif person % 3 == 2:  # moved out of the town
            other = [d for d in districts if TOWNS[d] != TOWNS[district]]
            moved = f"{other[person % len(other)]} {rng.integers(1, 9)}XY"
        name = (first[person % len(first)], last[(person // len(first) + person) % len(last)])
        for copy, code in enumerate((postcode, moved)):
            rows.append({"record_id": f"p{person:03d}{copy}", "first_name": name[0], "last_name": name[1],
                         "sex": "MF"[person % 2], "postcode": code, "local_authority": TOWNS[code.split()[0]]})
    return _frame(rows)


def test_derived_settings_compare_a_town_that_follows_the_postcode_where_the_postcodes_differ():
    settings, profiles = derive_settings(_world(), ResolveSettings())
    town = next(c for c in settings.comparisons if c.column == "local_authority")
    assert town.when_differs == "postcode"
    use = {p.column: p.use for p in profiles}["local_authority"]
    assert "only where postcode is different or missing" in use and "follows postcode" in use
    # the postcode rules find the pairs the town would: no blocking rule on the town
    assert not any("column:local_authority" in rule.keys for rule in settings.blocking)


def test_a_move_within_the_town_weighs_for_the_match_and_a_move_across_the_county_against_it(tmp_path):
    resolution = resolve_people(_world(), ResolveSettings(review_from=0.0001))  # every pair scored, shown
    pairs = resolution.match_pairs
    within = pairs[(pairs["local_authority_level"] == "exact")]
    across = pairs[(pairs["local_authority_level"] == "different")]
    same_postcode = pairs[pairs["postcode_level"] == "full"]
    assert len(within) and len(across) and len(same_postcode)
    assert (within["local_authority_weight"] > 0).all()
    assert (across["local_authority_weight"] < 0).all()
    assert (same_postcode["local_authority_level"] == "missing").all()
    assert (same_postcode["local_authority_weight"] == 0).all()
    # the same names, postcodes different: the records of one town are the likelier match
    names_only = pairs[(pairs["first_name_level"] == "exact") & (pairs["last_name_level"] == "exact")
                       & (pairs["postcode_level"] == "different")]
    by_town = names_only.groupby("local_authority_level")["match_probability"].median()
    assert by_town["exact"] > by_town["different"]
    saved = FellegiSunterModel.load(resolution.model.save(tmp_path / "model.json"))
    assert next(c for c in saved.comparisons if c.column == "local_authority").when_differs == "postcode"


def test_when_differs_must_name_another_comparison():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"resolve": {"comparisons": [
            {"column": "postcode", "kind": "postcode"},
            {"column": "local_authority", "kind": "exact", "when_differs": "postcod"},
        ]}})
    assert "when_differs: 'postcod', which is not another comparison" in str(info.value)
    assert "the comparisons are postcode, local_authority" in str(info.value)
    config = config_from_dict({"resolve": {"comparisons": [
        {"column": "postcode", "kind": "postcode"},
        {"column": "local_authority", "kind": "exact", "when_differs": "postcode"},
    ]}})
    assert config.resolve.comparisons[1].when_differs == "postcode"
