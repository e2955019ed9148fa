"""Reproducibility: the same input, config and seed give byte-identical outputs (manifest timings aside).

The second run is in a fresh interpreter with a different string-hash seed,
so that any output depending on set or dict order of strings shows up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_YAML
from linkage.config import load_config
from linkage.job import run_job

#: manifest keys that hold wall-clock times or durations, which may differ between runs
VOLATILE = {"started", "finished", "seconds_per_stage", "seconds"}


def _stable(value):
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("twice")
    first, second = root / "first", root / "second"
    run_job(load_config(DEMO_YAML), out=first)
    code = (
        "import sys; from linkage.config import load_config; from linkage.job import run_job; "
        "run_job(load_config(sys.argv[1]), out=sys.argv[2])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-c", code, str(DEMO_YAML), str(second)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return first, second


def test_every_output_is_byte_identical(two_runs):
    first, second = two_runs
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    assert len(names) > 10
    different = [n for n in names if n != "manifest.json" and (first / n).read_bytes() != (second / n).read_bytes()]
    assert different == []


def test_manifests_differ_only_in_times(two_runs):
    first, second = (json.loads((folder / "manifest.json").read_text()) for folder in two_runs)
    assert first["started"] and first["seconds_per_stage"]
    assert _stable(first) == _stable(second)
    assert {name: e["sha256"] for name, e in first["outputs"].items()} == {
        name: e["sha256"] for name, e in second["outputs"].items()
    }
