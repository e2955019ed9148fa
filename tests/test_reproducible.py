"""Reproducibility: the same input, config and seed give byte-identical outputs (manifest timings aside).

The second run is in a fresh interpreter with a different string-hash seed,
so that any output depending on set or dict order of strings shows up here,
and reads the demo with the rows of every table shuffled, so that any output
depending on row order shows up too (``test_order_independence`` has more).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_YAML, REPO_ROOT, assert_same_job, shuffled_copy
from linkage.config import load_config
from linkage.job import run_job


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("twice")
    first, second = root / "first", root / "second"
    run_job(load_config(DEMO_YAML), out=first)
    shuffled = shuffled_copy(REPO_ROOT / "synthetic_data" / "demo", root / "demo-shuffled", seed=3)
    code = (
        "import sys; from linkage.config import load_config; from linkage.job import run_job; "
        "run_job(load_config(sys.argv[1]), data=sys.argv[2], out=sys.argv[3])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-c", code, str(DEMO_YAML), str(shuffled), str(second)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return first, second


def test_every_output_is_byte_identical_and_manifests_differ_only_in_times_and_input_files(two_runs):
    first, second = two_runs
    assert len(list(first.rglob("*.html"))) > 10
    assert_same_job(first, second)
    inputs = [json.loads((folder / "manifest.json").read_text())["inputs"] for folder in two_runs]
    assert inputs[0]["people"]["sha256"] != inputs[1]["people"]["sha256"]  # the second run really read other bytes
