"""Hostile input: malformed CSVs, wrong types, huge fields, odd unicode and formula injection.

Every reader (``load_dataset`` for each table) and every command that reads a
dataset (validate, run, resolve, pseudonymise) must answer with a clear error
(``LinkageError`` / ``Error:`` and exit 1) or reject rows, never a traceback;
and what it writes must not carry a live spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import VALID_TABLES
from linkage.cli import cli
from linkage.contract import TABLE_ORDER, TABLES
from linkage.errors import LinkageError
from linkage.files import FORMULA_PREFIXES
from linkage.read import load_dataset

KEY = "9b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "=HYPERLINK(\"http://evil\",\"x\")",
    "\ufeffP1",  # BOM inside a cell
    "a\x00b",  # NUL
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",  # RTL / LTR marks only
    "e\u0301\u0301\u0301",  # combining characters
    "Zoë O'Brien-Smith",
    "\ud800",  # lone surrogate: invalid in UTF-8
    "𝕏𝕐ℤ",
    "line\nbreak",
    "quote\"inside",
    "\"",
    ",",
    ";;;",
    "   ",
    "",
    "NaN",
    "null",
    "1e309",
    "-0",
    "9" * 40,
    "2021-02-30",
    "31/12/2020",
    "0000-00-00",
    "<script>alert(1)</script>",
]

cells = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
)
#: longer than the csv module's default field limit (128 KiB)
HUGE = "x" * 140_000
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "utf-16"]


def _row_text(values: list[str], quoted: bool) -> str:
    if quoted:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(values)
        return buffer.getvalue()
    return ",".join(values) + "\n"


@st.composite
def hostile_table(draw, table: str):
    """CSV bytes for ``table``: its header (maybe shuffled, extra or missing columns) and hostile rows."""
    header = list(TABLES[table].column_names)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:
        header = header[: draw(st.integers(0, len(header)))]
    if draw(st.booleans()):
        header = header + [draw(st.sampled_from(["extra", "=evil", "\ufeffnote", "", "record_id"]))]
    # a valid row of the table (so that references can be right) followed by hostile ones
    valid = VALID_TABLES[table][1].split(",")
    return hostile_bytes(draw, header, valid[: len(header)] + [""] * max(0, len(header) - len(valid)))


def hostile_bytes(draw, header: list[str], first_row: list[str]) -> bytes:
    """CSV bytes: ``header``, ``first_row``, then hostile rows (ragged, huge fields), maybe cut short, in an odd encoding."""
    rows = [list(first_row)]
    for _ in range(draw(st.integers(0, 5))):
        width = draw(st.sampled_from([len(header), len(header), max(0, len(header) - 1), len(header) + 2]))
        rows.append([draw(cells) for _ in range(width)])
    if len(rows) > 1 and rows[-1] and draw(st.integers(0, 7)) == 0:
        rows[-1][0] = HUGE
    quoted = draw(st.booleans())
    text = _row_text(header, quoted) + "".join(_row_text(row, quoted) for row in rows)
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # cut short
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf-8") else "replace")


def _write(folder: Path, table: str, data: bytes) -> None:
    for name in TABLE_ORDER:
        if name != table:
            (folder / f"{name}.csv").write_text("\n".join(VALID_TABLES[name]) + "\n", encoding="utf-8")
    (folder / f"{table}.csv").write_bytes(data)


NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _assert_no_live_formula(path: Path) -> None:
    """No cell a spreadsheet would run: only plain numbers (``-2.7``) may start with - or +."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            for cell in row:
                assert not cell.startswith(FORMULA_PREFIXES) or NUMBER.match(cell), (path.name, cell[:40])


def _assert_clean_exit(result) -> None:
    assert result.exit_code in (0, 1), result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback instead of an error: {result.exception!r}") from result.exception
    if result.exit_code == 1:
        assert "Error: " in result.output
    assert "Traceback" not in result.output


FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("table", TABLE_ORDER)
@FAST
@given(data=st.data())
def test_load_dataset_rejects_or_refuses_never_crashes(table, data):
    payload = data.draw(hostile_table(table))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, table, payload)
        try:
            dataset = load_dataset(folder)
        except LinkageError as exc:
            assert str(exc).strip()
            return
        info = dataset.files[table]
        assert info.rows_read == info.rows_kept + info.rows_rejected
        rejects = dataset.rejects[dataset.rejects["table"] == table]
        assert (rejects["reason"].str.len() > 0).all()
        assert rejects["row"].astype(int).ge(2).all()


