"""graph.anx: valid XML that i2 Analyst's Notebook imports, one ChartItem per node and per edge."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from linkage.build import build_network
from linkage.read import load_dataset
from linkage.render import write_anx
from linkage.render.anx import ENTITY_TYPES

XSS = '<a href="#"><img src=x onerror=alert(1)></a>'


def _network(write_dataset, lancashire_config):
    write_dataset.tables["locations"] = [
        line.replace("Kebab King", '"<a href=""#""><img src=x onerror=alert(1)></a>"') for line in write_dataset.tables["locations"]
    ]
    folder = write_dataset("anx")
    dataset = load_dataset(folder, lancashire_config)
    return build_network(dataset, None, lancashire_config)


def test_anx_has_one_chart_item_per_node_and_per_edge(write_dataset, lancashire_config, tmp_path):
    network = _network(write_dataset, lancashire_config)
    path = write_anx(network, tmp_path / "graph.anx")
    root = ET.parse(path).getroot()
    assert root.tag == "Chart"
    items = root.find("ChartItemCollection").findall("ChartItem")
    entities = [item.find("End/Entity") for item in items if item.find("End/Entity") is not None]
    links = [item.find("Link") for item in items if item.find("Link") is not None]
    assert len(items) == network.node_count + len(network.edges)
    assert len(entities) == network.node_count and len(links) == len(network.edges)
    ids = {entity.get("EntityId") for entity in entities}
    assert len(ids) == len(entities)
    for link in links:
        assert link.get("End1Id") in ids and link.get("End2Id") in ids
    assert {t.get("Name") for t in root.find("EntityTypeCollection")} == {name for name, _ in ENTITY_TYPES.values()}
    link_types = {t.get("Name") for t in root.find("LinkTypeCollection")}
    assert {link.find("LinkStyle").get("Type") for link in links} <= link_types
    assert "placed at" in link_types and "co placed" in link_types
    classes = {c.get("Name") for c in root.find("AttributeClassCollection")}
    for item in items:
        for attribute in item.find("AttributeCollection"):
            assert attribute.get("AttributeClass") in classes


def test_anx_keeps_labels_dates_and_hostile_text_as_text(write_dataset, lancashire_config, tmp_path):
    network = _network(write_dataset, lancashire_config)
    text = write_anx(network, tmp_path / "graph.anx").read_text(encoding="utf-8")
    assert "<img" not in text
    root = ET.fromstring(text.encode("utf-8"))
    items = root.find("ChartItemCollection").findall("ChartItem")
    by_identity = {i.find("End/Entity").get("Identity"): i for i in items if i.find("End/Entity") is not None}
    assert by_identity["L2"].get("Label") == XSS
    assert by_identity["L1"].get("Label") == "Oak House"
    assert by_identity["M1"].get("DateSet") == "true" and by_identity["M1"].get("DateTime").startswith("2021-02-03")
    placed = [i for i in items if i.find("Link") is not None and i.get("Label") == "placed at"]
    assert placed and all(i.get("DateSet") == "true" for i in placed)
    bcu = [a.get("Value") for a in by_identity["L1"].find("AttributeCollection") if a.get("AttributeClass") == "bcu"]
    assert bcu == ["South"]


def test_anx_escapes_quotes_and_white_space_and_writes_every_value_type(write_dataset, lancashire_config, tmp_path):
    import dataclasses

    import pandas as pd

    network = _network(write_dataset, lancashire_config)
    people = network.people.copy()
    labels = ['a&b "q" <t>\there\nnext\r', "bad \x01 \ud800", "", None]
    people["label"] = pd.Series((labels * len(people))[: len(people)], index=people.index, dtype=object)
    people["n_records"] = range(7, 7 + len(people))
    text = write_anx(dataclasses.replace(network, people=people), tmp_path / "graph.anx").read_text(encoding="utf-8")
    ids = people["entity_id"].astype(str).tolist()
    assert 'Label="a&amp;b &quot;q&quot; &lt;t&gt;&#9;here&#10;next&#13;" Description="Person" DateSet="false" XPosition="0">' in text
    assert 'Label="bad \\x01 \\ud800" Description="Person" DateSet="false" XPosition="120">' in text
    # no label: the id stands in
    assert f'Label="{ids[2]}" Description="Person" DateSet="false" XPosition="240">' in text
    assert '<Attribute AttributeClass="n_records" Value="7"/>' in text
    assert '<Attribute AttributeClass="is_victim" Value="false"/>' in text or '<Attribute AttributeClass="is_victim" Value="true"/>' in text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.find("ChartItemCollection/ChartItem").get("Label") == 'a&b "q" <t>\there\nnext\r'
