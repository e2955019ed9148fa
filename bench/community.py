"""Benchmark: linkage's Louvain against Leiden on the ties ``clusters()`` clusters (issue 13, item 6).

For each graph, the person-person tie graph that ``linkage.analyse.clusters``
hands to community detection (``weighted_ties`` on the network view, the
``cohesion`` weights, only people with a tie), of the synthetic worlds
(``bench/measure.py`` ``world(scale)``, read, resolved and built as a job
does) and of published networks (``bench/networks/``, written as a force would
load them, shape ``contacts``, no roles), three methods run with the same
quality:

- ``louvain``: ``linkage.graph.louvain_labels`` (numpy);
- ``leidenalg``: ``leidenalg.find_partition`` (C++), graph building included;
- ``igraph``: ``igraph.Graph.community_leiden`` (C), graph building included.

Qualities: CPM at ``clusters()``'s default resolution (leidenalg's
``CPMVertexPartition`` counts each pair twice and igraph's CPM counts a node
with itself, so their objectives are 2x ours and ours + a constant: the same
optimum), and modularity at resolution 1. Every partition is scored by one
scorer (``score`` below), so the methods' own quality figures are never mixed.

Recorded per run: quality, communities, communities that are internally
disconnected (Louvain can leave them; Leiden cannot), quality once those are
split into their connected parts (what ``clusters()`` does), CPU seconds
(``time.process_time``: the machine is shared) and wall seconds. The first
seed runs twice to check that the same seed gives the same labels. The methods
alternate their order from one seed to the next.

Tie graphs are cached in ``bench/data/ties-<graph>.npz`` keyed by a hash of
``src/linkage`` (but the files that only consume the ties, ``CONSUMERS``) and
``clusters()``'s defaults: building the large network takes 1-2 minutes and ~5 GiB.

    python bench/community.py [--graphs small,medium,large,karate,...] [--seeds 0,1,2] [--methods louvain,igraph]

Prints a markdown table and writes ``bench/results/community.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import BENCH_DATA, machine, world
from networks import published

from linkage.graph import connected_components, louvain_labels

ROOT = Path(__file__).resolve().parents[1]
SCALES = ("small", "medium", "large")
METHODS = ("louvain", "leidenalg", "igraph")


def clusters_defaults() -> dict:
    """``clusters()``'s own defaults for the community search (the bench follows the code, not a copy)."""
    from linkage.analyse.clusters import clusters

    params = inspect.signature(clusters).parameters
    return {name: params[name].default for name in ("resolution", "quality", "min_contacts", "min_weight", "ties")}


def tie_arrays(network) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """(nodes, a, b, weight): the graph ``clusters()`` searches, over the people with a tie, numbered 0..n-1."""
    from linkage.analyse.core import as_view, weighted_ties

    settings = clusters_defaults()
    view = as_view(network, min_contacts=settings["min_contacts"])
    found = weighted_ties(view, ties=settings["ties"], min_weight=settings["min_weight"])
    nodes = np.flatnonzero(np.bincount(np.r_[found.a, found.b], minlength=found.n) > 0)
    local = np.full(found.n, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    return len(nodes), local[found.a], local[found.b], np.asarray(found.cohesion, dtype=np.float64)


#: files that only consume the tie graph: a change to them leaves the cached tie graphs valid
CONSUMERS = ("graph/community.py", "analyse/clusters.py")


def cache_key() -> str:
    """What the tie graph depends on: ``src/linkage`` but the consumers, and ``clusters()``'s tie settings."""
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in clusters_defaults().items())).encode())
    src = ROOT / "src" / "linkage"
    for path in sorted(src.rglob("*.py")):
        if path.relative_to(src).as_posix() not in CONSUMERS:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _synthetic_network(scale: str):
    from linkage.build import build_network
    from linkage.config import load_config
    from linkage.read import load_dataset
    from linkage.resolve import resolve_people

    config = load_config(ROOT / "configs" / "demo.yaml")
    dataset = load_dataset(world(scale), config)
    entities = resolve_people(dataset["people"]).entities
    return build_network(dataset, entities, config)


def _public_network(name: str):
    network = published.load(name)
    with tempfile.TemporaryDirectory() as folder:
        published.write_dataset(network, folder, shape="contacts", roles="none")
        return published.run_linkage(folder)["network"]


def tie_graph(name: str) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The cached tie graph of a synthetic world (``small``...) or a published network (``karate``...)."""
    cache = BENCH_DATA / f"ties-{name}.npz"
    version = cache_key()
    if cache.is_file():
        stored = np.load(cache)
        if str(stored["version"]) == version:
            return int(stored["n"]), stored["a"], stored["b"], stored["w"]
    tick = time.perf_counter()
    network = _synthetic_network(name) if name in SCALES else _public_network(name)
    n, a, b, w = tie_arrays(network)
    del network
    print(f"built {name}: {n:,} people, {len(a):,} ties in {time.perf_counter() - tick:.0f} s", file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, n=n, a=a, b=b, w=w, version=version)
    return n, a, b, w


# ---------------------------------------------------------------------------------------------------------------
# the one scorer


def score(a: np.ndarray, b: np.ndarray, w: np.ndarray, labels: np.ndarray, *, quality: str,
          resolution: float) -> float:
    """CPM (weight inside communities - resolution x pairs inside them) or modularity, of one partition."""
    inside = labels[a] == labels[b]
    if quality == "cpm":
        sizes = np.bincount(labels).astype(np.float64)
        return float(w[inside].sum() - resolution * (sizes * (sizes - 1) / 2).sum())
    m = w.sum()
    strength = np.bincount(labels[a], w, minlength=labels.max() + 1) + np.bincount(labels[b], w,
                                                                                    minlength=labels.max() + 1)
    return float(w[inside].sum() / m - resolution * ((strength / (2 * m)) ** 2).sum())


def split_connected(n: int, a: np.ndarray, b: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each community split into its connected parts (a label per part)."""
    same = labels[a] == labels[b]
    return connected_components(n, a[same], b[same])


