"""Graph exports of a big network carry the top clusters, not millions of links nobody can open."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from linkage.analyse.clusters import clusters
from linkage.build import build_network
from linkage.config import config_from_dict, load_config
from linkage.errors import ConfigError
from linkage.read import load_dataset
from linkage.render.exports import ExportOptions, export_scope, write_graph_exports

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo():
    config = load_config(ROOT / "configs" / "demo.yaml")
    network = build_network(load_dataset(ROOT / "synthetic_data" / "demo", config), None, config)
    ranked, members = clusters(network, seed=0)
    return network, ranked, members


def _budget(edges: pd.DataFrame, ranked: pd.DataFrame, members: pd.DataFrame) -> int:
    """A budget that holds the top cluster's links (each person's links counted, as export_scope counts them)
    with room to spare, yet far from all of ``edges``."""
    top_people = members.loc[(members["cluster_id"] == ranked["cluster_id"].iloc[0]) & (members["node_type"] == "person"),
                             "node_id"]
    person_ends = pd.concat([edges.loc[edges["source_type"] == "person", "source"],
                             edges.loc[edges["target_type"] == "person", "target"]]).astype(str)
    budget = max(len(edges) // 10, int(2 * person_ends.isin(set(top_people)).sum()))
    assert budget < len(edges) // 2
    return budget


def test_a_network_within_the_budget_is_exported_whole(demo):
    network, _, members = demo
    scoped, note = export_scope(network, max_edges=len(network.edges), members=members)
    assert scoped is network and note is None


def test_over_the_budget_the_top_clusters_come_whole_with_every_link_of_their_people(demo):
    network, ranked, members = demo
    budget = _budget(network.edges, ranked, members)
    scoped, note = export_scope(network, max_edges=budget, members=members)
    assert 0 < len(scoped.edges) <= budget
    assert "exports.max_edges" in note
    people = set(scoped.people["entity_id"])
    top = set(members.loc[(members["cluster_id"] == ranked["cluster_id"].iloc[0]) & (members["node_type"] == "person"), "node_id"])
    assert top <= people
    # every link of a chosen person is there, and every kept link touches a chosen person
    edges = network.edges
    for person in list(top)[:5]:
        mine = edges[(edges["source"] == person) | (edges["target"] == person)]
        kept = scoped.edges[(scoped.edges["source"] == person) | (scoped.edges["target"] == person)]
        assert len(mine) == len(kept)
    # node tables hold only what the kept links touch
    ends = set(scoped.edges["source"]) | set(scoped.edges["target"])
    assert set(scoped.places["location_id"]) <= ends
    assert len(scoped.places) < len(network.places)


def test_the_anx_of_a_scoped_export_has_an_item_per_kept_node_and_edge(demo, tmp_path):
    network, _, members = demo
    notes: list[str] = []
    written = write_graph_exports(network, tmp_path, notes=notes, members=members,
                                  options=ExportOptions(max_edges=len(network.edges) // 10))
    scoped, _ = export_scope(network, max_edges=len(network.edges) // 10, members=members)
    items = ET.parse(written["graph.anx"]).getroot().find("ChartItemCollection").findall("ChartItem")
    assert len(items) == scoped.node_count + len(scoped.edges)
    assert any("exports.max_edges" in note for note in notes)


def test_a_bad_exports_setting_names_the_fix():
    with pytest.raises(ConfigError, match=r"exports.max_edges 'lots' must be a whole number"):
        config_from_dict({"exports": {"max_edges": "lots"}})
    with pytest.raises(ConfigError, match="unknown setting 'max_nodes'"):
        config_from_dict({"exports": {"max_nodes": 5}})
    config = config_from_dict({"job": {"name": "x"}, "exports": {"max_edges": 1000}})
    assert config.exports == ExportOptions(max_edges=1000)


def test_edge_types_leave_the_other_edges_out_before_the_budget_is_counted(demo):
    network, ranked, members = demo
    types = tuple(sorted(t for t in network.edges["edge_type"].unique() if t != "placed_at"))
    allowed = network.edges[network.edges["edge_type"].isin(types)]
    assert 0 < len(allowed) < len(network.edges)
    whole, note = export_scope(network, max_edges=len(allowed), members=members, edge_types=types)
    assert note is None and whole.edges.equals(allowed)
    budget = _budget(allowed, ranked, members)
    scoped, note = export_scope(network, max_edges=budget, members=members, edge_types=types)
    assert 0 < len(scoped.edges) <= budget and set(scoped.edges["edge_type"]) <= set(types)
    assert f"the network has {len(allowed):,} edges, more than exports.max_edges ({budget:,})" in note
    people = set(scoped.people["entity_id"])
    person_ends = [(s, t) for s, t, st, tt in scoped.edges[["source", "target", "source_type", "target_type"]].itertuples(index=False)
                   if st == "person" or tt == "person"]
    assert all(s in people or t in people for s, t in person_ends)
