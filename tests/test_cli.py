"""The command line: exit codes, the exact messages, and the files it writes (checked through the library)."""

from __future__ import annotations

import csv
import hashlib
import inspect
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import linkage
from linkage.cli import cli
from linkage.contract import TABLE_ORDER
from linkage.job import reject_messages
from linkage.read import load_dataset

from conftest import LANCASHIRE_YAML, PLANTED, PLANTED_CLEARED, PLANTED_REJECTED, PLANTED_REJECTS


def invoke(*args) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def read_rejects(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_error_line(result, *fragments: str, progress: str | None = None) -> str:
    """Exit 1, one ``Error:`` line on stderr, no traceback; returns the line.

    ``run`` draws its progress on stderr first: lines starting with ``progress``
    may come before the error.
    """
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    if progress is not None:
        while lines and lines[0].startswith(progress):
            lines.pop(0)
    assert lines[0].startswith("Error: ")
    assert [line for line in lines if line.startswith("Error:")] == [lines[0]]
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


# --- validate -------------------------------------------------------------------------


def test_validate_a_clean_dataset(dataset_folder, tmp_path):
    out = tmp_path / "check"
    result = invoke("validate", dataset_folder, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["table", "file", "read", "rejected", "cleared", "kept"]
    assert lines[1].split() == ["people", "people.csv", "4", "0", "0", "4"]
    assert "no rows rejected" in lines
    assert lines[-1] == f"rejects written to {out / 'rejects.csv'}"
    assert (out / "rejects.csv").read_text(encoding="utf-8") == "table,row,column,value,reason,action\n"


def test_validate_puts_each_planted_row_in_rejects_csv_and_exits_0(write_dataset, tmp_path):
    folder = write_dataset(append=PLANTED)
    out = tmp_path / "check"
    result = invoke("validate", folder, "--out", out, "--config", LANCASHIRE_YAML.parent / "demo.yaml")
    assert result.exit_code == 0, result.output
    rows = read_rejects(out / "rejects.csv")
    assert [(r["table"], int(r["row"]), r["column"], r["value"]) for r in rows] == [p[:4] for p in PLANTED_REJECTS]
    for row, planted in zip(rows, PLANTED_REJECTS):
        assert planted[4] in row["reason"]
    # the file says what the library says
    dataset = load_dataset(folder)
    assert [r["reason"] for r in rows] == dataset.rejects["reason"].tolist()
    assert [r["action"] for r in rows] == [p[5] for p in PLANTED_REJECTS]
    assert f"{PLANTED_REJECTED} row(s) rejected, {PLANTED_CLEARED} kept with a value cleared:" in result.stdout
    assert (
        "  placements.csv row 4, end_date (cleared, row kept): end_date 2021-01-01 is before start_date 2021-05-01; "
        "correct whichever date is wrong (end_date is cleared: the row reads as open-ended)"
    ) in result.stdout.splitlines()
    # good rows and rows with a cleared value are kept: the summary counts them (read = rejected + kept)
    summary = {line.split()[0]: line.split()[2:] for line in result.stdout.splitlines()[1:10]}
    assert summary["people"] == ["9", "2", "2", "7"]
    assert summary["placements"] == ["5", "2", "1", "3"]
    assert summary["events"] == ["2", "0", "0", "2"]
    # the unknown authority is a warning, not a reject
    assert (
        "warning: people.local_authority row 10 (1 row(s)): 'Narnia' is not an authority of the configured geography"
    ) in result.stdout


def test_validate_strict_exits_1_with_the_messages(write_dataset, tmp_path):
    folder = write_dataset(append=PLANTED)
    out = tmp_path / "check"
    result = invoke("validate", folder, "--out", out, "--strict")
    first = assert_one_error_line(result)
    assert first == (
        f"Error: {PLANTED_REJECTED} row(s) rejected, {PLANTED_CLEARED} kept with a value cleared and --strict was given; "
        "fix them or run without --strict:"
    )
    messages = result.stderr.splitlines()[1:]
    assert messages[:2] == [
        "  people.csv row 6, source: source is required but empty; fill it in or remove the row",
        "  people.csv row 7, record_id: duplicate record_id 'P2': already used on row 3; give each row its own id",
    ]
    assert messages == ["  " + m for m in reject_messages(load_dataset(folder))]
    assert len(messages) == len(PLANTED_REJECTS)
    assert result.stdout == ""
    # rejects.csv is still written, so the analyst can fix the rows
    assert len(read_rejects(out / "rejects.csv")) == len(PLANTED_REJECTS)


def test_validate_strict_on_a_clean_dataset_exits_0(dataset_folder):
    result = invoke("validate", dataset_folder, "--strict")
    assert result.exit_code == 0, result.output
    assert "no rows rejected" in result.stdout


def test_missing_required_column_is_one_error_line(write_dataset):
    folder = write_dataset(replace={"placements": "placement_id,location_id,start_date\nPL1,L1,2020-01-01\n"})
    result = invoke("validate", folder)
    line = assert_one_error_line(result, "placements.csv", "record_id")
    assert line == (
        f"Error: {folder / 'placements.csv'} has no column 'record_id', which placements requires; add a 'record_id' "
        "column, or map your header onto it in the job config: columns: {placements: {YourHeader: record_id}}"
    )
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


def test_missing_people_file_is_one_error_line(write_dataset):
    folder = write_dataset(omit=("people",))
    line = assert_one_error_line(invoke("validate", folder), "people.csv")
    assert line == (
        f"Error: {folder} has no people.csv (or people.parquet), the one table every dataset needs; "
        "add it, or name your file in the job config: tables: {people: your_file.csv}"
    )


def test_file_named_by_the_config_but_missing_is_one_error_line(dataset_folder, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("tables: {events: crimes.csv}\n", encoding="utf-8")
    line = assert_one_error_line(invoke("validate", dataset_folder, "--config", config))
    assert line == (
        f"Error: {dataset_folder / 'crimes.csv'} does not exist; the job config names it under tables: events. "
        "Correct the file name"
    )


def test_mapped_headers_from_a_config_pass(write_dataset, tmp_path):
    folder = write_dataset(
        replace={"people": "URN,Agency,Forename,DOB\n007,police,Zoë,2008-03-04\nP2,police,Ben,\nP3,x,y,\nP4,x,y,\n"}
    )
    config = tmp_path / "job.yaml"
    config.write_text(
        "columns:\n  people: {URN: record_id, Agency: source, Forename: first_name, DOB: dob}\n", encoding="utf-8"
    )
    result = invoke("validate", folder, "--config", config)
    assert result.exit_code == 0, result.output
    assert "no rows rejected" in result.stdout


def test_missing_dataset_folder(tmp_path):
    result = invoke("validate", tmp_path / "nowhere")
    line = assert_one_error_line(result)
    assert line == f"Error: dataset folder {tmp_path / 'nowhere'} does not exist; pass the folder that holds people.csv"


def test_a_file_instead_of_a_folder(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("record_id,source\n")
    line = assert_one_error_line(invoke("validate", path))
    assert line == f"Error: {path} is a file, not a dataset folder; pass the folder that holds people.csv"


def test_bad_config_lists_every_problem(dataset_folder, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("seeed: 1\ninput: {encoding: ebcdic}\n", encoding="utf-8")
    result = invoke("validate", dataset_folder, "--config", config)
    assert_one_error_line(result)
    assert result.stderr.splitlines() == [
        f"Error: {config} has 2 problems:",
        "  unknown setting 'seeed' (did you mean 'seed'?); the settings are job, data, output, seed, geography, "
        "tables, columns, values, input, night_time_economy_categories, suppress_below, max_reject_share, resolve, network, analyses, "
        "exports, views, report",
        "  input.encoding 'ebcdic' is not supported; use auto, utf-8 or latin-1",
    ]


def test_unreadable_file_is_an_error_not_a_traceback(write_dataset):
    folder = write_dataset(replace={"people": "record_id,source,source\n007,police,police\n"})
    line = assert_one_error_line(invoke("validate", folder))
    assert line == (
        f"Error: {folder / 'people.csv'} has two columns called 'source' (columns 2 and 3); rename one in the header line"
    )


# --- run ------------------------------------------------------------------------------------


@pytest.fixture
def job_config(tmp_path, dataset_folder) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(
        f"job: {{name: test-job}}\ndata: {dataset_folder.name}\ngeography: {LANCASHIRE_YAML}\nseed: 3\n",
        encoding="utf-8",
    )
    return path


def test_run_writes_the_job_folder_with_a_manifest(job_config, dataset_folder, tmp_path):
    out = tmp_path / "reports" / "test-job"
    result = invoke("run", job_config, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"job 'test-job' written to {out}" in result.stdout
    assert "0 row(s) rejected (see rejects.csv)" in result.stdout
    assert (out / "rejects.csv").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["toolkit"] == "linkage"
    assert manifest["version"] == linkage.__version__
    assert manifest["job"] == "test-job"
    assert manifest["seed"] == 3
    assert manifest["config"]["source"] == str(job_config)
    assert manifest["config"]["settings"]["seed"] == 3
    assert manifest["config"]["geography"] == str(LANCASHIRE_YAML)
    assert manifest["started"] <= manifest["finished"]
    assert set(manifest["inputs"]) == set(TABLE_ORDER)
    for table, info in manifest["inputs"].items():
        path = dataset_folder / f"{table}.csv"
        assert Path(info["file"]) == path
        assert info["sha256"] == sha256(path)
        lines = len(path.read_text(encoding="utf-8").splitlines()) - 1
        assert (info["rows_read"], info["rows_rejected"], info["rows_kept"]) == (lines, 0, lines)
    assert manifest["rows_rejected"] == 0
    assert "rejects.csv" in manifest["outputs"]
    for name, info in manifest["outputs"].items():
        assert info["sha256"] == sha256(out / name)
        assert info["bytes"] == (out / name).stat().st_size
    # everything written is listed; nothing else is in the folder
    # (views live in sub-folders: clusters/, children/, businesses/)
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted([*manifest["outputs"], "manifest.json"])
    assert sorted(p.name for p in out.parent.iterdir()) == ["test-job"]


def test_run_records_rejects_and_their_counts(write_dataset, tmp_path):
    folder = write_dataset("planted", append=PLANTED)
    config = tmp_path / "job.yaml"
    config.write_text("job: {name: t}\nmax_reject_share: 1\n", encoding="utf-8")  # a few planted rows in small tables
    out = tmp_path / "out"
    result = invoke("run", config, "--data", folder, "--out", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows_rejected"] == PLANTED_REJECTED
    assert manifest["rows_cleared"] == PLANTED_CLEARED
    assert manifest["inputs"]["people"]["rows_read"] == 9
    assert manifest["inputs"]["people"]["rows_rejected"] == 2
    assert manifest["inputs"]["people"]["rows_cleared"] == 2
    assert manifest["inputs"]["people"]["rows_kept"] == 7
    assert f"{PLANTED_REJECTED} row(s) rejected, {PLANTED_CLEARED} kept with a value cleared (see rejects.csv)" in result.stdout
    # every kept person record has an entity
    entities = read_rejects(out / "entities.csv")
    assert len(entities) == 7
    assert [int(r["row"]) for r in read_rejects(out / "rejects.csv")] == [p[1] for p in PLANTED_REJECTS]


def test_run_refuses_to_overwrite_then_overwrites(job_config, tmp_path):
    out = tmp_path / "job"
    assert invoke("run", job_config, "--out", out).exit_code == 0
    first = json.loads((out / "manifest.json").read_text())
    (out / "note.txt").write_text("left by an analyst")

    refused = invoke("run", job_config, "--out", out)
    line = assert_one_error_line(refused, "--overwrite")
    assert line == (
        f"Error: {out} already holds a linkage job; pass --overwrite to replace it, or choose another folder, e.g. {out}-2"
    )
    assert (out / "note.txt").read_text() == "left by an analyst"

    again = invoke("run", job_config, "--out", out, "--overwrite")
    assert again.exit_code == 0, again.output
    second = json.loads((out / "manifest.json").read_text())
    assert not (out / "note.txt").exists()
    assert second["inputs"] == first["inputs"]
    assert second["outputs"] == first["outputs"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_run_strict_with_rejects_fails_and_writes_nothing(write_dataset, tmp_path):
    folder = write_dataset("planted", append=PLANTED)
    config = tmp_path / "job.yaml"
    config.write_text("job: {name: t}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", config, "--data", folder, "--out", out, "--strict")
    assert_one_error_line(result, f"{PLANTED_REJECTED} row(s) rejected, {PLANTED_CLEARED} kept with a value cleared and "
                          "--strict was given", progress="job t")
    assert result.stdout == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.yaml", "planted"]


def test_run_without_data_says_how_to_give_it(tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("job: {name: t}\n", encoding="utf-8")
    line = assert_one_error_line(invoke("run", config, "--out", tmp_path / "out"))
    assert line == f"Error: {config}: no dataset given; pass --data DATASET or set data: in the job config"
    assert not (tmp_path / "out").exists()


def test_run_with_a_missing_config(tmp_path):
    line = assert_one_error_line(invoke("run", tmp_path / "nope.yaml"))
    assert line == (
        f"Error: config file {tmp_path / 'nope.yaml'} does not exist; pass the path of a job YAML such as configs/demo.yaml"
    )


def test_run_on_a_dataset_that_cannot_be_read_leaves_no_folder(job_config, write_dataset, tmp_path):
    folder = write_dataset("broken", replace={"placements": "placement_id\nPL1\n"})
    out = tmp_path / "out"
    result = invoke("run", job_config, "--data", folder, "--out", out)
    line = assert_one_error_line(result, progress="job test-job")
    assert line == "Error: the dataset has 3 problems:"
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


# --- help, examples, usage ------------------------------------------------------------------------

COMMANDS = sorted(cli.commands)


def test_the_commands_of_the_contract_are_there():
    assert {"synth", "validate", "run", "demo"} <= set(COMMANDS)


@pytest.mark.parametrize("name", ["linkage", *COMMANDS])
def test_every_command_has_a_docstring_with_an_example(name):
    command = cli if name == "linkage" else cli.commands[name]
    doc = inspect.cleandoc(command.help or "")
    assert doc.strip(), name
    assert "\nExample:\n" in doc, name
    example = doc.split("Example:", 1)[1].strip().splitlines()[0].strip()
    expected = "linkage" if name == "linkage" else f"linkage {name}"
    assert example.startswith(expected), example


@pytest.mark.parametrize("name", COMMANDS)
def test_help_works_for_each_command(name):
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    assert "Example:" in result.stdout
    assert f"linkage {name}" in result.stdout
    short = invoke(name, "-h")
    assert short.exit_code == 0 and short.stdout == result.stdout


def test_top_level_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name}" in result.stdout


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"linkage, version {linkage.__version__}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate"], "Error: Missing argument 'DATASET'."),
        (["validate", ".", "--bogus"], "Error: No such option '--bogus'"),
        (["run"], "Error: Missing argument 'CONFIG'."),
        (["synth", "--scale", "huge", "out"], "Error: Invalid value for '--scale': 'huge' is not one of"),
        (["synth", "--seed", "-1", "out"], "Error: Invalid value for '--seed': -1 is not in the range x>=0."),
        (["nosuch"], "Error: No such command 'nosuch'."),
    ],
)
def test_wrong_usage_exits_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_run_summary_lists_pages_per_folder_not_one_line_per_page():
    from linkage.cli._jobs import output_lines

    outputs = ["clusters.csv", "clusters/C0001.html", "clusters/C0002.html", "children/E1.html", "network.html"]
    assert output_lines(outputs) == ["clusters.csv", "network.html", "children/ (1 page)", "clusters/ (2 pages)"]
