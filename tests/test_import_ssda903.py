"""SSDA903 import: what lands in the contract tables, what is rejected and why, and the job that follows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.geography import haversine_km, postcode_points
from linkage.cli import cli
from linkage.config import load_config
from linkage.errors import DataError
from linkage.read import load_dataset
from linkage.read.imports import import_ssda903

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path("/work/shared/samples/ssda903")

HEADER = [
    "CHILD,SEX,DOB,ETHNIC,UPN",
    "C1,1,01/02/2008,WBRI,A100",  # 2
    "C2,2,15/06/2009,WBRI,A200",  # 3
    "C3,3,01/01/2010,WBRI,A300",  # 4  SEX 3
    "C4,1,31/02/2010,WBRI,A400",  # 5  not a real date
    "C5,2,01/01/10,WBRI,A500",  # 6  two-digit year
    "C1,1,01/02/2008,WBRI,A100",  # 7  repeat of row 2
    ",1,01/01/2011,WBRI,A700",  # 8  no CHILD
    "C6,1,,WOTH,A800",  # 9  kept, DOB unknown
]
EPISODES_HEADER = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
EPISODES = [
    EPISODES_HEADER,
    "C1,01/04/2017,S,C2,N1,K2,PR1,01/06/2017,X1,,PR1 2HE,LA1 1UH,URN1",  # 2  merged with 3
    "C1,01/06/2017,L,J2,N1,K2,PR1,01/09/2017,X1,CARPL,PR1 2HE,LA1 1UH,URN1",  # 3  legal status change
    "C1,01/09/2017,P,J2,N1,U1,PR1,,X1,,PR1 2HE,BB1 1AA,URN2",  # 4  a move
    "C2,01/05/2017,S,C2,N1,K2,PR1,,X1,,PR1 2HE,LA1 1UH,URN1",  # 5
    "C3,01/05/2017,S,C2,N1,K2,PR1,,X1,,PR1 2HE,LA1 1UH,URN1",  # 6  child rejected in header
    "C9,01/05/2017,S,C2,N1,K2,PR1,,X1,,PR1 2HE,LA1 1UH,URN1",  # 7  unknown child
    "C2,32/01/2017,S,C2,N1,K2,PR1,,X1,,PR1 2HE,LA1 1UH,URN1",  # 8  not a real date
    "C2,01/01/17,S,C2,N1,K2,PR1,,X1,,PR1 2HE,LA1 1UH,URN1",  # 9  two-digit year
    "C6,01/03/2018,S,C2,N1,Q9,PR1,01/04/2018,X1,,FY1 1AA,FY1 1AA,URN3",  # 10 unknown PLACE
    "C6,01/04/2018,S,C2,N1,U1,PR1,01/05/2018,X1,,FY1 1AA,FY1 1AA,",  # 11 no URN
    "C6,01/05/2018,S,C2,N1,U1,PR1,01/04/2018,X1,,FY1 1AA,FY1 1AA,URN3",  # 12 DEC before DECOM
    "C6,01/06/2018,S,C2,N1,U1,PR1,,X1,,FY1 1AA,FY1 1AA,XXXXXXX",  # 13 no Ofsted number: the child's own
]
MISSING = [
    "CHILD,DOB,MISSING,MIS_START,MIS_END",
    "C1,01/02/2008,M,10/05/2017,12/05/2017",  # 2  from URN1
    "C1,01/02/2008,A,10/10/2017,",  # 3  from URN2, not yet found
    "C2,15/06/2009,X,01/06/2017,02/06/2017",  # 4  unknown code
    "C1,02/02/2008,M,01/07/2017,02/07/2017",  # 5  DOB differs from header
    "C2,15/06/2009,M,05/06/2017,01/06/2017",  # 6  ends before it starts
    "C9,01/01/2010,M,01/06/2017,",  # 7  unknown child
    "C1,01/02/2008,M,10/05/2017,12/05/2017",  # 8  repeat of row 2
]


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def files(tmp_path):
    source = tmp_path / "903"
    source.mkdir()
    return {
        "header": _write(source, "header.csv", HEADER),
        "episodes": _write(source, "episodes.csv", EPISODES),
        "missing": _write(source, "missing.csv", MISSING),
    }


@pytest.fixture()
def imported(tmp_path, files):
    out = tmp_path / "data"
    result = import_ssda903(out, **files, authority="Preston")
    return out, result


def _rejects(out: Path) -> list[tuple[str, int, str]]:
    frame = pd.read_csv(out / "rejects.csv", dtype={"row": "int64"}, keep_default_na=False)
    return list(frame[["table", "row", "column"]].itertuples(index=False, name=None))


def _reason(out: Path, table: str, row: int) -> str:
    frame = pd.read_csv(out / "rejects.csv", keep_default_na=False)
    return " | ".join(frame.loc[(frame["table"] == table) & (frame["row"] == row), "reason"])


def test_every_dirty_row_is_rejected_with_its_file_line_and_column(imported):
    out, _ = imported
    assert _rejects(out) == [
        ("header.csv", 4, "SEX"),
        ("header.csv", 5, "DOB"),
        ("header.csv", 6, "DOB"),
        ("header.csv", 7, "CHILD"),
        ("header.csv", 8, "CHILD"),
        ("episodes.csv", 6, "CHILD"),
        ("episodes.csv", 7, "CHILD"),
        ("episodes.csv", 8, "DECOM"),
        ("episodes.csv", 9, "DECOM"),
        ("episodes.csv", 10, "PLACE"),
        ("episodes.csv", 11, "URN"),
        ("episodes.csv", 12, "DEC"),
        ("missing.csv", 4, "MISSING"),
        ("missing.csv", 5, "DOB"),
        ("missing.csv", 6, "MIS_END"),
        ("missing.csv", 7, "CHILD"),
        ("missing.csv", 8, "MIS_START"),
    ]


def test_reasons_say_what_is_wrong_and_the_fix(imported):
    out, _ = imported
    assert _reason(out, "header.csv", 4) == "SEX '3' is not an SSDA903 sex code; write 1 (male) or 2 (female)"
    assert "'31/02/2010' is not a real date" in _reason(out, "header.csv", 5)
    assert _reason(out, "header.csv", 6) == (
        "DOB '01/01/10' has a two-digit year, which is ambiguous; write the year in full, e.g. 14/08/2017"
    )
    assert _reason(out, "header.csv", 7) == (
        "CHILD 'C1' is already on row 2; a child has one header row, remove the repeat"
    )
    assert _reason(out, "episodes.csv", 6).startswith("CHILD 'C3' is not among the kept children of header.csv")
    assert "two-digit year" in _reason(out, "episodes.csv", 9)
    assert _reason(out, "episodes.csv", 10).startswith("PLACE 'Q9' is not an SSDA903 placement code")
    assert _reason(out, "episodes.csv", 11) == (
        "URN is empty; write the Ofsted URN of the care setting, or XXXXXXX when the setting has none"
    )
    assert _reason(out, "episodes.csv", 12) == (
        "DEC 01/04/2018 is before DECOM 01/05/2018; correct whichever date is wrong"
    )
    assert _reason(out, "missing.csv", 4).startswith("MISSING 'X' is not an SSDA903 code; write M (missing) or A")
    assert _reason(out, "missing.csv", 5).startswith("DOB 02/02/2008 differs from the child's DOB in header.csv (01/02/2008)")
    assert _reason(out, "missing.csv", 8) == "repeats the episode on row 2 (same CHILD, MIS_START and MISSING); remove the repeat"


def test_people_are_the_kept_children(imported):
    out, result = imported
    people = pd.read_csv(out / "people.csv", dtype=str, keep_default_na=False)
    assert list(people["record_id"]) == ["C1", "C2", "C6"]
    c1 = people.set_index("record_id").loc["C1"]
    assert (c1["source"], c1["sex"], c1["dob"], c1["flags"], c1["local_authority"]) == (
        "social_care", "M", "2008-02-01", "looked_after", "Preston"
    )
    assert c1["postcode"] == "PR1 2HE"  # HOME_POST of the latest episode
    assert (c1["upn"], c1["ethnic"], c1["imported_from"]) == ("A100", "WBRI", "ssda903")
    assert people.set_index("record_id").loc["C6", "dob"] == ""
    assert [f["rejected"] for f in result.files] == [5, 7, 5]


def test_same_urn_episodes_merge_and_a_new_urn_is_a_move(imported):
    out, _ = imported
    placements = pd.read_csv(out / "placements.csv", dtype=str, keep_default_na=False)
    c1 = placements[placements["record_id"] == "C1"]
    assert list(c1["location_id"]) == ["URN1", "URN2"]
    assert list(c1["start_date"]) == ["2017-04-01", "2017-09-01"]
    assert list(c1["end_date"]) == ["2017-09-01", ""]
    assert list(c1["episodes"]) == ["2", "1"]
    assert list(c1["reason_for_change"]) == ["CARPL", ""]
    assert list(c1["legal_status"]) == ["J2", "J2"]
    assert list(c1["placement_type"]) == ["K2", "U1"]
    assert list(c1["placement_id"]) == ["C1-20170401", "C1-20170901"]
    assert set(placements["placing_authority"]) == {"Preston"}
    # a setting without an Ofsted number belongs to the child alone: never a shared setting
    c6 = placements[placements["record_id"] == "C6"]
    assert list(c6["location_id"]) == ["no-urn:C6:FY11AA"]


def test_a_gap_between_episodes_at_one_urn_is_a_new_placement(tmp_path):
    header = _write(tmp_path, "h.csv", ["CHILD,SEX,DOB", "K,2,01/01/2010"])
    episodes = _write(tmp_path, "e.csv", [
        EPISODES_HEADER,
        "K,01/01/2017,S,C2,N1,K2,PR1,01/02/2017,E8,,,,U7",
        "K,01/03/2017,S,C2,N1,K2,PR1,,X1,,,,U7",  # back to the same home after a month out of care
    ])
    result = import_ssda903(tmp_path / "out", header=header, episodes=episodes)
    placements = result.tables["placements"]
    assert list(placements["start_date"]) == ["2017-01-01", "2017-03-01"]
    assert placements["reason_for_change"].tolist()[0] == "E8" and pd.isna(placements["reason_for_change"].iloc[1])


def test_an_earlier_open_episode_is_rejected(tmp_path):
    header = _write(tmp_path, "h.csv", ["CHILD,SEX,DOB", "K,2,01/01/2010"])
    episodes = _write(tmp_path, "e.csv", [
        EPISODES_HEADER,
        "K,01/03/2017,S,C2,N1,K2,PR1,,X1,,,,U8",
        "K,01/01/2017,S,C2,N1,K2,PR1,,X1,,,,U7",  # open, yet followed by the episode on row 2
    ])
    result = import_ssda903(tmp_path / "out", header=header, episodes=episodes)
    assert list(result.rejects["row"]) == [3]
    assert result.rejects["reason"].iloc[0] == (
        "DEC is empty but the child has a later episode (DECOM 01/03/2017 on row 2); "
        "fill in DEC, usually the later episode's DECOM"
    )
    assert list(result.tables["placements"]["location_id"]) == ["U8"]


def test_care_settings_are_locations_with_category_and_postcode(imported):
    out, _ = imported
    locations = pd.read_csv(out / "locations.csv", dtype=str, keep_default_na=False).set_index("location_id")
    assert list(locations.index) == ["URN1", "URN2", "no-urn:C6:FY11AA"]
    assert (locations.loc["URN1", "category"], locations.loc["URN1", "postcode"]) == ("children_home", "LA1 1UH")
    assert (locations.loc["URN2", "category"], locations.loc["URN2", "postcode"]) == ("foster_home", "BB1 1AA")
    assert locations.loc["no-urn:C6:FY11AA", "category"] == "foster_home"


def test_distance_from_home_comes_from_the_postcode_directory(imported):
    out, _ = imported
    placements = pd.read_csv(out / "placements.csv", keep_default_na=False, dtype={"distance_from_home_km": float})
    points = postcode_points(pd.Series(["PR1 2HE", "LA1 1UH", "BB1 1AA"]))
    if points["latitude"].isna().any():
        pytest.skip("the ONS postcode directory is not installed")
    expected = haversine_km(points["latitude"].iloc[[0, 0]], points["longitude"].iloc[[0, 0]],
                            points["latitude"].iloc[[1, 2]], points["longitude"].iloc[[1, 2]])
    c1 = placements[placements["record_id"] == "C1"]["distance_from_home_km"].to_numpy()
    np.testing.assert_allclose(c1, np.round(expected, 2))
    assert 25 < c1[0] < 40  # Preston to Lancaster


def test_missing_episodes_know_the_setting_the_child_went_missing_from(imported):
    out, _ = imported
    missing = pd.read_csv(out / "missing_episodes.csv", dtype=str, keep_default_na=False)
    assert list(missing["episode_id"]) == ["C1-20170510", "C1-20171010"]
    assert list(missing["kind"]) == ["missing", "absent"]
    assert list(missing["start"]) == ["2017-05-10", "2017-10-10"]
    assert list(missing["end"]) == ["2017-05-12", ""]
    assert list(missing["from_location_id"]) == ["URN1", "URN2"]


def test_the_folder_passes_the_contract_and_a_job_measures_moves_from_postcodes(imported, tmp_path):
    out, _ = imported
    dataset = load_dataset(out, load_config(ROOT / "configs" / "ssda903-demo.yaml"))
    assert len(dataset.rejects) == 0
    assert {name: len(frame) for name, frame in dataset.tables.items()} == {
        "people": 3, "locations": 3, "placements": 4, "missing_episodes": 2
    }
    result = CliRunner().invoke(cli, ["run", str(ROOT / "configs" / "ssda903-demo.yaml"), "--data", str(out),
                                      "--out", str(tmp_path / "job")])
    assert result.exit_code == 0, result.output
    moves = pd.read_csv(tmp_path / "job" / "care_moves.csv")
    move = moves[moves["to_location_id"] == "URN2"].iloc[0]
    assert move["from_location_id"] == "URN1"
    if pd.isna(move["distance_km"]):
        pytest.skip("the ONS postcode directory is not installed")
    assert move["distance_source"] == "postcode"
    assert 30 < move["distance_km"] < 50  # Lancaster to Blackburn


def test_header_alone_imports_the_children_only(tmp_path, files):
    out = tmp_path / "only-header"
    result = import_ssda903(out, header=files["header"])
    assert sorted(p.name for p in out.iterdir()) == ["people.csv", "rejects.csv"]
    assert list(result.tables) == ["people"]
    assert len(result.tables["people"]) == 3


def test_importing_again_replaces_the_earlier_import(imported, files):
    out, _ = imported
    import_ssda903(out, **files)
    assert len(pd.read_csv(out / "people.csv")) == 3
    assert len(pd.read_csv(out / "rejects.csv")) == 17


def test_a_file_that_is_not_the_return_is_one_error(tmp_path, files):
    with pytest.raises(DataError, match=r"episodes.csv has no column SEX, DOB, which the SSDA903 header file needs"):
        import_ssda903(tmp_path / "out", header=files["episodes"])


def test_cli_imports_and_summarises(tmp_path, files):
    out = tmp_path / "cli"
    result = CliRunner().invoke(cli, ["import", "ssda903", "--header", str(files["header"]), "--episodes",
                                      str(files["episodes"]), "--missing", str(files["missing"]), str(out)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.startswith(("header", "episodes", "missing"))}
    assert rows == {"header.csv": ["8", "5", "3", "people"], "episodes.csv": ["12", "7", "4", "placements"],
                    "missing.csv": ["7", "5", "2", "missing_episodes"]}
    assert "17 row(s) rejected:" in result.output
    assert "  header.csv row 4, SEX: SEX '3' is not an SSDA903 sex code; write 1 (male) or 2 (female)" in result.output
    assert (out / "placements.csv").is_file()


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist; check the path given to --header"),
        ("", "is empty; it needs a header line"),
        ("CHILD,DECOM\nC1,01/01/2017\n", "has no column SEX, DOB, which the SSDA903 header file needs"),
        (b"PK\x03\x04binary", "is an Excel workbook, not CSV; open it and save the sheet as CSV"),
    ],
)
def test_cli_user_mistakes_are_one_error_line(tmp_path, content, message):
    header = tmp_path / "header.csv"
    if isinstance(content, bytes):
        header.write_bytes(content)
    elif content is not None:
        header.write_text(content)
    result = CliRunner().invoke(cli, ["import", "ssda903", "--header", str(header), str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert isinstance(result.exception, SystemExit)


def test_cli_without_header_is_wrong_usage(tmp_path):
    result = CliRunner().invoke(cli, ["import", "ssda903", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Missing option '--header'" in result.output


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="the shared SSDA903 sample is not on this machine")
def test_the_shared_dirty_sample_imports_and_runs(tmp_path):
    out = tmp_path / "sample"
    result = import_ssda903(out, header=SAMPLE / "header.csv", episodes=SAMPLE / "episodes.csv",
                            missing=SAMPLE / "missing.csv", authority="Preston")
    assert [(f["read"], f["rejected"], f["written"]) for f in result.files] == [
        (2675, 0, 2675), (5050, 10, 4266), (43, 0, 43)
    ]
    assert set(result.rejects["column"]) == {"DEC"}
    assert result.rejects["reason"].str.startswith("DEC is empty but the child has a later episode").all()
    dataset = load_dataset(out)
    assert len(dataset.rejects) == 0
    job = CliRunner().invoke(cli, ["run", str(ROOT / "configs" / "ssda903-demo.yaml"), "--data", str(out),
                                   "--out", str(tmp_path / "job")])
    assert job.exit_code == 0, job.output
    assert "operation crossover skipped: the dataset has no events table" in job.output
    assert len(pd.read_csv(tmp_path / "job" / "care_moves.csv")) == 4266
