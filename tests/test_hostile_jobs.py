"""Nothing destroyed, nothing left behind: output folders as a careless or hostile user points them.

Every case runs the real command and then checks the inputs byte for byte:
``--out`` on, above or below the dataset, the config, the key or a model
file; ``--overwrite`` on a folder linkage did not write; a run killed with
SIGTERM, SIGINT or SIGKILL (a real ``linkage run`` subprocess); a run killed
at each step of replacing an older job.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import assert_one_error as one_error
from linkage.cli import cli
from linkage.errors import Interrupted, JobExistsError
from linkage.files import clean_leftovers, find_leftovers, folder_kind, job_folder, owner_token, write_text

JOB_MANIFEST = '{"kind": "linkage job", "toolkit": "linkage", "outputs": {}}'


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file under ``roots`` (the bytes a destroyed input would lose)."""
    found = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def job(tmp_path, dataset_folder):
    """A config beside a dataset: (config, dataset)."""
    config = tmp_path / "conf" / "job.yaml"
    config.parent.mkdir()
    config.write_text("job: {name: t}\n", encoding="utf-8")
    return config, dataset_folder


# --- --out on, above or inside an input -----------------------------------------------------


@pytest.mark.parametrize("where", ["dataset", "parent of dataset", "inside dataset", "config folder", "symlink to dataset"])
def test_run_never_writes_over_an_input(job, tmp_path, where):
    config, data = job
    out = {
        "dataset": data,
        "parent of dataset": data.parent,
        "inside dataset": data / "reports",
        "config folder": config.parent,
        "symlink to dataset": tmp_path / "link",
    }[where]
    if where == "symlink to dataset":
        out.symlink_to(data, target_is_directory=True)
    before = snapshot(data, config)
    result = invoke("run", config, "--data", data, "--out", out, "--overwrite")
    line = one_error(result, str(out), "choose a folder apart from the inputs, e.g.")
    assert "--overwrite" not in line
    assert snapshot(data, config) == before
    assert not find_leftovers(out.parent if out.exists() else tmp_path)


def test_the_suggested_folder_is_clear_of_the_inputs_and_works(job):
    config, data = job
    line = one_error(invoke("run", config, "--data", data, "--out", data, "--overwrite"))
    suggested = Path(line.rsplit("e.g. ", 1)[1])
    assert not suggested.exists()
    assert invoke("run", config, "--data", data, "--out", suggested).exit_code == 0
    assert folder_kind(suggested) == "job"


def test_overwrite_refuses_a_folder_linkage_did_not_write(job, tmp_path):
    config, data = job
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    (out / "manifest.json").write_text('{"name": "someone else\'s manifest"}')
    before = snapshot(out)
    line = one_error(invoke("run", config, "--data", data, "--out", out, "--overwrite"),
                     "holds no linkage job", "choose another folder, e.g.")
    assert "--overwrite" not in line
    assert snapshot(out) == before


def test_overwrite_refuses_an_output_of_another_kind(job, tmp_path, dataset_folder):
    config, data = job
    key = tmp_path / "secret" / "k.key"
    key.parent.mkdir()
    key.write_text("0123456789abcdef" * 4)
    pseudo = tmp_path / "pseudo"
    assert invoke("pseudonymise", data, pseudo, "--key-file", key).exit_code == 0
    before = snapshot(pseudo)
    line = one_error(invoke("run", config, "--data", data, "--out", pseudo, "--overwrite"),
                     "holds a linkage pseudonymised dataset, not a job")
    assert "--overwrite" not in line
    assert snapshot(pseudo) == before
    jobdir = tmp_path / "jobdir"
    assert invoke("run", config, "--data", data, "--out", jobdir).exit_code == 0
    before = snapshot(jobdir)
    one_error(invoke("pseudonymise", data, jobdir, "--key-file", key, "--overwrite"), "holds a linkage job")
    assert snapshot(jobdir) == before


def test_only_a_linkage_job_gets_the_overwrite_hint_and_an_old_manifest_counts(job, tmp_path):
    config, data = job
    out = tmp_path / "old-job"
    out.mkdir()
    # a manifest written before manifests had a kind: known by its contents
    (out / "manifest.json").write_text(json.dumps({"toolkit": "linkage", "job": "t", "outputs": {"a.csv": {}}}))
    one_error(invoke("run", config, "--data", data, "--out", out), "already holds a linkage job; pass --overwrite")
    assert invoke("run", config, "--data", data, "--out", out, "--overwrite").exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["kind"] == "linkage job"


