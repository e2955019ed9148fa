"""The network's edges connect the node types their edge type promises."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkage.analyse.core import person_ties
from linkage.build import build_network
from linkage.config import config_from_dict, load_config
from linkage.errors import ConfigError
from linkage.read import load_dataset

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {
    "placed_at": ({"person"}, {"place"}),
    "went_missing": ({"person"}, {"episode"}),
    "missing_from": ({"episode"}, {"place"}),
    "found_at": ({"episode"}, {"place"}),
    "found_with": ({"episode"}, {"person"}),
    "party_to": ({"person"}, {"operation"}),
    "event_at": ({"operation"}, {"place"}),
    "holds": ({"person", "place"}, {"identifier"}),
    "contact": ({"person", "place"}, {"person", "place"}),
    "associate": ({"person"}, {"person"}),
    "co_placed": ({"person"}, {"person"}),
    "co_missing": ({"person"}, {"person"}),
    "shared_identifier": ({"person"}, {"person"}),
}


def test_every_edge_type_joins_the_node_types_it_promises():
    config = load_config(ROOT / "configs" / "demo.yaml")
    network = build_network(load_dataset(ROOT / "synthetic_data" / "demo", config), None, config)
    edges = network.edges
    assert set(edges["edge_type"]) == set(EXPECTED)
    for edge_type, (sources, targets) in EXPECTED.items():
        rows = edges[edges["edge_type"] == edge_type]
        assert set(rows["source_type"]) <= sources, edge_type
        assert set(rows["target_type"]) <= targets, edge_type
    people = set(network.people["entity_id"])
    person_ends = edges[edges["source_type"] == "person"]["source"]
    assert set(person_ends) <= people


def test_contacts_are_lifted_to_holders_in_both_directions_with_totals():
    import pandas as pd

    from linkage.build import owner_contacts

    holdings = pd.DataFrame({
        "identifier": ["07001", "07002", "07003", "07003", "07999"],
        "owner": ["P2", "P1", "P3", "P1", "L1"],
        "owner_type": ["person", "person", "person", "person", "place"],
    })
    contacts = pd.DataFrame({
        "from_identifier": ["07001", "07002", "07001", "07999", "07404"],
        "to_identifier": ["07002", "07001", "07003", "07002", "07001"],
        "count": pd.array([3, 2, 5, 1, 9], dtype="Int64"),
        "first_date": pd.to_datetime(["2024-01-05", "2024-01-01", None, "2024-03-01", "2024-01-01"]),
        "last_date": pd.to_datetime(["2024-02-01", "2024-03-01", None, "2024-03-02", "2024-01-01"]),
    })
    lifted = owner_contacts(contacts, holdings)
    rows = {(r.source, r.target): r for r in lifted.itertuples()}
    # P1-P2 in both directions become one tie; 07003 is held by P1 and P3, so 07001->07003 reaches both
    # people come before places (ties are ordered by type, then id)
    assert set(rows) == {("P1", "P2"), ("P2", "P3"), ("P1", "L1")}
    assert rows[("P1", "P2")].count == 3 + 2 + 5  # 07001->07003 also ties P2 to P1 through the shared phone
    assert rows[("P1", "P2")].n_contact_records == 3
    assert rows[("P1", "P2")].first_date == pd.Timestamp("2024-01-01")  # a missing date is left out, not taken as earliest
    assert rows[("P1", "P2")].last_date == pd.Timestamp("2024-03-01")
    assert rows[("P2", "P3")].count == 5 and pd.isna(rows[("P2", "P3")].first_date)
    # the direction is kept (contract v1.1): P1 made 2 of the P1-P2 contacts, P2 made 3 + 5
    assert (rows[("P1", "P2")].count_from_source, rows[("P1", "P2")].count_from_target) == (2, 8)
    assert (rows[("P2", "P3")].count_from_source, rows[("P2", "P3")].count_from_target) == (5, 0)
    contacts["kind"] = ["call", "sighting", "call", "call", "call"]   # a sighting has no direction
    sighted = owner_contacts(contacts, holdings).set_index(["source", "target"])
    assert sighted.loc[("P1", "P2"), ["count", "count_from_source", "count_from_target"]].tolist() == [10, 0, 8]
    person_place = [r for r in lifted.itertuples() if "place" in (r.source_type, r.target_type)]
    assert len(person_place) == 1 and person_place[0].count == 1
    # the unknown identifier 07404 ties nobody
    assert "07404" not in set(lifted["source"]) | set(lifted["target"])


def test_association_weight_and_kind_weights_make_the_tie(write_dataset, lancashire_config):
    """Contract v1.1: associations.weight (1 when empty or absent) times the kind's weight from the config."""
    v1 = build_network(load_dataset(write_dataset("v1"), lancashire_config), None, lancashire_config)
    associate = v1.edges_of("associate").set_index(["source", "target"])["weight"]
    assert associate.tolist() == [1.0, 1.0]   # a v1 file, no weight column: one recorded link each
    folder = write_dataset("v11", replace={"associations": "record_id_a,record_id_b,kind,date,weight\n"
                                                           "007,P4,associate,2021-02-01,4\nP2,P3,family,,\n"})
    config = config_from_dict({"geography": "lancashire.yaml", "network": {"association_weights": {"family": 0.5},
                                                                        "tie_weights": {"associate": 2}}}, base=ROOT / "configs")
    network = build_network(load_dataset(folder, config), None, config)
    weight = network.edges_of("associate").set_index("kind")["weight"]
    assert weight["associate"] == 4.0 and weight["family"] == 0.5
    ties = person_ties(network, ties=("associate",)).set_index(["source", "target"])["weight"]
    assert sorted(ties.tolist()) == [1.0, 8.0]   # x the associate tie weight 2
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"network": {"tie_weights": {"contcat": 1, "event": -1}, "association_weights": {"family": "x"}}})
    message = str(caught.value)
    assert "network.tie_weights: unknown kind 'contcat' (did you mean 'contact'?)" in message
    assert "network.tie_weights.event -1 must be a number >= 0" in message
    assert "network.association_weights.family 'x' must be a number >= 0" in message


@pytest.mark.parametrize("n_values", [1, 5, 63, 64, 200])
def test_joined_values_are_each_keys_sorted_distinct_values(n_values):
    """Both ways of building the sets (bits of an integer up to 64 distinct values, sorted pairs above) give
    each key's sorted distinct values, "" for a key with none; keys outside the index are ignored."""
    from linkage.build._sets import joined_values

    rng = np.random.default_rng(n_values)
    keys = rng.integers(0, 300, 5000).astype(object)
    keys[rng.random(5000) < 0.05] = None
    values = np.array([f"v{i:03d}" for i in range(n_values)], dtype=object)[rng.integers(0, n_values, 5000)]
    values[rng.random(5000) < 0.1] = None
    index = pd.Index(range(0, 320, 2))  # every other key, and some keys with no rows
    expected = {key: set() for key in index}
    for key, value in zip(keys, values):
        if key is not None and value is not None and key in expected:
            expected[key].add(value)
    got = joined_values(keys, values, index=index, sep="; ")
    assert list(got.index) == list(index)
    assert got.to_dict() == {key: "; ".join(sorted(found)) for key, found in expected.items()}
    assert (got == "").any() and got.str.contains("; ").any() == (n_values > 1)
