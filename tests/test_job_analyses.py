"""A whole job writes every contract output with its stable columns; absent tables skip analyses with a note."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.cli import cli
from linkage.synth import generate_world

#: the data contract's stable leading columns of every CSV output
CONTRACT_COLUMNS = {
    "rejects.csv": ["table", "row", "column", "value", "reason"],
    "entities.csv": ["record_id", "entity_id"],
    "match_pairs.csv": ["record_id_a", "record_id_b", "match_probability"],
    "review_queue.csv": ["record_id_a", "record_id_b", "match_probability"],
    "clusters.csv": ["cluster_id", "size", "n_victims", "n_perpetrators", "bcus", "n_bcus", "cross_bcu", "out_of_force", "risk_score"],
    "cluster_members.csv": ["cluster_id", "node_id", "node_type"],
    "care_moves.csv": ["entity_id", "move_number", "from_location_id", "to_location_id", "move_date", "distance_km", "new_peers", "cumulative_peers"],
    "missing_links.csv": ["entity_id_a", "entity_id_b", "reason", "episodes"],
    "business_targets.csv": ["rank", "location_id", "name", "category", "local_authority", "bcu", "score", "children_linked", "perpetrators_linked"],
    "key_people.csv": ["entity_id", "roles", "degree", "betweenness", "brokerage"],
    "operation_crossover.csv": ["operation_a", "operation_b", "shared_victims", "shared_perpetrators", "shared_locations"],
    "candidate_links.csv": ["entity_id_a", "entity_id_b", "reason", "score"],
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    generate_world(folder, scale="small", seed=23)
    return folder


@pytest.fixture(scope="module")
def job(world, tmp_path_factory):
    from pathlib import Path

    out = tmp_path_factory.mktemp("job") / "out"
    config = out.parent / "job.yaml"
    geography = Path(__file__).resolve().parents[1] / "configs" / "lancashire.yaml"
    config.write_text(f"job: {{name: t}}\ndata: {world}\ngeography: {geography}\nseed: 3\n")
    result = CliRunner().invoke(cli, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_a_full_job_writes_every_contract_output_with_its_columns(job):
    out, _ = job
    for name, columns in CONTRACT_COLUMNS.items():
        frame = pd.read_csv(out / name, nrows=5)
        assert list(frame.columns[: len(columns)]) == columns, name
    for name in ("graph.graphml", "graph.gexf", "manifest.json"):
        assert (out / name).stat().st_size > 0


def test_the_manifest_lists_every_output_with_its_hash(job):
    import hashlib

    out, _ = job
    manifest = json.loads((out / "manifest.json").read_text())
    listed = set(manifest["outputs"])
    assert set(CONTRACT_COLUMNS) <= listed
    for name, info in manifest["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == info["sha256"]
    assert set(manifest["summary"]["analyses"]["seconds"]) >= {"clusters", "business targets", "care-move network growth"}


def test_the_run_states_the_reach_verdict(job):
    _, output = job
    assert "note: reach:" in output and "victim networks" in output


def test_absent_tables_skip_their_analyses_with_a_note(world, tmp_path):
    from pathlib import Path

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(world / "people.csv", data / "people.csv")
    config = tmp_path / "job.yaml"
    config.write_text(f"job: {{name: p}}\ndata: {data}\ngeography: {Path(__file__).resolve().parents[1] / 'configs' / 'lancashire.yaml'}\n")
    result = CliRunner().invoke(cli, ["run", str(config), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "care-move network growth skipped: the dataset has no placements table" in result.output
    assert "missing episodes skipped: the dataset has no missing_episodes table" in result.output
    assert "Traceback" not in result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "care-move network growth" in manifest["summary"]["analyses"]["skipped"]
    assert not (tmp_path / "out" / "care_moves.csv").exists()
    assert (tmp_path / "out" / "entities.csv").exists()