# ---------------------------------------------------------------------------------------------------------------
# the methods


def _leidenalg(n, a, b, w, *, seed, quality, resolution):
    import igraph
    import leidenalg

    graph = igraph.Graph(n=n, edges=np.column_stack([a, b]))
    kind = leidenalg.CPMVertexPartition if quality == "cpm" else leidenalg.RBConfigurationVertexPartition
    found = leidenalg.find_partition(graph, kind, weights=w, resolution_parameter=resolution, seed=seed)
    return np.asarray(found.membership, dtype=np.int64)


def _igraph(n, a, b, w, *, seed, quality, resolution):
    import igraph

    random.seed(seed)   # igraph draws from Python's random module
    graph = igraph.Graph(n=n, edges=np.column_stack([a, b]))
    found = graph.community_leiden(objective_function="CPM" if quality == "cpm" else "modularity",
                                   weights=w, resolution=resolution, n_iterations=2)
    return np.asarray(found.membership, dtype=np.int64)


def _louvain(n, a, b, w, *, seed, quality, resolution):
    return louvain_labels(n, a, b, w, seed=seed, quality=quality, resolution=resolution)


RUNNERS = {"louvain": _louvain, "leidenalg": _leidenalg, "igraph": _igraph}


def run_graph(name: str, seeds: list[int], qualities: list[tuple[str, float]],
              methods: tuple[str, ...] = METHODS) -> list[dict]:
    n, a, b, w = tie_graph(name)
    rows = []
    for quality, resolution in qualities:
        labels_of: dict[tuple[str, int], np.ndarray] = {}
        runs = [(s, i) for i, s in enumerate(seeds)] + [(seeds[0], len(seeds))]   # the first seed again
        per_method: dict[str, list[dict]] = {m: [] for m in methods}
        for seed, turn in runs:
            order = methods if turn % 2 == 0 else methods[::-1]
            for method in order:
                cpu, wall = time.process_time(), time.perf_counter()
                labels = RUNNERS[method](n, a, b, w, seed=seed, quality=quality, resolution=resolution)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                parts = split_connected(n, a, b, labels)
                communities = len(np.unique(labels))
                pieces = len(np.unique(parts))
                # a community with k > 1 connected parts counts once
                disconnected = int(np.count_nonzero(np.bincount(
                    np.unique(labels * (n + 1) + parts) // (n + 1), minlength=labels.max() + 1) > 1))
                repeat = (method, seed) in labels_of
                per_method[method].append({
                    "seed": seed, "repeat": repeat, "cpu_s": cpu, "wall_s": wall,
                    "quality": score(a, b, w, labels, quality=quality, resolution=resolution),
                    "quality_split": score(a, b, w, parts, quality=quality, resolution=resolution),
                    "communities": communities, "connected_parts": pieces, "disconnected": disconnected,
                    "same_as_first": bool(np.array_equal(labels_of[(method, seed)], labels)) if repeat else None,
                })
                labels_of.setdefault((method, seed), labels)
        print(f"{name} {quality}: " + ", ".join(f"{m} {np.median([r['cpu_s'] for r in found]):.2f} s"
                                                for m, found in per_method.items()), file=sys.stderr)
        for method, found in per_method.items():
            rows.append({"graph": name, "people": n, "ties": int(len(a)), "quality": quality,
                         "resolution": resolution, "method": method, "runs": found})
    return rows


def _span(values: list[float], fmt: str) -> str:
    lo, hi = min(values), max(values)
    return format(lo, fmt) if format(lo, fmt) == format(hi, fmt) else f"{format(lo, fmt)} to {format(hi, fmt)}"


def table(rows: list[dict]) -> str:
    """One line per graph, quality and method: ranges over the seeds, CPU and wall as medians."""
    head = ("| graph | people, ties | quality (resolution) | method | score (all seeds) | score once split | "
            "communities | disconnected | CPU s (median) | wall s (median) | same seed, same labels |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        runs = r["runs"]
        same = [x["same_as_first"] for x in runs if x["repeat"]]
        q = ",.1f" if r["quality"] == "cpm" else ".4f"
        lines.append(
            f"| {r['graph']} | {r['people']:,}, {r['ties']:,} | {r['quality']} ({r['resolution']:g}) | {r['method']} | "
            f"{_span([x['quality'] for x in runs], q)} | {_span([x['quality_split'] for x in runs], q)} | "
            f"{_span([x['communities'] for x in runs], ',')} | {_span([x['disconnected'] for x in runs], ',')} | "
            f"{np.median([x['cpu_s'] for x in runs]):.3f} | {np.median([x['wall_s'] for x in runs]):.3f} | "
            f"{'yes' if all(same) else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", default=",".join([*SCALES, "karate", "lesmis", "montagna_phone",
                                                       "montagna_meetings", "hijackers"]))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--methods", default=",".join(METHODS), help="of " + ", ".join(METHODS))
    parser.add_argument("--out", default="community.json", help="file name in bench/results/")
    args = parser.parse_args()
    settings = clusters_defaults()
    qualities = [(settings["quality"], settings["resolution"]), ("modularity", 1.0)]
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    for name in args.graphs.split(","):
        rows.extend(run_graph(name, seeds, qualities, tuple(args.methods.split(","))))
    print(table(rows))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    document = {"machine": machine(), "seeds": seeds, "clusters_defaults": {k: str(v) for k, v in settings.items()},
                "rows": rows}
    (out / args.out).write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
