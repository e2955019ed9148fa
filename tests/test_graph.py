"""linkage.graph: each algorithm against networkx (and leidenalg, when installed) on the same graph."""

from __future__ import annotations

import doctest

import networkx as nx
import numpy as np
import pytest

import linkage.graph
from linkage.graph import (
    betweenness_centrality,
    connected_components,
    degree,
    fruchterman_reingold,
    kernels,
    leiden_labels,
    louvain_labels,
    shortest_paths,
    spring_layout,
    tie_lengths,
)
from linkage.graph import centrality, community, components, layout, paths


def _edges(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    return edges[:, 0], edges[:, 1]


def _weighted(seed: int, groups: int = 10, size: int = 25) -> tuple[nx.Graph, np.ndarray, np.ndarray, np.ndarray]:
    """Planted groups with random tie weights: the shape of the risk subgraph the clusters are found on."""
    graph = nx.planted_partition_graph(groups, size, 0.4, 0.02, seed=seed)
    a, b = _edges(graph)
    w = np.random.default_rng(seed).uniform(0.5, 3.0, len(a))
    for u, v, weight in zip(a, b, w):
        graph[u][v]["weight"] = weight
    return graph, a, b, w


def _partition(labels: np.ndarray) -> list[set[int]]:
    return [set(np.flatnonzero(labels == c).tolist()) for c in np.unique(labels)]


def _cpm(a: np.ndarray, b: np.ndarray, w: np.ndarray, labels: np.ndarray, resolution: float) -> float:
    """The Constant Potts Model quality: weight inside communities minus resolution x pairs inside them."""
    sizes = np.bincount(labels)
    return float(w[labels[a] == labels[b]].sum() - resolution * (sizes * (sizes - 1) / 2).sum())


def test_docstring_examples_run():
    for module in (linkage.graph, kernels, components, community, centrality, layout, paths):
        failed, tried = doctest.testmod(module, extraglobs={"np": np})
        assert failed == 0, module.__name__
    assert doctest.testmod(kernels, extraglobs={"np": np}).attempted >= 7


# ---------------------------------------------------------------------------------------------------------------
# components


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_components_match_networkx(seed):
    graph = nx.gnm_random_graph(600, 400, seed=seed)  # many small components and isolated nodes
    a, b = _edges(graph)
    # repeated edges and self-loops change nothing
    a, b = np.r_[a, a[:50], 7], np.r_[b, b[:50], 7]
    labels = connected_components(600, a, b)
    assert sorted(map(sorted, _partition(labels))) == sorted(map(sorted, nx.connected_components(graph)))
    # each component is labelled by its smallest node
    for component in nx.connected_components(graph):
        assert set(labels[list(component)]) == {min(component)}


def test_components_of_nothing_and_of_a_long_chain():
    assert connected_components(0, np.array([]), np.array([])).tolist() == []
    assert connected_components(3, np.array([]), np.array([])).tolist() == [0, 1, 2]
    order = np.random.default_rng(0).permutation(5000)  # a path visiting the nodes in random order
    labels = connected_components(5000, order[:-1], order[1:])
    assert (labels == 0).all()


# ---------------------------------------------------------------------------------------------------------------
# communities


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_louvain_modularity_matches_networkx(seed):
    graph, a, b, w = _weighted(seed)
    labels = louvain_labels(graph.number_of_nodes(), a, b, w, seed=0, quality="modularity")
    ours = nx.community.modularity(graph, _partition(labels), weight="weight")
    theirs = nx.community.modularity(graph, nx.community.louvain_communities(graph, weight="weight", seed=0),
                                     weight="weight")
    assert ours >= theirs - 0.01
    # deterministic, numbered by each community's smallest node
    assert np.array_equal(labels, louvain_labels(graph.number_of_nodes(), a, b, w, seed=0, quality="modularity"))
    first = [int(np.flatnonzero(labels == c)[0]) for c in range(labels.max() + 1)]
    assert first == sorted(first)


def test_louvain_modularity_on_an_unweighted_classic():
    graph = nx.karate_club_graph()
    a, b = _edges(graph)
    labels = louvain_labels(34, a, b, np.ones(len(a)), seed=0)
    ours = nx.community.modularity(graph, _partition(labels), weight=None)
    theirs = max(nx.community.modularity(graph, nx.community.louvain_communities(graph, weight=None, seed=s),
                                         weight=None) for s in range(5))
    assert ours >= theirs - 0.01
    assert ours > 0.40  # the known optimum is 0.4198


@pytest.mark.parametrize("find", [louvain_labels, leiden_labels], ids=["louvain", "leiden"])
def test_finds_planted_cliques_with_cpm(find):
    # four 6-cliques joined in a ring by single light ties
    a, b, w = [], [], []
    for block in range(4):
        base = block * 6
        for i in range(6):
            for j in range(i + 1, 6):
                a.append(base + i)
                b.append(base + j)
                w.append(2.0)
        a.append(base)
        b.append((base + 6) % 24)
        w.append(0.5)
    labels = find(24, np.array(a), np.array(b), np.array(w), quality="cpm", resolution=0.3)
    assert list(labels) == [c for c in range(4) for _ in range(6)]
    with pytest.raises(ValueError, match="quality"):
        find(24, np.array(a), np.array(b), np.array(w), quality="surprise")


@pytest.mark.parametrize("find", [louvain_labels, leiden_labels], ids=["louvain", "leiden"])
def test_of_nothing_is_every_node_alone(find):
    assert find(3, np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([])).tolist() == [0, 1, 2]
    assert find(0, np.array([]), np.array([]), np.array([])).tolist() == []


@pytest.mark.parametrize("resolution", [0.05, 0.3, 1.0])
def test_louvain_cpm_against_leidenalg(resolution):
    leidenalg = pytest.importorskip("leidenalg")
    igraph = pytest.importorskip("igraph")
    graph, a, b, w = _weighted(2)
    n = graph.number_of_nodes()
    labels = louvain_labels(n, a, b, w, seed=0, quality="cpm", resolution=resolution)
    g = igraph.Graph(n=n, edges=list(zip(a.tolist(), b.tolist())))
    # our objective is leidenalg's CPM (which counts each pair twice)
    scored = leidenalg.CPMVertexPartition(g, initial_membership=labels.tolist(), weights=w.tolist(),
                                          resolution_parameter=resolution)
    assert scored.quality() == pytest.approx(2 * _cpm(a, b, w, labels, resolution))
    leiden = leidenalg.find_partition(g, leidenalg.CPMVertexPartition, weights=w.tolist(),
                                      resolution_parameter=resolution, seed=0)
    theirs = _cpm(a, b, w, np.array(leiden.membership), resolution)
    # Louvain may fall a few percent short of Leiden's refinement (Traag et al. 2019), never far
    assert _cpm(a, b, w, labels, resolution) >= 0.92 * theirs


def test_louvain_modularity_against_leidenalg():
    leidenalg = pytest.importorskip("leidenalg")
    igraph = pytest.importorskip("igraph")
    graph, a, b, w = _weighted(1)
    labels = louvain_labels(graph.number_of_nodes(), a, b, w, seed=0)
    g = igraph.Graph(n=graph.number_of_nodes(), edges=list(zip(a.tolist(), b.tolist())))
    leiden = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, weights=w.tolist(), seed=0)
    theirs = nx.community.modularity(graph, _partition(np.array(leiden.membership)), weight="weight")
    assert nx.community.modularity(graph, _partition(labels), weight="weight") >= theirs - 0.01


