"""Which part of a big network the graph exports carry.

Gephi and i2 Analyst's Notebook are for looking at a network, and neither is
usable with millions of links: above ``max_edges`` the exports carry the
highest-ranked clusters (``cluster_members``, ranked first to last) with every
link of their people, cluster by cluster until the budget is spent. Without
clusters, people with a role, looked after or at risk come first.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import id_set, isin, positions_in, strings
from ..build import Network

__all__ = ["export_scope"]

#: the node id column of each node table
_NODE_ID = {"people": "entity_id", "places": "location_id", "episodes": "episode_id",
            "operations": "operation", "identifiers": "identifier"}


def _priority_people(network: Network, members: pd.DataFrame | None) -> pd.Series:
    """People in export order: by cluster rank, then the rest who matter (role, looked after, at risk)."""
    ordered = []
    if members is not None and len(members) and {"cluster_id", "node_id", "node_type"} <= set(members.columns):
        people = members[members["node_type"] == "person"]
        ordered.append(pd.DataFrame({"person": people["node_id"].astype(str).to_numpy(),
                                     "group": people["cluster_id"].astype(str).to_numpy()}))
    table = network.people
    matters = np.zeros(len(table), dtype=bool)
    for column in ("role", "exploitation"):
        if column in table:
            matters |= table[column].fillna("").astype(str).ne("").to_numpy()
    if "looked_after" in table:
        matters |= table["looked_after"].fillna(False).to_numpy(dtype=bool)
    rest = table.loc[matters, "entity_id"].astype(str).sort_values()
    ordered.append(pd.DataFrame({"person": rest.to_numpy(), "group": "~" + rest.to_numpy()}))
    frame = pd.concat(ordered, ignore_index=True).drop_duplicates("person")
    return frame.set_index("person")["group"]


def _person_ends(edges: pd.DataFrame, end: str, allowed: np.ndarray) -> pa.Array:
    """The ``end`` ids (``source`` or ``target``) of the allowed edges whose end is a person."""
    person = pc.fill_null(pc.equal(strings(edges[f"{end}_type"]), "person"), False).to_numpy(zero_copy_only=False)
    return strings(edges[end]).filter(pa.array(allowed & np.asarray(person, dtype=bool)))


def export_scope(network: Network, *, max_edges: int, members: pd.DataFrame | None = None,
                 edge_types: tuple[str, ...] | None = None) -> tuple[Network, str | None]:
    """The network to export and, when it is a part, a note saying which part and how to change it."""
    edges = network.edges
    # masks over the whole edge table: a big table is copied once, for the edges kept, not for each step
    allowed = np.ones(len(edges), dtype=bool) if edge_types is None else isin(edges["edge_type"], list(edge_types))
    n_allowed = int(allowed.sum())
    if n_allowed <= max_edges:
        return (network if edge_types is None else replace(network, edges=edges[allowed])), None
    groups = _priority_people(network, members)
    # each person's edges (among those allowed), counted at either end
    ends = positions_in(pa.concat_arrays([_person_ends(edges, end, allowed) for end in ("source", "target")]),
                        strings(groups.index))
    degree = np.bincount(ends[ends >= 0], minlength=len(groups)).astype(float)
    cost = pd.Series(degree, index=groups.index).groupby(groups.to_numpy(), sort=False).sum()
    # whole groups in rank order (cluster ids sort in rank order; the rest after them), until the budget is spent
    cost = cost.sort_index()
    within = cost.index[cost.cumsum().to_numpy() <= max_edges]
    chosen = groups.index[groups.isin(set(within)).to_numpy()]
    chosen_set = id_set(chosen)
    touches = allowed & (isin(edges["source"], chosen_set) | isin(edges["target"], chosen_set))
    kept = edges[touches]
    nodes = pd.concat([kept["source"], kept["target"], pd.Series(chosen)]).astype(str)
    tables = {name: getattr(network, name) for name in _NODE_ID}
    scoped = {name: table[isin(table[_NODE_ID[name]].astype(str), nodes)] if len(table) else table
              for name, table in tables.items()}
    n_clusters = sum(1 for group in within if not str(group).startswith("~"))
    note = (
        f"the network has {n_allowed:,} edges, more than exports.max_edges ({max_edges:,}): graph.graphml, "
        f"graph.gexf and graph.anx carry the {n_clusters} highest-ranked cluster(s) and the other people who matter "
        f"that fit ({len(chosen):,} people, {len(kept):,} edges); raise exports.max_edges in the job config to export more"
    )
    return replace(network, edges=kept.reset_index(drop=True), **scoped), note
