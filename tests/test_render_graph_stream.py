"""The streamed GraphML and GEXF writers give networkx's bytes, on the demo network and on a hostile one.

networkx (``to_networkx`` then ``nx.write_graphml`` and ``GEXFWriter``) is the
reference: ``write_graphml_gexf(..., streamed=False)`` takes that path. Where
the streamed writers cannot reproduce it (a node id held by two tables, a
column mixing value types), the exports fall back to networkx, checked here
too.
"""

from __future__ import annotations

import dataclasses
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import linkage
from linkage.build import build_network
from linkage.config import load_config
from linkage.read import load_dataset
from linkage.render._graph_rows import NotStreamable, graph_rows
from linkage.render._xml import xml_safe_network
from linkage.render.exports import write_graphml_gexf

ROOT = Path(__file__).resolve().parents[1]
FILES = ("graph.graphml", "graph.gexf")
#: text an XML writer must escape, and text XML cannot hold at all (``xml_safe_network`` escapes it)
HOSTILE = ['a & b <c> "d" \'e\'', "line\nbreak\r\n\ttab", "\x01\x1b bell\x07", "", "  ", "é 😀 \ufffe", "]]> &amp;"]


def _both(network, folder: Path) -> dict[str, tuple[bytes, bytes]]:
    """Each file's bytes from the streamed writers and from networkx."""
    streamed = write_graphml_gexf(network, folder / "streamed")
    reference = write_graphml_gexf(network, folder / "networkx", streamed=False)
    return {name: (streamed[name].read_bytes(), reference[name].read_bytes()) for name in FILES}


def _assert_same(network, folder: Path) -> dict[str, bytes]:
    written = _both(network, folder)
    for name, (streamed, reference) in written.items():
        assert streamed == reference, name
    return {name: pair[0] for name, pair in written.items()}


@pytest.fixture(scope="module")
def demo_network():
    config = load_config(ROOT / "configs" / "demo.yaml")
    return build_network(load_dataset(ROOT / "synthetic_data" / "demo", config), None, config)


@pytest.fixture(scope="module")
def small_network(tmp_path_factory, lancashire_config):
    from conftest import DatasetWriter

    folder = DatasetWriter(tmp_path_factory.mktemp("stream"))()
    return build_network(load_dataset(folder, lancashire_config), None, lancashire_config)


