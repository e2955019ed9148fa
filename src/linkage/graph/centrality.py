"""Centrality of an undirected graph given as edge arrays: degree and (sampled) betweenness."""

from __future__ import annotations

import numpy as np

from .kernels import distinct

__all__ = ["degree", "betweenness_centrality"]


def degree(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of edges at each node (a self-loop counts twice, as in networkx). O(n + m).

    Examples
    --------
    >>> degree(4, np.array([0, 0, 1]), np.array([1, 2, 2]))
    array([2, 2, 2, 0])
    """
    return np.bincount(np.concatenate([a, b]), minlength=n)


def _csr(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected edges as compressed rows: neighbours of v are ``indices[indptr[v]:indptr[v + 1]]``."""
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order]


def _neighbours(indptr: np.ndarray, indices: np.ndarray, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(node, neighbour) for every edge of the nodes in ``frontier``."""
    start = indptr[frontier]
    count = indptr[frontier + 1] - start
    total = int(count.sum())
    offset = np.repeat(start - np.cumsum(count) + count, count) + np.arange(total)
    return np.repeat(frontier, count), indices[offset]


def betweenness_centrality(n: int, a: np.ndarray, b: np.ndarray, *, k: int | None = None,
                           seed: int = 0) -> np.ndarray:
    """Betweenness centrality of an unweighted undirected graph given as edge arrays.

    Parameters
    ----------
    n : number of nodes, numbered ``0 .. n - 1``.
    a, b : the ends of each edge, one row per pair.
    k : sources sampled (Brandes and Pich 2007), drawn with ``seed``; all nodes (exact) when None or >= n.
    seed : seed of the sample.

    Returns
    -------
    A float per node, normalised as ``networkx.betweenness_centrality(normalized=True)``:
    sums over sources divided by (n - 1)(n - 2), times n / k when sampled.

    Notes
    -----
    Brandes' algorithm (2001): one breadth-first search per source, each
    level vectorised with numpy, then the dependencies accumulated back up
    the levels. O(k (n + m)) for k sources and m edges; exact is O(n m).

    Examples
    --------
    >>> betweenness_centrality(3, np.array([0, 1]), np.array([1, 2]))
    array([0., 1., 0.])
    """
    bc = np.zeros(n)
    if n <= 2 or not len(a):
        return bc
    indptr, indices = _csr(n, np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    if k is None or k >= n:
        sources = np.arange(n)
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
    dist = np.full(n, -1, dtype=np.int64)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    for s in sources:
        if indptr[s + 1] == indptr[s]:
            continue
        dist[s] = 0
        sigma[s] = 1.0
        frontier = np.array([s], dtype=np.int64)
        reached = [frontier]
        steps = []
        depth = 0
        while len(frontier):
            parent, child = _neighbours(indptr, indices, frontier)
            # the unvisited neighbours are exactly the next level: every edge into them is a shortest-path step
            down = dist[child] < 0
            parent, child = parent[down], child[down]
            new = distinct(child)
            dist[new] = depth + 1
            np.add.at(sigma, child, sigma[parent])
            steps.append((parent, child))
            reached.append(new)
            frontier = new
            depth += 1
        for parent, child in reversed(steps):
            np.add.at(delta, parent, sigma[parent] / sigma[child] * (1.0 + delta[child]))
        seen = np.concatenate(reached)
        bc[seen] += delta[seen]
        bc[s] -= delta[s]
        dist[seen] = -1
        sigma[seen] = 0.0
        delta[seen] = 0.0
    scale = 1.0 / ((n - 1) * (n - 2))
    if len(sources) < n:
        scale *= n / len(sources)
    return bc * scale
