"""Long graph computations in worker processes give what the job's own process gives, and survive a worker's death."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest

from linkage.graph import betweenness_centrality, leiden_labels
from linkage.graph.background import Background, worker_count


def _ring_of_cliques(cliques: int = 12, size: int = 6) -> tuple[int, np.ndarray, np.ndarray]:
    a, b = [], []
    for c in range(cliques):
        base = c * size
        for i in range(size):
            for j in range(i + 1, size):
                a.append(base + i)
                b.append(base + j)
        a.append(base)
        b.append(((c + 1) % cliques) * size + 1)
    return cliques * size, np.array(a), np.array(b)


def _doubled_unless_in_a_worker(value: int) -> int:
    """Dies when run in a worker process (as a worker killed for memory would), doubles otherwise."""
    if multiprocessing.parent_process() is not None:
        os._exit(1)
    return 2 * value


def test_no_workers_computes_at_once_in_this_process():
    with Background(workers=0) as background:
        pending = background.submit(_doubled_unless_in_a_worker, 21)
        assert pending.future is None
        assert pending.result() == 42


def test_a_worker_gives_the_same_communities_and_betweenness_as_this_process():
    n, a, b = _ring_of_cliques()
    weight = np.random.default_rng(3).uniform(0.5, 3.0, len(a))
    here_labels = leiden_labels(n, a, b, weight, seed=4, quality="cpm", resolution=0.5)
    here_betweenness = betweenness_centrality(n, a, b, distance=1.0 / weight, k=20, seed=4)
    with Background(workers=1) as background:
        labels = background.submit(leiden_labels, n, a, b, weight, seed=4, quality="cpm", resolution=0.5)
        betweenness = background.submit(betweenness_centrality, n, a, b, distance=1.0 / weight, k=20, seed=4)
        assert labels.future is not None
        assert np.array_equal(labels.result(), here_labels)
        assert np.array_equal(betweenness.result(), here_betweenness)
    assert len(set(here_labels.tolist())) == 12   # the cliques, found


def test_a_worker_that_dies_is_replaced_by_this_process():
    with Background(workers=1) as background:
        pending = background.submit(_doubled_unless_in_a_worker, 5)
        assert pending.result() == 10


def test_started_workers_are_running_before_the_first_computation_and_are_the_ones_it_uses():
    with Background(workers=0) as background:
        background.start()
        assert background._pool is None   # nothing to start
    with Background(workers=1) as background:
        background.start()
        assert background._pool is not None
        pool, workers = background._pool, set(background._pool._processes)
        assert len(workers) == 1   # spawned by start, before any computation was asked for
        background.start()   # a second start keeps the same workers
        n, a, b = _ring_of_cliques()
        assert np.array_equal(background.submit(leiden_labels, n, a, b, np.ones(len(a)), seed=1).result(),
                              leiden_labels(n, a, b, np.ones(len(a)), seed=1))
        assert background._pool is pool and set(pool._processes) == workers


def test_worker_count_honours_a_request_and_never_goes_negative():
    assert worker_count(0) == 0
    assert worker_count(2) == 2
    assert worker_count(-3) == 0
    assert worker_count() in (0, 2)


@pytest.mark.parametrize("workers", [1])
def test_analyses_with_workers_write_the_same_bytes_as_without(small_world_job, tmp_path, workers):
    from linkage.build import build_network
    from linkage.job import JobContext, JobState, run_analyses
    from linkage.read import load_dataset
    from linkage.resolve import resolve_people

    from conftest import small_world_config

    config = small_world_config()
    dataset = load_dataset(small_world_job / "world", config)
    entities = resolve_people(dataset["people"]).entities
    written = {}
    for count in (0, workers):
        folder = tmp_path / f"workers-{count}"
        folder.mkdir()
        network = build_network(dataset, entities, config)
        ctx = JobContext(config=config, folder=folder, state=JobState(dataset=dataset, network=network))
        run_analyses(ctx, workers=count)
        written[count] = {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}
        seconds = ctx.state.summary["analyses"]["seconds"]
        assert ("graph workers started" in seconds) == (count > 0)
        assert list(seconds)[1:3] == (["graph workers started", "operation crossover"] if count else
                                      ["operation crossover", "clusters"])
    assert written[0] == written[workers]
    assert {"clusters.csv", "key_people.csv", "business_targets.csv"} <= set(written[0])
    assert len(written[0]["key_people.csv"].splitlines()) > 10
