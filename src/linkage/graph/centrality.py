"""Centrality of an undirected graph given as edge arrays: degree and (sampled) betweenness, in hops or over
distances."""

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


def betweenness_centrality(n: int, a: np.ndarray, b: np.ndarray, *, distance: np.ndarray | None = None,
                           k: int | None = None, seed: int = 0) -> np.ndarray:
    """Betweenness centrality of an undirected graph given as edge arrays, counted in hops or over distances.

    Parameters
    ----------
    n : number of nodes, numbered ``0 .. n - 1``.
    a, b : the ends of each edge, one row per pair.
    distance : the positive length of each edge (for ties weighted by strength, ``1 / weight``: a strong
        tie is a short step, a weak one a long step, and no tie is dropped); None counts hops.
    k : sources sampled (Brandes and Pich 2007), drawn with ``seed``; all nodes (exact) when None or >= n.
    seed : seed of the sample.

    Returns
    -------
    A float per node, normalised as ``networkx.betweenness_centrality(normalized=True)`` (with
    ``weight=`` the distance): sums over sources divided by (n - 1)(n - 2), times n / k when sampled.

    Notes
    -----
    Brandes' algorithm (2001), vectorised with numpy. Counted in hops, one
    breadth-first search per source, level by level. Over distances, the
    distances from each source are found by relaxing every edge out of the
    nodes whose distance fell, until none falls (label-correcting, each
    round one numpy pass); the edges on shortest paths (``d(u) + l(u, v) =
    d(v)``, to a relative 1e-12) form a DAG whose paths are counted in
    topological rounds (Kahn), and the dependencies accumulated back through
    the same rounds. O(k (n + m)) per round for k sources and m edges; exact
    is k = n.

    Examples
    --------
    >>> betweenness_centrality(3, np.array([0, 1]), np.array([1, 2]))
    array([0., 1., 0.])
    >>> betweenness_centrality(3, np.array([0, 1, 0]), np.array([1, 2, 2]), distance=np.array([1.0, 1.0, 3.0]))
    array([0., 1., 0.])
    """
    bc = np.zeros(n)
    if n <= 2 or not len(a):
        return bc
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if k is None or k >= n:
        sources = np.arange(n)
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
    if distance is None:
        _hop_dependencies(n, a, b, sources, bc)
    else:
        _distance_dependencies(n, a, b, np.asarray(distance, dtype=np.float64), sources, bc)
    scale = 1.0 / ((n - 1) * (n - 2))
    if len(sources) < n:
        scale *= n / len(sources)
    return bc * scale


def _hop_dependencies(n: int, a: np.ndarray, b: np.ndarray, sources: np.ndarray, bc: np.ndarray) -> None:
    """Add each source's dependencies to ``bc``, paths counted in hops (one breadth-first search per source)."""
    indptr, indices = _csr(n, a, b)
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
        _accumulate(steps, s, np.concatenate(reached), sigma, delta, bc)
        dist[np.concatenate(reached)] = -1


def _accumulate(steps: list, s: int, seen: np.ndarray, sigma: np.ndarray, delta: np.ndarray,
                bc: np.ndarray) -> None:
    """Brandes' back-propagation over the (parent, child) steps of one source, then reset its arrays."""
    for parent, child in reversed(steps):
        np.add.at(delta, parent, sigma[parent] / sigma[child] * (1.0 + delta[child]))
    bc[seen] += delta[seen]
    bc[s] -= delta[s]
    sigma[seen] = 0.0
    delta[seen] = 0.0


#: sources searched together over distances: at most this many (source, edge) slots per batch
BATCH_SLOTS = 1 << 22
#: each round of the distance search settles the pending nodes within this many median edge lengths of the nearest
STEP = 0.25


