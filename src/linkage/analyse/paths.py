"""How is A connected to B: the shortest weighted paths between two nodes of the network, with every tie's evidence.

A tie between two nodes weighs the sum of the weights of every edge between
them (an edge without a weight counts 1; a weight of 0 leaves that edge out),
and its length is 1 / weight: two people who went missing together twice and
share a phone are closer than two people placed once at the same home. The
paths are ``linkage.graph.shortest_paths`` (Dijkstra, then Yen's k shortest
loopless paths), the same algorithm the views' path picker runs in the page.

Identifier nodes (phones, vehicles) are left out by default: two people who
hold one are already joined by their ``shared_identifier`` tie, as in the views.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import LinkageError
from ..graph import shortest_paths, tie_lengths

__all__ = ["PATH_COLUMNS", "connection_paths", "find_node", "node_label"]

PATH_COLUMNS = ["path", "length", "step", "from_id", "from_label", "to_id", "to_label", "tie_weight", "ties", "evidence"]

#: the edge attributes a tie's evidence lists, in this order
_EVIDENCE = ("start", "end", "role", "kind", "via")


def node_label(graph: nx.Graph, node: str) -> str:
    """A node's label or name, else its id."""
    attrs = graph.nodes[node]
    for key in ("label", "name"):
        if isinstance(attrs.get(key), str) and attrs[key]:
            return attrs[key]
    return str(node)


def find_node(graph: nx.Graph, text: str, *, entities: pd.DataFrame | None = None) -> str:
    """The node ``text`` names: a node id, a source ``record_id`` (through ``entities``) or a unique label.

    Raises ``LinkageError`` naming the near matches when ``text`` names none or several.
    """
    text = str(text).strip()
    if text in graph:
        return text
    if entities is not None and len(entities):
        hit = entities.loc[entities["record_id"].astype(str) == text, "entity_id"]
        if len(hit) and str(hit.iloc[0]) in graph:
            return str(hit.iloc[0])
    wanted = text.casefold()
    named = sorted(node for node in graph if node_label(graph, node).casefold() == wanted)
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        shown = ", ".join(f"{node} ({node_label(graph, node)})" for node in named[:8])
        raise LinkageError(f"'{text}' names {len(named)} nodes: {shown}; give the entity id instead")
    from rapidfuzz import process

    labels = {node: node_label(graph, node) for node in graph}
    near = process.extract(text, labels, limit=3, score_cutoff=70)
    hint = ("; did you mean " + ", ".join(f"'{label}' ({node})" for label, _, node in near) + "?") if near else ""
    raise LinkageError(f"'{text}' is not an entity id, record id or name in the network{hint}")


def _pair_table(graph: nx.Graph, nodes: pd.Index) -> pd.DataFrame:
    """One row per edge between two kept nodes: codes ``a < b``, weight (NaN -> 1, below 0 -> 0) and the edge data."""
    ends = list(graph.edges(data=True))
    x = nodes.get_indexer([u for u, _, _ in ends])
    y = nodes.get_indexer([v for _, v, _ in ends])
    weight = pd.to_numeric(pd.Series([d.get("weight") for _, _, d in ends], dtype=object), errors="coerce")
    table = pd.DataFrame({"a": np.minimum(x, y), "b": np.maximum(x, y),
                          "weight": weight.fillna(1.0).clip(lower=0.0).to_numpy(dtype=np.float64),
                          "data": pd.Series([d for _, _, d in ends], dtype=object)})
    return table[(x >= 0) & (y >= 0) & (x != y)]


def _evidence(edges: list[dict]) -> str:
    """Every edge of a tie: its type, then its dates and details, in a stable order."""
    parts = []
    for data in sorted(edges, key=lambda d: tuple(str(d.get(k, "")) for k in ("edge_type", *_EVIDENCE))):
        details = [f"{k} {str(data[k])[:10] if k in ('start', 'end') else data[k]}" for k in _EVIDENCE
                   if data.get(k) not in (None, "")]
        weight = data.get("weight")
        if weight is not None and weight != 1:
            details.append(f"weight {weight:g}" if isinstance(weight, (int, float)) else f"weight {weight}")
        parts.append(data.get("edge_type", "link") + (f" ({', '.join(details)})" if details else ""))
    return "; ".join(parts)


def connection_paths(graph: nx.Graph, a: str, b: str, *, k: int = 3,
                     skip_node_types: tuple[str, ...] = ("identifier",)) -> pd.DataFrame:
    """Up to ``k`` shortest weighted paths from node ``a`` to node ``b`` of ``graph`` (``PATH_COLUMNS``).

    One row per step of each path: ``path`` (1 = shortest), the path's total
    ``length``, the ``step`` along it, its two ends with their labels, the
    tie's weight, the kinds of edge in the tie (``ties``) and ``evidence``:
    every edge between the two, with its dates, role, kind and the record it
    came from (``via``). No row when no path joins them; ``a`` and ``b`` are
    node ids (``find_node`` turns names and record ids into them).
    """
    for end in (a, b):
        if end not in graph:
            raise LinkageError(f"'{end}' is not a node of the network")
    kept = [node for node in graph if graph.nodes[node].get("node_type") not in skip_node_types or node in (a, b)]
    nodes = pd.Index(sorted(kept), dtype=object)
    table = _pair_table(graph, nodes)
    empty = pd.DataFrame({c: pd.Series(dtype=float if c in ("length", "tie_weight") else (int if c in ("path", "step") else str))
                          for c in PATH_COLUMNS})
    if table.empty or a == b:
        return empty
    grouped = table.groupby(["a", "b"], sort=True)
    pairs = grouped["weight"].sum()
    lo = pairs.index.get_level_values(0).to_numpy(dtype=np.int64)
    hi = pairs.index.get_level_values(1).to_numpy(dtype=np.int64)
    weight = pairs.to_numpy(dtype=np.float64)
    found = shortest_paths(len(nodes), lo, hi, tie_lengths(weight), int(nodes.get_loc(a)), int(nodes.get_loc(b)), k=k)
    if not found:
        return empty
    data = grouped["data"].agg(list)
    rows = []
    for number, (path, length) in enumerate(found, start=1):
        for step, (x, y) in enumerate(zip(path, path[1:]), start=1):
            key = (min(x, y), max(x, y))
            edges = data.loc[key]
            from_id, to_id = nodes[x], nodes[y]
            rows.append({
                "path": number, "length": round(float(length), 6), "step": step,
                "from_id": from_id, "from_label": node_label(graph, from_id), "to_id": to_id, "to_label": node_label(graph, to_id),
                "tie_weight": round(float(pairs.loc[key]), 6),
                "ties": ";".join(sorted({str(d.get("edge_type", "link")) for d in edges})),
                "evidence": _evidence(edges),
            })
    return pd.DataFrame(rows, columns=PATH_COLUMNS)
