"""Shortest weighted paths between two nodes of an undirected graph given as edge arrays.

"How is A connected to B": Dijkstra over the edge lengths, and Yen's k
shortest loopless paths for the alternatives. Ties between equally short
routes are broken the same way every time (Dijkstra keeps the first route it
found to a node when a later one is no shorter; Yen's alternatives of equal
length come in the order of their node codes), so the answer is deterministic; the views' path picker (``paths.js``) runs the same
algorithm on the page's nodes and finds the same paths.
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["shortest_path", "shortest_paths", "tie_lengths"]


def tie_lengths(weight: np.ndarray) -> np.ndarray:
    """The length of a tie of each ``weight``: 1 / weight, so heavier ties are shorter.

    A weight that is unknown (NaN) counts as 1; a weight of 0 or less is no tie (length inf).

    Examples
    --------
    >>> tie_lengths(np.array([2.0, 0.0, np.nan]))
    array([0.5, inf, 1. ])
    """
    weight = np.where(np.isnan(np.asarray(weight, dtype=np.float64)), 1.0, weight)
    with np.errstate(divide="ignore"):
        return np.where(weight > 0, 1.0 / np.where(weight > 0, weight, 1.0), np.inf)


def _adjacency(n: int, a: np.ndarray, b: np.ndarray, length: np.ndarray) -> list[list[tuple[int, float]]]:
    """Neighbours of each node with the shortest length of the edges to each (parallel edges: the shortest)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    length = np.asarray(length, dtype=np.float64)
    keep = np.isfinite(length) & (a != b)
    a, b, length = a[keep], b[keep], length[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((length, hi, lo))
    lo, hi, length = lo[order], hi[order], length[order]
    first = np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])] if len(lo) else np.zeros(0, dtype=bool)
    lo, hi, length = lo[first], hi[first], length[first]
    adjacency: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for x, y, d in zip(lo.tolist(), hi.tolist(), length.tolist()):
        adjacency[x].append((y, d))
        adjacency[y].append((x, d))
    for neighbours in adjacency:
        neighbours.sort()
    return adjacency


def _dijkstra(adjacency, source: int, target: int, banned_nodes: set[int], banned_edges: set[tuple[int, int]]
              ) -> tuple[list[int], float] | None:
    distance = {source: 0.0}
    previous: dict[int, int] = {}
    heap = [(0.0, source)]
    done: set[int] = set()
    while heap:
        d, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if node == target:
            path = [node]
            while path[-1] != source:
                path.append(previous[path[-1]])
            return path[::-1], d
        for other, length in adjacency[node]:
            if other in banned_nodes or other in done or (min(node, other), max(node, other)) in banned_edges:
                continue
            candidate = d + length
            if candidate < distance.get(other, np.inf):
                distance[other] = candidate
                previous[other] = node
                heapq.heappush(heap, (candidate, other))
    return None


def shortest_path(n: int, a: np.ndarray, b: np.ndarray, length: np.ndarray, source: int, target: int
                  ) -> tuple[list[int], float] | None:
    """The shortest path from ``source`` to ``target`` and its length, or None when no path joins them.

    ``length`` is each edge's length (``tie_lengths`` of its weight); parallel
    edges count by their shortest. Dijkstra with a binary heap: O((n + m) log n).

    Examples
    --------
    >>> shortest_path(4, np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([1.0, 1.0, 5.0]), 0, 2)
    ([0, 1, 2], 2.0)
    """
    return _dijkstra(_adjacency(n, a, b, length), source, target, set(), set())


def shortest_paths(n: int, a: np.ndarray, b: np.ndarray, length: np.ndarray, source: int, target: int, *,
                   k: int = 3) -> list[tuple[list[int], float]]:
    """Up to ``k`` shortest loopless paths from ``source`` to ``target``, shortest first, with their lengths.

    Yen's algorithm (1971): each next path leaves an earlier one at some node
    and avoids the edges the earlier paths took from there. Equally long paths
    come in the order of their node codes (see the module docstring). O(k n (n + m) log n) at worst.

    Examples
    --------
    >>> shortest_paths(4, np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3]), np.ones(4), 0, 3, k=2)
    [([0, 1, 3], 2.0), ([0, 2, 3], 2.0)]
    """
    if not (0 <= source < n and 0 <= target < n) or k < 1:
        return []
    adjacency = _adjacency(n, a, b, length)
    first = _dijkstra(adjacency, source, target, set(), set())
    if first is None:
        return []
    lengths = {node: dict(neighbours) for node, neighbours in enumerate(adjacency)}
    found = [first]
    candidates: list[tuple[float, list[int]]] = []
    seen = {tuple(first[0])}
    while len(found) < k:
        last = found[-1][0]
        for i in range(len(last) - 1):
            root = last[: i + 1]
            banned_edges = {(min(p[i], p[i + 1]), max(p[i], p[i + 1])) for p, _ in found if p[: i + 1] == root}
            spur = _dijkstra(adjacency, root[-1], target, set(root[:-1]), banned_edges)
            if spur is None:
                continue
            path = root[:-1] + spur[0]
            if tuple(path) in seen:
                continue
            seen.add(tuple(path))
            total = sum(lengths[x][y] for x, y in zip(path, path[1:]))
            heapq.heappush(candidates, (total, path))
        if not candidates:
            break
        total, path = heapq.heappop(candidates)
        found.append((path, total))
    return found