def _distance_dependencies(n: int, a: np.ndarray, b: np.ndarray, length: np.ndarray, sources: np.ndarray,
                           bc: np.ndarray) -> None:
    """Add each source's dependencies to ``bc``, paths measured by ``length`` (see ``betweenness_centrality``).

    Sources are searched in batches, each (source, node) one slot of flat arrays, so that one numpy pass
    relaxes the edges of every source in the batch.
    """
    if not (np.isfinite(length).all() and (length > 0).all()):
        raise ValueError("every edge distance must be a positive finite number")
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    order = np.argsort(src, kind="stable")
    src, dst, arc = src[order], dst[order], np.concatenate([length, length])[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    sources = sources[indptr[sources + 1] > indptr[sources]]
    batch = max(1, min(len(sources), BATCH_SLOTS // max(len(src) + n, 1)))
    step = float(np.median(arc)) * STEP
    for at in range(0, len(sources), batch):
        _distance_batch(n, indptr, dst, arc, sources[at:at + batch], bc, step)


def _distance_batch(n: int, indptr: np.ndarray, dst: np.ndarray, arc: np.ndarray, sources: np.ndarray,
                    bc: np.ndarray, step: float) -> None:
    """Brandes over distances for a batch of sources at once: slot ``i * n + v`` is node v seen from source i."""
    size = len(sources) * n
    base = np.arange(len(sources), dtype=np.int64) * n
    dist = np.full(size, np.inf)
    start = base + sources
    dist[start] = 0.0
    # distances: relax the edges out of the slots whose distance fell, nearest first: each round takes the
    # pending slots within ``step`` of their source's nearest pending one (delta-stepping, Meyer and Sanders 2003)
    pending = start
    while len(pending):
        owner = pending // n
        nearest = np.full(len(sources), np.inf)
        np.minimum.at(nearest, owner, dist[pending])
        now = dist[pending] <= nearest[owner] + step
        frontier, pending = pending[now], pending[~now]
        parent, edge = _slot_edges(indptr, frontier, n)
        child = parent - parent % n + dst[edge]
        reach = dist[parent] + arc[edge]
        better = reach < dist[child]
        if not better.any():
            continue
        child, reach = child[better], reach[better]
        np.minimum.at(dist, child, reach)
        improved = child[reach == dist[child]]
        pending = distinct(np.concatenate([pending, improved]))
    seen = np.flatnonzero(np.isfinite(dist))
    # the shortest-path DAG of each source, its paths counted in topological rounds (Kahn)
    tail, edge = _slot_edges(indptr, seen, n)
    head = tail - tail % n + dst[edge]
    tight = (dist[tail] + arc[edge] <= dist[head] * (1.0 + 1e-12)) & (dist[head] > 0)
    tail, head = tail[tight], head[tight]     # sorted by tail: slots are visited in order
    first = np.zeros(size, dtype=np.int64)
    count = np.zeros(size, dtype=np.int64)
    lo = np.searchsorted(tail, seen)
    first[seen], count[seen] = lo, np.searchsorted(tail, seen, side="right") - lo
    waiting = np.bincount(head, minlength=size)
    sigma = np.zeros(size)
    sigma[start] = 1.0
    frontier = start
    steps = []
    while len(frontier):
        total = int(count[frontier].sum())
        if not total:
            break
        offset = np.repeat(first[frontier] - np.cumsum(count[frontier]) + count[frontier],
                           count[frontier]) + np.arange(total)
        parent, child = tail[offset], head[offset]
        np.add.at(sigma, child, sigma[parent])
        np.subtract.at(waiting, child, 1)
        steps.append((parent, child))
        child = distinct(child)
        frontier = child[waiting[child] == 0]
    delta = np.zeros(size)
    for parent, child in reversed(steps):
        np.add.at(delta, parent, sigma[parent] / sigma[child] * (1.0 + delta[child]))
    delta[start] = 0.0
    bc += delta.reshape(len(sources), n).sum(axis=0)


def _slot_edges(indptr: np.ndarray, slots: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(slot, edge position) for every edge out of the nodes of ``slots`` (slot = source index * n + node)."""
    node = slots % n
    count = indptr[node + 1] - indptr[node]
    return np.repeat(slots, count), _edges_of(indptr, node)


def _edges_of(indptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Positions, in the compressed rows, of every edge out of ``nodes``."""
    start = indptr[nodes]
    count = indptr[nodes + 1] - start
    return np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