def _column(values, index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


def _hostile(network):
    """``network`` with hostile text, missing values, special numbers, a self-loop, a pair joined four times in both
    orientations and an edge to a node no table holds."""
    people = network.people.copy()
    n = len(people)
    people["label"] = _column([HOSTILE[i % len(HOSTILE)] for i in range(n)], people.index)
    people.loc[people.index[-1], "label"] = None
    people["role"] = _column([None if i % 2 else "]]> &amp; vic<tim>" for i in range(n)], people.index)
    people["n_records"] = np.arange(n, dtype="int64") * 1_000_003
    places = network.places.copy()
    places["name"] = _column([HOSTILE[(i + 3) % len(HOSTILE)] for i in range(len(places))], places.index)
    places["latitude"] = [float("nan"), 1e-7, 1e16, *[0.1 * i for i in range(len(places) - 3)]][: len(places)]
    places["longitude"] = [float("inf"), -float("inf"), *places["longitude"].iloc[2:]]
    places["night_time_economy"] = pd.array([None, True, False, *[None] * (len(places) - 3)][: len(places)], dtype="boolean")
    operations = network.operations.copy()
    operations["categories"] = _column([(), ("CSE", 'a"b'), *[("x",)] * (len(operations) - 2)][: len(operations)], operations.index)
    edges = network.edges.copy()
    first = edges.iloc[0]
    extra = pd.DataFrame([
        {**first, "source": first["target"], "target": first["source"], "source_type": first["target_type"],
         "target_type": first["source_type"], "weight": float("inf"), "via": "back\tward"},
        {**first, "weight": -float("inf")},
        {**first, "target": first["source"], "target_type": first["source_type"], "edge_type": "self", "kind": None},
        {**first, "target": "ghost <node>", "target_type": "person", "weight": float("nan"), "start": pd.NaT},
        {**first, "source": "ghost2", "source_type": "place", "target": "ghost <node>", "role": "two ghosts"},
        {**first, "source": first["target"], "target": first["source"], "source_type": first["target_type"],
         "target_type": first["source_type"], "end": pd.Timestamp("2020-01-02 03:04:05.123456")},
    ])
    edges = pd.concat([edges.iloc[:3], extra, edges.iloc[3:]], ignore_index=True)
    for column in ("kind", "via", "role"):
        edges[column] = edges[column].astype(object)
    return dataclasses.replace(network, people=people, places=places, operations=operations, edges=edges)


def test_the_demo_network_streams_networkx_bytes(demo_network, tmp_path):
    safe, _ = xml_safe_network(demo_network)
    written = _assert_same(safe, tmp_path)
    assert written["graph.graphml"].count(b"<node ") == demo_network.node_count
    assert written["graph.gexf"].count(b"<edge ") == len(demo_network.edges)
    assert f"<creator>linkage {linkage.__version__}</creator>".encode() in written["graph.gexf"]


def test_a_hostile_network_streams_networkx_bytes(small_network, tmp_path):
    safe, escaped = xml_safe_network(_hostile(small_network))
    assert escaped  # the control characters were escaped before writing
    graph_rows(safe)  # streamed, not the fallback
    written = _assert_same(safe, tmp_path)
    graphml, gexf = written["graph.graphml"].decode(), written["graph.gexf"].decode()
    assert 'a &amp; b &lt;c&gt; "d"' in graphml and "a &amp; b &lt;c&gt; &quot;d&quot;" in gexf
    assert "line&#10;break&#13;&#10;&#09;tab" in gexf and "\\x01\\x1b bell\\x07" in graphml
    assert '<node id="ghost &lt;node&gt;" />' in graphml and '<node id="ghost &lt;node&gt;" label="ghost &lt;node&gt;" />' in gexf
    assert 'value="INF"' in gexf and 'value="-INF"' in gexf and ">-inf</data>" in graphml
    assert "2020-01-02T03:04:05.123456" in graphml  # a date finer than seconds: written as isoformat gives it
    edges = ET.fromstring(written["graph.graphml"]).iter("{http://graphml.graphdrawing.org/xmlns}edge")
    ends = [(e.get("source"), e.get("target"), e.get("id")) for e in edges]
    assert any(source == target for source, target, _ in ends)  # the self-loop
    assert max(int(key) for _, _, key in ends) == 3  # four edges between one pair, in both orientations
    assert 'weight="inf"' in gexf and 'weight="-inf"' in gexf and ">1e+16</data>" in graphml and ">1e-07</data>" in graphml


def test_an_empty_network_streams_networkx_bytes(small_network, tmp_path):
    empty = dataclasses.replace(small_network, **{name: getattr(small_network, name).iloc[:0] for name in
                                                  ("people", "places", "episodes", "operations", "identifiers", "edges")})
    written = _assert_same(empty, tmp_path)
    assert b'<graph edgedefault="undirected" />' in written["graph.graphml"]


def test_only_edges_and_no_dates_stream_networkx_bytes(small_network, tmp_path):
    edges = small_network.edges.drop(columns=["start", "end"])
    written = _assert_same(dataclasses.replace(small_network, edges=edges, episodes=small_network.episodes.iloc[:0]), tmp_path)
    assert b'mode="static"' in written["graph.gexf"]


def test_a_node_id_in_two_tables_falls_back_to_networkx(small_network, tmp_path):
    places = small_network.places.copy()
    places["location_id"] = _column([small_network.people["entity_id"].iloc[0], *places["location_id"].iloc[1:]], places.index)
    network = dataclasses.replace(small_network, places=places)
    with pytest.raises(NotStreamable, match="two node tables"):
        graph_rows(network)
    _assert_same(network, tmp_path)


def test_a_column_mixing_value_types_falls_back_to_networkx(small_network, tmp_path):
    people = small_network.people.copy()
    people["role"] = _column([7 if i == 0 else "victim" for i in range(len(people))], people.index)
    network = dataclasses.replace(small_network, people=people)
    with pytest.raises(NotStreamable, match="role"):
        graph_rows(network)
    _assert_same(network, tmp_path)


@given(labels=st.lists(st.text(st.characters(exclude_categories=()), max_size=8), min_size=1, max_size=6),
       kinds=st.lists(st.text(st.characters(exclude_categories=()), max_size=8), min_size=1, max_size=6))
def test_any_text_streams_networkx_bytes(small_network, labels, kinds):
    people = small_network.people.copy()
    people["label"] = _column([labels[i % len(labels)] for i in range(len(people))], people.index)
    edges = small_network.edges.copy()
    edges["kind"] = _column([kinds[i % len(kinds)] for i in range(len(edges))], edges.index)
    safe, _ = xml_safe_network(dataclasses.replace(small_network, people=people, edges=edges))
    with tempfile.TemporaryDirectory() as folder:
        _assert_same(safe, Path(folder))
