"""Node positions computed in Python, deterministic with the job's seed.

The browser then only draws: vis-network's own physics (what pyvis turns on by
default) needs minutes to settle a few thousand nodes, and its result changes
from one opening to the next.  Each connected component is laid out with a
force-directed (Fruchterman-Reingold) pass in numpy -- exact repulsion for
small components, repulsion from a seeded sample of nodes for large ones, so
the cost is O(n * sample) per iteration -- and the components are packed in
rows, largest first.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["layout", "EXACT_BELOW"]

#: components up to this many nodes get exact all-pairs repulsion
EXACT_BELOW = 700
#: repulsion partners per node per iteration above EXACT_BELOW
SAMPLE = 48
#: target length of an edge on screen, in pixels
EDGE_PIXELS = 90.0
#: room per node (the side of its square), in pixels
NODE_PIXELS = 55.0


def _force(n: int, src: np.ndarray, dst: np.ndarray, rng: np.random.Generator, iterations: int) -> np.ndarray:
    pos = rng.uniform(-1.0, 1.0, size=(n, 2)) * math.sqrt(n)
    temperature = math.sqrt(n) * 0.5
    cooling = (0.02) ** (1.0 / max(iterations, 1))
    for _ in range(iterations):
        if n <= EXACT_BELOW:
            delta = pos[:, None, :] - pos[None, :, :]
            dist2 = np.einsum("ijk,ijk->ij", delta, delta) + 1e-6
            repulse = np.einsum("ijk,ij->ik", delta, 1.0 / dist2)
        else:
            partners = rng.integers(0, n, size=(n, SAMPLE))
            delta = pos[:, None, :] - pos[partners]
            dist2 = np.einsum("ijk,ijk->ij", delta, delta) + 1e-6
            repulse = np.einsum("ijk,ij->ik", delta, 1.0 / dist2) * (n / SAMPLE)
        if len(src):
            d = pos[src] - pos[dst]
            dist = np.sqrt(np.einsum("ij,ij->i", d, d)) + 1e-9
            pull = d * dist[:, None]
            attract_x = np.bincount(dst, weights=pull[:, 0], minlength=n) - np.bincount(src, weights=pull[:, 0], minlength=n)
            attract_y = np.bincount(dst, weights=pull[:, 1], minlength=n) - np.bincount(src, weights=pull[:, 1], minlength=n)
            move = repulse + np.column_stack([attract_x, attract_y])
        else:
            move = repulse
        move -= pos * 0.01  # a little gravity keeps loose leaves near the middle
        length = np.sqrt(np.einsum("ij,ij->i", move, move)) + 1e-9
        pos += move * (np.minimum(length, temperature) / length)[:, None]
        temperature *= cooling
    return pos


def _component_positions(n: int, src: np.ndarray, dst: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[0.0, 0.0], [EDGE_PIXELS, 0.0]])
    iterations = 80 if n <= 200 else (50 if n <= EXACT_BELOW else 35)
    pos = _force(n, src, dst, rng, iterations)
    pos = pos - pos.mean(axis=0)
    # scale so that a node has about NODE_PIXELS^2 of room, and edges are not shorter than EDGE_PIXELS / 2
    radius = float(np.sqrt((pos ** 2).sum(axis=1)).max()) or 1.0
    wanted = NODE_PIXELS * math.sqrt(n / math.pi)
    scale = wanted / radius
    if len(src):
        lengths = np.sqrt(((pos[src] - pos[dst]) ** 2).sum(axis=1))
        typical = float(np.median(lengths)) or 1.0
        scale = max(scale, EDGE_PIXELS / 2 / typical)
    return pos * scale


def _components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Component label of every node (union-find, vectorised by repeated label propagation)."""
    label = np.arange(n)
    if not len(src):
        return label
    while True:
        low = np.minimum(label[src], label[dst])
        new = label.copy()
        np.minimum.at(new, src, low)
        np.minimum.at(new, dst, low)
        new = new[new]  # pointer jumping
        if np.array_equal(new, label):
            return label
        label = new


def layout(node_ids: list, edges: list[tuple] | np.ndarray, *, seed: int = 0) -> dict:
    """``{node id: (x, y)}`` in pixels for ``node_ids`` joined by ``edges`` (pairs of node ids).

    Deterministic for the same nodes, edges and seed.  Roughly O(n * 48 * 35)
    for big components, O(n^2) per iteration below ``EXACT_BELOW`` nodes.

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
    rng = np.random.default_rng(seed)
    comp = _components(n, src, dst)
    roots, sizes = np.unique(comp, return_counts=True)
    order = np.lexsort((roots, -sizes))  # largest first, then by first node
    edge_comp = comp[src] if len(src) else np.array([], dtype=np.int64)
    placed: list[tuple[np.ndarray, np.ndarray]] = []
    for k in order:
        members = np.flatnonzero(comp == roots[k])
        local = np.full(n, -1, dtype=np.int64)
        local[members] = np.arange(len(members))
        mask = edge_comp == roots[k]
        pos = _component_positions(len(members), local[src[mask]], local[dst[mask]], rng)
        placed.append((members, pos))
    # shelf packing: rows of components, the widest row about as wide as the area's square root
    boxes = [(p.max(axis=0) - p.min(axis=0)) + EDGE_PIXELS for _, p in placed]
    area = sum(float(b[0] * b[1]) for b in boxes)
    width_limit = max(math.sqrt(area) * 1.3, max(float(b[0]) for b in boxes))
    out = np.zeros((n, 2))
    x = y = row_height = 0.0
    for (members, pos), box in zip(placed, boxes):
        if x > 0 and x + box[0] > width_limit:
            x, y, row_height = 0.0, y + row_height, 0.0
        shifted = pos - pos.min(axis=0) + np.array([x, y])
        out[members] = shifted
        x += float(box[0])
        row_height = max(row_height, float(box[1]))
    out -= out.mean(axis=0)
    return {ids[i]: (round(float(out[i, 0]), 1), round(float(out[i, 1]), 1)) for i in range(n)}
