"""bench/job_large.py on a tiny job: the identity check between two job folders, and one measured round.

Fast: the job runs on the nine-table test dataset (a few rows per table), not on
a benchmark world.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import job_large

from conftest import LANCASHIRE_YAML
from linkage.config import load_config
from linkage.job import STAGES, run_job


@pytest.fixture(scope="module")
def tiny_job(tmp_path_factory) -> tuple[Path, Path]:
    """A job run on the test dataset, its config file, and the dataset."""
    from conftest import DatasetWriter

    root = tmp_path_factory.mktemp("tiny_job")
    data = DatasetWriter(root / "data")()
    config = root / "job.yaml"
    config.write_text(f"job:\n  name: tiny\ngeography: {LANCASHIRE_YAML}\nseed: 3\n")
    return config, data


def _copy_job(config: Path, data: Path, target: Path) -> Path:
    run_job(load_config(config), data=data, out=target)
    return target


def test_a_copy_is_identical_and_each_kind_of_change_is_named(tiny_job, tmp_path):
    config, data = tiny_job
    first = _copy_job(config, data, tmp_path / "first")
    second = tmp_path / "second"
    shutil.copytree(first, second)
    assert job_large.folder_differences(first, second) == []

    # the clock in the manifest (its stage times, start and finish, the analyses' seconds) is not output
    manifest = json.loads((second / "manifest.json").read_text())
    assert list(manifest["seconds_per_stage"]) == [stage.name for stage in STAGES]
    manifest["started"], manifest["finished"] = "1999-01-01T00:00:00+00:00", "1999-01-01T00:01:00+00:00"
    manifest["seconds_per_stage"] = {name: 99.0 for name in manifest["seconds_per_stage"]}
    manifest["summary"]["analyses"]["seconds"] = {"clusters": 12.5}
    (second / "manifest.json").write_text(json.dumps(manifest))
    assert job_large.folder_differences(first, second) == []

    # ... but anything else in it is
    manifest["job"] = "another"
    (second / "manifest.json").write_text(json.dumps(manifest))
    assert job_large.folder_differences(first, second) == ["manifest.json"]

    # one byte changed, a file gone, a file added (in a sub-folder), each named
    entities = second / "entities.csv"
    text = entities.read_bytes()
    entities.write_bytes(text[:-2] + bytes([text[-2] ^ 1]) + text[-1:])
    assert len(entities.read_bytes()) == len(text)
    (second / "clusters.csv").unlink()
    (second / "network" / "extra.parquet").write_bytes(b"x")
    assert job_large.folder_differences(first, second) == [
        "clusters.csv (only in first)", "entities.csv", "manifest.json", "network/extra.parquet (only in second)"]
    assert job_large.folder_differences(second, first) == [
        "clusters.csv (only in second)", "entities.csv", "manifest.json", "network/extra.parquet (only in first)"]


def test_a_measured_round_reports_every_stage_and_the_process_peak(tiny_job, tmp_path):
    config, data = tiny_job
    rounds = [job_large.run_once(config, data, tmp_path / f"run-{n}") for n in (1, 2)]
    for result in rounds:
        assert list(result["stage_seconds"]) == [stage.name for stage in STAGES]
        assert 0 < result["stages_total_seconds"] <= result["seconds"]
        # a fresh Python process with pandas and pyarrow loaded holds well over 50 MiB
        assert result["peak_rss_gib"] > 0.05
        assert result["cpu_seconds"] == pytest.approx(result["cpu_user_seconds"] + result["cpu_system_seconds"], abs=0.11)
        assert result["cpu_seconds"] > 0
        memory = result["stage_memory_gib"]
        assert list(memory) == [stage.name for stage in STAGES]
        peaks = [m["peak_gib"] for m in memory.values()]
        assert peaks == sorted(peaks) and peaks[-1] <= result["peak_rss_gib"] + 0.01
        assert all(0 < m["rss_gib"] <= m["peak_gib"] for m in memory.values())
    assert job_large.folder_differences(tmp_path / "run-1", tmp_path / "run-2") == []
