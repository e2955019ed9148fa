"""``graph.graphml`` written as a stream from the network's columns: the bytes ``nx.write_graphml`` writes of
``to_networkx(network)``, in a fraction of the time (``_graph_rows`` says what is reproduced, and when
networkx writes the file instead)."""

from __future__ import annotations

from typing import BinaryIO

import numpy as np

from ._graph_rows import XML_TYPES, GraphBlock, GraphRows, escape_text, first_appearances, row_chunks, value_texts

__all__ = ["write_graphml_rows"]

_HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _data(block: GraphBlock, rows: slice, key_ids: dict[tuple, str], scope: str) -> np.ndarray:
    """Each row's ``<data>`` lines, in attribute order ('' for a row without any)."""
    n = len(block.ids[rows])
    body = np.full(n, "", dtype=object)
    for column in block.columns:
        present = column.present[rows]
        if not present.any():
            continue
        key = key_ids[(scope, column.name, column.kind)]
        texts = escape_text(value_texts(column, rows), attribute=False)
        lines = np.where(texts == "", f'\n      <data key="{key}" />', f'\n      <data key="{key}">' + texts + "</data>")
        body = body + np.where(present, lines, "")
    return body


def _elements(heads: np.ndarray, body: np.ndarray, tag: str) -> str:
    closed = np.where(body == "", heads + " />\n", heads + ">" + body + f"\n    </{tag}>\n")
    return "".join(closed.tolist())


def write_graphml_rows(rows: GraphRows, stream: BinaryIO) -> None:
    """Write ``rows`` as GraphML to the binary ``stream``."""

    def write(text: str) -> None:
        stream.write(text.encode("utf-8", "xmlcharrefreplace"))

    key_ids: dict[tuple, str] = {}
    keys = []
    for scope, blocks in (("node", rows.nodes), ("edge", [rows.edges])):
        for column in first_appearances(blocks):
            key_id = f"d{len(key_ids)}"
            key_ids[(scope, column.name, column.kind)] = key_id
            name = escape_text(np.array([column.name], dtype=object), attribute=True)[0]
            keys.append(f'  <key id="{key_id}" for="{scope}" attr.name="{name}" attr.type="{XML_TYPES[column.kind]}" />\n')
    write(_HEADER + "".join(reversed(keys)))
    n_edges = len(rows.keys)
    if not n_edges and not sum(len(b.ids) for b in rows.nodes):
        write('  <graph edgedefault="undirected" />\n</graphml>\n')
        return
    write('  <graph edgedefault="undirected">\n')
    for block in rows.nodes:
        for part in row_chunks(len(block.ids)):
            heads = '    <node id="' + escape_text(block.ids[part], attribute=True) + '"'
            write(_elements(heads, _data(block, part, key_ids, "node"), "node"))
    for part in row_chunks(n_edges):
        heads = ('    <edge source="' + escape_text(rows.sources[part], attribute=True) + '" target="'
                 + escape_text(rows.targets[part], attribute=True) + '" id="'
                 + np.array(list(map(str, rows.keys[part].tolist())), dtype=object) + '"')
        write(_elements(heads, _data(rows.edges, part, key_ids, "edge"), "edge"))
    write("  </graph>\n</graphml>\n")
