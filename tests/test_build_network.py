"""The network's edges connect the node types their edge type promises."""

from __future__ import annotations

from pathlib import Path

from linkage.build import build_network
from linkage.config import load_config
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
