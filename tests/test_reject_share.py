"""A job that rejects a lot does not pass quietly: max_reject_share stops it, a banner shows what was lost."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import assert_one_error
from linkage.cli import cli
from linkage.config import config_from_dict
from linkage.errors import ConfigError, TooManyRejectsError
from linkage.job import run_job

CONFIG = "job: {name: shares}\n"


def invoke(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def extract(tmp_path: Path, n: int, n_without_id: int, *, n_bad_source: int = 0) -> tuple[Path, Path]:
    """A people file of ``n`` rows, ``n_without_id`` of them with no record id, and a job config."""
    lines = ["record_id,source,first_name,last_name,dob"]
    for i in range(n):
        record = "" if i < n_without_id else f"P{i}"
        source = "" if n_without_id <= i < n_without_id + n_bad_source else "police"
        lines.append(f"{record},{source},Name{i % 7},Surname{i % 11},2008-01-{1 + i % 28:02d}")
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.csv").write_text("\n".join(lines) + "\n")
    config = tmp_path / "job.yaml"
    config.write_text(CONFIG)
    return data, config


def test_a_table_losing_more_than_the_limit_stops_the_job_after_reading(tmp_path):
    data, config = extract(tmp_path, 40, 12, n_bad_source=4)
    out = tmp_path / "job"
    result = invoke("run", config, "--data", data, "--out", out)
    error = assert_one_error(
        result,
        "people.csv: 40.0 % of its rows were rejected (16 of 40), more than max_reject_share 5.0 % allows.",
        "record_id: 12 row(s), e.g. record_id is required but empty; fill it in or remove the row",
        "source: 4 row(s), e.g. source is required but empty",
        "or, to run on what is left, raise the limit: max_reject_share: {people: 0.45} in the job config",
    )
    assert error.startswith("Error: the job stopped after reading, before writing anything:")
    assert not out.exists() and not list(tmp_path.glob(".job.*"))  # nothing written, nothing left behind
    # the fix it names works
    config.write_text(CONFIG + "max_reject_share: {people: 0.45}\n")
    assert invoke("run", config, "--data", data, "--out", out).exit_code == 0


def test_under_the_limit_the_job_runs_and_every_count_agrees(tmp_path):
    data, config = extract(tmp_path, 100, 3)  # 3 % rejected: runs, but warned and bannered
    out = tmp_path / "job"
    result = invoke("run", config, "--data", data, "--out", out)
    assert result.exit_code == 0, result.output
    assert ("note: warning: people.csv lost 3.0 % of its rows to rejects (3 of 100); the analyses ran without them. "
            "rejects.csv says why, row by row, with the fix") in result.stdout
    assert [line.split() for line in result.stdout.splitlines()[1:2]] == [["people", "people.csv", "100", "3", "0", "97"]]
    assert "3 row(s) rejected" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows_rejected"] == 3
    assert (manifest["inputs"]["people"]["rows_read"], manifest["inputs"]["people"]["rows_rejected"]) == (100, 3)
    report = (out / "report.html").read_text()
    assert '<div class="alert" role="alert">' in report
    assert "<b>people.csv</b>: 3.0 % of its rows rejected (3 of 100)" in report
    assert "3 row(s) rejected; every problem is in" in report


def test_a_clean_extract_has_no_banner(tmp_path):
    data, config = extract(tmp_path, 100, 1)  # 1 %: at the banner's threshold, not above
    out = tmp_path / "job"
    assert invoke("run", config, "--data", data, "--out", out).exit_code == 0
    assert 'class="alert"' not in (out / "report.html").read_text()


def test_the_limit_from_the_command_line_and_the_library(tmp_path):
    data, config = extract(tmp_path, 20, 10)
    assert invoke("run", config, "--data", data, "--out", tmp_path / "a", "--max-reject-share", "0.6").exit_code == 0
    with pytest.raises(TooManyRejectsError, match="50.0 % of its rows were rejected"):
        run_job(config_from_dict({"max_reject_share": 0.2}), data=data, out=tmp_path / "b")
    run_job(config_from_dict({"max_reject_share": {"default": 0.2, "people": 1}}), data=data, out=tmp_path / "c")


def test_validate_says_the_run_would_stop(tmp_path):
    data, config = extract(tmp_path, 20, 10)
    result = invoke("validate", data, "--config", config)
    assert result.exit_code == 0, result.output
    assert ("note: people.csv: 50.0 % of its rows rejected is more than max_reject_share 5.0 %: linkage run stops on "
            "this dataset until the file or the job config is fixed, or the limit raised") in result.stdout


@pytest.mark.parametrize(
    "value, message",
    [
        (2, "max_reject_share 2 must be a share between 0 and 1 (1: never stop)"),
        ({"peple": 0.1}, "max_reject_share: unknown table 'peple' (did you mean 'people'?)"),
        ({"contacts": "lots"}, "max_reject_share.contacts 'lots' must be a share between 0 and 1"),
    ],
)
def test_max_reject_share_is_checked(value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        config_from_dict({"max_reject_share": value})