@pytest.mark.parametrize("where", ["dataset", "parent of dataset", "key folder", "inside dataset"])
def test_pseudonymise_never_writes_over_its_input_or_key(tmp_path, dataset_folder, where):
    key = tmp_path / "keys" / "k.key"
    key.parent.mkdir()
    key.write_text("0123456789abcdef" * 4)
    out = {"dataset": dataset_folder, "parent of dataset": dataset_folder.parent, "key folder": key.parent,
           "inside dataset": dataset_folder / "shared"}[where]
    before = snapshot(dataset_folder, key)
    line = one_error(invoke("pseudonymise", dataset_folder, out, "--key-file", key, "--overwrite"), "choose a folder apart")
    assert "--overwrite" not in line
    assert snapshot(dataset_folder, key) == before


def test_validate_and_resolve_out_refuse_inputs_and_jobs(job, tmp_path):
    config, data = job
    before = snapshot(data)
    one_error(invoke("validate", data, "--out", data), "is the dataset")
    overrides = tmp_path / "decisions" / "overrides.csv"
    overrides.parent.mkdir()
    overrides.write_text("record_id_a,record_id_b,decision\n007,P2,cannot_link\n")
    one_error(invoke("resolve", data, "--out", overrides.parent, "--overrides", overrides), "holds the --overrides file")
    jobdir = tmp_path / "jobdir"
    assert invoke("run", config, "--data", data, "--out", jobdir).exit_code == 0
    job_before = snapshot(jobdir)
    one_error(invoke("validate", data, "--out", jobdir), "holds a linkage job")
    one_error(invoke("resolve", data, "--out", jobdir), "holds a linkage job")
    assert snapshot(jobdir) == job_before
    assert invoke("verify", jobdir).exit_code == 0
    assert snapshot(data) == before


def test_imports_never_write_over_their_input(tmp_path):
    folder = tmp_path / "903"
    folder.mkdir()
    header = folder / "header.csv"
    header.write_text("CHILD,SEX,DOB\nC1,1,01/02/2010\n")
    one_error(invoke("import", "ssda903", "--header", header, folder), "holds the --header file")
    street = folder / "events.csv"  # a police.uk file named like the table the import writes
    street.write_text("Crime ID,Month\n")
    before = snapshot(folder)
    one_error(invoke("import", "police-uk", street, folder), "choose a folder apart")
    assert snapshot(folder) == before


def test_import_map_overwrite_never_replaces_the_mapped_file_or_a_stranger(tmp_path):
    nominals = tmp_path / "nominals.csv"
    nominals.write_text("URN,Forename,Surname,DOB\n1,Amy,Smith,01/02/2010\n")
    before = snapshot(nominals)
    one_error(invoke("import", "map", nominals, "--out", nominals, "--overwrite"), "is the file being mapped")
    notes = tmp_path / "notes.yaml"
    notes.write_text("my: own notes\n")
    line = one_error(invoke("import", "map", nominals, "--out", notes, "--overwrite"), "is not a proposal")
    assert "--overwrite" not in line
    assert notes.read_text() == "my: own notes\n"
    assert snapshot(nominals) == before


# --- replacing a job: atomic, and put right after a kill at any step ------------------------


