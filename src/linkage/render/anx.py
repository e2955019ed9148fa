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
from ._graph_rows import iso_dates, row_chunks, translate_text
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


def _texts(column: pd.Series) -> np.ndarray:
    """``str(_value(v))`` of each cell, vectorised per dtype ('' where ``_value`` gives None)."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return np.where(column.to_numpy(), "true", "false").astype(object)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return np.array(list(map(str, column.to_numpy().tolist())), dtype=object)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        texts = np.array(list(map(str, column.to_numpy().tolist())), dtype=object)
        texts[np.isnan(column.to_numpy())] = ""
        return texts
    iso = iso_dates(column) if isinstance(dtype, np.dtype) and dtype.kind == "M" else None
    if isinstance(dtype, pd.StringDtype) or iso is not None:
        texts = column.to_numpy(dtype=object) if iso is None else iso
        texts[column.isna().to_numpy()] = ""
        return texts
    values = (_value(v) for v in column.tolist())
    return np.array([str(v) if v is not None else "" for v in values], dtype=object)


def _escaped(values) -> np.ndarray:
    """``_attr`` of each value (str), vectorised."""
    return translate_text(np.asarray(values, dtype=object), _ATTR_TABLE)


def _attributes(n: int, names: list[str], columns: list[pd.Series]) -> np.ndarray:
    """Each of ``n`` rows' ``<Attribute>`` elements ('' for a row without any)."""
    out = np.full(n, "", dtype=object)
    for name, column in zip(names, columns):
        texts = _texts(column)
        kept = texts != ""
        if kept.any():
            out = out + np.where(kept, f'<Attribute AttributeClass="{_attr(name)}" Value="' + _escaped(texts) + '"/>', "")
    return out


def _dated(dates: list) -> np.ndarray:
    when = np.array([d or "" for d in dates], dtype=object)
    return np.where(when != "", ' DateSet="true" DateTime="' + when + '" TimeSet="false"', ' DateSet="false"')


def _entities(network: Network) -> Iterator[str]:
    """The chart items of the nodes, table by table (an entity id met twice is written once)."""
    for row_number, (node_type, table) in enumerate(_tables(network).items()):
        if not len(table):
            continue
        columns = [c for c in NODE_COLUMNS[node_type] if c in table.columns]
        label_column = _LABEL_COLUMN[node_type]
        type_name, _ = ENTITY_TYPES[node_type]
        ids = np.array(list(map(str, table[NODE_KEYS[node_type]].astype(str).tolist())), dtype=object)
        first = ~pd.Series(ids).duplicated().to_numpy()
        dates = _iso(table["start"]) if node_type == "episode" else (
            _iso(table["first_date"]) if node_type == "operation" else [None] * len(ids))
        if node_type == "episode":
            labels = np.array([f"missing {(d or '?')[:10]}" for d in dates], dtype=object)
        elif label_column in table.columns:
            labels = _texts(table[label_column])
        else:
            labels = np.full(len(ids), "", dtype=object)
        labels = np.where(labels == "", ids, labels)
        i = np.arange(len(ids))
        x = np.array(list(map(str, ((i % 100) * 120).tolist())), dtype=object)
        y = np.array(list(map(str, (row_number * 2400 + (i // 100) * 120).tolist())), dtype=object)
        attributes = _attributes(len(ids), columns, [table[c] for c in columns])
        name = _attr(type_name)
        lines = ('    <ChartItem Label="' + _escaped(labels) + f'" Description="{name}"' + _dated(dates) + ' XPosition="' + x
                 + '"><AttributeCollection>' + attributes + '</AttributeCollection><End Y="' + y + '"><Entity EntityId="'
                 + _escaped(node_type + ":" + ids) + '" Identity="' + _escaped(ids)
                 + f'"><Icon><IconStyle Type="{name}"/></Icon></Entity></End></ChartItem>\n')
        yield "".join(lines[first].tolist())


def _links(edges: pd.DataFrame) -> Iterator[str]:
    """The chart items of the edges."""
    columns = [c for c in _EDGE_ATTRIBUTES if c in edges.columns]
    for part in row_chunks(len(edges)):
        chunk = edges.iloc[part]
        text = {c: np.array(list(map(str, chunk[c].astype(str).tolist())), dtype=object)
                for c in ("source", "target", "source_type", "target_type", "edge_type")}
        labels = _escaped([_link_type(t) for t in text["edge_type"]])
        lines = ('    <ChartItem Label="' + labels + '"' + _dated(_iso(chunk["start"])) + "><AttributeCollection>"
                 + _attributes(len(chunk), columns, [chunk[c] for c in columns]) + '</AttributeCollection><Link End1Id="'
                 + _escaped(text["source_type"] + ":" + text["source"]) + '" End2Id="'
                 + _escaped(text["target_type"] + ":" + text["target"]) + '"><LinkStyle Type="' + labels
                 + '" ArrowStyle="ArrowNone" Strength="1" LineWidth="1"/></Link></ChartItem>\n')
        yield "".join(lines.tolist())


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
    yield from _entities(network)
    yield from _links(edges)
    yield "  </ChartItemCollection>\n</Chart>\n"


def write_anx(network: Network, path: str | Path, *, edges: pd.DataFrame | None = None) -> Path:
    """Write ``anx_chart(network)`` to ``path`` atomically."""
    with atomic_open(path) as stream:
        for piece in anx_chart(network, edges=edges):
            stream.write(piece)
    return Path(path)
