"""Clusters on the synthetic world: the planted exploitation groups are found, whole, and ranked first.

The world is resolved and built as a job would (synth -> read -> resolve ->
build); truth person ids are mapped to entity ids through truth/records.csv.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from linkage.analyse.clusters import CLUSTER_COLUMNS, MEMBER_COLUMNS, RISK_WEIGHTS, clusters, leiden_passes
from linkage.analyse.core import table_notes
from linkage.analyse.core import TIE_TYPES, as_view, person_ties, weighted_ties
from linkage.build import build_network
from linkage.graph import leiden_labels, louvain_labels
from linkage.read import load_dataset

REPO = Path(__file__).resolve().parents[1]
SEED = 17


@pytest.fixture(scope="module")
def world(synthetic_world):
    built = synthetic_world(SEED)
    folder, config, network = built.folder, built.config, built.network
    truth = folder / "truth"
    records = pd.read_csv(truth / "records.csv", dtype=str)[["record_id", "person_id"]]
    entity_of = records.merge(network.entities, on="record_id")[["person_id", "entity_id"]].drop_duplicates()
    return {"folder": folder, "network": network, "config": config, "entity_of": entity_of,
            "groups": pd.read_csv(truth / "groups.csv", dtype=str),
            "members": pd.read_csv(truth / "group_members.csv", dtype=str)}


@pytest.fixture(scope="module")
def found(world):
    return clusters(world["network"], seed=0)


def _group_clusters(world, members: pd.DataFrame) -> pd.DataFrame:
    """Per planted group: its main cluster and the share of its victims and perpetrators in it."""
    people = world["members"][world["members"]["member_type"].isin(["victim", "perpetrator"])]
    people = people.merge(world["entity_of"], left_on="member_id", right_on="person_id")
    placed = people.merge(members[members["node_type"] == "person"], left_on="entity_id", right_on="node_id")
    counts = (placed.groupby(["group_id", "cluster_id"])["member_id"].nunique().rename("n").reset_index()
              .sort_values(["group_id", "n", "cluster_id"], ascending=[True, False, True]).drop_duplicates("group_id"))
    total = people.groupby("group_id")["member_id"].nunique().rename("total")
    out = counts.merge(total, on="group_id", how="right").fillna({"n": 0})
    out["share"] = out["n"] / out["total"]
    return out.merge(world["groups"][["group_id", "cross_bcu", "out_of_force"]], on="group_id")


def test_every_planted_group_is_mostly_one_cluster(world, found):
    table, members = found
    groups = _group_clusters(world, members)
    assert len(groups) == len(world["groups"]) >= 5
    assert (groups["share"] >= 0.7).all(), groups
    assert groups["share"].mean() >= 0.9
    # one cluster per group: planted groups are not merged (two sharing perpetrators may be, on other seeds)
    assert groups["cluster_id"].nunique() >= len(groups) - 1
    by_id = table.set_index("cluster_id")
    crossing = groups[groups["cross_bcu"] == "true"]
    assert by_id.loc[crossing["cluster_id"], "cross_bcu"].all()
    assert (by_id.loc[crossing["cluster_id"], "n_bcus"] >= 2).all()
    outside = groups[groups["out_of_force"] == "true"]
    assert by_id.loc[outside["cluster_id"], "out_of_force"].mean() >= 0.5


def test_planted_groups_rank_first(world, found):
    table, members = found
    groups = _group_clusters(world, members)
    rank = {cid: i + 1 for i, cid in enumerate(table["cluster_id"])}
    ranks = sorted(rank[c] for c in groups["cluster_id"])
    assert ranks[-1] <= len(groups) + 2, ranks
    top = table.head(len(groups))
    assert top["cluster_id"].isin(groups["cluster_id"]).mean() >= 0.8
    # the planted groups carry CSE/CCE and both kinds of people
    assert (top["categories"] != "").all()
    assert (top["n_victims"] > 0).all() and (top["n_perpetrators"] > 0).all()


def test_members_hold_the_groups_care_settings_businesses_and_operations(world, found):
    table, members = found
    groups = _group_clusters(world, members).set_index("group_id")
    planted = world["members"][world["members"]["member_type"].isin(["care_setting", "business", "operation"])]
    hits = []
    for row in planted.itertuples(index=False):
        cluster_id = groups.loc[row.group_id, "cluster_id"]
        node_type = "operation" if row.member_type == "operation" else "place"
        mine = members[(members["cluster_id"] == cluster_id) & (members["node_type"] == node_type)]
        hits.append(row.member_id in set(mine["node_id"]))
    assert np.mean(hits) >= 0.8
    # counts agree with the member list
    people = members[members["node_type"] == "person"].groupby("cluster_id").size()
    assert (table.set_index("cluster_id")["size"] == people.reindex(table["cluster_id"]).to_numpy()).all()
    assert set(members["node_type"]) == {"person", "place", "operation"}
    assert members["cluster_id"].isin(table["cluster_id"]).all()


def test_contract_columns_ids_and_explained_scores(found):
    table, members = found
    assert list(table.columns) == list(CLUSTER_COLUMNS)
    assert list(table.columns[:9]) == ["cluster_id", "size", "n_victims", "n_perpetrators", "bcus", "n_bcus",
                                      "cross_bcu", "out_of_force", "risk_score"]
    assert list(members.columns[:3]) == ["cluster_id", "node_id", "node_type"]
    assert list(table["cluster_id"]) == [f"C{i:04d}" for i in range(1, len(table) + 1)]
    assert table["risk_score"].is_monotonic_decreasing
    assert (table["size"] >= 3).all()
    assert (table["n_bcus"] == table["bcus"].map(lambda b: len(b.split(";")) if b else 0)).all()
    # risk_parts adds up to risk_score, with the documented weights
    for parts, score in zip(table["risk_parts"].head(50), table["risk_score"].head(50)):
        total = 0.0
        for part in parts.split("; "):
            name, amount = part.split(" ")
            count, weight = amount.split("x")
            assert float(weight) == RISK_WEIGHTS[name]
            total += int(count) * float(weight)
        assert total == pytest.approx(score)


def test_same_network_and_seed_give_the_same_clusters(world, found):
    again = clusters(world["network"], seed=0)
    pd.testing.assert_frame_equal(found[0], again[0])
    pd.testing.assert_frame_equal(found[1], again[1])


def test_empty_network_gives_empty_tables_with_the_contract_columns(write_dataset, lancashire_config):
    folder = write_dataset(only=())
    dataset = load_dataset(folder, lancashire_config)
    network = build_network(dataset, None, lancashire_config)
    table, members = clusters(network)
    assert table.empty and members.empty
    assert list(table.columns) == list(CLUSTER_COLUMNS)
    assert list(members.columns) == list(MEMBER_COLUMNS)
    network.people = network.people.iloc[:0]
    assert list(clusters(network)[0].columns) == list(CLUSTER_COLUMNS)


def test_ties_are_typed_and_weighted_as_documented(world):
    ties = person_ties(world["network"])
    assert list(ties.columns) == ["source", "target", "weight", "ties"]
    assert (ties["source"] < ties["target"]).all()
    assert not ties.duplicated(["source", "target"]).any()
    assert (ties["weight"] > 0).all()
    kinds = set(";".join(ties["ties"]).split(";"))
    assert kinds == set(TIE_TYPES)
    # no contact is cut: every person-person contact pair is a tie, weighing its contacts over the median pair's
    contacts = world["network"].contacts
    between = contacts[(contacts["source_type"] == "person") & (contacts["target_type"] == "person")]
    pairs = pd.DataFrame({"source": between[["source", "target"]].min(axis=1),
                          "target": between[["source", "target"]].max(axis=1), "count": between["count"]})
    pairs = pairs.groupby(["source", "target"], as_index=False)["count"].sum()
    tied = ties[ties["ties"].str.contains("contact")].merge(pairs, on=["source", "target"], how="outer")
    assert len(tied) == len(pairs) and tied["weight"].notna().all()
    median = between["count"].median()
    only = tied[tied["ties"] == "contact"]
    assert len(only) > 100
    assert np.allclose(only["weight"], only["count"] / median)
    assert (pairs["count"] < 10).mean() > 0.5   # most of them light: the ties a fixed 10-contact cut deleted
    # a job can still cut light contacts: then only pairs with 10 or more contacts are contact ties
    heavy = person_ties(world["network"], min_contacts=10)
    heavy_contact = heavy[heavy["ties"].str.contains("contact")].merge(pairs, on=["source", "target"])
    assert len(heavy_contact) and (heavy_contact["count"] >= 10).all()
    only_events = person_ties(world["network"], ties=("event",))
    assert set(only_events["ties"]) == {"event"}
    with pytest.raises(ValueError, match="unknown tie type"):
        person_ties(world["network"], ties=("telepathy",))


def test_louvain_matches_networkx_modularity(world):
    ties = person_ties(world["network"])
    nodes = pd.Index(sorted(set(ties["source"]) | set(ties["target"])))
    a, b = nodes.get_indexer(ties["source"]), nodes.get_indexer(ties["target"])
    labels = louvain_labels(len(nodes), a, b, ties["weight"].to_numpy(), seed=0, quality="modularity")
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(ties["source"], ties["target"], ties["weight"]))
    ours = [set(nodes[labels == c]) for c in np.unique(labels)]
    theirs = nx.community.louvain_communities(graph, weight="weight", seed=0)
    q_ours = nx.community.modularity(graph, ours, weight="weight")
    q_theirs = nx.community.modularity(graph, theirs, weight="weight")
    assert q_ours >= q_theirs - 0.01
    assert np.array_equal(labels, louvain_labels(len(nodes), a, b, ties["weight"].to_numpy(), seed=0,
                                                 quality="modularity"))


def test_clusters_are_connected_and_leiden_beats_louvain_on_their_ties(world, found):
    """Every cluster holds together through ties among its own members (Leiden's guarantee), and on the
    ties clusters are found on, Leiden's CPM quality is at least our Louvain's (the cross-check)."""
    _, members = found
    people = members[members["node_type"] == "person"]
    ties = person_ties(world["network"])
    cluster_of = people.set_index("node_id")["cluster_id"]
    inside = ties[ties["source"].map(cluster_of).eq(ties["target"].map(cluster_of))]
    graph = nx.Graph()
    graph.add_nodes_from(people["node_id"])
    graph.add_edges_from(zip(inside["source"], inside["target"]))
    for cluster_id, group in people.groupby("cluster_id"):
        assert nx.is_connected(graph.subgraph(group["node_id"])), cluster_id

    view = as_view(world["network"])
    tied = weighted_ties(view)
    nodes = np.flatnonzero(np.bincount(np.r_[tied.a, tied.b], minlength=tied.n) > 0)
    local = np.full(tied.n, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    a, b, w = local[tied.a], local[tied.b], tied.cohesion

    def cpm(labels):
        sizes = np.bincount(labels)
        return w[labels[a] == labels[b]].sum() - 0.3 * (sizes * (sizes - 1) / 2).sum()

    leiden = leiden_labels(len(nodes), a, b, w, seed=0, quality="cpm", resolution=0.3)
    louvain = louvain_labels(len(nodes), a, b, w, seed=0, quality="cpm", resolution=0.3)
    assert cpm(leiden) >= cpm(louvain)


def test_one_leiden_pass_finds_the_planted_groups_too(world, found):
    """``passes=1`` (faster on a big network) still finds every planted group, the same way each time."""
    table, members = clusters(world["network"], seed=0, passes=1)
    groups = _group_clusters(world, members)
    assert (groups["share"] >= 0.7).all(), groups
    assert groups["share"].mean() >= 0.9
    pd.testing.assert_frame_equal(clusters(world["network"], seed=0, passes=1)[0], table)
    with pytest.raises(ValueError, match="passes 0 must be a whole number, 1 or more"):
        leiden_labels(3, np.array([0, 1]), np.array([1, 2]), np.ones(2), passes=0)


def test_a_tie_graph_above_single_pass_ties_gets_one_pass_and_says_so(world):
    """Above ``single_pass_ties`` ties the clusters are those of one pass, and the table's notes say why."""
    ties = len(weighted_ties(as_view(world["network"])).a)
    assert ties > 10
    limited, _ = clusters(world["network"], seed=0, single_pass_ties=ties - 1)
    pd.testing.assert_frame_equal(limited, clusters(world["network"], seed=0, passes=1)[0], check_like=False)
    notes = table_notes(limited)
    assert any(f"one Leiden pass instead of 2: the tie graph has {ties:,} ties" in note for note in notes), notes
    # at the limit, or with no limit, every pass runs and nothing is said
    for single_pass_ties in (ties, 0):
        table, _ = clusters(world["network"], seed=0, single_pass_ties=single_pass_ties)
        pd.testing.assert_frame_equal(table, clusters(world["network"], seed=0, passes=2, single_pass_ties=0)[0])
        assert not any("Leiden pass" in note for note in table_notes(table))
    assert [leiden_passes(2, 10, 9), leiden_passes(2, 9, 9), leiden_passes(3, 10**9, 0)] == [1, 2, 3]
