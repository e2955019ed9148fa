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
    person_place = [r for r in lifted.itertuples() if "place" in (r.source_type, r.target_type)]
    assert len(person_place) == 1 and person_place[0].count == 1
    # the unknown identifier 07404 ties nobody
    assert "07404" not in set(lifted["source"]) | set(lifted["target"])
