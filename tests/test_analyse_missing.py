"""Missing links and missing profiles: on a hand-built network (exact values) and against the synthetic world's truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from linkage.analyse.missing import LINK_COLUMNS, PROFILE_COLUMNS, REQUIRES, missing_links, missing_profile
from linkage.build import build_network
from linkage.read import load_dataset

DEMO_YAML = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"

TINY: dict[str, list[str]] = {
    "people": [
        "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags",
        "C1,social_care,Amy,Ash,2008-01-01,F,,Preston,looked_after",
        "C2,social_care,Bea,Birch,2008-02-02,F,,Preston,looked_after",
        "C3,social_care,Cat,Cole,2009-03-03,F,,Burnley,looked_after",
        "A1,police,Dan,Dale,1980-04-04,M,,Preston,",
    ],
    "locations": [
        "location_id,category,name,night_time_economy,postcode,local_authority,latitude,longitude",
        "H1,children_home,Oak House,,,Preston,53.76,-2.70",
        "T1,takeaway,Kebab King,,,Preston,53.76,-2.69",
        "P1,public_space,,,,Burnley,53.79,-2.25",
    ],
    "placements": [
        "placement_id,record_id,location_id,start_date,end_date,placement_type,placing_authority,reason_for_change",
        "PL1,C1,H1,2020-01-01,2020-12-31,children_home,Preston,",
        "PL2,C2,H1,2020-03-01,,children_home,Preston,",
        "PL3,C3,H1,2021-06-01,,children_home,Burnley,",
    ],
    "missing_episodes": [
        "episode_id,record_id,start,end,kind,from_location_id,found_location_id,found_with",
        # C1 and C2 run off together from the home they share, are found together at the takeaway
        "M1,C1,2020-05-01T20:00:00,2020-05-02T02:00:00,missing,H1,T1,C2",
        "M2,C2,2020-05-01T21:00:00,2020-05-02T01:00:00,missing,H1,T1,",
        # C1 and C3, never placed together, missing at the same time and found in the same park
        "M3,C3,2020-02-01T20:00:00,2020-02-02T01:00:00,missing,,P1,",
        "M4,C1,2020-02-01T22:00:00,2020-02-02T03:00:00,missing,H1,P1,",
        # C2 found with an adult who never went missing: not a missing link, but in C2's profile
        "M5,C2,2021-01-10T20:00:00,,missing,H1,,A1",
    ],
    "events": [
        "event_id,event_type,category,operation,date,location_id,local_authority,status",
        "E1,crime,CSE,Op Alpha,2020-06-01,T1,Preston,live",
        "E2,crime,violence,,2020-07-01,P1,Burnley,closed",
    ],
    "event_people": [
        "event_id,record_id,role",
        "E1,A1,suspect",
        "E2,C3,offender",
    ],
    "identifiers": [
        "identifier,kind,owner_id,owner_type,first_seen,last_seen",
        "0100,phone,T1,location,,",
        "0200,phone,A1,person,,",
    ],
    "contacts": [
        "from_identifier,to_identifier,count,first_date,last_date,kind",
        "0200,0100,5,2020-04-01,2020-06-01,call",
    ],
}


def write_tables(folder: Path, tables: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in tables.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def tiny_network(tmp_path: Path, config, tables: dict[str, list[str]] = TINY):
    dataset = load_dataset(write_tables(tmp_path / "data", tables), config)
    assert dataset.n_rejected == 0
    return build_network(dataset, None, config)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, lancashire_config):
    """The hand-built network as written above (tests that change the tables build their own)."""
    return tiny_network(tmp_path_factory.mktemp("tiny"), lancashire_config)


def test_children_missing_together_with_the_evidence(tiny):
    links = missing_links(tiny)
    assert list(links.columns) == LINK_COLUMNS
    assert list(zip(links["entity_id_a"], links["entity_id_b"])) == [("C1", "C2"), ("C1", "C3")]
    together, park = links.iloc[0], links.iloc[1]
    assert together["reason"] == "both"  # named in found_with, and found at the same place at the same time
    assert (together["episodes"], together["n_episodes"]) == ("M1;M2", 2)
    assert bool(together["co_placed"]) and together["co_placed_setting"] == "H1"
    assert bool(together["met_before_missing"])  # placed together from March, missing together in May
    assert (together["found_locations"], together["found_location_categories"]) == ("T1", "takeaway")
    assert together["first_together"] == pd.Timestamp("2020-05-01T20:00:00")
    assert park["reason"] == "found_at_same_place"
    assert (park["episodes"], park["n_episodes"]) == ("M3;M4", 2)
    assert not park["co_placed"] and park["co_placed_setting"] == "" and not park["met_before_missing"]
    assert (park["found_locations"], park["found_location_categories"]) == ("P1", "public_space")


def test_only_found_with_is_enough_and_adults_never_pair(tmp_path, lancashire_config):
    tables = {k: list(v) for k, v in TINY.items()}
    # C3 names C2 on an episode at another time and place: found together, no overlapping episode of C2's
    tables["missing_episodes"].append("M6,C3,2022-03-01T20:00:00,2022-03-02T01:00:00,missing,,,C2")
    links = missing_links(tiny_network(tmp_path, lancashire_config, tables)).set_index(["entity_id_a", "entity_id_b"])
    row = links.loc[("C2", "C3")]
    assert (row["reason"], row["episodes"], row["n_episodes"]) == ("found_together", "M6", 1)
    assert bool(row["co_placed"]) and bool(row["met_before_missing"])  # in the same home from 2021-06, missing in 2022
    assert "A1" not in set(links.index.get_level_values(0)) | set(links.index.get_level_values(1))


def test_repeat_missing_counts_each_childs_episodes(tiny):
    links = missing_links(tiny, repeat_threshold=2)
    together = links.iloc[0]
    assert (together["n_missing_a"], together["n_missing_b"]) == (2, 2)
    assert bool(together["repeat_missing"])
    assert not links.iloc[1]["repeat_missing"]  # C3 went missing once


def test_missing_profile_of_each_child(tiny):
    profile = missing_profile(tiny, repeat_threshold=2)
    assert list(profile.columns) == PROFILE_COLUMNS
    assert list(profile["entity_id"]) == ["C1", "C2", "C3"]
    rows = profile.set_index("entity_id")
    c1, c2, c3 = rows.loc["C1"], rows.loc["C2"], rows.loc["C3"]
    assert (c1["n_episodes"], bool(c1["repeat_missing"])) == (2, True)
    assert (c1["first_start"], c1["last_start"]) == (pd.Timestamp("2020-02-01T22:00:00"), pd.Timestamp("2020-05-01T20:00:00"))
    assert (c1["found_locations"], c1["found_businesses"], c1["found_with"]) == ("P1;T1", "T1", "C2")
    # A1 is a suspect in a CSE crime at the takeaway, and his phone calls the takeaway's
    assert (c1["place_perpetrators"], c1["place_phone_perpetrators"]) == ("A1", "A1")
    assert (c2["found_with"], c2["place_perpetrators"]) == ("A1", "A1")
    assert (c3["n_episodes"], bool(c3["repeat_missing"]), c3["found_locations"]) == (1, False, "P1")
    # C3's own offence in the park is theirs, and not an exploitation event: nobody is listed
    assert (c3["found_businesses"], c3["place_perpetrators"], c3["place_phone_perpetrators"]) == ("", "", "")


def test_every_event_category_when_asked(tiny):
    rows = missing_profile(tiny, event_categories=None).set_index("entity_id")
    assert rows.loc["C1", "place_perpetrators"] == "A1;C3"  # C3's violence in the park, where C1 was found
    assert rows.loc["C3", "place_perpetrators"] == ""  # never the child themself


def test_no_episodes_gives_empty_tables_with_the_columns(tmp_path, lancashire_config):
    network = tiny_network(tmp_path, lancashire_config, {"people": TINY["people"]})
    links, profile = missing_links(network), missing_profile(network)
    assert links.empty and list(links.columns) == LINK_COLUMNS
    assert profile.empty and list(profile.columns) == PROFILE_COLUMNS
    assert links["co_placed"].dtype == bool and links["n_episodes"].dtype == "int64"
    assert REQUIRES == ("missing_episodes",)


# --- against the synthetic world -------------------------------------------------------------


@pytest.fixture(scope="module")
def world(synthetic_world):
    """A small world, resolved, as a network; and its truth."""
    built = synthetic_world(11)
    folder, network = built.folder, built.network
    resolution = built.resolution
    return network, folder / "truth", resolution.entities


def test_every_planted_co_placed_pair_who_went_missing_together_is_found(world):
    network, truth, entities = world
    planted = pd.read_csv(truth / "co_placed_missing.csv", dtype=str)
    assert len(planted) > 20
    records = pd.read_csv(truth / "records.csv", dtype=str).merge(entities, on="record_id")
    split = set(records.groupby("person_id")["entity_id"].nunique().loc[lambda n: n > 1].index)
    # a planted episode's child is the entity its record resolved to
    entity_of_episode = network.episodes.set_index("episode_id")["entity_id"]
    links = missing_links(network).set_index(["entity_id_a", "entity_id_b"])
    checked = 0
    for row in planted.itertuples():
        pair = tuple(sorted((entity_of_episode[row.episode_id_a], entity_of_episode[row.episode_id_b])))
        assert pair in links.index, row
        found = links.loc[pair]
        assert {row.episode_id_a, row.episode_id_b} <= set(found["episodes"].split(";"))
        if row.person_id_a in split or row.person_id_b in split:
            continue  # resolution left a child's records apart: the placement may sit on the other entity
        assert found["co_placed"] and row.location_id in found["co_placed_setting"].split(";"), row
        assert found["met_before_missing"], row
        checked += 1
    assert checked >= 0.8 * len(planted)


def test_missing_links_are_the_networks_co_missing_pairs(world):
    network, _, _ = world
    links = missing_links(network)
    co_missing = network.edges_of("co_missing")
    went_missing = set(network.episodes["entity_id"])
    both_missing = co_missing[co_missing["source"].isin(went_missing) & co_missing["target"].isin(went_missing)]
    assert set(zip(links["entity_id_a"], links["entity_id_b"])) == set(zip(both_missing["source"], both_missing["target"]))
    assert (links["entity_id_a"] < links["entity_id_b"]).all()
    assert links["n_episodes"].is_monotonic_decreasing


def test_missing_profiles_point_at_the_planted_groups_businesses(world):
    network, truth, _ = world
    profile = missing_profile(network)
    assert len(profile) == network.episodes["entity_id"].nunique()
    businesses = set(pd.read_csv(truth / "business_targets.csv", dtype=str)["location_id"])
    found_at = set(";".join(profile["found_businesses"]).split(";")) - {""}
    assert businesses & found_at  # planted victims are found at their group's businesses
    assert profile["repeat_missing"].equals(profile["n_episodes"] >= 3)
