"""Small-number suppression: counts under N become <N in aggregated outputs, and the manifest says so."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import DEMO_YAML
from linkage.cli import cli
from linkage.config import config_from_dict
from linkage.errors import ConfigError
from linkage.job import COUNT_COLUMNS, run_job, suppress_counts


def test_counts_under_n_become_less_than_n_and_zero_stays():
    frame = pd.DataFrame({"cluster_id": ["C1", "C2", "C3", "C4"], "size": [1, 4, 5, 0], "n_victims": [2, 9, 0, 3],
                          "bcus": ["East", "West", "East", "South"], "risk_parts": ["victims 2x1", "", "", ""]})
    out, suppressed, removed = suppress_counts("clusters.csv", frame, 5)
    assert list(out["size"]) == ["<5", "<5", 5, 0]
    assert list(out["n_victims"]) == ["<5", 9, 0, "<5"]
    assert list(out["bcus"]) == ["East", "West", "East", "South"]
    assert suppressed == ["size", "n_victims"] and removed == ["risk_parts"]
    assert "risk_parts" not in out.columns
    assert list(frame["size"]) == [1, 4, 5, 0]  # the input is not changed


def test_other_outputs_and_no_threshold_are_untouched():
    frame = pd.DataFrame({"entity_id": ["E1"], "degree": [1]})
    assert suppress_counts("key_people.csv", frame, 5)[0] is frame
    clusters = pd.DataFrame({"size": [1]})
    assert suppress_counts("clusters.csv", clusters, None)[0] is clusters


def test_config_and_option_validate_the_threshold():
    assert config_from_dict({"suppress_below": 10}).suppress_below == 10
    with pytest.raises(ConfigError, match="whole number >= 2"):
        config_from_dict({"suppress_below": 1})
    result = CliRunner().invoke(cli, ["run", str(DEMO_YAML), "--suppress-below", "1", "--out", "/nonexistent/x"])
    assert result.exit_code == 2 and "--suppress-below" in result.output


@pytest.fixture(scope="module")
def suppressed_job(tmp_path_factory):
    from linkage.config import load_config

    out = tmp_path_factory.mktemp("sup") / "demo"
    return run_job(load_config(DEMO_YAML), out=out, suppress_below=5)


def test_job_writes_suppressed_aggregates_and_records_it(suppressed_job):
    folder = suppressed_job.folder
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["suppression"]["suppress_below"] == 5
    assert manifest["config"]["suppress_below"] == 5
    applied = manifest["suppression"]["applied_to"]
    assert "clusters.csv" in applied and "size" in applied["clusters.csv"]["suppressed"]
    assert "person-level outputs are not suppressed" in manifest["suppression"]["note"]
    for name, columns in COUNT_COLUMNS.items():
        if not (folder / name).exists():
            continue
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        for column in columns:
            if column not in table.columns:
                continue
            numbers = pd.to_numeric(table[column], errors="coerce")
            assert not ((numbers > 0) & (numbers < 5)).any(), (name, column)
    crossover = pd.read_csv(folder / "operation_crossover.csv", dtype=str)
    assert "<5" in set(crossover["shared_victims"]) and "victims" not in crossover.columns
    # person-level outputs keep their numbers
    moves = pd.read_csv(folder / "care_moves.csv")
    assert pd.api.types.is_numeric_dtype(moves["new_peers"]) and (moves["new_peers"].between(1, 4)).any()


def test_cli_run_suppress_below_overrides_the_config(dataset_folder, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("job: {name: small}\nsuppress_below: 10\n")
    out = tmp_path / "job"
    result = CliRunner().invoke(cli, ["run", str(config), "--data", str(dataset_folder), "--out", str(out), "--suppress-below", "3"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["suppression"]["suppress_below"] == 3
    assert manifest["config"]["suppress_below"] == 3
    assert manifest["config"]["settings"]["suppress_below"] == 10  # the file as written, for the record