@FAST
@given(data=st.data())
def test_cli_validate_writes_neutralised_rejects(data):
    table = data.draw(st.sampled_from(TABLE_ORDER))
    payload = data.draw(hostile_table(table))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        _write(folder, table, payload)
        result = CliRunner().invoke(cli, ["validate", str(folder), "--out", str(Path(tmp) / "out")])
        _assert_clean_exit(result)
        rejects = Path(tmp) / "out" / "rejects.csv"
        if result.exit_code == 0:
            _assert_no_live_formula(rejects)


@FAST
@given(data=st.data())
def test_cli_resolve_and_pseudonymise_never_crash(data):
    table = data.draw(st.sampled_from(["people", "people", "identifiers", "missing_episodes", "contacts"]))
    payload = data.draw(hostile_table(table))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "data"
        folder.mkdir()
        _write(folder, table, payload)
        (root / "k").write_text(KEY)
        pseudo = CliRunner().invoke(cli, ["pseudonymise", str(folder), str(root / "p"), "--key-file", str(root / "k")])
        _assert_clean_exit(pseudo)
        if pseudo.exit_code == 0:
            for path in (root / "p").glob("*.csv"):
                _assert_no_live_formula(path)
            assert KEY not in "".join(p.read_text(encoding="utf-8") for p in (root / "p").iterdir())
        if table == "people":
            resolved = CliRunner().invoke(cli, ["resolve", str(folder), "--out", str(root / "r")])
            _assert_clean_exit(resolved)
            if resolved.exit_code == 0:
                _assert_no_live_formula(root / "r" / "entities.csv")


@SLOW
@given(data=st.data())
def test_cli_run_whole_job_never_crashes(data):
    table = data.draw(st.sampled_from(["people", "placements", "events", "identifiers"]))
    payload = data.draw(hostile_table(table))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "data"
        folder.mkdir()
        _write(folder, table, payload)
        (root / "job.yaml").write_text("job: {name: hostile}\nseed: 1\n")
        result = CliRunner().invoke(cli, ["run", str(root / "job.yaml"), "--data", str(folder), "--out", str(root / "out")])
        _assert_clean_exit(result)
        if result.exit_code == 0:
            for path in (root / "out").glob("*.csv"):
                _assert_no_live_formula(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xef\xbb\xbf",
        b"\x00\x00\x00",
        b"record_id,source\n" + b"\xff\xfe" * 10,
        b"record_id,source,record_id\nP1,police,P1\n",
        b"record_id;source\nP1;police\n",
        b"\"record_id,source\nP1,police\n",
        b"record_id,source\n\"P1,police\n",
        b"PK\x03\x04 not a csv but a zip",
    ],
)
def test_broken_people_files_are_one_clear_error_or_rejects(tmp_path, content):
    (tmp_path / "people.csv").write_bytes(content)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    _assert_clean_exit(result)


def test_formula_values_are_neutralised_in_rejects_and_outputs(tmp_path):
    people = (
        "record_id,source,first_name,last_name,dob,sex\n"
        "=1+1,police,=cmd,@x,2008-01-01,M\n"
        "P2,+police,-a,b,,=SUM(A1)\n"
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "people.csv").write_text(people)
    result = CliRunner().invoke(cli, ["resolve", str(tmp_path / "data"), "--out", str(tmp_path / "r")])
    _assert_clean_exit(result)
    assert result.exit_code == 0
    rejects = list(csv.DictReader((tmp_path / "r" / "rejects.csv").open(newline="")))
    assert [(r["row"], r["column"], r["value"], r["action"]) for r in rejects] == [("3", "sex", "'=SUM(A1)", "cleared")]
    entities = list(csv.DictReader((tmp_path / "r" / "entities.csv").open(newline="")))
    assert [r["record_id"] for r in entities] == ["'=1+1", "P2"]
    _assert_no_live_formula(tmp_path / "r" / "entities.csv")
    _assert_no_live_formula(tmp_path / "r" / "rejects.csv")