def test_a_failed_swap_keeps_the_old_job(tmp_path, monkeypatch):
    out = tmp_path / "job"
    out.mkdir()
    (out / "manifest.json").write_text(JOB_MANIFEST)
    real_rename = Path.rename

    def rename(self, target):
        if ".staging-" in self.name:
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError):
        with job_folder(out, overwrite=True) as staging:
            write_text(JOB_MANIFEST, staging / "manifest.json")
            write_text("new", staging / "new.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def _killed_state(tmp_path: Path, step: str) -> tuple[Path, int]:
    """The folder as a SIGKILL at ``step`` of replacing job ``job`` leaves it; the dead owner's pid."""
    pid = dead_pid()
    owner = f"{pid}-1"
    out = tmp_path / "job"
    staging = tmp_path / f".job.staging-{owner}-abcd1234"
    staging.mkdir()
    (staging / "manifest.json").write_text(JOB_MANIFEST)
    (staging / "new.csv").write_text("new")
    old = tmp_path / f".job.previous-{owner}-ef567890"
    old.mkdir()
    (old / "manifest.json").write_text(JOB_MANIFEST)
    (old / "old.csv").write_text("old")
    if step == "new moved in, old not yet deleted":
        staging.rename(out)
    return out, pid


@pytest.mark.parametrize("step", ["old moved aside, new not yet in", "new moved in, old not yet deleted"])
def test_the_next_run_puts_right_a_job_killed_mid_swap(tmp_path, step):
    out, pid = _killed_state(tmp_path, step)
    notes: list[str] = []
    with pytest.raises(JobExistsError, match="already holds a linkage job"):
        with job_folder(out, overwrite=False, notes=notes):
            pytest.fail("must not start over a job without overwrite")
    expected = "old.csv" if step.startswith("old moved aside") else "new.csv"
    assert sorted(p.name for p in out.iterdir()) == sorted(["manifest.json", expected])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]
    assert notes and all(f"process {pid}" in note for note in notes)


def test_linkage_clean_restores_and_removes_and_says_so(tmp_path):
    out, pid = _killed_state(tmp_path, "old moved aside, new not yet in")
    temp = tmp_path / f".rejects.csv.{pid}-1-zz9.tmp"
    temp.write_text("half")
    result = invoke("clean", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"restored {out}" in result.output
    assert "removed .job.staging-" in result.output and "removed .rejects.csv." in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]
    assert (out / "old.csv").read_text() == "old"
    again = invoke("clean", tmp_path)
    assert again.output == f"nothing to clean in {tmp_path}\n"


def test_leftovers_of_a_running_process_are_left_alone(tmp_path):
    mine = tmp_path / f".job.staging-{owner_token()}-abcd1234"
    mine.mkdir()
    legacy = tmp_path / ".job.staging-k2j4_x9q"  # an older linkage: no owner recorded, so stale
    legacy.mkdir()
    messages = clean_leftovers(tmp_path)
    assert mine.exists() and not legacy.exists()
    assert messages == [f"removed {legacy.name} in {tmp_path}: the unfinished job of a run by an earlier linkage, which was stopped"]
    result = invoke("clean", tmp_path)
    assert f"left alone: {mine} (process {os.getpid()} is still running)" in result.output


def test_staging_is_private_beside_the_target_and_named_for_its_owner(tmp_path):
    out = tmp_path / "reports" / "job"
    with job_folder(out, overwrite=False) as staging:
        assert staging.parent == out.parent
        assert staging.stat().st_mode & 0o777 == 0o700
        assert staging.name.startswith(f".job.staging-{os.getpid()}-")


# --- signals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_removes_the_staging_folder_keeps_the_old_job_and_restores_handlers(tmp_path, signum):
    out = tmp_path / "job"
    out.mkdir()
    (out / "manifest.json").write_text(JOB_MANIFEST)
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    with pytest.raises(Interrupted) as info:
        with job_folder(out, overwrite=True) as staging:
            write_text("partial", staging / "rejects.csv")
            os.kill(os.getpid(), signum)
            time.sleep(5)  # the handler interrupts this
    assert info.value.exit_code == 128 + signum
    assert str(info.value) == f"stopped by {signal.Signals(signum).name}; nothing of this run was kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]
    assert (out / "manifest.json").read_text() == JOB_MANIFEST
    assert {s: signal.getsignal(s) for s in before} == before


#: ``linkage run`` with one extra stage that marks the staging folder and waits: the test kills it there.
_STALLING_RUN = """
import sys, time
import linkage.job._run as run
from linkage.job import Stage

def stall(ctx):
    (ctx.folder / "stalled").write_text("x")
    time.sleep(60)

run.STAGES = (*run.STAGES[:2], Stage("stall", stall), *run.STAGES[2:])
from linkage.cli import main
sys.argv = ["linkage", *sys.argv[1:]]
main()
"""


