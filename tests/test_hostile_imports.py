"""Hostile input for the partner-format importers: SSDA903, police.uk and the column-mapping helper.

Each file is a real header with hostile cells, ragged rows, huge fields, odd
encodings or a truncated tail. Every command answers with rows imported and
rows rejected, or one ``Error:`` line (exit 1): never a traceback; and what it
writes carries no live spreadsheet formula.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from linkage.cli import cli
from test_hostile_input import FAST, _assert_clean_exit, _assert_no_live_formula, hostile_bytes

HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
            "HOME_POST", "PL_POST", "URN"]
MISSING = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
POLICE_UK = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
             "LSOA name", "Crime type", "Last outcome category", "Context"]
VALID = {
    "header": ["566910", "2", "27/03/2008", "WROM", "D051910639385", "", ""],
    "episodes": ["566910", "15/02/2016", "L", "C2", "N3", "T2", "PR0", "14/08/2017", "X1", "CLOSE", "PR1 1AA", "BB1 1AA", "4244474"],
    "missing": ["566910", "27/03/2008", "M", "01/03/2017", "03/03/2017"],
    "police": ["abc123", "2024-05", "Lancashire Constabulary", "Lancashire Constabulary", "-2.70", "53.76",
               "On or near High Street", "E01012345", "Preston 001A", "Violence and sexual offences", "Under investigation", ""],
}


@st.composite
def hostile_file(draw, columns: list[str], valid: list[str]) -> bytes:
    header = list(columns)
    if draw(st.integers(0, 4)) == 0:
        header = header[: draw(st.integers(0, len(header)))]
    return hostile_bytes(draw, header, valid[: len(header)])


def _written_csvs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.csv")) if folder.exists() else []


@FAST
@given(header=hostile_file(HEADER, VALID["header"]), episodes=hostile_file(EPISODES, VALID["episodes"]),
       missing=hostile_file(MISSING, VALID["missing"]))
def test_import_ssda903_imports_or_rejects_never_crashes(header, episodes, missing):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in (("header.csv", header), ("episodes.csv", episodes), ("missing.csv", missing)):
            (folder / name).write_bytes(data)
        result = CliRunner().invoke(cli, ["import", "ssda903", "--header", str(folder / "header.csv"),
                                          "--episodes", str(folder / "episodes.csv"), "--missing",
                                          str(folder / "missing.csv"), str(folder / "out")])
        _assert_clean_exit(result)
        for path in _written_csvs(folder / "out"):
            _assert_no_live_formula(path)


@FAST
@given(crimes=hostile_file(POLICE_UK, VALID["police"]))
def test_import_police_uk_imports_or_rejects_never_crashes(crimes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "street.csv").write_bytes(crimes)
        result = CliRunner().invoke(cli, ["import", "police-uk", str(folder / "street.csv"), str(folder / "out")])
        _assert_clean_exit(result)
        for path in _written_csvs(folder / "out"):
            _assert_no_live_formula(path)


@FAST
@given(extract=hostile_file(["URN", "Forename", "Surname", "DOB", "Gender", "=evil"],
                            ["P1", "Ann", "Lee", "01/02/2010", "F", "x"]))
def test_import_map_proposes_or_refuses_never_crashes(extract):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "extract.csv").write_bytes(extract)
        result = CliRunner().invoke(cli, ["import", "map", "--table", "people", str(folder / "extract.csv"),
                                          "--out", str(folder / "job.yaml")])
        _assert_clean_exit(result)
