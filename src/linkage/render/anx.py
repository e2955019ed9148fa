"""``graph.anx``: the network as an i2 Analyst's Notebook chart (ANX XML).

The chart follows the ANX layout that Analyst's Notebook imports:
``<Chart>`` holds the attribute classes, link types and entity types, then a
``ChartItemCollection`` with one ``ChartItem`` per node (an ``End`` holding an
``Entity`` with its ``Icon``) and one per edge (a ``Link`` with ``End1Id`` and
``End2Id``), each with its ``AttributeCollection``.  Entity ids are the
contract's node ids prefixed by node type, so a person and a place can never
collide; the label is the name, the identity the contract id.  Written as a
stream, so memory stays flat on large networks.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ..build import NODE_COLUMNS, NODE_KEYS, Network
from ..files import atomic_open
from ._xml import xml_safe_network

__all__ = ["anx_chart", "write_anx", "ENTITY_TYPES", "entity_id"]

#: node type -> (i2 entity type name, i2 standard icon)
ENTITY_TYPES = {
    "person": ("Person", "Person"),
    "place": ("Location", "Building"),
    "episode": ("Missing Episode", "Event"),
    "operation": ("Operation", "Operation"),
    "identifier": ("Identifier", "Phone"),
}
_LABEL_COLUMN = {"person": "label", "place": "name", "episode": None, "operation": "operation", "identifier": "identifier"}
_EDGE_ATTRIBUTES = ("role", "kind", "via", "weight")


#: one pass over a value: ``& < > "`` and line breaks as entities, other control characters (not allowed in XML 1.0) dropped
_ATTR_TABLE = {**{c: None for c in range(32)}, ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
               ord("\n"): "&#10;", ord("\r"): "&#13;", ord("\t"): "&#9;", 0xFFFE: None, 0xFFFF: None}


def _attr(value) -> str:
    """An XML attribute value: control characters dropped, ``& < > "`` escaped."""
    return str(value).translate(_ATTR_TABLE)


def _iso(column: pd.Series) -> list:
    """ISO datetimes (``2021-03-04T00:00:00``) of a column, None where empty or not a date."""
    stamps = pd.to_datetime(column, errors="coerce")
    return stamps.dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object).where(stamps.notna(), None).tolist()


def _link_type(edge_type: str) -> str:
    return edge_type.replace("_", " ")


def _colour(edge_type: str) -> int:
    """The link colour as i2 writes it: an integer 0xBBGGRR, from the views' colour of the edge type."""
    from ._nodes import EDGE_STYLES

    hex_colour = EDGE_STYLES.get(edge_type, {}).get("color", "#000000").lstrip("#")
    r, g, b = int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)
    return (b << 16) | (g << 8) | r


def entity_id(node_type: str, node_id: str) -> str:
    return f"{node_type}:{node_id}"


def _value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (tuple, list, set)):
        return ";".join(map(str, value)) or None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return "true" if value else "false"
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tables(network: Network) -> dict[str, pd.DataFrame]:
    return {"person": network.people, "place": network.places, "episode": network.episodes,
            "operation": network.operations, "identifier": network.identifiers}


def _attribute_classes(network: Network, edges: pd.DataFrame) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for node_type, table in _tables(network).items():
        for column in NODE_COLUMNS[node_type]:
            if column in table.columns and column not in seen:
                seen[column] = "AttNumber" if pd.api.types.is_numeric_dtype(table[column]) and not pd.api.types.is_bool_dtype(table[column]) else "AttText"
    for column in _EDGE_ATTRIBUTES:
        if column in edges.columns and column not in seen:
            seen[column] = "AttNumber" if column == "weight" else "AttText"
    return sorted(seen.items())