def _start_stalled_run(config: Path, data: Path, out: Path, *extra: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", _STALLING_RUN, "run", str(config), "--data", str(data), "--out", str(out), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(f".{out.name}.staging-*/stalled")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached the stalling stage"
        time.sleep(0.02)
    return process


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_real_run_stopped_by_a_signal_leaves_nothing_and_keeps_the_old_job(job, tmp_path, signum):
    config, data = job
    out = tmp_path / "reports" / "t"
    assert invoke("run", config, "--data", data, "--out", out).exit_code == 0
    old = snapshot(out)
    process = _start_stalled_run(config, data, out, "--overwrite")
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr
    assert stderr.strip().splitlines()[-1] == f"Error: stopped by {signal.Signals(signum).name}; nothing of this run was kept"
    assert "Traceback" not in stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["t"]
    assert snapshot(out) == old


def test_after_sigkill_the_next_run_removes_the_staging_folder_and_says_so(job, tmp_path):
    config, data = job
    out = tmp_path / "reports" / "t"
    process = _start_stalled_run(config, data, out)
    process.kill()
    process.communicate(timeout=60)
    left = list(out.parent.glob(".t.staging-*"))
    assert len(left) == 1 and left[0].name.startswith(f".t.staging-{process.pid}-")
    assert (left[0] / "rejects.csv").exists()  # person-level data: what must not be left lying about
    result = invoke("run", config, "--data", data, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"note: removed {left[0].name} in {out.parent}: the unfinished job of a run by process {process.pid}" in result.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["t"]
    assert invoke("verify", out).exit_code == 0


# --- the same without any patching, at chosen moments of a real job (slow: pytest -m slow) --------


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    from conftest import LANCASHIRE_YAML

    root = tmp_path_factory.mktemp("world")
    assert invoke("synth", "--scale", "small", "--seed", "3", root / "data").exit_code == 0
    config = root / "w.yaml"
    config.write_text(f"job: {{name: w}}\ngeography: {LANCASHIRE_YAML}\n")
    return config, root / "data"


@pytest.mark.slow
@pytest.mark.parametrize("share", [0.15, 0.4, 0.7, 0.95])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_real_job_killed_at_any_moment_leaves_the_old_or_the_new_job_and_no_leftovers(small_world, tmp_path, signum, share):
    config, data = small_world
    out = tmp_path / "reports" / "w"
    command = [sys.executable, "-m", "linkage.cli", "run", str(config), "--data", str(data), "--out", str(out)]
    tick = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    whole = time.monotonic() - tick
    old = snapshot(out)
    process = subprocess.Popen([*command, "--overwrite"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(whole * share)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr
    if signum == signal.SIGTERM:
        assert process.returncode in (0, 128 + signum), stderr
    # the next run puts right whatever a SIGKILL left; then exactly one whole job is there
    cleaned = invoke("clean", out.parent)
    assert cleaned.exit_code == 0, cleaned.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["w"]
    assert invoke("verify", out).exit_code == 0  # the old job or the new, whole either way
    if process.returncode == 128 + signal.SIGTERM:
        assert snapshot(out) == old


def test_a_signal_while_a_single_file_is_written_leaves_no_temporary_file(tmp_path):
    from linkage.files import atomic_open, interruptible

    (tmp_path / "rejects.csv").write_text("old")

    def write(stream):
        stream.write("half")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

    with pytest.raises(Interrupted, match="stopped by SIGTERM"):
        with interruptible():
            with atomic_open(tmp_path / "rejects.csv") as stream:
                write(stream)
    assert [p.name for p in tmp_path.iterdir()] == ["rejects.csv"]
    assert (tmp_path / "rejects.csv").read_text() == "old"


# --- a full disk: a real small filesystem, no patching ------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 600 KB tmpfs (needs root and a kernel that lets this process mount; skipped otherwise)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_disk_is_one_error_and_the_old_job_survives(tiny_disk, job):
    config, data = job
    out = tiny_disk / "job"
    out.mkdir()
    (out / "manifest.json").write_text(JOB_MANIFEST)
    (out / "clusters.csv").write_text("cluster_id\nC0001\n")
    before = snapshot(out)
    result = invoke("run", config, "--data", data, "--out", out, "--overwrite", "--max-reject-share", "1")
    one_error(result, "the disk is full (no space left on device", "an earlier job in that folder is unchanged")
    assert snapshot(out) == before
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["job"]  # no staging folder, no temp file left
