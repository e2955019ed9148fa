"""Graph exports are valid XML whatever text the records hold: control characters, U+FFFE/U+FFFF, lone surrogates.

Every node id, label and attribute value of a small network is replaced by
arbitrary text; graph.graphml, graph.gexf and graph.anx must then parse with
an XML parser, hold every node and edge, and give back the ids (escaped only
where XML cannot hold a character, and still unique).
"""

from __future__ import annotations

import dataclasses
import tempfile
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkage.build import build_network
from linkage.build._graph import NODE_KEYS
from linkage.read import load_dataset
from linkage.render.exports import write_graph_exports
from linkage.render._xml import XML_INVALID, xml_text

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
#: any character at all, surrogates included
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
TABLES = {"person": "people", "place": "places", "episode": "episodes", "operation": "operations",
          "identifier": "identifiers"}


@pytest.fixture(scope="module")
def small_network(tmp_path_factory, lancashire_config):
    from conftest import DatasetWriter

    folder = DatasetWriter(tmp_path_factory.mktemp("xml"))()
    return build_network(load_dataset(folder, lancashire_config), None, lancashire_config)


def _with_text(network, ids: list[str], names: list[str], edge_text: list[str]):
    """``network`` with every node id from ``ids``, place names and person labels from ``names``, and edge kind/via."""
    renamed: dict[tuple[str, str], str] = {}
    tables = {}
    fresh = iter(ids)
    for node_type, name in TABLES.items():
        frame = getattr(network, name).copy()
        key = NODE_KEYS[node_type]
        new = [next(fresh) for _ in range(len(frame))]
        renamed.update({(node_type, old): value for old, value in zip(frame[key].astype(str), new)})
        frame[key] = pd.Series(new, index=frame.index, dtype=object)
        label = {"person": "label", "place": "name"}.get(node_type)
        if label:
            frame[label] = pd.Series([names[i % len(names)] for i in range(len(frame))], index=frame.index, dtype=object)
        tables[name] = frame
    edges = network.edges.copy()
    for end in ("source", "target"):
        edges[end] = pd.Series(
            [renamed[(t, v)] for t, v in zip(edges[f"{end}_type"], edges[end].astype(str))], index=edges.index, dtype=object
        )
    for i, column in enumerate(("kind", "via")):
        edges[column] = pd.Series([edge_text[(j + i) % len(edge_text)] for j in range(len(edges))], index=edges.index, dtype=object)
    return dataclasses.replace(network, edges=edges, **tables), renamed


def _written_id(original: str) -> str:
    return original if XML_INVALID.search(original) is None else xml_text(original)


def _check_ids(found: list[str], renamed: dict) -> None:
    """Ids XML can hold are written as they are; others escaped (with ``~N`` if the escape is another node's id)."""
    assert len(found) == len(set(found)) == len(renamed)
    written = set(found)
    for original in renamed.values():
        if XML_INVALID.search(original) is None:
            assert original in written
        else:
            escaped = xml_text(original)
            assert escaped in written or any(f.startswith(escaped + "~") for f in written), original


def _as_parsed(text: str) -> str:
    """Element text as an XML parser gives it back: carriage returns become line feeds."""
    return xml_text(text).replace("\r\n", "\n").replace("\r", "\n")


@given(
    ids=st.lists(ANY_TEXT.filter(bool), min_size=40, max_size=40, unique=True),
    names=st.lists(ANY_TEXT, min_size=1, max_size=5),
    edge_text=st.lists(ANY_TEXT, min_size=1, max_size=5),
)
def test_graph_exports_are_valid_xml_for_any_text(small_network, ids, names, edge_text):
    assert small_network.node_count <= len(ids)
    network, renamed = _with_text(small_network, ids, names, edge_text)
    with tempfile.TemporaryDirectory() as folder:
        notes: list[str] = []
        written = write_graph_exports(network, folder, notes=notes)
        graphml = ET.parse(written["graph.graphml"]).getroot()
        gexf = ET.parse(written["graph.gexf"]).getroot()
        anx = ET.parse(written["graph.anx"]).getroot()

    nodes = graphml.findall(f"{GRAPHML}graph/{GRAPHML}node")
    node_ids = [n.get("id") for n in nodes]
    _check_ids(node_ids, renamed)
    edges = graphml.findall(f"{GRAPHML}graph/{GRAPHML}edge")
    assert len(edges) == len(network.edges)
    assert {e.get("source") for e in edges} | {e.get("target") for e in edges} <= set(node_ids)
    label_keys = {k.get("id") for k in graphml.iter(f"{GRAPHML}key") if k.get("attr.name") in ("label", "name")}
    labels = {d.text or "" for n in nodes for d in n.findall(f"{GRAPHML}data") if d.get("key") in label_keys}
    assert labels == {_as_parsed(v) for v in [*network.people["label"], *network.places["name"]]}

    gexf_nodes = [n for n in gexf.iter() if n.tag.endswith("}node")]
    gexf_edges = [e for e in gexf.iter() if e.tag.endswith("}edge")]
    assert sorted(n.get("id") for n in gexf_nodes) == sorted(node_ids)
    assert len(gexf_edges) == len(network.edges)
    # no date from the clock: the same network gives the same bytes on any day
    assert [m.get("lastmodifieddate") for m in gexf.iter() if m.tag.endswith("}meta")] == [None]

    items = anx.find("ChartItemCollection").findall("ChartItem")
    entities = [i.find("End/Entity") for i in items if i.find("End/Entity") is not None]
    assert sorted(e.get("Identity") for e in entities) == sorted(node_ids)
    assert len(items) - len(entities) == len(network.edges)
    if any(XML_INVALID.search(text) for text in [*ids[: network.node_count], *names, *edge_text]):
        assert any("XML cannot" in note for note in notes)
    else:
        assert not notes


def test_xml_text_escapes_only_what_xml_cannot_hold():
    assert xml_text("Oak House\t1\n2\r") == "Oak House\t1\n2\r"
    assert xml_text("é 😀 \ud7ff \ue000") == "é 😀 \ud7ff \ue000"
    assert xml_text("a\x00b\x1bc\x7f") == "a\\x00b\\x1bc\x7f"
    assert xml_text("\ufffe\uffff\ud800") == "\\ufffe\\uffff\\ud800"


def test_an_escaped_id_never_takes_another_nodes_id(small_network, tmp_path):
    places = small_network.places["location_id"].astype(str).tolist()
    clash = ["L\x01", "L\\x01"] + [f"X{i}" for i in range(small_network.node_count)]
    network, renamed = _with_text(small_network, clash, ["n"], ["k"])
    assert len(places) >= 2
    written = write_graph_exports(network, tmp_path)
    node_ids = [n.get("id") for n in ET.parse(written["graph.graphml"]).getroot().iter(f"{GRAPHML}node")]
    assert "L\\x01" in node_ids and "L\\x01~2" in node_ids
    assert len(node_ids) == len(set(node_ids)) == network.node_count
