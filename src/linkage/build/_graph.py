"""The network as a networkx graph (for the GraphML and GEXF exports, and for anyone who wants networkx)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from ._network import Network

__all__ = ["to_networkx", "graph_value", "PERSON_TIES", "NODE_COLUMNS", "NODE_KEYS"]

#: edge types that tie two people directly
PERSON_TIES = ("co_placed", "co_missing", "shared_identifier", "contact", "associate")


def graph_value(value):
    """Attribute values GraphML and GEXF can hold: no NaN/None, dates as ISO text, tuples joined."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, (tuple, list, set)):
        return ";".join(map(str, value))
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    present = [c for c in columns if c in frame.columns]
    out = []
    for row in frame[present].itertuples(index=False, name=None):
        out.append({k: v for k, v in zip(present, map(graph_value, row)) if v is not None})
    return out


NODE_COLUMNS = {
    "person": ["label", "role", "is_victim", "is_perpetrator", "looked_after", "local_authority", "bcu", "force",
               "out_of_force", "exploitation", "n_records", "sources", "flags"],
    "place": ["name", "category", "night_time_economy", "is_business", "is_care_setting", "local_authority", "bcu",
              "force", "out_of_force", "latitude", "longitude", "coordinate_source", "postcode"],
    "episode": ["entity_id", "start", "end", "kind", "from_location_id", "found_location_id"],
    "operation": ["n_events", "categories", "first_date", "last_date", "status", "is_event_only"],
    "identifier": ["kind", "n_holders"],
}
NODE_KEYS = {"person": "entity_id", "place": "location_id", "episode": "episode_id", "operation": "operation", "identifier": "identifier"}


def _tables(network: Network) -> dict[str, pd.DataFrame]:
    return {"person": network.people, "place": network.places, "episode": network.episodes,
            "operation": network.operations, "identifier": network.identifiers}


def to_networkx(network: Network, *, node_types: tuple[str, ...] | None = None,
                edge_types: tuple[str, ...] | None = None) -> nx.MultiGraph:
    """A networkx MultiGraph of (part of) the network: ``node_type`` on nodes, ``edge_type`` on edges."""
    graph = nx.MultiGraph()
    tables = _tables(network)
    for node_type, table in tables.items():
        if node_types is not None and node_type not in node_types:
            continue
        key = NODE_KEYS[node_type]
        ids = table[key].astype(str).tolist()
        attributes = _records(table, NODE_COLUMNS[node_type])
        graph.add_nodes_from((node_id, {"node_type": node_type, **attrs}) for node_id, attrs in zip(ids, attributes))
    edges = network.edges
    if edge_types is not None:
        edges = edges[edges["edge_type"].isin(edge_types)]
    if node_types is not None:
        edges = edges[edges["source_type"].isin(node_types) & edges["target_type"].isin(node_types)]
    attributes = _records(edges, ["edge_type", "start", "end", "weight", "role", "kind", "via"])
    graph.add_edges_from(
        (str(s), str(t), attrs) for s, t, attrs in zip(edges["source"], edges["target"], attributes)
    )
    return graph
