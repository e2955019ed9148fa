"""police.uk import: events and map points as a context layer, rejects, deterministic ids, merging with other imports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.cli import cli
from linkage.errors import DataError
from linkage.read import load_dataset
from linkage.read.imports import import_police_uk, import_ssda903

HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
FORCE = "Lancashire Constabulary,Lancashire Constabulary"
MARCH = [
    HEADER,
    f"aaa111,2024-03,{FORCE},-2.700000,53.760000,On or near Fishergate,E01025000,Preston 014A,Drugs,Under investigation,",  # 2
    f",2024-03,{FORCE},-2.700000,53.760000,On or near Fishergate,E01025000,Preston 014A,Anti-social behaviour,,",  # 3
    f",2024-03,{FORCE},-2.700000,53.760000,On or near Fishergate,E01025000,Preston 014A,Anti-social behaviour,,",  # 4 same again
    f"bbb222,2024-03,{FORCE},,,No location,,,Burglary,Investigation complete; no suspect identified,",  # 5 no coordinates
    f"ccc333,2024-13,{FORCE},-2.7,53.7,On or near Train Station,E01025001,Preston 015B,Robbery,Awaiting court outcome,",  # 6
    f"ddd444,2024-03,{FORCE},-2.7,,On or near Park,E01025001,Preston 015B,Robbery,,",  # 7 half a coordinate
    f"eee555,2024-03,{FORCE},abc,53.7,On or near Park,E01025001,Preston 015B,Robbery,,",  # 8 not a number
    f"ggg777,2024-03,{FORCE},-2.7,53.7,On or near Park,E01025001,Preston 015B,,,",  # 9 no crime type
]
APRIL = [
    HEADER,
    f"aaa111,2024-03,{FORCE},-2.700000,53.760000,On or near Fishergate,E01025000,Preston 014A,Drugs,Under investigation,",  # 2 in March too
    f"fff666,2024-04,{FORCE},-2.480000,53.750000,On or near Bus/Coach Station,E01012000,Blackburn with Darwen 001A,Violence and sexual offences,Unable to prosecute suspect,",  # 3
    f"fff666,2024-04,{FORCE},-2.480000,53.750000,On or near Bus/Coach Station,E01012000,Blackburn with Darwen 001A,Violence and sexual offences,Unable to prosecute suspect,",  # 4 repeat
]


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def files(tmp_path):
    return [_write(tmp_path, "2024-03-lancashire-street.csv", MARCH), _write(tmp_path, "2024-04-lancashire-street.csv", APRIL)]


def test_rows_land_as_events_with_contract_values(tmp_path, files):
    result = import_police_uk(tmp_path / "out", files)
    events = result.tables["events"].set_index("event_id")
    assert list(events.index[:1]) == ["aaa111"]
    assert len(events) == 5
    assert events.loc["aaa111", ["event_type", "category", "date", "local_authority", "status"]].tolist() == [
        "crime", "drugs", "2024-03", "Preston", "live"
    ]
    assert events.loc["fff666", ["category", "local_authority", "status"]].tolist() == [
        "violence", "Blackburn with Darwen", "closed"
    ]
    asb = events[events["crime_type"] == "Anti-social behaviour"]
    assert set(asb["event_type"]) == {"incident"} and asb["status"].isna().all()


def test_blank_crime_ids_get_deterministic_ids(tmp_path, files):
    first = import_police_uk(tmp_path / "one", files).tables["events"]
    second = import_police_uk(tmp_path / "two", files).tables["events"]
    ids = first.loc[first["crime_type"] == "Anti-social behaviour", "event_id"].tolist()
    assert len(ids) == 2 and ids[0].startswith("pu-") and len(ids[0]) == 19
    assert ids[1] == ids[0] + "-2"  # identical rows are numbered
    assert first["event_id"].tolist() == second["event_id"].tolist()


def test_rows_without_coordinates_are_kept_without_a_place(tmp_path, files):
    result = import_police_uk(tmp_path / "out", files)
    events = result.tables["events"].set_index("event_id")
    assert pd.isna(events.loc["bbb222", "location_id"])
    assert events.loc["aaa111", "location_id"] == "pu:53.760000,-2.700000"
    assert "1 event(s) without coordinates kept without a place" in result.notes[0]


def test_map_points_are_locations_never_businesses(tmp_path, files):
    locations = import_police_uk(tmp_path / "out", files).tables["locations"].set_index("location_id")
    assert locations.loc["pu:53.760000,-2.700000", ["category", "name", "local_authority"]].tolist() == [
        "public_space", "On or near Fishergate", "Preston"
    ]
    assert locations.loc["pu:53.750000,-2.480000", "category"] == "transport_hub"
    assert not locations["night_time_economy"].any()
    assert locations.loc["pu:53.750000,-2.480000", "longitude"] == pytest.approx(-2.48)


def test_dirty_rows_are_rejected_with_file_line_and_fix(tmp_path, files):
    out = tmp_path / "out"
    import_police_uk(out, files)
    rejects = pd.read_csv(out / "rejects.csv", keep_default_na=False)
    assert list(rejects[["table", "row", "column"]].itertuples(index=False, name=None)) == [
        ("2024-03-lancashire-street.csv", 6, "Month"),
        ("2024-03-lancashire-street.csv", 7, "Latitude"),
        ("2024-03-lancashire-street.csv", 8, "Longitude"),
        ("2024-03-lancashire-street.csv", 9, "Crime type"),
        ("2024-04-lancashire-street.csv", 2, "Crime ID"),
        ("2024-04-lancashire-street.csv", 4, "Crime ID"),
    ]
    reasons = rejects["reason"].tolist()
    assert reasons[0] == "Month '2024-13' is not a month in police.uk's layout YYYY-MM, e.g. 2024-03; correct it"
    assert reasons[1] == "Latitude is empty but Longitude is not; give both, or neither when the place is unknown"
    assert reasons[2].startswith("Longitude 'abc' is not a number between -180 and 180")
    assert reasons[4] == (
        "Crime ID 'aaa111' is already on 2024-03-lancashire-street.csv row 2; "
        "the same crime is listed twice (overlapping downloads?), remove one"
    )
    assert "already on 2024-04-lancashire-street.csv row 3" in reasons[5]


def test_context_layer_joins_an_ssda903_import_and_passes_the_contract(tmp_path, files):
    out = tmp_path / "data"
    header = _write(tmp_path, "header.csv", ["CHILD,SEX,DOB", "C1,1,01/02/2008"])
    episodes = _write(tmp_path, "episodes.csv", [
        "CHILD,DECOM,PLACE,DEC,HOME_POST,PL_POST,URN", "C1,01/04/2017,K2,,PR1 2HE,LA1 1UH,URN1"
    ])
    import_police_uk(out, files)  # the context first: the later import must keep it
    import_ssda903(out, header=header, episodes=episodes)
    import_police_uk(out, files)  # again: replaces its own rows only
    locations = pd.read_csv(out / "locations.csv", dtype=str, keep_default_na=False)
    assert sorted(locations["location_id"]) == ["URN1", "pu:53.750000,-2.480000", "pu:53.760000,-2.700000"]
    rejects = pd.read_csv(out / "rejects.csv", keep_default_na=False)
    assert len(rejects) == 6
    dataset = load_dataset(out)
    assert len(dataset.rejects) == 0
    assert len(dataset["events"]) == 5
    assert dataset["locations"].set_index("location_id").loc["pu:53.760000,-2.700000", "longitude"] == pytest.approx(-2.7)


def test_a_file_in_another_layout_is_one_error(tmp_path):
    other = _write(tmp_path, "outcomes.csv", ["Crime ID,Month,Outcome type", "aaa,2024-03,Suspect charged"])
    with pytest.raises(DataError, match="has no column LONGITUDE, LATITUDE, CRIME_TYPE, which the police.uk street-level crime file needs"):
        import_police_uk(tmp_path / "out", [other])


def test_cli_imports_several_files(tmp_path, files):
    out = tmp_path / "cli"
    result = CliRunner().invoke(cli, ["import", "police-uk", *map(str, files), str(out)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.startswith("2024-")}
    assert lines == {"2024-03-lancashire-street.csv": ["8", "4", "4", "events"],
                     "2024-04-lancashire-street.csv": ["3", "2", "1", "events"]}
    assert "6 row(s) rejected:" in result.output
    assert (out / "events.csv").is_file() and (out / "locations.csv").is_file()


def test_cli_missing_file_is_one_error_line(tmp_path):
    result = CliRunner().invoke(cli, ["import", "police-uk", str(tmp_path / "nope.csv"), str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.csv'} does not exist; check the path given to FILE\n"


def test_cli_without_files_is_wrong_usage(tmp_path):
    result = CliRunner().invoke(cli, ["import", "police-uk", str(tmp_path / "out")])
    assert result.exit_code == 2
