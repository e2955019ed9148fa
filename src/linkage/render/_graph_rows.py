"""The network's nodes and edges as networkx would hold them, column by column, for the streamed GraphML and GEXF.

``to_networkx`` followed by networkx's writers builds a dict per node and edge
and an ElementTree of the whole file; on a large network that takes half a
minute. The streamed writers (``_graphml``, ``_gexf``) write the same bytes from
these columns instead. What they must reproduce of networkx's MultiGraph:

- nodes in table order (person, place, episode, operation, identifier), then
  the edge ends no table holds, bare, in order of first appearance (source
  before target);
- each node's attributes: ``node_type``, then the cleaned values
  (``graph_value``) of ``NODE_COLUMNS`` that are not missing, in that order;
- edges in networkx's iteration order: by the position of the end that comes
  first among the nodes, then by the first row joining the pair (in either
  orientation), then by row; that end is written as the source, and each
  edge's key counts the pair's earlier rows.

Where the columns cannot give networkx's bytes (a node id held by two tables,
a missing id, a column mixing value types, a value type GraphML and GEXF
cannot hold), ``graph_rows`` raises ``NotStreamable`` and the exports take
the networkx path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..build import NODE_COLUMNS, NODE_KEYS, Network, graph_value

__all__ = ["GraphColumn", "GraphBlock", "GraphRows", "NotStreamable", "graph_rows", "escape_text", "translate_text", "iso_dates", "value_texts",
           "first_appearances", "row_chunks", "EDGE_ATTRIBUTES", "XML_TYPES", "CHUNK_ROWS"]

#: rows the writers turn into text at a time (memory stays flat on large networks)
CHUNK_ROWS = 50_000
#: the edge attributes ``to_networkx`` keeps, in its order
EDGE_ATTRIBUTES = ("edge_type", "start", "end", "weight", "role", "kind", "via")
#: the python type of an attribute value -> its GraphML and GEXF type name
XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
_TABLES = {"person": "people", "place": "places", "episode": "episodes", "operation": "operations",
           "identifier": "identifiers"}
#: ElementTree's escapes: element text, then attribute values (which also escape quotes and white space)
_TEXT_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_ATTRIBUTE_ESCAPES = {**_TEXT_ESCAPES, ord('"'): "&quot;", ord("\r"): "&#13;", ord("\n"): "&#10;", ord("\t"): "&#09;"}


class NotStreamable(Exception):
    """The network holds something the streamed writers do not reproduce; networkx writes it instead."""


@dataclass(frozen=True)
class GraphColumn:
    """One attribute over a block's rows: the cleaned values (None where missing) and their python type."""

    name: str
    values: np.ndarray
    present: np.ndarray
    kind: type | None

    def first(self) -> int | None:
        """The first row holding a value (None when no row does)."""
        rows = np.flatnonzero(self.present)
        return int(rows[0]) if len(rows) else None


@dataclass(frozen=True)
class GraphBlock:
    """Rows that follow each other in networkx's order: one node table (``offset``: its first node's position) or the edges."""

    ids: np.ndarray
    columns: list[GraphColumn]
    offset: int = 0


@dataclass(frozen=True)
class GraphRows:
    """The network in networkx's order: node blocks (bare edge ends last, no columns), and the edges."""

    nodes: list[GraphBlock]
    edges: GraphBlock
    sources: np.ndarray
    targets: np.ndarray
    keys: np.ndarray


