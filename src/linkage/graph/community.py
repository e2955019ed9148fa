"""Community detection: the Leiden method (igraph) and a vectorised Louvain method, modularity or CPM quality.

``leiden_labels`` runs igraph's Leiden method (Traag, Waltman and van Eck
2019), whose communities are always connected; ``linkage.analyse.clusters``
uses it. ``louvain_labels`` is the Louvain method written here, kept as the
cross-check in the tests: on the tie graphs clusters are found on it is slower
and reaches a lower quality, and it can leave a community in disconnected parts
(``bench/community.py``, docs/performance.md).

The Louvain method (Blondel et al. 2008) with numpy over edge arrays, not a
Python loop per node. Each round every node (a seeded random half of them, so
that neighbours do not swap back and forth) moves to the neighbouring
community with the best gain; later rounds look only at nodes next to a move;
communities are then merged into nodes and the process repeats.

The quality optimised is modularity (Newman 2006; its result matches
``networkx.community.louvain_communities`` in modularity) or the Constant
Potts Model (CPM, Traag et al. 2011), whose communities do not depend on the
size of the rest of the graph (modularity's resolution limit merges small
groups once the graph is big).
"""

from __future__ import annotations

import random

import igraph
import numpy as np

from .kernels import dense, sum_by_key

__all__ = ["QUALITIES", "LEIDEN_ITERATIONS", "leiden_labels", "louvain_labels"]

#: the qualities ``leiden_labels`` and ``louvain_labels`` optimise
QUALITIES: tuple[str, ...] = ("modularity", "cpm")

#: Leiden passes over the graph (igraph's default; Traag et al. 2019 find two give most of the gain)
LEIDEN_ITERATIONS = 2


def leiden_labels(n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray, *, seed: int = 0,
                  quality: str = "modularity", resolution: float = 1.0, passes: int = LEIDEN_ITERATIONS) -> np.ndarray:
    """Leiden communities of an undirected weighted graph given as edge arrays: a label per node.

    Parameters
    ----------
    n : number of nodes, numbered ``0 .. n - 1``.
    a, b : the ends of each edge, one row per pair, no self-loops.
    weight : the positive weight of each edge.
    seed : seed of igraph's random choices; the same input and seed give the same labels.
    quality : ``"modularity"`` or ``"cpm"``, with ``resolution`` as in ``louvain_labels`` (igraph's CPM
        also counts each node paired with itself, which adds a constant and moves no optimum).
    resolution : higher gives smaller communities.
    passes : runs of the whole method, each from the last one's communities (at least 1); every run's
        communities are connected, a second run improves the quality a little (docs/performance.md).

    Returns
    -------
    An int64 label per node, communities numbered 0, 1, ... by their smallest node; every
    community is connected.

    Notes
    -----
    ``igraph.Graph.community_leiden`` with ``passes`` iterations (``LEIDEN_ITERATIONS`` by default). igraph draws
    from a Python random generator; a ``random.Random(seed)`` is lent to it for the call
    and igraph's default (the ``random`` module) is put back afterwards.

    Examples
    --------
    >>> a, b = np.array([0, 0, 1, 3, 3, 4, 2]), np.array([1, 2, 2, 4, 5, 5, 3])
    >>> leiden_labels(6, a, b, np.ones(7), seed=0)
    array([0, 0, 0, 1, 1, 1])
    """
    if quality not in QUALITIES:
        raise ValueError(f"quality {quality!r} must be 'modularity' or 'cpm'")
    if int(passes) != passes or passes < 1:
        raise ValueError(f"passes {passes!r} must be a whole number, 1 or more")
    a = np.asarray(a, dtype=np.int64)
    w = np.asarray(weight, dtype=np.float64)
    if n == 0 or not len(a) or w.sum() <= 0:
        return np.arange(n, dtype=np.int64)
    graph = igraph.Graph(n=n)
    # igraph reads an int32 array of pairs about twice as fast as an int64 one through its constructor
    graph.add_edges(np.column_stack([a, np.asarray(b, dtype=np.int64)]).astype(np.int32 if n < 2**31 else np.int64))
    igraph.set_random_number_generator(random.Random(seed))
    try:
        found = graph.community_leiden(objective_function="CPM" if quality == "cpm" else "modularity",
                                       weights=w, resolution=resolution, n_iterations=int(passes))
    finally:
        igraph.set_random_number_generator(random)
    return _by_first_node(np.asarray(found.membership, dtype=np.int64))


