"""Clustering: the chaining guard, must-link / cannot-link overrides, stable ids, the review queue."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from linkage.graph import connected_components
from linkage.resolve import FellegiSunterModel, ResolveSettings, prepare_records, resolve_people
from linkage.resolve._cluster import cluster_pairs
from linkage.resolve._ids import assign_entity_ids

COLUMNS = ["record_id", "source", "first_name", "last_name", "dob", "sex", "postcode"]


def _people(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["dob_precision"] = np.where(frame["dob"].notna(), "day", None)
    frame["dob"] = pd.to_datetime(frame["dob"], format="ISO8601").astype("datetime64[s]")
    return frame


def test_connected_components_of_a_chain_and_singletons():
    labels = connected_components(6, np.array([0, 1, 4]), np.array([1, 2, 5]))
    assert labels[0] == labels[1] == labels[2]
    assert labels[4] == labels[5]
    assert len({labels[0], labels[3], labels[4]}) == 3


def test_chaining_guard_keeps_conflicting_records_apart():
    # a boy born 2008 and a girl born 2014, each linked to a record with no sex and no dob
    people = _people(
        [
            ("boy", "police", "Sam", "Hart", "2008-02-01", "M", "PR1 4AB"),
            ("blank", "health", "Sam", "Hart", None, None, "PR1 4AB"),
            ("girl", "social_care", "Sam", "Hart", "2014-09-30", "F", "PR1 4AB"),
        ]
    )
    records = prepare_records(people)
    left, right = np.array([0, 1]), np.array([1, 2])
    strength = np.array([20.0, 15.0])
    unguarded = connected_components(3, left, right)
    assert unguarded[0] == unguarded[2]  # plain components would merge the two children
    result = cluster_pairs(records, left, right, strength)
    labels = result.labels
    assert labels[0] != labels[2]
    assert labels[0] == labels[1]  # the stronger link is kept
    assert result.refused_links == 1


def test_guard_allows_a_sex_error_when_dates_of_birth_agree():
    people = _people(
        [
            ("a", "police", "Alex", "Ray", "2010-01-01", "M", None),
            ("b", "health", "Alex", "Ray", "2010-01-01", "F", None),
        ]
    )
    result = cluster_pairs(prepare_records(people), np.array([0]), np.array([1]), np.array([10.0]))
    assert result.labels[0] == result.labels[1]


def test_guard_separates_dates_of_birth_decades_apart_whatever_the_sex():
    people = _people(
        [
            ("father", "police", "John", "Lee", "1975-05-05", "M", None),
            ("son", "police", "John", "Lee", "2009-05-05", "M", None),
        ]
    )
    result = cluster_pairs(prepare_records(people), np.array([0]), np.array([1]), np.array([10.0]))
    assert result.labels[0] != result.labels[1]


def _model() -> FellegiSunterModel:
    settings = ResolveSettings()
    m = {
        "first_name": [0.88, 0.04, 0.04, 0.02, 0.02],
        "last_name": [0.93, 0.05, 0.01, 0.01],
        "dob": [0.9, 0.012, 0.026, 0.008, 0.01, 0.013, 0.01, 0.031],
        "postcode": [0.69, 0.08, 0.07, 0.01, 0.15],
        "sex": [0.995, 0.005],
    }
    u = {
        "first_name": [0.01, 0.002, 0.005, 0.03, 0.953],
        "last_name": [0.003, 0.005, 0.03, 0.962],
        "dob": [0.0001, 0.00003, 0.0002, 0.0001, 0.0002, 0.0025, 0.03, 0.96717],
        "postcode": [0.0001, 0.002, 0.05, 0.002, 0.9459],
        "sex": [0.5, 0.5],
    }
    return FellegiSunterModel(
        settings.comparisons,
        [np.array(m[c.name]) / sum(m[c.name]) for c in settings.comparisons],
        [np.array(u[c.name]) / sum(u[c.name]) for c in settings.comparisons],
        prior=1e-4,
    )


BACKGROUND_SURNAMES = (
    "Ashworth Barlow Crossley Dewhurst Eccles Fairclough Greenhalgh Haworth Ingham Jolly Kershaw Lord "
    "Marsden Nuttall Ormerod Pilling Quayle Rawcliffe Sutcliffe Tattersall Unsworth Varley Whittaker "
    "Yates Aspinall Birtwistle Cunliffe Duckworth Entwistle Fielding Gregson Holden Isherwood Jackson "
    "Kenyon Livesey Mercer Nowell Openshaw Parkinson"
).split()
BACKGROUND_FIRST = "Ava Ben Cara Dan Eve Finn Gia Hal Ivy Jon Kai Liv Max Nia Oli Pia".split()


@pytest.fixture
def small_people() -> pd.DataFrame:
    background = [
        (f"bg{i}", "police", BACKGROUND_FIRST[i % len(BACKGROUND_FIRST)], surname,
         f"{1990 + i % 20}-{1 + i % 12:02d}-{1 + i % 27:02d}", "MF"[i % 2], None)
        for i, surname in enumerate(BACKGROUND_SURNAMES)
    ]
    return _people(
        background + [
            ("p1", "police", "Amy", "Khan", "2009-03-04", "F", "BB1 2CD"),
            ("s1", "social_care", "Amy", "Khan", "2009-03-04", "F", "BB1 2CD"),
            ("h1", "health", "Ammy", "Khan", "2009-04-03", "F", "BB1 2"),
            ("p2", "police", "Dylan", "Price", "2007-11-30", "M", "FY1 1AA"),
            ("s2", "social_care", "Dylan", "Price", "2007-11-30", "M", "FY1 1AA"),
            ("p3", "police", "Ruby", "Shaw", "2011-06-15", "F", "LA1 3XY"),
            ("h3", "health", "Ruby", "Shaw", None, "F", "PR9 9ZZ"),
            ("t1", "police", "Lily", "Khan", "2009-03-04", "F", "BB1 2CD"),  # Amy's twin
        ]
    )


@pytest.fixture
def settings(tmp_path) -> ResolveSettings:
    path = _model().save(tmp_path / "model.json")
    return ResolveSettings(model=path)


def _entity_of(resolution) -> dict[str, str]:
    return dict(zip(resolution.entities["record_id"], resolution.entities["entity_id"]))


def test_resolution_links_duplicates_and_holds_twins_for_review(small_people, settings):
    resolution = resolve_people(small_people, settings)
    entity = _entity_of(resolution)
    assert entity["p1"] == entity["s1"] == entity["h1"]
    assert entity["p2"] == entity["s2"]
    assert entity["t1"] != entity["p1"]  # the twin shares everything but a first name
    assert len({entity[r] for r in ("p1", "p2", "p3", "h3", "t1")}) == 5
    twin_rows = resolution.review_queue[
        resolution.review_queue[["record_id_a", "record_id_b"]].isin(["t1"]).any(axis=1)
    ]
    assert set(twin_rows["decision"]) == {"review_disagrees"}


def test_review_queue_is_grouped_by_candidate_entity_most_valuable_decision_first(small_people, settings):
    resolution = resolve_people(small_people, replace(settings, review_from=0.01, threshold=0.999))
    queue = resolution.review_queue
    assert list(queue.columns[:6]) == [
        "record_id_a", "record_id_b", "match_probability", "review_group", "decision_value", "records_in_group"]
    assert len(queue) > 0
    in_band = queue["decision"].eq("review")
    assert (queue.loc[in_band, "match_probability"] < 0.999).all()
    assert (queue["match_probability"] >= 0.01).all()
    # the value of a decision: the records of the two entities it would join, times the match probability
    entity = _entity_of(resolution)
    sizes = resolution.entities["entity_id"].value_counts()
    moved = [sizes[entity[a]] + sizes[entity[b]] for a, b in zip(queue["record_id_a"], queue["record_id_b"])]
    assert np.allclose(queue["decision_value"], queue["match_probability"] * moved, atol=1e-5)
    # groups are contiguous, numbered in order of their best decision, best first inside each
    groups = queue["review_group"].to_numpy()
    assert (np.diff(groups) >= 0).all() and groups[0] == 1
    best = queue.groupby("review_group")["decision_value"].max().to_numpy()
    assert (np.diff(best) <= 1e-12).all()
    for _, group in queue.groupby("review_group"):
        assert (np.diff(group["decision_value"].to_numpy()) <= 1e-12).all()
    # pairs of one group touch one connected set of entities; different groups share no entity
    owner = {}
    for row in queue.itertuples():
        for record in (row.record_id_a, row.record_id_b):
            assert owner.setdefault(entity[record], row.review_group) == row.review_group
    assert resolution.stats["review_pairs_per_1000_records"] == round(1000 * len(queue) / len(small_people), 1)


def test_match_pairs_carry_the_evidence_of_every_comparison(small_people, settings):
    pairs = resolve_people(small_people, settings).match_pairs
    assert list(pairs.columns[:3]) == ["record_id_a", "record_id_b", "match_probability"]
    for name in ("first_name", "last_name", "dob", "postcode", "sex"):
        assert f"{name}_level" in pairs.columns and f"{name}_weight" in pairs.columns
    ids = pairs[["record_id_a", "record_id_b"]]
    row = pairs[ids.isin(["h1"]).any(axis=1) & ids.isin(["p1"]).any(axis=1)].iloc[0]
    assert row["dob_level"] == "day_month_swapped"
    assert row["postcode_level"] == "sector"
    assert row["first_name_level"] == "jaro_winkler_high"  # Ammy ~ Amy


def test_overrides_are_honoured(small_people, settings, tmp_path):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        "record_id_a,record_id_b,decision\n"
        "p3,h3,must_link\n"  # not linked by the model: no dob, other postcode
        "p2,s2,cannot_link\n"  # linked by the model
        "p1,nobody,must_link\n"
    )
    before = _entity_of(resolve_people(small_people, settings))
    assert before["p3"] != before["h3"] and before["p2"] == before["s2"]
    resolution = resolve_people(small_people, replace(settings, overrides=overrides))
    after = _entity_of(resolution)
    assert after["p3"] == after["h3"]
    assert after["p2"] != after["s2"]
    assert any("nobody" in note for note in resolution.notes)


def test_cannot_link_also_stops_a_chain(small_people, settings, tmp_path):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("record_id_a,record_id_b,decision\np1,h1,cannot_link\n")
    entity = _entity_of(resolve_people(small_people, replace(settings, overrides=overrides)))
    assert entity["p1"] != entity["h1"]


def test_bad_override_values_are_all_reported(small_people, settings, tmp_path):
    from linkage.errors import LinkageError

    overrides = tmp_path / "overrides.csv"
    overrides.write_text("record_id_a,record_id_b,decision\np1,s1,maybe\np2,s2,perhaps\n")
    with pytest.raises(LinkageError) as error:
        resolve_people(small_people, replace(settings, overrides=overrides))
    assert "row 2" in str(error.value) and "row 3" in str(error.value) and "'maybe'" in str(error.value)


def test_entity_ids_are_stable_across_runs(small_people, settings):
    first = resolve_people(small_people, settings)
    again = resolve_people(small_people, settings, previous_entities=first.entities)
    assert first.entities.equals(again.entities)
    grown = pd.concat(
        [small_people, _people([("n1", "health", "Zara", "Begum", "2012-12-12", "F", "BB9 9AA")])],
        ignore_index=True,
    )
    later = resolve_people(grown, settings, previous_entities=first.entities)
    before, after = _entity_of(first), _entity_of(later)
    for record_id, entity_id in before.items():
        assert after[record_id] == entity_id
    assert after["n1"] not in before.values()


def test_ids_follow_the_previous_entity_even_when_its_smallest_record_changes():
    previous = pd.DataFrame({"record_id": ["b", "c"], "entity_id": ["E-old", "E-old"]})
    # now record "a" joins b and c: the entity changed, and keeps the old id it shares most with
    ids = assign_entity_ids(np.array(["a", "b", "c", "d"], dtype=object), np.array([0, 0, 0, 1]), previous)
    assert list(ids[:3]) == ["E-old"] * 3
    assert ids[3] != "E-old"
