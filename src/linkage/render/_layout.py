"""Node positions computed in Python, deterministic with the job's seed.

The browser then only draws: vis-network's own physics (what pyvis turns on by
default) needs minutes to settle a few thousand nodes, and its result changes
from one opening to the next. The layout itself is
``linkage.graph.spring_layout`` (Fruchterman-Reingold per component,
components packed in rows); this module maps node ids to it and back.
"""

from __future__ import annotations

import numpy as np

from ..graph import spring_layout

__all__ = ["layout"]


def layout(node_ids: list, edges: list[tuple] | np.ndarray, *, seed: int = 0) -> dict:
    """``{node id: (x, y)}`` in pixels for ``node_ids`` joined by ``edges`` (pairs of node ids).

    Deterministic for the same nodes, edges and seed; edges to unknown nodes
    and self-loops are ignored. Complexity as ``spring_layout``.

    Examples
    --------
    >>> pos = layout(["a", "b", "c"], [("a", "b"), ("b", "c")], seed=1)
    >>> sorted(pos) == ["a", "b", "c"]
    True
    """
    ids = list(node_ids)
    n = len(ids)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(ids)}
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index and a != b]
    src = np.fromiter((a for a, _ in pairs), dtype=np.int64, count=len(pairs))
    dst = np.fromiter((b for _, b in pairs), dtype=np.int64, count=len(pairs))
    out = spring_layout(n, src, dst, seed=seed)
    return {ids[i]: (round(float(out[i, 0]), 1), round(float(out[i, 1]), 1)) for i in range(n)}