def louvain_labels(n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray, *, seed: int = 0,
                   quality: str = "modularity", resolution: float = 1.0, max_rounds: int = 50,
                   move_share: float = 0.5) -> np.ndarray:
    """Louvain communities of an undirected weighted graph given as edge arrays: a label per node.

    Parameters
    ----------
    n : number of nodes, numbered ``0 .. n - 1``.
    a, b : the ends of each edge, one row per pair, no self-loops.
    weight : the positive weight of each edge.
    seed : seed of the random half of the movers; the same input and seed give the same labels.
    quality : ``"modularity"`` (gain of joining community C: k_iC - resolution k_i K_C / 2m) or
        ``"cpm"`` (k_iC - resolution n_i N_C, the Constant Potts Model: ``resolution`` is then the least
        average edge weight per pair of members that holds a community together).
    resolution : see ``quality``; higher gives smaller communities.
    max_rounds : rounds of moves per level at most.
    move_share : share of the nodes with a better community that move in a round.

    Returns
    -------
    An int64 label per node, communities numbered 0, 1, ... by their smallest node.

    Notes
    -----
    Complexity: O(rounds x m log m) numpy work per level for m edges (a sort
    of the edges' (node, neighbouring community) keys per round), later
    rounds only over the nodes next to a move; the levels shrink the graph
    geometrically in practice.

    Examples
    --------
    >>> a, b = np.array([0, 0, 1, 3, 3, 4, 2]), np.array([1, 2, 2, 4, 5, 5, 3])
    >>> louvain_labels(6, a, b, np.ones(7), seed=0)
    array([0, 0, 0, 1, 1, 1])
    """
    if quality not in QUALITIES:
        raise ValueError(f"quality {quality!r} must be 'modularity' or 'cpm'")
    rng = np.random.default_rng(seed)
    node_comm = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    w = np.asarray(weight, dtype=np.float64)
    total = 2.0 * w.sum()
    if n == 0 or total <= 0:
        return node_comm
    self_w = np.zeros(n)
    people = np.ones(n)
    while True:
        m = len(self_w)
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        wt = np.concatenate([w, w])
        order = np.argsort(src, kind="stable")
        src, dst, wt = src[order], dst[order], wt[order]
        k = np.bincount(src, wt, minlength=m) + 2.0 * self_w
        mass, scale = (k, resolution / total) if quality == "modularity" else (people, resolution)
        comm = np.arange(m, dtype=np.int64)
        tot = mass.copy()
        size = np.ones(m, dtype=np.int64)
        active = np.ones(m, dtype=bool)
        moved_any = False
        for _ in range(max_rounds):
            rows = np.flatnonzero(active[src])
            if not len(rows):
                break
            key, k_ic = sum_by_key(src[rows] * m + comm[dst[rows]], wt[rows], runs=True)
            node = key // m
            cand = key - node * m
            own = comm[node] == cand
            k_own = np.zeros(m)
            k_own[node[own]] = k_ic[own]
            node, cand, k_ic = node[~own], cand[~own], k_ic[~own]
            if not len(node):
                break
            stay = k_own - scale * mass * (tot[comm] - mass)
            gain = k_ic - scale * mass[node] * tot[cand]
            # each node's best community: the highest gain, the smallest community on a tie
            first = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
            best = np.repeat(np.maximum.reduceat(gain, first), np.diff(np.r_[first, len(node)]))
            top = np.flatnonzero(gain >= best)
            top = top[np.r_[True, node[top][1:] != node[top][:-1]]]
            node, cand, gain = node[top], cand[top], gain[top]
            better = gain > stay[node] + 1e-12 * total
            # a singleton joins another singleton only downwards, so two never swap into each other
            better &= ~((size[comm[node]] == 1) & (size[cand] == 1)) | (cand < comm[node])
            if not better.any():
                break
            movers = better & (rng.random(len(node)) < move_share)
            active[:] = False
            active[node[better & ~movers]] = True
            if not movers.any():
                continue
            moved_any = True
            moved = node[movers]
            comm[moved] = cand[movers]
            tot = np.bincount(comm, mass, minlength=m)
            size = np.bincount(comm, minlength=m)
            # look again at the neighbours of a moved node that are outside its new community
            touched = np.zeros(m, dtype=bool)
            touched[moved] = True
            edge = np.flatnonzero(touched[src])
            edge = edge[comm[dst[edge]] != comm[src[edge]]]
            active[dst[edge]] = True
        if not moved_any:
            break
        comm = dense(comm)
        m2 = int(comm.max()) + 1
        node_comm = comm[node_comm]
        ca, cb = comm[a], comm[b]
        inside = ca == cb
        self_w = np.bincount(comm, self_w, minlength=m2) + np.bincount(ca[inside], w[inside], minlength=m2)
        people = np.bincount(comm, people, minlength=m2)
        lo, hi = np.minimum(ca[~inside], cb[~inside]), np.maximum(ca[~inside], cb[~inside])
        key, w = sum_by_key(lo * m2 + hi, w[~inside])
        a, b = key // m2, key % m2
        if m2 == m or not len(a):
            break
    return _by_first_node(node_comm)


def _by_first_node(labels: np.ndarray) -> np.ndarray:
    """The same partition, communities numbered 0, 1, ... by their smallest node."""
    n = len(labels)
    labels = dense(labels)
    first_node = np.full(int(labels.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first_node, labels, np.arange(n))
    rank = np.empty(len(first_node), dtype=np.int64)
    rank[np.argsort(first_node, kind="stable")] = np.arange(len(first_node))
    return rank[labels]