def translate_text(values: np.ndarray, table: dict[int, str | None]) -> np.ndarray:
    """``value.translate(table)`` of each value (str), in Arrow's vectorised string kernels where it can
    (``table`` maps characters to their replacement, or to None to drop them)."""
    if not len(values):
        return values
    try:
        array = pa.array(values, type=pa.large_string())
    except (pa.ArrowException, UnicodeError):  # a lone surrogate: no Arrow string holds it
        return np.array([value.translate(table) for value in values], dtype=object)
    dropped = [code for code, new in table.items() if new is None]
    if dropped:
        array = pc.replace_substring_regex(array, "[" + "".join(f"\\x{{{code:x}}}" for code in dropped) + "]", "")
    # "&" first: the other replacements bring their own "&", which must stay as it is
    for code, new in sorted(((c, n) for c, n in table.items() if n is not None), key=lambda item: item[0] != ord("&")):
        array = pc.replace_substring(array, chr(code), new)
    return array.to_numpy(zero_copy_only=False).astype(object, copy=False)


def escape_text(values: np.ndarray, *, attribute: bool) -> np.ndarray:
    """``values`` (str) escaped as ElementTree escapes element text, or attribute values with ``attribute``."""
    return translate_text(values, _ATTRIBUTE_ESCAPES if attribute else _TEXT_ESCAPES)


def row_chunks(n: int) -> list[slice]:
    """``range(n)`` in slices of ``CHUNK_ROWS``."""
    return [slice(start, min(start + CHUNK_ROWS, n)) for start in range(0, n, CHUNK_ROWS)]


def value_texts(column: GraphColumn, rows: slice, *, gexf: bool = False) -> np.ndarray:
    """``str`` of each value in ``rows`` ('' where missing), as networkx writes it: in GEXF booleans lower case
    and infinities as ``INF``/``-INF``."""
    values, present = column.values[rows], column.present[rows]
    texts = np.full(len(values), "", dtype=object)
    if column.kind is None or not present.any():
        return texts
    kept = values[present]
    if column.kind is str:
        texts[present] = kept
        return texts
    strings = list(map(str, kept))
    if gexf and column.kind is bool:
        strings = [s.lower() for s in strings]
    elif gexf and column.kind is float:
        special = {"inf": "INF", "-inf": "-INF", "nan": "NaN"}
        strings = [special.get(s, s) for s in strings]
    texts[present] = np.array(strings, dtype=object)
    return texts


def first_appearances(blocks: list[GraphBlock], *, skip: tuple[str, ...] = (), by_name: bool = False) -> list[GraphColumn]:
    """The blocks' attributes in the order networkx first meets them (row by row, each row's attributes in order):
    one column per (name, type), or per name with ``by_name`` (GEXF: the first type wins)."""
    first: dict[tuple, tuple[int, int, GraphColumn]] = {}
    for block in blocks:
        for index, column in enumerate(c for c in block.columns if c.name not in skip):
            row = column.first()
            if row is None:
                continue
            key = (column.name,) if by_name else (column.name, column.kind)
            seen = (block.offset + row, index, column)
            if key not in first or seen[:2] < first[key][:2]:
                first[key] = seen
    return [column for _, _, column in sorted(first.values(), key=lambda item: item[:2])]


def iso_dates(column: pd.Series) -> np.ndarray | None:
    """``Timestamp.isoformat()`` of a naive datetime column, vectorised; None when a value needs more than seconds."""
    if getattr(column.dt, "tz", None) is not None:
        return None
    stamps = column.dropna()
    if len(stamps) and (stamps.dt.year.lt(1000).any() or stamps.dt.year.gt(9999).any()
                        or (stamps != stamps.dt.floor("s")).any()):
        return None
    return column.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)