def anx_chart(network: Network, *, edges: pd.DataFrame | None = None) -> Iterator[str]:
    """The ANX document of ``network`` (all nodes, and ``edges`` or all edges) as a stream of text pieces.

    Text XML cannot hold is escaped the way the other exports do (``xml_safe_network``).
    """
    if edges is not None:
        network = replace(network, edges=edges)
    network, _ = xml_safe_network(network)
    edges = network.edges
    classes = _attribute_classes(network, edges)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<Chart IdReferenceLinking="false" Rigorous="true">\n'
    yield "  <AttributeClassCollection>\n"
    for name, kind in classes:
        yield f'    <AttributeClass Name="{_attr(name)}" Type="{kind}" ShowValue="false" Visible="true"/>\n'
    yield "  </AttributeClassCollection>\n"
    link_types = sorted(set(edges["edge_type"].astype(str))) if len(edges) else []
    yield "  <LinkTypeCollection>\n"
    yield '    <LinkType Name="Link" Colour="0"/>\n'
    for name in link_types:
        yield f'    <LinkType Name="{_attr(_link_type(name))}" Colour="{_colour(name)}"/>\n'
    yield "  </LinkTypeCollection>\n"
    yield "  <EntityTypeCollection>\n"
    for name, icon in ENTITY_TYPES.values():
        yield f'    <EntityType Name="{_attr(name)}" IconFile="{_attr(icon)}"/>\n'
    yield "  </EntityTypeCollection>\n"
    yield "  <ChartItemCollection>\n"
    known: set[str] = set()
    for row_number, (node_type, table) in enumerate(_tables(network).items()):
        if not len(table):
            continue
        key = NODE_KEYS[node_type]
        columns = [c for c in NODE_COLUMNS[node_type] if c in table.columns]
        label_column = _LABEL_COLUMN[node_type]
        type_name, _ = ENTITY_TYPES[node_type]
        ids = table[key].astype(str).tolist()
        labels = table[label_column].tolist() if label_column in table.columns else [None] * len(ids)
        dates = _iso(table["start"]) if node_type == "episode" else (
            _iso(table["first_date"]) if node_type == "operation" else [None] * len(ids))
        values = [table[c].tolist() for c in columns]
        for i, node_id in enumerate(ids):
            eid = entity_id(node_type, node_id)
            if eid in known:
                continue
            known.add(eid)
            label = _value(labels[i])
            if node_type == "episode":
                label = f"missing {(dates[i] or '?')[:10]}"
            label = node_id if label in (None, "") else label
            when = dates[i]
            date = f' DateSet="true" DateTime="{when}" TimeSet="false"' if when else ' DateSet="false"'
            x, y = (i % 100) * 120, row_number * 2400 + (i // 100) * 120
            attributes = "".join(
                f'<Attribute AttributeClass="{_attr(c)}" Value="{_attr(v)}"/>'
                for c, v in ((c, _value(col[i])) for c, col in zip(columns, values)) if v not in (None, "")
            )
            yield (f'    <ChartItem Label="{_attr(label)}" Description="{_attr(type_name)}"{date} XPosition="{x}">'
                   f'<AttributeCollection>{attributes}</AttributeCollection>'
                   f'<End Y="{y}"><Entity EntityId="{_attr(eid)}" Identity="{_attr(node_id)}">'
                   f'<Icon><IconStyle Type="{_attr(type_name)}"/></Icon></Entity></End></ChartItem>\n')
    columns = [c for c in _EDGE_ATTRIBUTES if c in edges.columns]
    values = [edges[c].tolist() for c in columns]
    sources = edges["source"].astype(str).tolist()
    targets = edges["target"].astype(str).tolist()
    source_types = edges["source_type"].astype(str).tolist()
    target_types = edges["target_type"].astype(str).tolist()
    starts = _iso(edges["start"])
    types = edges["edge_type"].astype(str).tolist()
    for i in range(len(sources)):
        end1, end2 = entity_id(source_types[i], sources[i]), entity_id(target_types[i], targets[i])
        when = starts[i]
        date = f' DateSet="true" DateTime="{when}" TimeSet="false"' if when else ' DateSet="false"'
        attributes = "".join(
            f'<Attribute AttributeClass="{_attr(c)}" Value="{_attr(v)}"/>'
            for c, v in ((c, _value(col[i])) for c, col in zip(columns, values)) if v not in (None, "")
        )
        label = _link_type(types[i])
        yield (f'    <ChartItem Label="{_attr(label)}"{date}><AttributeCollection>{attributes}</AttributeCollection>'
               f'<Link End1Id="{_attr(end1)}" End2Id="{_attr(end2)}">'
               f'<LinkStyle Type="{_attr(label)}" ArrowStyle="ArrowNone" Strength="1" LineWidth="1"/></Link></ChartItem>\n')
    yield "  </ChartItemCollection>\n</Chart>\n"


def write_anx(network: Network, path: str | Path, *, edges: pd.DataFrame | None = None) -> Path:
    """Write ``anx_chart(network)`` to ``path`` atomically."""
    with atomic_open(path) as stream:
        buffer: list[str] = []
        for piece in anx_chart(network, edges=edges):
            buffer.append(piece)
            if len(buffer) >= 4096:
                stream.write("".join(buffer))
                buffer.clear()
        stream.write("".join(buffer))
    return Path(path)
