"""Operation crossover: on a hand-built network (exact values) and against the synthetic world's truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from linkage.analyse.crossover import COLUMNS, REQUIRES, operation_crossover
from linkage.build import build_network
from linkage.read import load_dataset

DEMO_YAML = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"

TINY: dict[str, list[str]] = {
    "people": [
        "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags",
        "V1,police,Amy,Ash,2008-01-01,F,,Preston,",
        "V2,police,Bea,Birch,2008-02-02,F,,Burnley,",
        "S1,police,Carl,Cole,1980-03-03,M,,Blackpool,",
        "S2,police,Dev,Dale,1981-04-04,M,,Preston,",
    ],
    "locations": [
        "location_id,category,name,night_time_economy,postcode,local_authority,latitude,longitude",
        "L1,takeaway,Kebab King,,,Preston,53.76,-2.70",
        "L2,hotel,Bay Hotel,,,Blackpool,53.81,-3.05",
        "L3,address,,,,Burnley,53.79,-2.25",
    ],
    "events": [
        "event_id,event_type,category,operation,date,location_id,local_authority,status",
        "E1,crime,CSE,Op Alpha,2021-01-01,L1,Preston,live",
        "E2,crime,CSE,Op Alpha,2021-02-01,L2,Blackpool,live",
        "E3,intelligence,CCE,Op Beta,2021-03-01,L1,Preston,closed",
        "E4,crime,CCE,Op Beta,2021-03-02,,,closed",
        "E5,crime,drugs,Op Gamma,2021-04-01,L3,Burnley,live",
        # an event outside any operation shares everything, and must not count
        "E6,incident,other,,2021-05-01,L1,Preston,closed",
    ],
    "event_people": [
        "event_id,record_id,role",
        "E1,V1,victim",
        "E1,S1,suspect",
        "E2,V2,victim",
        "E3,V1,victim",
        "E4,S1,offender",
        "E4,V2,witness",  # a victim in Alpha but a witness in Beta: not a shared victim
        "E5,S1,suspect",
        "E5,V1,suspect",  # a victim in Alpha and Beta, a suspect in Gamma: matched by role only
        "E6,V1,victim",
        "E6,S1,suspect",
        "E6,S2,suspect",
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


def test_shared_victims_perpetrators_and_locations_are_counted_exactly(tiny):
    result = operation_crossover(tiny)
    assert list(result.columns) == COLUMNS
    rows = result.set_index(["operation_a", "operation_b"])
    assert list(rows.index) == [("Op Alpha", "Op Beta"), ("Op Alpha", "Op Gamma"), ("Op Beta", "Op Gamma")]
    alpha_beta = rows.loc[("Op Alpha", "Op Beta")]
    assert (alpha_beta["shared_victims"], alpha_beta["shared_perpetrators"], alpha_beta["shared_locations"]) == (1, 1, 1)
    assert (alpha_beta["victims"], alpha_beta["perpetrators"], alpha_beta["locations"]) == ("V1", "S1", "L1")
    assert (alpha_beta["categories_a"], alpha_beta["categories_b"]) == ("CSE", "CCE")
    assert alpha_beta["bcus"] == "South;West"  # V1 lives in Preston (South), S1 in Blackpool (West)
    alpha_gamma = rows.loc[("Op Alpha", "Op Gamma")]
    assert (alpha_gamma["shared_victims"], alpha_gamma["shared_perpetrators"], alpha_gamma["shared_locations"]) == (0, 1, 0)
    assert (alpha_gamma["victims"], alpha_gamma["perpetrators"], alpha_gamma["locations"]) == ("", "S1", "")
    assert rows.loc[("Op Beta", "Op Gamma"), "categories_b"] == "drugs"


def test_event_only_operations_never_pair(tiny):
    result = operation_crossover(tiny)
    names = set(result["operation_a"]) | set(result["operation_b"])
    assert names == {"Op Alpha", "Op Beta", "Op Gamma"}
    assert "S2" not in ";".join(result["perpetrators"])  # S2 only took part in the event outside any operation


def test_ids_are_joined_sorted_and_counts_sort_the_rows(tmp_path, lancashire_config):
    tables = {k: list(v) for k, v in TINY.items()}
    tables["event_people"] += ["E2,S2,suspect", "E3,S2,suspect", "E3,V2,victim"]
    result = operation_crossover(tiny_network(tmp_path, lancashire_config, tables))
    top = result.iloc[0]
    assert (top["operation_a"], top["operation_b"]) == ("Op Alpha", "Op Beta")
    assert (top["victims"], top["perpetrators"]) == ("V1;V2", "S1;S2")
    assert (top["shared_victims"], top["shared_perpetrators"]) == (2, 2)
    totals = result[["shared_victims", "shared_perpetrators", "shared_locations"]].sum(axis=1)
    assert totals.is_monotonic_decreasing


def test_a_network_without_events_gives_an_empty_table_with_the_columns(tmp_path, lancashire_config):
    result = operation_crossover(tiny_network(tmp_path, lancashire_config, {"people": TINY["people"]}))
    assert result.empty
    assert list(result.columns) == COLUMNS
    assert result["shared_victims"].dtype == "int64"
    assert REQUIRES == ("events",)


def test_events_without_people_still_compare_locations(tmp_path, lancashire_config):
    tables = {k: v for k, v in TINY.items() if k != "event_people"}
    result = operation_crossover(tiny_network(tmp_path, lancashire_config, tables))
    assert list(zip(result["operation_a"], result["operation_b"], result["shared_locations"])) == [("Op Alpha", "Op Beta", 1)]
    assert result.loc[0, "shared_victims"] == 0


# --- against the synthetic world -------------------------------------------------------------


@pytest.fixture(scope="module")
def world(synthetic_world):
    """A small world, resolved, as a network; and its truth."""
    built = synthetic_world(11)
    folder, network = built.folder, built.network
    resolution = built.resolution
    records = pd.read_csv(folder / "truth" / "records.csv", dtype=str)
    entities_of = records.merge(resolution.entities, on="record_id").groupby("person_id")["entity_id"].agg(set)
    return network, folder / "truth", entities_of


def test_every_planted_crossover_is_found(world):
    network, truth, entities_of = world
    planted = pd.read_csv(truth / "operation_crossover.csv", dtype=str)
    assert len(planted) > 10
    result = operation_crossover(network).set_index(["operation_a", "operation_b"])
    columns = {"victim": "victims", "perpetrator": "perpetrators", "location": "locations"}
    counts = {"victim": "shared_victims", "perpetrator": "shared_perpetrators", "location": "shared_locations"}
    for row in planted.itertuples():
        pair = (row.operation_a, row.operation_b)
        assert pair in result.index, pair
        found = result.loc[pair]
        assert found[counts[row.shared_kind]] >= 1
        shared = set(found[columns[row.shared_kind]].split(";"))
        # a person is one entity, or a few when resolution left their records apart
        expected = {row.shared_id} if row.shared_kind == "location" else entities_of[row.shared_id]
        assert shared & expected, (pair, row.shared_kind, row.shared_id)


def test_counts_match_the_planted_truth_per_pair(world):
    network, truth, entities_of = world
    planted = pd.read_csv(truth / "operation_crossover.csv", dtype=str)
    result = operation_crossover(network).set_index(["operation_a", "operation_b"])
    locations = planted[planted["shared_kind"] == "location"].groupby(["operation_a", "operation_b"]).size()
    for pair, n in locations.items():
        assert result.loc[pair, "shared_locations"] == n
    # no pair the truth does not know: every crossover in the network is a real one
    assert set(result.index) <= set(zip(planted["operation_a"], planted["operation_b"]))