def _clean_column(name: str, column: pd.Series) -> GraphColumn:
    """The column's values as ``graph_value`` gives them, and their one python type."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biu":
        values = np.array(column.to_numpy().tolist(), dtype=object)
    elif isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = np.array(column.to_numpy().tolist(), dtype=object)
        values[np.isnan(column.to_numpy())] = None
    elif isinstance(dtype, np.dtype) and dtype.kind == "M" or isinstance(dtype, pd.DatetimeTZDtype):
        iso = iso_dates(column)
        values = iso if iso is not None else np.array([graph_value(v) for v in column], dtype=object)
        values[column.isna().to_numpy()] = None
    elif isinstance(dtype, pd.StringDtype):
        values = column.to_numpy(dtype=object)
        values[column.isna().to_numpy()] = None
    else:  # object and other extension types: value by value, exactly as to_networkx does
        values = np.array([graph_value(v) for v in column.to_numpy(dtype=object)] if len(column) else [], dtype=object)
    present = np.not_equal(values, None)
    kinds = set(map(type, values[present]))
    if len(kinds) > 1 or not kinds <= set(XML_TYPES):
        raise NotStreamable(f"column {name} holds values of types {sorted(k.__name__ for k in kinds)}")
    return GraphColumn(name, values, present, kinds.pop() if kinds else None)


def _node_ids(table: pd.DataFrame, key: str) -> np.ndarray:
    ids = table[key].astype(str)
    if ids.isna().any():
        raise NotStreamable(f"a missing {key}")
    return ids.to_numpy(dtype=object)


def _edge_order(pos_s: np.ndarray, pos_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """networkx's edge order (rows) and each edge's key, from the node positions of the ends."""
    n = len(pos_s)
    low, high = np.minimum(pos_s, pos_t), np.maximum(pos_s, pos_t)
    pair = low * (max(int(high.max(initial=0)), 0) + 1) + high
    _, first_index, inverse = np.unique(pair, return_index=True, return_inverse=True)
    first_row = first_index[inverse.reshape(-1)]
    rows = np.arange(n)
    order = np.lexsort((rows, first_row, low))
    ordered_first = first_row[order]
    starts = np.r_[True, ordered_first[1:] != ordered_first[:-1]] if n else np.zeros(0, dtype=bool)
    group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0)) if n else rows
    return order, np.arange(n) - group_start


def graph_rows(network: Network) -> GraphRows:
    """The network as ``to_networkx`` would hold it, column by column (raises ``NotStreamable`` where it cannot)."""
    blocks, offset = [], 0
    for node_type, name in _TABLES.items():
        table = getattr(network, name)
        ids = _node_ids(table, NODE_KEYS[node_type])
        node_type_column = GraphColumn("node_type", np.full(len(ids), node_type, dtype=object),
                                       np.ones(len(ids), dtype=bool), str)
        columns = [_clean_column(c, table[c]) for c in NODE_COLUMNS[node_type] if c in table.columns]
        blocks.append(GraphBlock(ids, [node_type_column, *columns], offset))
        offset += len(ids)
    known = pd.Index(np.concatenate([b.ids for b in blocks]) if offset else np.array([], dtype=object))
    if not known.is_unique:
        raise NotStreamable("a node id is held by two node tables")
    edges = network.edges
    sources = np.array(list(map(str, edges["source"].to_numpy(dtype=object))), dtype=object)
    targets = np.array(list(map(str, edges["target"].to_numpy(dtype=object))), dtype=object)
    ends = np.empty(2 * len(edges), dtype=object)
    ends[0::2], ends[1::2] = sources, targets
    bare = pd.unique(ends[known.get_indexer(ends) < 0])
    blocks.append(GraphBlock(np.asarray(bare, dtype=object), [], offset))
    nodes = known.append(pd.Index(bare, dtype=object))
    pos_s, pos_t = nodes.get_indexer(sources), nodes.get_indexer(targets)
    order, keys = _edge_order(pos_s, pos_t)
    swapped = (pos_s > pos_t)[order]
    columns = [_clean_column(c, edges[c]) for c in EDGE_ATTRIBUTES if c in edges.columns]
    columns = [GraphColumn(c.name, c.values[order], c.present[order], c.kind) for c in columns]
    sources, targets = sources[order], targets[order]
    return GraphRows(nodes=blocks, edges=GraphBlock(np.arange(len(order)), columns),
                     sources=np.where(swapped, targets, sources), targets=np.where(swapped, sources, targets),
                     keys=keys)