def _disconnected(n: int, a: np.ndarray, b: np.ndarray, labels: np.ndarray) -> int:
    """Communities whose members are not all joined by ties inside the community."""
    same = labels[a] == labels[b]
    parts = connected_components(n, a[same], b[same])
    pairs = np.unique(labels * (n + 1) + parts) // (n + 1)
    return int(np.count_nonzero(np.bincount(pairs) > 1))


def _karate() -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Zachary's karate club with its interaction counts as weights."""
    graph = nx.karate_club_graph()
    a, b = _edges(graph)
    return 34, a, b, np.array([graph[u][v]["weight"] for u, v in zip(a, b)], dtype=np.float64)


def test_leiden_communities_are_connected_where_louvain_leaves_them_split():
    n, a, b, w = _karate()
    for seed in range(3):
        louvain = louvain_labels(n, a, b, w, seed=seed, quality="cpm", resolution=1.0)
        leiden = leiden_labels(n, a, b, w, seed=seed, quality="cpm", resolution=1.0)
        # the graph is a real test: Louvain leaves communities whose members no tie inside them joins
        assert _disconnected(n, a, b, louvain) >= 1
        assert _disconnected(n, a, b, leiden) == 0
        # Leiden's partition is no worse on the quality both optimise
        assert _cpm(a, b, w, leiden, 1.0) >= _cpm(a, b, w, louvain, 1.0)


