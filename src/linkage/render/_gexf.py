"""``graph.gexf`` written as a stream from the network's columns: the bytes networkx's ``GEXFWriter`` writes of
``to_networkx(network)`` (GEXF 1.2draft, without the clock's ``lastmodifieddate``, ``linkage`` as the creator), in a fraction of the time
(``_graph_rows`` says what is reproduced, and when networkx writes the file instead)."""

from __future__ import annotations

from dataclasses import replace
from typing import BinaryIO

import numpy as np

from .. import __version__
from ._graph_rows import XML_TYPES, GraphBlock, GraphColumn, GraphRows, escape_text, first_appearances, row_chunks, value_texts

__all__ = ["write_gexf_rows", "GEXF_CREATOR"]

#: node attributes networkx writes on the element itself, not as attribute values
_NODE_OWN = ("label", "start", "end")
#: the same for edges
_EDGE_OWN = ("weight", "start", "end")
_HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
)


#: who wrote the file (the GEXF ``<meta><creator>``; networkx's writer, when it writes the file, says the same)
GEXF_CREATOR = f"linkage {__version__}"


def _attr(values: np.ndarray) -> np.ndarray:
    return escape_text(values, attribute=True)


def _own(block: GraphBlock, name: str, rows: slice) -> np.ndarray:
    """`` name="value"`` for each row holding the attribute ('' for the others)."""
    column = next((c for c in block.columns if c.name == name), None)
    if column is None:
        return np.full(len(block.ids[rows]), "", dtype=object)
    present = column.present[rows]
    return np.where(present, f' {name}="' + _attr(value_texts(column, rows)) + '"', "")


def _attvalues(block: GraphBlock, rows: slice, attribute_ids: dict[str, str], own: tuple[str, ...]) -> np.ndarray:
    """Each row's ``<attvalue>`` lines ('' for a row without any)."""
    body = np.full(len(block.ids[rows]), "", dtype=object)
    for column in block.columns:
        if column.name in own:
            continue
        present = column.present[rows]
        if not present.any():
            continue
        line = f'\n          <attvalue for="{attribute_ids[column.name]}" value="'
        body = body + np.where(present, line + _attr(value_texts(column, rows, gexf=True)) + '" />', "")
    return body


def _elements(heads: np.ndarray, body: np.ndarray, tag: str) -> str:
    closed = np.where(body == "", heads + " />\n",
                      heads + ">\n        <attvalues>" + body + f"\n        </attvalues>\n      </{tag}>\n")
    return "".join(closed.tolist())


def _attributes(cls: str, columns: list[GraphColumn], ids: dict[str, str]) -> str:
    if not columns:
        return ""
    lines = "".join(f'      <attribute id="{ids[c.name]}" title="{_attr(np.array([c.name], dtype=object))[0]}" '
                    f'type="{XML_TYPES[c.kind]}" />\n' for c in columns)
    return f'    <attributes mode="static" class="{cls}">\n{lines}    </attributes>\n'


def _is_dynamic(rows: GraphRows) -> bool:
    """Whether any node or edge has a start or end (networkx then makes the graph dynamic, its time format date)."""
    return any(c.name in ("start", "end") and c.present.any() for b in (*rows.nodes, rows.edges) for c in b.columns)


def write_gexf_rows(rows: GraphRows, stream: BinaryIO, *, creator: str = GEXF_CREATOR) -> None:
    """Write ``rows`` as GEXF to the binary ``stream``."""

    def write(text: str) -> None:
        stream.write(text.encode("utf-8", "xmlcharrefreplace"))

    n_edges = len(rows.keys)
    key = GraphColumn("networkx_key", rows.keys.astype(object), np.ones(n_edges, dtype=bool), int)
    edges = replace(rows.edges, columns=[*rows.edges.columns, key])
    node_columns = first_appearances(rows.nodes, skip=_NODE_OWN, by_name=True)
    edge_columns = first_appearances([edges], skip=_EDGE_OWN, by_name=True)
    ids: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for cls, columns in (("node", node_columns), ("edge", edge_columns)):
        for column in columns:
            ids[cls][column.name] = str(len(ids["node"]) + len(ids["edge"]))
    mode = ' mode="dynamic" name="" timeformat="date"' if _is_dynamic(rows) else ' mode="static" name=""'
    write(_HEADER + f"  <meta>\n    <creator>{_attr(np.array([creator], dtype=object))[0]}</creator>\n  </meta>\n"
          f'  <graph defaultedgetype="undirected"{mode}>\n'
          + _attributes("edge", edge_columns, ids["edge"]) + _attributes("node", node_columns, ids["node"]))
    if sum(len(b.ids) for b in rows.nodes):
        write("    <nodes>\n")
        for block in rows.nodes:
            for part in row_chunks(len(block.ids)):
                node_ids = _attr(block.ids[part])
                labels = _own(block, "label", part)
                labels = np.where(labels == "", ' label="' + node_ids + '"', labels)
                heads = '      <node id="' + node_ids + '"' + labels + _own(block, "start", part) + _own(block, "end", part)
                write(_elements(heads, _attvalues(block, part, ids["node"], _NODE_OWN), "node"))
        write("    </nodes>\n")
    else:
        write("    <nodes />\n")
    if n_edges:
        write("    <edges>\n")
        for part in row_chunks(n_edges):
            heads = ('      <edge source="' + _attr(rows.sources[part]) + '" target="' + _attr(rows.targets[part])
                     + '" id="' + np.array(list(map(str, range(part.start, part.stop))), dtype=object) + '"'
                     + _own(edges, "weight", part) + _own(edges, "start", part) + _own(edges, "end", part))
            write(_elements(heads, _attvalues(edges, part, ids["edge"], _EDGE_OWN), "edge"))
        write("    </edges>\n")
    else:
        write("    <edges />\n")
    write("  </graph>\n</gexf>\n")
