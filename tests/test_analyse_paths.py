"""How is A connected to B: ``analyse.paths`` on a hand-made network, and ``linkage path`` on a real job."""

from __future__ import annotations

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import LANCASHIRE_YAML

from linkage.analyse.paths import PATH_COLUMNS, connection_paths, find_node
from linkage.cli import cli
from linkage.config import config_from_dict
from linkage.errors import LinkageError
from linkage.job import job_paths, run_job


def _network() -> nx.MultiGraph:
    """Amy and Dan: through Ben (placed together 2 x, weight 1 each: length 1/2 per tie) or straight through a
    phone contact of weight 1 (length 1) and an episode (two links of length 1)."""
    graph = nx.MultiGraph()
    for node, node_type, label in (("A", "person", "Amy Smith"), ("B", "person", "Ben Jones"), ("D", "person", "Dan Kay"),
                                   ("M1", "episode", None), ("X", "identifier", None), ("C", "person", "Cara Lee")):
        graph.add_node(node, node_type=node_type, **({"label": label} if label else {}))
    graph.add_edge("A", "B", edge_type="co_placed", weight=1.0, start="2020-06-01T00:00:00", via="L1")
    graph.add_edge("A", "B", edge_type="co_missing", weight=1.0, via="M9")
    graph.add_edge("B", "D", edge_type="associate", weight=2.0, kind="family")
    graph.add_edge("A", "D", edge_type="contact", weight=1.0)
    graph.add_edge("A", "M1", edge_type="went_missing")
    graph.add_edge("D", "M1", edge_type="found_with")
    graph.add_edge("A", "X", edge_type="holds", weight=0.0)  # weight 0: no tie
    graph.add_edge("X", "D", edge_type="holds", weight=5.0)  # an identifier: left out by default
    return graph


def test_the_shortest_paths_follow_the_heaviest_ties_with_every_edge_as_evidence():
    paths = connection_paths(_network(), "A", "D", k=5)
    assert list(paths.columns) == PATH_COLUMNS
    routes = paths.groupby("path")["to_id"].agg(list).to_dict()
    # the contact: 1.0 (found first: a route no shorter does not replace it); via Ben: 1/2 + 1/2 = 1.0; the episode: 2.0
    assert routes == {1: ["D"], 2: ["B", "D"], 3: ["M1", "D"]}
    assert paths.groupby("path")["length"].first().tolist() == [1.0, 1.0, 2.0]
    first = paths[(paths["path"] == 2) & (paths["step"] == 1)].iloc[0]
    assert (first["from_label"], first["to_label"], first["tie_weight"], first["ties"]) == ("Amy Smith", "Ben Jones", 2.0, "co_missing;co_placed")
    assert first["evidence"] == "co_missing (via M9); co_placed (start 2020-06-01, via L1)"
    assert paths.loc[(paths["path"] == 2) & (paths["step"] == 2), "evidence"].item() == "associate (kind family, weight 2)"
    # the identifier X is a short cut only when identifiers are kept, and then only through its weighted holds
    with_ids = connection_paths(_network(), "A", "D", k=5, skip_node_types=())
    assert "X" not in set(with_ids["to_id"]) and with_ids["path"].max() == 3  # A-X weighs 0: X is no way through


def test_no_path_and_names_that_match_nothing_or_several():
    graph = _network()
    assert connection_paths(graph, "A", "C").empty
    assert find_node(graph, "ben jones") == "B"
    graph.add_node("B2", node_type="person", label="Ben Jones")
    with pytest.raises(LinkageError, match="names 2 nodes: B \\(Ben Jones\\), B2"):
        find_node(graph, "Ben Jones")
    with pytest.raises(LinkageError, match="did you mean 'Cara Lee'"):
        find_node(graph, "Cara Le")


@pytest.fixture(scope="module")
def small_job(tmp_path_factory):
    from conftest import DatasetWriter

    root = tmp_path_factory.mktemp("paths")
    config = config_from_dict({"job": {"name": "paths"}, "geography": str(LANCASHIRE_YAML), "seed": 5})
    run_job(config, data=DatasetWriter(root)("data"), out=root / "job")
    return root / "job"


def test_linkage_path_on_a_job_names_records_and_prints_each_tie(small_job, tmp_path):
    # Cara (P3) is tied only to Ben (P2, a recorded family association); Dan (P4) is Amy's (007) associate
    result = job_paths(small_job, "P3", "Dan Kay", k=2)
    first = result.paths[result.paths["path"] == 1]
    assert first["from_label"].iloc[0] == "Cara Lee" and first["to_label"].iloc[-1] == "Dan Kay"
    assert first["ties"].iloc[0] == "associate" and "kind family" in first["evidence"].iloc[0]
    assert (first["from_id"].iloc[1:].to_numpy() == first["to_id"].iloc[:-1].to_numpy()).all()  # a real chain
    csv = tmp_path / "paths.csv"
    out = CliRunner().invoke(cli, ["path", str(small_job), "P3", "Dan Kay", "--paths", "2", "--csv", str(csv)])
    assert out.exit_code == 0, out.output
    assert out.output.startswith(f"Cara Lee ({result.source}) to Dan Kay ({result.target}): 2 shortest path(s)")
    assert "kind family" in out.output and csv.read_text(encoding="utf-8").startswith(",".join(PATH_COLUMNS))
    wrong = CliRunner().invoke(cli, ["path", str(small_job), "P3", "Dan Kai"])
    assert wrong.exit_code == 1 and wrong.output.strip() == (
        f"Error: 'Dan Kai' is not an entity id, record id or name in the network; did you mean 'Dan Kay' ({result.target})?")
    missing = CliRunner().invoke(cli, ["path", str(tmp_path), "P3", "P4"])
    assert missing.exit_code == 1 and "is not a job folder" in missing.output