@pytest.mark.parametrize("quality", ["cpm", "modularity"])
def test_leiden_same_seed_same_labels_and_the_global_random_untouched(quality):
    import random

    graph, a, b, w = _weighted(3)
    n = graph.number_of_nodes()
    random.seed(11)
    expected = random.random()
    random.seed(11)
    first = leiden_labels(n, a, b, w, seed=5, quality=quality, resolution=0.3 if quality == "cpm" else 1.0)
    assert random.random() == expected   # igraph drew from its own generator, not the random module
    again = leiden_labels(n, a, b, w, seed=5, quality=quality, resolution=0.3 if quality == "cpm" else 1.0)
    assert np.array_equal(first, again)
    # numbered by each community's smallest node
    firsts = [int(np.flatnonzero(first == c)[0]) for c in range(first.max() + 1)]
    assert firsts == sorted(firsts)


@pytest.mark.parametrize("resolution", [0.05, 0.3, 1.0])
def test_leiden_cpm_against_leidenalg_and_louvain(resolution):
    """The cross-check: igraph's Leiden reaches leidenalg's CPM quality and our Louvain's.

    Both are heuristics, so on a small graph either may end a fraction of a percent above
    the other; on the tie graphs clusters are found on Leiden is ahead (docs/performance.md).
    """
    leidenalg = pytest.importorskip("leidenalg")
    igraph = pytest.importorskip("igraph")
    for seed in (2, 5):
        graph, a, b, w = _weighted(seed)
        n = graph.number_of_nodes()
        labels = leiden_labels(n, a, b, w, seed=0, quality="cpm", resolution=resolution)
        g = igraph.Graph(n=n, edges=list(zip(a.tolist(), b.tolist())))
        theirs = leidenalg.find_partition(g, leidenalg.CPMVertexPartition, weights=w.tolist(),
                                          resolution_parameter=resolution, seed=0)
        ours = _cpm(a, b, w, labels, resolution)
        assert ours >= 0.99 * _cpm(a, b, w, np.array(theirs.membership), resolution)
        louvain = louvain_labels(n, a, b, w, seed=0, quality="cpm", resolution=resolution)
        assert ours >= 0.99 * _cpm(a, b, w, louvain, resolution)


def test_leiden_modularity_against_networkx_and_leidenalg():
    leidenalg = pytest.importorskip("leidenalg")
    igraph = pytest.importorskip("igraph")
    graph, a, b, w = _weighted(1)
    labels = leiden_labels(graph.number_of_nodes(), a, b, w, seed=0)
    ours = nx.community.modularity(graph, _partition(labels), weight="weight")
    g = igraph.Graph(n=graph.number_of_nodes(), edges=list(zip(a.tolist(), b.tolist())))
    theirs = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, weights=w.tolist(), seed=0)
    assert ours >= nx.community.modularity(graph, _partition(np.array(theirs.membership)), weight="weight") - 0.01
    assert ours >= nx.community.modularity(graph, nx.community.louvain_communities(graph, weight="weight", seed=0),
                                           weight="weight") - 0.01


# ---------------------------------------------------------------------------------------------------------------
# centrality


