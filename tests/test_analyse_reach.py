"""Reach of victim and perpetrator networks: a hand-built dataset with exact values, and a synthetic world."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkage.analyse.reach import (
    GROUPS,
    PERSON_COLUMNS,
    REQUIRES,
    SUMMARY_COLUMNS,
    TIE_COLUMNS,
    reach,
    reach_by_person,
    reach_ties,
    reach_verdict,
)
from linkage.build import build_network
from linkage.geography import haversine_km
from linkage.read import load_dataset

from test_analyse_care_moves import TINY, person_of_entity, write_tables

#: planted link kinds that are person-person ties in the network ("event" is co-participation, not a tie)
TIE_VIAS = ("contact", "missing_together", "co_placement", "shared_identifier")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, lancashire_config):
    folder = write_tables(tmp_path_factory.mktemp("tiny"), TINY)
    return build_network(load_dataset(folder, lancashire_config), None, lancashire_config)


@pytest.fixture(scope="module")
def world(synthetic_world):
    built = synthetic_world(13)
    folder, config, network = built.folder, built.config, built.network
    return folder, network, config.geography


@pytest.fixture(scope="module")
def summary(world):
    return reach(world[1], geography=world[2])


def test_requires_the_event_tables():
    assert REQUIRES == ("events", "event_people")


def test_a_victim_tie_across_bcus_is_measured_exactly(tiny, lancashire_geography):
    # Amy (Preston, South) and Cara (Blackpool, West) are victims placed together; Beth is not a victim
    ties = reach_ties(tiny, geography=lancashire_geography)
    assert list(ties.columns) == list(TIE_COLUMNS)
    assert ties[["entity_id_a", "entity_id_b", "side", "tie_types"]].values.tolist() == [["C1", "C3", "victim", "co_placed"]]
    assert bool(ties.loc[0, "cross_bcu"]) is True and bool(ties.loc[0, "cross_force"]) is False
    preston, blackpool = lancashire_geography.lookup("Preston"), lancashire_geography.lookup("Blackpool")
    km = float(haversine_km(preston.latitude, preston.longitude, blackpool.latitude, blackpool.longitude))
    assert ties.loc[0, "distance_km"] == pytest.approx(km)

    people = reach_by_person(tiny, geography=lancashire_geography).set_index("entity_id")
    assert list(people.reset_index().columns) == list(PERSON_COLUMNS)
    assert sorted(people.index) == ["C1", "C3"]
    amy = people.loc["C1"]
    assert amy["group"] == "victims_looked_after"
    assert (amy["ties"], amy["ties_cross_bcu"], amy["bcus_spanned"], amy["forces_spanned"]) == (1, 1, 2, 1)
    assert amy["share_ties_cross_bcu"] == 1.0 and amy["share_ties_cross_force"] == 0.0
    assert amy["span_km"] == pytest.approx(km)


def test_summary_and_verdict_without_perpetrator_ties(tiny, lancashire_geography):
    summary = reach(tiny, geography=lancashire_geography).set_index("group")
    assert list(summary.index) == list(GROUPS)
    assert summary.loc["victims_looked_after", ["people", "ties", "people_in_group"]].tolist() == [2, 1, 2]
    assert summary.loc["victims_looked_after", "share_ties_cross_bcu"] == 1.0
    assert summary.loc["perpetrators", ["people", "ties", "people_in_group"]].tolist() == [0, 0, 1]
    assert np.isnan(summary.loc["perpetrators", "share_ties_cross_bcu"])
    assert "no perpetrator-perpetrator ties" in reach_verdict(summary.reset_index())


def test_without_a_geography_authorities_are_placed_by_their_places(tiny):
    ties = reach_ties(tiny)
    # Preston and Blackpool each hold one setting on the same meridian, 0.1 degree apart
    assert ties.loc[0, "distance_km"] == pytest.approx(6371.0088 * np.radians(0.1))


def test_empty_network_gives_empty_frames_with_the_contract_columns(tmp_path, lancashire_config):
    header = TINY["people"][:1]
    network = build_network(load_dataset(write_tables(tmp_path / "empty", {"people": header}), lancashire_config),
                            None, lancashire_config)
    for function, columns in ((reach, SUMMARY_COLUMNS), (reach_by_person, PERSON_COLUMNS), (reach_ties, TIE_COLUMNS)):
        frame = function(network, geography=lancashire_config.geography)
        assert frame.empty
        assert list(frame.columns) == list(columns)
        assert [str(t) for t in frame.dtypes] == [str(pd.Series(dtype=d).dtype) for d in columns.values()]
    assert reach_verdict(reach(network)) == "There are no victim-victim or perpetrator-perpetrator ties in this data to compare."


def test_planted_cross_bcu_links_are_cross_bcu_ties(world):
    folder, network, geography = world
    entity = person_of_entity(folder, network)
    links = pd.read_csv(folder / "truth" / "cross_bcu_links.csv", dtype=str)
    links = links[links["via"].isin(TIE_VIAS) & links["person_id_a"].isin(entity.index) & links["person_id_b"].isin(entity.index)]
    a, b = links["person_id_a"].map(entity), links["person_id_b"].map(entity)
    links = links.assign(entity_id_a=np.minimum(a, b), entity_id_b=np.maximum(a, b))
    links = links.drop_duplicates(["entity_id_a", "entity_id_b"])  # a pair may be linked more than one way
    ties = reach_ties(network, geography=geography)
    found = links.merge(ties, on=["entity_id_a", "entity_id_b"])
    # every planted link between two people of one side is a same-side tie
    people = network.people.set_index("entity_id")
    same_side = ((links["entity_id_a"].map(people["is_victim"]) & links["entity_id_b"].map(people["is_victim"]))
                 | (links["entity_id_a"].map(people["is_perpetrator"]) & links["entity_id_b"].map(people["is_perpetrator"])))
    both_sides = ((links["entity_id_a"].map(people["is_victim"]) & links["entity_id_b"].map(people["is_victim"]))
                  & (links["entity_id_a"].map(people["is_perpetrator"]) & links["entity_id_b"].map(people["is_perpetrator"])))
    assert same_side.sum() >= 100
    assert found.drop_duplicates(["entity_id_a", "entity_id_b"]).shape[0] == same_side.sum()
    assert len(found) == same_side.sum() + (same_side & both_sides).sum()
    # and crosses a BCU boundary (the truth's home areas; resolution may move a home authority now and then)
    assert found["cross_bcu"].astype(bool).mean() >= 0.95
    assert set(found["side"]) == {"victim", "perpetrator"}


def test_per_person_detail_adds_up_to_the_ties(world):
    _, network, geography = world
    ties = reach_ties(network, geography=geography)
    people = reach_by_person(network, geography=geography)
    for side in ("victim", "perpetrator"):
        assert people.loc[people["side"] == side, "ties"].sum() == 2 * (ties["side"] == side).sum()
    assert (people["bcus_spanned"] >= 1).all() and (people["forces_spanned"] >= 1).all()
    assert (people["ties_cross_bcu"] <= people["ties"]).all()
    assert (people["span_km"].dropna() >= 0).all()


def test_summary_has_the_three_groups_and_a_verdict_with_the_numbers(summary):
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["group"].tolist() == list(GROUPS)
    assert (summary["people"] > 0).all() and (summary["ties"] > 0).all()
    assert summary["share_ties_cross_bcu"].between(0, 1).all()
    rows = summary.set_index("group")
    # the synthetic world plants Empra's finding: looked-after victims' networks reach furthest
    assert rows.loc["victims_looked_after", "share_ties_cross_bcu"] > rows.loc["perpetrators", "share_ties_cross_bcu"]
    assert rows.loc["victims_looked_after", "mean_span_km"] > rows.loc["perpetrators", "mean_span_km"]
    verdict = reach_verdict(summary)
    assert "cross BCU boundaries more often than perpetrator networks" in verdict
    assert f"{100 * rows.loc['perpetrators', 'share_ties_cross_bcu']:.0f}% of perpetrators'" in verdict


def test_exploitation_categories_narrow_the_sides(world):
    _, network, geography = world
    everyone = reach(network, geography=geography).set_index("group")
    exploitation = reach(network, geography=geography, categories=("CSE", "CCE")).set_index("group")
    assert (exploitation["people_in_group"] <= everyone["people_in_group"]).all()
    assert (exploitation["people_in_group"] < everyone["people_in_group"]).any()
    assert exploitation.loc["victims_looked_after", "share_ties_cross_bcu"] > exploitation.loc["perpetrators", "share_ties_cross_bcu"]
