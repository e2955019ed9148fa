"""Graph algorithms over edge arrays, the networkx way: the graph first (``n`` nodes, edge ends ``a``, ``b``,
optionally ``weight``), options as keywords, numpy arrays out.

- ``components.connected_components``: a component label per node (one vectorised union-find);
- ``community.leiden_labels``: Leiden communities (igraph), modularity or CPM, always connected;
  ``community.louvain_labels``: the Louvain method in numpy, kept as the tests' cross-check;
- ``centrality.betweenness_centrality`` (exact or sampled, Brandes) and ``centrality.degree``;
- ``paths.shortest_paths``: the k shortest weighted paths between two nodes (Dijkstra, Yen), ``tie_lengths``;
- ``layout.spring_layout``: Fruchterman-Reingold positions for drawing, components packed;
- ``kernels``: the sort-based integer kernels these (and the analyses) are written in.

Nodes are the integers ``0 .. n - 1``; callers map their ids to codes (see
``linkage.analyse.core.NetworkView``). Every function is vectorised with
numpy (no Python loop per node or edge; Leiden runs in igraph's C) and deterministic for a given seed;
each is tested against networkx (and leidenalg, when installed) on the same
graph.
"""

from __future__ import annotations

from . import kernels
from .centrality import betweenness_centrality, degree
from .community import LEIDEN_ITERATIONS, QUALITIES, leiden_labels, louvain_labels
from .components import connected_components
from .layout import fruchterman_reingold, spring_layout
from .paths import shortest_path, shortest_paths, tie_lengths

__all__ = [
    "LEIDEN_ITERATIONS",
    "QUALITIES",
    "betweenness_centrality",
    "connected_components",
    "degree",
    "fruchterman_reingold",
    "kernels",
    "leiden_labels",
    "louvain_labels",
    "shortest_path",
    "shortest_paths",
    "spring_layout",
    "tie_lengths",
]