@pytest.mark.parametrize("graph", [
    nx.connected_watts_strogatz_graph(300, 4, 0.2, seed=3),
    nx.balanced_tree(3, 4),
    nx.disjoint_union(nx.path_graph(30), nx.disjoint_union(nx.star_graph(12), nx.empty_graph(5))),
], ids=["small-world", "tree", "disconnected"])
def test_betweenness_equals_networkx(graph):
    n = graph.number_of_nodes()
    a, b = _edges(graph)
    ours = betweenness_centrality(n, a, b)
    theirs = nx.betweenness_centrality(graph)
    assert np.allclose(ours, [theirs[v] for v in range(n)], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_weighted_betweenness_equals_networkx_with_distance_one_over_weight(seed):
    """Ties weighted by strength: networkx on the same graph with distance = 1 / weight."""
    graph = nx.disjoint_union(nx.connected_watts_strogatz_graph(200, 6, 0.2, seed=seed), nx.path_graph(7))
    a, b = _edges(graph)
    rng = np.random.default_rng(seed)
    # strengths whose inverses are exact binary fractions (ties of equal length exist), and arbitrary ones
    weight = rng.choice([1.0, 2.0, 4.0, 0.5], len(a)) if seed % 2 else rng.uniform(0.2, 40.0, len(a))
    for u, v, w in zip(a, b, weight):
        graph[u][v]["distance"] = 1.0 / w
    n = graph.number_of_nodes()
    ours = betweenness_centrality(n, a, b, distance=1.0 / weight)
    theirs = nx.betweenness_centrality(graph, weight="distance")
    assert np.allclose(ours, [theirs[v] for v in range(n)], rtol=1e-9, atol=1e-15)
    # equal distances count hops
    assert np.allclose(betweenness_centrality(n, a, b, distance=np.full(len(a), 3.0)), betweenness_centrality(n, a, b))
    sampled = betweenness_centrality(n, a, b, distance=1.0 / weight, k=60, seed=1)
    assert np.corrcoef(sampled, ours)[0, 1] > 0.8


def test_weighted_betweenness_refuses_a_distance_that_is_not_positive():
    with pytest.raises(ValueError, match="positive finite"):
        betweenness_centrality(3, np.array([0, 1]), np.array([1, 2]), distance=np.array([1.0, 0.0]))


def test_sampled_betweenness_is_seeded_and_estimates_the_exact():
    graph = nx.connected_watts_strogatz_graph(300, 4, 0.2, seed=3)
    a, b = _edges(graph)
    exact = betweenness_centrality(300, a, b)
    sampled = betweenness_centrality(300, a, b, k=100, seed=1)
    assert np.array_equal(sampled, betweenness_centrality(300, a, b, k=100, seed=1))
    assert not np.array_equal(sampled, betweenness_centrality(300, a, b, k=100, seed=2))
    assert np.corrcoef(sampled, exact)[0, 1] > 0.8
    assert sampled.sum() == pytest.approx(exact.sum(), rel=0.15)  # scaled up by n / k
    assert np.array_equal(betweenness_centrality(300, a, b, k=300), exact)  # k >= n is exact


def test_degree_equals_networkx():
    graph = nx.gnm_random_graph(200, 500, seed=4)
    a, b = _edges(graph)
    assert degree(200, a, b).tolist() == [graph.degree(v) for v in range(200)]


# ---------------------------------------------------------------------------------------------------------------
# layout


def _boxes_overlap(first: np.ndarray, second: np.ndarray) -> bool:
    (x0, y0), (x1, y1) = first.min(axis=0), first.max(axis=0)
    (u0, v0), (u1, v1) = second.min(axis=0), second.max(axis=0)
    return x0 < u1 and u0 < x1 and y0 < v1 and v0 < y1


def test_layout_is_deterministic_and_seeded():
    graph = nx.disjoint_union(nx.connected_watts_strogatz_graph(80, 4, 0.1, seed=1), nx.path_graph(6))
    a, b = _edges(graph)
    first = spring_layout(86, a, b, seed=3)
    assert np.array_equal(first, spring_layout(86, a, b, seed=3))
    assert not np.array_equal(first, spring_layout(86, a, b, seed=4))


@pytest.mark.parametrize("n_big", [120, 900])  # exact repulsion, and sampled above EXACT_BELOW
def test_layout_geometry_is_sane(n_big):
    graph = nx.disjoint_union(nx.connected_watts_strogatz_graph(n_big, 4, 0.05, seed=2),
                              nx.disjoint_union(nx.cycle_graph(10), nx.empty_graph(3)))
    n = graph.number_of_nodes()
    a, b = _edges(graph)
    pos = spring_layout(n, a, b, seed=0)
    assert pos.shape == (n, 2) and np.isfinite(pos).all()
    assert np.allclose(pos.mean(axis=0), 0.0, atol=1e-6)
    # no two nodes on top of each other
    rounded = {tuple(p) for p in np.round(pos, 1)}
    assert len(rounded) == n
    # tied nodes are drawn closer than nodes picked at random in the same component
    big = np.arange(n_big)
    edge_length = np.median(np.hypot(*(pos[a] - pos[b]).T)[a < n_big])
    rng = np.random.default_rng(0)
    u, v = rng.choice(big, 2000), rng.choice(big, 2000)
    assert edge_length < 0.5 * np.median(np.hypot(*(pos[u] - pos[v]).T))
    # components are packed side by side, never on top of each other
    ring = np.arange(n_big, n_big + 10)
    assert not _boxes_overlap(pos[big], pos[ring])
    # a component's nodes are a few node widths apart, not crushed or flung away
    assert layout.EDGE_PIXELS / 4 < edge_length < 4 * layout.EDGE_PIXELS


def _reference_fruchterman_reingold(n, a, b, *, rng, iterations):
    """The force-directed steps written plainly, repulsion as an einsum over a (nodes x partners x 2) array."""
    pos = rng.uniform(-1.0, 1.0, size=(n, 2)) * np.sqrt(n)
    temperature, cooling = np.sqrt(n) * 0.5, 0.02 ** (1.0 / iterations)
    for _ in range(iterations):
        if n <= layout.EXACT_BELOW:
            delta = pos[:, None, :] - pos[None, :, :]
            repulse = np.einsum("ijk,ij->ik", delta, 1.0 / (np.einsum("ijk,ijk->ij", delta, delta) + 1e-6))
        else:
            delta = pos[:, None, :] - pos[rng.integers(0, n, size=(n, layout.SAMPLE))]
            repulse = np.einsum("ijk,ij->ik", delta, 1.0 / (np.einsum("ijk,ijk->ij", delta, delta) + 1e-6))
            repulse = repulse * (n / layout.SAMPLE)
        d = pos[a] - pos[b]
        pull = d * (np.sqrt(np.einsum("ij,ij->i", d, d)) + 1e-9)[:, None]
        attract = np.column_stack([np.bincount(b, weights=pull[:, k], minlength=n) - np.bincount(a, weights=pull[:, k], minlength=n)
                                   for k in (0, 1)])
        move = repulse + attract
        move -= pos * 0.01
        length = np.sqrt(np.einsum("ij,ij->i", move, move)) + 1e-9
        pos += move * (np.minimum(length, temperature) / length)[:, None]
        temperature *= cooling
    return pos


@pytest.mark.parametrize("n", [3, 150, 700, 701, 2000])  # exact repulsion up to EXACT_BELOW, sampled above
def test_layout_steps_are_bit_for_bit_the_plain_formula(n):
    # the views' pages must not change when the layout's arithmetic is reorganised for speed
    graph = nx.connected_watts_strogatz_graph(n, 2 if n < 4 else 4, 0.1, seed=n)
    a, b = _edges(graph)
    fast = fruchterman_reingold(n, a, b, rng=np.random.default_rng(7), iterations=12)
    plain = _reference_fruchterman_reingold(n, a, b, rng=np.random.default_rng(7), iterations=12)
    assert np.array_equal(fast, plain)


def test_layout_of_tiny_graphs():
    assert spring_layout(0, np.array([]), np.array([])).shape == (0, 2)
    assert spring_layout(1, np.array([]), np.array([])).tolist() == [[0.0, 0.0]]
    pair = spring_layout(2, np.array([0]), np.array([1]))
    assert np.hypot(*(pair[0] - pair[1])) == pytest.approx(layout.EDGE_PIXELS)


# ---------------------------------------------------------------------------------------------------------------
# paths


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_k_shortest_paths_have_networkx_lengths(seed):
    """The k shortest loopless paths are as long as networkx's (Yen there too), and each is a real path."""
    graph = nx.connected_watts_strogatz_graph(60, 4, 0.3, seed=seed)
    rng = np.random.default_rng(seed)
    for u, v in graph.edges:
        graph.edges[u, v]["length"] = float(rng.choice([0.25, 0.5, 1.0, 2.0]))
    a, b = _edges(graph)
    length = np.array([graph.edges[u, v]["length"] for u, v in zip(a, b)])
    found = shortest_paths(60, a, b, length, 0, 37, k=6)
    expected = []
    for path in nx.shortest_simple_paths(graph, 0, 37, weight="length"):
        expected.append(nx.path_weight(graph, path, "length"))
        if len(expected) == 6:
            break
    assert [round(total, 9) for _, total in found] == [round(total, 9) for total in expected]
    for path, total in found:
        assert path[0] == 0 and path[-1] == 37 and len(set(path)) == len(path)
        assert total == pytest.approx(nx.path_weight(graph, path, "length"))
    assert len({tuple(path) for path, _ in found}) == len(found)


def test_shortest_paths_break_ties_by_node_code_and_skip_missing_ties():
    # a square 0-1-3, 0-2-3 with equal lengths, and a zero-weight shortcut 0-3 that is no tie
    a, b = np.array([0, 1, 0, 2, 0]), np.array([1, 3, 2, 3, 3])
    length = tie_lengths(np.array([1.0, 1.0, 1.0, 1.0, 0.0]))
    assert shortest_paths(4, a, b, length, 0, 3, k=5) == [([0, 1, 3], 2.0), ([0, 2, 3], 2.0)]
    assert shortest_paths(5, a, b, length, 0, 4) == []  # node 4 has no tie
    # heavier ties are shorter: weight 4 on 0-2-3 makes it the shortest
    heavy = tie_lengths(np.array([1.0, 1.0, 4.0, 4.0, 0.0]))
    assert shortest_paths(4, a, b, heavy, 0, 3, k=1) == [([0, 2, 3], 0.5)]
