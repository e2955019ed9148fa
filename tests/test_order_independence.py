"""Results do not depend on row order: the rows of every table shuffled give a byte-identical job.

Only the manifest differs, in what describes the input files themselves
(their paths and sha256) and in wall-clock times. The demo, shuffled, is
run by ``test_reproducible`` (in a fresh interpreter with another hash seed).
"""

from __future__ import annotations

from pathlib import Path

from conftest import LANCASHIRE_YAML, assert_same_job, shuffled_copy
from linkage.config import load_config
from linkage.job import run_job
from linkage.resolve import resolve_people
from linkage.read import load_dataset

def _config(tmp_path: Path, data: Path) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(
        f"job: {{name: shuffled}}\ndata: {data}\ngeography: {LANCASHIRE_YAML}\nseed: 5\n"
        "views: {max_clusters: 3, max_children: 3, max_businesses: 3}\n"
    )
    return path


def test_a_small_world_with_every_table_shuffled_gives_the_same_job(synthetic_world, tmp_path):
    world = synthetic_world(11).folder
    shuffled = shuffled_copy(world, tmp_path / "shuffled", seed=1)
    config = load_config(_config(tmp_path, world))
    run_job(config, out=tmp_path / "in-order")
    run_job(config, data=shuffled, out=tmp_path / "shuffled-job")
    assert_same_job(tmp_path / "in-order", tmp_path / "shuffled-job")


def test_match_pairs_are_written_smaller_record_id_first_whatever_the_row_order(synthetic_world, tmp_path):
    world = synthetic_world(11)
    config = world.config
    shuffled = load_dataset(shuffled_copy(world.folder, tmp_path / "s", seed=2), config)
    again = resolve_people(shuffled["people"])
    for resolution in (world.resolution, again):
        pairs = resolution.match_pairs
        assert len(pairs) > 100
        assert (pairs["record_id_a"] < pairs["record_id_b"]).all()
        assert (resolution.review_queue["record_id_a"] < resolution.review_queue["record_id_b"]).all()
    assert again.match_pairs.equals(world.resolution.match_pairs)
    assert again.entities.equals(world.resolution.entities)
    assert again.model.to_dict() == world.resolution.model.to_dict()

