"""The audit trail: the manifest records what was run on what, and ``linkage verify`` notices any change since."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import VALID_TABLES
from linkage import __version__
from linkage.cli import cli
from linkage.config import JobConfig
from linkage.job import STAGES, VerifyError, run_job, verify_job


@pytest.fixture(scope="module")
def job(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    for name, lines in VALID_TABLES.items():
        (data / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("jobs") / "job"
    run_job(JobConfig(name="audit", seed=7), data=data, out=out)
    return out


@pytest.fixture
def copy(job, tmp_path) -> Path:
    target = tmp_path / "job"
    shutil.copytree(job, target)
    return target


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_records_version_config_inputs_rows_seed_stages_and_outputs(job):
    manifest = json.loads((job / "manifest.json").read_text())
    assert manifest["version"] == __version__
    assert manifest["seed"] == 7 and manifest["config"]["seed"] == 7
    assert manifest["config"]["name"] == "audit" and "suppress_below" in manifest["config"]
    people = manifest["inputs"]["people"]
    assert people["sha256"] == _sha(Path(people["file"]))
    assert (people["rows_read"], people["rows_rejected"], people["rows_kept"]) == (4, 0, 4)
    assert set(manifest["seconds_per_stage"]) >= {"read", "resolve", "build", "analyse"}
    outputs = manifest["outputs"]
    on_disk = {p.relative_to(job).as_posix() for p in job.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert set(outputs) == on_disk
    for name, entry in outputs.items():
        assert entry["sha256"] == _sha(job / name), name
    assert outputs["entities.csv"]["rows"] == 4
    assert outputs["rejects.csv"]["rows"] == 0
    assert manifest["suppression"]["suppress_below"] is None


def test_the_stages_are_declared_in_pipeline_order_and_the_manifest_times_each(job):
    assert isinstance(STAGES, tuple)
    assert [stage.name for stage in STAGES] == ["read", "resolve", "build", "analyse", "export", "render"]
    manifest = json.loads((job / "manifest.json").read_text())
    assert list(manifest["seconds_per_stage"]) == [stage.name for stage in STAGES]
    # each stage hands on its part of the summary (JobState.summary), in the order the stages ran
    assert list(manifest["summary"]) == ["resolution", "network", "analyses"]
    assert manifest["summary"]["resolution"]["records"] == 4


def test_verify_passes_on_an_untouched_job(job):
    result = verify_job(job)
    assert result.ok and not result.problems()
    assert len(result.checked) == len(json.loads((job / "manifest.json").read_text())["outputs"])
    assert result.manifest_sha256 == _sha(job / "manifest.json")


def test_verify_names_altered_missing_and_added_files(copy):
    with (copy / "entities.csv").open("a") as handle:
        handle.write("X,E1\n")
    (copy / "clusters.csv").unlink()
    (copy / "notes.txt").write_text("added later")
    (copy / "sub").mkdir()
    (copy / "sub" / "x.csv").write_text("a\n")
    result = verify_job(copy)
    assert not result.ok
    assert result.altered == ["entities.csv"]
    assert result.missing == ["clusters.csv"]
    assert result.added == ["notes.txt", "sub/x.csv"]


def test_cli_verify_exit_codes_and_messages(copy):
    runner = CliRunner()
    ok = runner.invoke(cli, ["verify", str(copy)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("OK: ") and "match manifest.json" in ok.output
    (copy / "key_people.csv").write_text("entity_id\nEforged\n")
    bad = runner.invoke(cli, ["verify", str(copy)])
    assert bad.exit_code == 1
    assert bad.output.startswith(f"Error: {copy} does not match its manifest.json")
    assert "altered since the run: key_people.csv" in bad.output
    assert "Traceback" not in bad.output


def test_verify_refuses_a_folder_without_a_readable_manifest(tmp_path, copy):
    with pytest.raises(VerifyError, match="has no manifest.json"):
        verify_job(tmp_path)
    (copy / "manifest.json").write_text("{not json")
    result = CliRunner().invoke(cli, ["verify", str(copy)])
    assert result.exit_code == 1 and "is not a readable manifest" in result.output
    (copy / "manifest.json").write_text(json.dumps({"outputs": {"../../etc/passwd": {"sha256": "0"}}}))
    result = verify_job(copy)
    assert not result.ok and result.altered == ["../../etc/passwd (names a file outside the job folder)"]
    missing = CliRunner().invoke(cli, ["verify", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "is not a folder" in missing.output
