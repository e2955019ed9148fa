"""Writing outputs: formulas neutralised, files written atomically, job folders all or nothing."""

from __future__ import annotations

import csv
import json
import warnings

import pandas as pd
import pytest

from linkage.errors import JobExistsError
from linkage.files import check_can_write, job_folder, neutralise_formulas, write_csv, write_json, write_text

#: the manifest of a job as linkage writes it (the kind is what marks the folder as linkage's)
JOB_MANIFEST = '{"kind": "linkage job", "toolkit": "linkage", "outputs": {}}'


def test_cells_a_spreadsheet_would_run_are_neutralised():
    frame = pd.DataFrame(
        {
            "text": ["=HYPERLINK(\"http://x\")", "+44 7700", "-1", "@SUM(A1)", "\tTAB", "\rCR", "plain", None, "a=b"],
            "number": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    out = neutralise_formulas(frame)
    assert out["text"].fillna("<missing>").tolist() == [
        "'=HYPERLINK(\"http://x\")",
        "'+44 7700",
        "'-1",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "plain",
        "<missing>",
        "a=b",
    ]
    # numbers are numbers, not formulas
    assert out["number"].tolist() == frame["number"].tolist()
    # the input is left alone
    assert frame["text"].iloc[0] == "=HYPERLINK(\"http://x\")"


def test_string_dtype_and_object_columns_are_both_neutralised():
    frame = pd.DataFrame(
        {
            "arrow": pd.Series(["=1+1", "ok", None], dtype="str"),
            "mixed": pd.Series(["@x", 5, ("a", "b")], dtype=object),
        }
    )
    out = neutralise_formulas(frame)
    assert out["arrow"].tolist()[:2] == ["'=1+1", "ok"]
    assert pd.isna(out["arrow"].iloc[2])
    assert out["mixed"].tolist() == ["'@x", 5, ("a", "b")]


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_empty_text_columns_need_no_deprecated_operations(dtype):
    # an empty rejects table is the usual case; it must not rely on behaviour pandas will remove
    frame = pd.DataFrame({"value": pd.Series([], dtype=dtype), "row": pd.Series([], dtype="int64")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = neutralise_formulas(frame)
    assert list(out.columns) == ["value", "row"]
    assert len(out) == 0


def test_write_csv_neutralises_and_round_trips(tmp_path):
    frame = pd.DataFrame(
        {
            "table": ["people", "people"],
            "row": [2, 3],
            "value": ["=cmd|' /C calc'!A0", "Zoë, \"the\" name"],
            "date": pd.to_datetime(["2021-03-04", "2021-03-05"]),
        }
    )
    path = write_csv(frame, tmp_path / "sub" / "out.csv")
    assert path == tmp_path / "sub" / "out.csv"
    raw = path.read_bytes()
    assert b"\r\n" not in raw
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["table", "row", "value", "date"],
        ["people", "2", "'=cmd|' /C calc'!A0", "2021-03-04"],
        ["people", "3", 'Zoë, "the" name', "2021-03-05"],
    ]


def test_atomic_write_leaves_no_temp_file(tmp_path):
    write_json({"a": [1, 2]}, tmp_path / "m.json")
    write_text("hello\n", tmp_path / "t.txt")
    write_csv(pd.DataFrame({"a": [1]}), tmp_path / "x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "t.txt", "x.csv"]
    assert json.loads((tmp_path / "m.json").read_text()) == {"a": [1, 2]}
    assert (tmp_path / "t.txt").read_text() == "hello\n"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    path = write_text("old\n", tmp_path / "out.json")

    class Unserialisable:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_json({"bad": Unserialisable()}, path)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    assert path.read_text() == "old\n"


def test_write_replaces_an_existing_file(tmp_path):
    write_text("one", tmp_path / "a.txt")
    write_text("two", tmp_path / "a.txt")
    assert (tmp_path / "a.txt").read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


# --- the job folder ------------------------------------------------------------------------------


def test_job_folder_appears_only_when_the_job_succeeds(tmp_path):
    out = tmp_path / "reports" / "job"
    with job_folder(out, overwrite=False) as staging:
        assert staging.parent == out.parent
        assert staging != out
        assert not out.exists()
        write_text("x", staging / "manifest.json")
    assert (out / "manifest.json").read_text() == "x"
    assert [p.name for p in out.parent.iterdir()] == ["job"]


def test_an_exception_inside_job_folder_leaves_no_folder(tmp_path):
    out = tmp_path / "reports" / "job"
    with pytest.raises(ValueError, match="stage failed"):
        with job_folder(out, overwrite=False) as staging:
            write_text("partial", staging / "rejects.csv")
            raise ValueError("stage failed")
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_an_exception_keeps_the_previous_job_untouched(tmp_path):
    out = tmp_path / "job"
    out.mkdir()
    (out / "manifest.json").write_text(JOB_MANIFEST)
    with pytest.raises(KeyboardInterrupt):
        with job_folder(out, overwrite=True) as staging:
            write_text("new", staging / "manifest.json")
            raise KeyboardInterrupt
    assert (out / "manifest.json").read_text() == JOB_MANIFEST
    assert [p.name for p in tmp_path.iterdir()] == ["job"]


def test_existing_job_needs_overwrite(tmp_path):
    out = tmp_path / "job"
    out.mkdir()
    (out / "manifest.json").write_text(JOB_MANIFEST)
    with pytest.raises(JobExistsError) as info:
        with job_folder(out, overwrite=False):
            pytest.fail("the job must not start")
    assert str(info.value) == (
        f"{out} already holds a linkage job; pass --overwrite to replace it, or choose another folder, e.g. {out}-2"
    )
    assert (out / "manifest.json").read_text() == JOB_MANIFEST


def test_overwrite_replaces_the_whole_previous_job(tmp_path):
    out = tmp_path / "job"
    out.mkdir()
    (out / "manifest.json").write_text(JOB_MANIFEST)
    (out / "old.csv").write_text("old")
    with job_folder(out, overwrite=True) as staging:
        write_text("new", staging / "manifest.json")
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["job"]


def test_an_empty_existing_folder_is_not_a_job(tmp_path):
    out = tmp_path / "job"
    out.mkdir()
    check_can_write(out, overwrite=False)
    with job_folder(out, overwrite=False) as staging:
        write_text("x", staging / "a.txt")
    assert (out / "a.txt").read_text() == "x"


def test_a_file_in_the_way_is_an_error(tmp_path):
    out = tmp_path / "job"
    out.write_text("not a folder")
    with pytest.raises(JobExistsError, match=r"job is a file; choose a folder for the job, e.g. .*job-2"):
        check_can_write(out, overwrite=True)
