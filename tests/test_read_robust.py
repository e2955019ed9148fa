"""Real extracts as partners send them: nothing lost, no column ignored, nothing hidden.

Each fixture is shaped like a real partner file (renamed headers, day-first
dates, impossible dates, semicolons and tabs, UTF-16, a few latin-1 bytes,
Excel serials, Parquet written by pandas) and goes through ``load_dataset``;
``test_cli_read.py`` takes the same files through the command line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from linkage.config import config_from_dict
from linkage.errors import ConfigError, DataError
from linkage.read import load_dataset, read_raw_table
from linkage.resolve import resolve_people

ONLY_PEOPLE = "tables not in the dataset: locations, placements, missing_episodes, events, event_people, identifiers, contacts, associations; analyses that need them will be skipped"


def folder_with(tmp_path: Path, **files: str | bytes) -> Path:
    """A dataset folder holding ``files`` (name -> text or bytes)."""
    for name, data in files.items():
        (tmp_path / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return tmp_path


def rejects_of(dataset) -> list[tuple]:
    return [(r.table, r.row, r.column, r.value, r.action) for r in dataset.rejects.itertuples(index=False)]


def assert_counts_add_up(dataset) -> None:
    for name, info in dataset.files.items():
        assert info.rows_read == info.rows_kept + info.rows_rejected, name
        assert info.rows_kept == len(dataset[name]), name


def stop_message(folder: Path, config=None) -> str:
    """The one DataError ``load_dataset`` stops with."""
    with pytest.raises(DataError) as info:
        load_dataset(folder, config)
    return str(info.value)


def assert_every_person_resolved(dataset) -> None:
    people = dataset["people"]
    entities = resolve_people(people).entities
    assert sorted(entities["record_id"]) == sorted(people["record_id"])
    assert entities["entity_id"].notna().all()


# --- 1. keep the record, clear the value --------------------------------------------------------------

NOMINALS = (
    "Person Ref,Agency,Forename,Surname,Date of Birth,Gender,Post Code\n"
    "N1,police,Amy,Smith,04/03/2008,F,PR1 4AB\n"
    "N2,police,Ben,Jones,31/02/2007,M,BB1 1AA\n"  # no 31 February: the month is certain
    "N3,health,Cara,Lee,13/13/2006,F,FY1 1AA\n"  # no month 13: the year is certain
    "N4,health,Dan,Kay,yesterday,X,not a postcode\n"  # nothing certain: cleared, the record kept
    "N5,police,Eve,Ray,0001-01-01,F,\n"  # year 1 never reaches date arithmetic
    "N6,,Fay,Oh,01/01/2009,F,\n"  # no source: the one rejected row
)


def test_a_bad_optional_value_is_cleared_and_its_record_kept(tmp_path):
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": NOMINALS}))
    assert rejects_of(dataset) == [
        ("people", 3, "dob", "31/02/2007", "cleared"),
        ("people", 4, "dob", "13/13/2006", "cleared"),
        ("people", 5, "dob", "yesterday", "cleared"),
        ("people", 5, "sex", "X", "cleared"),
        ("people", 6, "dob", "0001-01-01", "cleared"),
        ("people", 7, "source", "", "rejected"),
    ]
    reasons = dataset.rejects["reason"].tolist()
    assert reasons[0] == "'31/02/2007' is not a valid date (February 2007 has no day 31); its month and year 2007-02 are kept"
    assert reasons[1] == "'13/13/2006' is not a valid date (there is no month 13); its year 2006 is kept"
    assert reasons[2] == (
        "'yesterday' is not a valid date; write it as 2021-03-04 (ISO 8601), or name its layout in the job config: "
        "input: {date_format: {people.dob: '%d/%m/%Y'}}"
    )
    assert reasons[3] == (
        "'X' is not one of M, F, U; correct it, or map your value in the job config: values: {people.sex: {'X': U}}"
    )
    assert reasons[4] == (
        "'0001-01-01' is outside the years 1900-2100 that a people.dob can have; correct it, or widen the window in "
        "the job config: input: {year_range: [1800, 2100]}"
    )
    people = dataset["people"].set_index("record_id")
    assert people.index.tolist() == ["N1", "N2", "N3", "N4", "N5"]
    assert people["dob"].tolist()[:3] == [pd.Timestamp("2008-03-04"), pd.Timestamp("2007-02-01"), pd.Timestamp("2006-01-01")]
    assert people["dob_precision"].tolist()[:3] == ["day", "month", "year"]
    assert people.loc[["N4", "N5"], "dob"].isna().all() and people.loc[["N4", "N5"], "dob_precision"].isna().all()
    assert people.loc["N4", "postcode"] == "not a postcode"  # free text is kept as written
    info = dataset.files["people"]
    assert (info.rows_read, info.rows_rejected, info.rows_cleared, info.rows_kept) == (6, 1, 4, 5)
    assert (dataset.n_rejected, dataset.n_cleared) == (1, 4)
    assert_counts_add_up(dataset)
    # the resolver takes partial and cleared dates of birth: every kept record gets an entity
    assert_every_person_resolved(dataset)


def test_an_impossible_day_keeps_its_month_within_a_wider_year_window(tmp_path):
    folder = folder_with(tmp_path, **{"people.csv": "record_id,source,dob\nP1,police,1819-12-55\nP2,police,2008-03\n"})
    default = load_dataset(folder)
    assert default.rejects["reason"].tolist() == [
        "'1819-12-55' is not a valid date (December 1819 has no day 55), and its year is outside the years 1900-2100 "
        "that a people.dob can have; correct it, or widen the window in the job config: input: {year_range: [1800, 2100]}"
    ]
    assert pd.isna(default["people"]["dob"].iloc[0])
    wider = load_dataset(folder, config_from_dict({"input": {"year_range": [1800, 2100]}}))
    people = wider["people"]
    assert people["dob"].tolist() == [pd.Timestamp("1819-12-01"), pd.Timestamp("2008-03-01")]
    assert people["dob_precision"].tolist() == ["month", "month"]
    assert wider.rejects["action"].tolist() == ["cleared"]
    assert wider.rejects["reason"].iloc[0].endswith("its month and year 1819-12 are kept")


def test_a_historical_extract_opens_its_own_year_window_and_says_so(tmp_path):
    """Dates before 1900 are slips in data about living people, unless the column itself is historical."""
    rng = np.random.default_rng(3)
    years = rng.integers(1700, 1950, 400)
    dobs = [f"{y}-{m:02d}-{d:02d}" for y, m, d in zip(years, rng.integers(1, 13, 400), rng.integers(1, 29, 400))]
    dobs[:3] = ["1819-12-55", "0001-01-01", "1066-10-14"]
    rows = "".join(f"H{i},register,{dob}\n" for i, dob in enumerate(dobs))
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": "record_id,source,dob\n" + rows}))
    first = int(np.percentile(years[3:], 1)) // 100 * 100
    assert first == 1700
    assert (
        f"people.csv 'dob' holds dates back to {first} (a historical extract): read back to {first} rather than 1900; "
        "input: {year_range: [FIRST, LAST]} in the job config sets the window"
    ) in dataset.notes
    people = dataset["people"].set_index("record_id")
    assert people.loc["H0", "dob"] == pd.Timestamp("1819-12-01") and people.loc["H0", "dob_precision"] == "month"
    assert pd.isna(people.loc["H1", "dob"]) and pd.isna(people.loc["H2", "dob"])  # before the window: slips
    assert dataset.rejects["action"].tolist() == ["cleared"] * 3
    assert dataset.n_rejected == 0 and len(people) == 400


def test_a_few_early_dates_are_slips_not_a_historical_extract(tmp_path):
    recent = "".join(f"C{i},police,20{i % 10:02d}-0{1 + i % 9}-1{i % 9}\n" for i in range(60))
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": "record_id,source,dob\nE1,police,1850-01-01\n" + recent}))
    assert pd.isna(dataset["people"].set_index("record_id").loc["E1", "dob"])
    assert dataset.rejects["reason"].tolist() == [
        "'1850-01-01' is outside the years 1900-2100 that a people.dob can have; correct it, or widen the window in "
        "the job config: input: {year_range: [1800, 2100]}"
    ]
    assert not any("historical" in note for note in dataset.notes)


def test_optional_references_to_unknown_ids_are_cleared_required_ones_reject(tmp_path):
    folder = folder_with(
        tmp_path,
        **{
            "people.csv": "record_id,source\nP1,police\nP2,police\n",
            "locations.csv": "location_id,category\nL1,children_home\n",
            "missing_episodes.csv": (
                "episode_id,record_id,start,end,from_location_id,found_location_id,found_with\n"
                "M1,P1,2021-02-03T22:15:00,2021-02-03T08:00:00,L1,L99,P2;P77\n"
                "M2,P99,2021-02-03T22:15:00,,L1,,\n"
            ),
            "events.csv": "event_id,event_type,date,location_id\nE1,crime,2021-03-01,L42\n",
        },
    )
    dataset = load_dataset(folder)
    assert rejects_of(dataset) == [
        ("missing_episodes", 2, "end", "2021-02-03T08:00:00", "cleared"),
        ("missing_episodes", 2, "found_location_id", "L99", "cleared"),
        ("missing_episodes", 2, "found_with", "P2;P77", "cleared"),
        ("missing_episodes", 3, "record_id", "P99", "rejected"),
        ("events", 2, "location_id", "L42", "cleared"),
    ]
    episode = dataset["missing_episodes"].set_index("episode_id").loc["M1"]
    assert pd.isna(episode["end"]) and pd.isna(episode["found_location_id"])
    assert episode["from_location_id"] == "L1"
    assert episode["found_with"] == ("P2",)
    assert dataset["events"]["location_id"].isna().all()
    assert dataset.files["missing_episodes"].rows_rejected == 1
    assert dataset.files["missing_episodes"].rows_cleared == 1
    assert_counts_add_up(dataset)


def test_counts_and_top_reasons_per_table(tmp_path):
    rows = "".join(f"P{i},police,,{'X' if i % 2 else ''}\n" for i in range(10)) + ",police,,\n,health,,\nP0,police,,\n"
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": "record_id,source,dob,sex\n" + rows}))
    counts = dataset.table_counts()
    assert counts[["table", "read", "rejected", "cleared", "kept"]].values.tolist() == [["people", 13, 3, 5, 10]]
    assert counts["rejected_share"].iloc[0] == pytest.approx(3 / 13)
    top = dataset.top_reasons("people")
    assert top[["column", "kind", "rows"]].values.tolist() == [
        ["record_id", "record_id is required but empty", 2],
        ["record_id", "duplicate record_id", 1],
    ]
    assert top["example"].iloc[0] == "record_id is required but empty; fill it in or remove the row"
    cleared = dataset.top_reasons("people", action="cleared")
    assert cleared[["column", "kind", "rows"]].values.tolist() == [["sex", "is not one of M, F, U", 5]]


# --- 2. no column silently ignored ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("ID,System,Forename,Surname,DOB,Gender,Post Code",
         {"ID": "record_id", "System": "source", "Forename": "first_name", "Surname": "last_name", "Gender": "sex",
          "Post Code": "postcode"}),
        ("urn,Source,GIVEN NAME,family name,D.O.B.,sex,postcode",
         {"urn": "record_id", "GIVEN NAME": "first_name", "family name": "last_name", "D.O.B.": "dob"}),
        ("Record ID,source, Given  Name ,Family-Name,Date of Birth,SEX,post_code",
         {"Given  Name": "first_name", "Family-Name": "last_name", "Date of Birth": "dob", "post_code": "postcode"}),
    ],
    ids=["police", "health", "spacing"],
)
def test_headers_that_clearly_mean_a_contract_column_are_mapped(tmp_path, headers, expected):
    text = headers + "\nP1,police,Zoë,Núñez,2008-03-04,F,PR1 4AB\nP2,health,Amy,Lee,2007-11-30,M,BB1 1AA\n"
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": text}))
    assert dataset.columns_mapped == {"people": expected}
    people = dataset["people"]
    assert people["first_name"].tolist() == ["Zoë", "Amy"]
    assert people["last_name"].tolist() == ["Núñez", "Lee"]
    assert people["dob"].tolist() == [pd.Timestamp("2008-03-04"), pd.Timestamp("2007-11-30")]
    assert people["sex"].tolist() == ["F", "M"]
    shown = ", ".join(f"'{h}' as {c}" for h, c in expected.items())
    assert dataset.notes[0] == (
        f"people.csv: read {shown}, from their names and values; to read a header otherwise, map it under "
        "columns: {people: ...} in the job config"
    )
    assert dataset.rejects.empty


def test_headers_are_mapped_in_every_table_and_extra_columns_listed_once(tmp_path):
    folder = folder_with(
        tmp_path,
        **{
            "people.csv": "record_id,source,Forename,NHS Number\nP1,police,Amy,123\n",
            "locations.csv": "Premises ID,Premises Type,Trading Name,Licence\nL1,takeaway,Kebab King,yes\n",
            "placements.csv": "Placement Ref,Child ID,Setting ID,Date Placed,Date Left\nPL1,P1,L1,2020-01-01,2020-06-30\n",
        },
    )
    dataset = load_dataset(folder)
    assert dataset.columns_mapped == {
        "people": {"Forename": "first_name"},
        "locations": {"Premises ID": "location_id", "Premises Type": "category", "Trading Name": "name"},
        "placements": {"Placement Ref": "placement_id", "Child ID": "record_id", "Setting ID": "location_id",
                       "Date Placed": "start_date", "Date Left": "end_date"},
    }
    assert dataset["placements"]["end_date"].tolist() == [pd.Timestamp("2020-06-30")]
    extras = [n for n in dataset.notes if n.startswith("extra columns")]
    assert extras == [
        "extra columns kept as they are (not contract columns; a resolve: comparison can name them): "
        "people.csv: 'NHS Number'; locations.csv: 'Licence'"
    ]
    assert dataset["people"]["NHS Number"].tolist() == ["123"]


def test_a_header_whose_values_contradict_its_name_stops_the_job_with_the_line_to_add(tmp_path):
    folder = folder_with(tmp_path, **{"people.csv": "record_id,source,Date of Birth\nP1,police,unknown\nP2,police,n/a\n"})
    assert stop_message(folder) == (
        f"{folder / 'people.csv'}: header 'Date of Birth' reads as the people column dob by its name, but its values do "
        "not (name 100%, 0% dates); if it holds dob, add columns: {people: {'Date of Birth': dob}} to the job config; "
        "if not, rename the header, or set input: {map_headers: false} to keep it as an extra column"
    )
    # following the message reads it (and clears what is not a date)
    mapped = load_dataset(folder, config_from_dict({"columns": {"people": {"Date of Birth": "dob"}}}))
    assert mapped.n_cleared == 2 and len(mapped["people"]) == 2
    kept = load_dataset(folder, config_from_dict({"input": {"map_headers": False}}))
    assert kept["people"]["Date of Birth"].tolist() == ["unknown", "n/a"]


def test_two_headers_for_one_column_stop_the_job(tmp_path):
    folder = folder_with(tmp_path, **{"people.csv": "record_id,source,Forename,Given Name\nP1,police,Amy,Amy\n"})
    assert stop_message(folder) == (
        f"{folder / 'people.csv'}: headers 'Forename' and 'Given Name' could each be the people column first_name; "
        "say which in the job config, e.g. columns: {people: {'Forename': first_name}} (or set input: "
        "{map_headers: false} to keep such headers as extra columns)"
    )


def test_a_header_the_config_maps_is_not_guessed(tmp_path):
    folder = folder_with(tmp_path, **{"people.csv": "Ref,source,Forename,Known As\nP1,police,Amelia,Amy\n"})
    config = config_from_dict({"columns": {"people": {"Ref": "record_id", "Known As": "first_name"}}})
    dataset = load_dataset(folder, config)
    assert dataset.columns_mapped == {}
    assert dataset["people"]["first_name"].tolist() == ["Amy"]
    assert dataset["people"]["Forename"].tolist() == ["Amelia"]


# --- 3. dates as they come ----------------------------------------------------------------------------


def test_every_layout_is_read_per_column(tmp_path):
    folder = folder_with(
        tmp_path,
        **{
            "people.csv": "record_id,source,dob\nP1,police,04/03/2008\nP2,police,25/12/2007\n",  # day-first
            "locations.csv": "location_id,category\nL1,children_home\n",
            "placements.csv": (
                "placement_id,record_id,location_id,start_date,end_date\n"
                "PL1,P1,L1,12/25/2019,44259\n"  # month-first (25 cannot be a month); an Excel serial
                "PL2,P2,L1,01/31/2020,44260\n"
            ),
            "events.csv": "event_id,event_type,date\nE1,crime,4 Mar 2021\nE2,crime,04-MAR-21\nE3,crime,20210304\n",
            "associations.csv": "record_id_a,record_id_b,kind,date\nP1,P2,family,04-03-21\nP2,P1,family,13-03-21\n",
        },
    )
    dataset = load_dataset(folder)
    assert dataset.rejects.empty
    assert dataset["people"]["dob"].tolist() == [pd.Timestamp("2008-03-04"), pd.Timestamp("2007-12-25")]
    placements = dataset["placements"]
    assert placements["start_date"].tolist() == [pd.Timestamp("2019-12-25"), pd.Timestamp("2020-01-31")]
    assert placements["end_date"].tolist() == [pd.Timestamp("2021-03-04"), pd.Timestamp("2021-03-05")]
    assert dataset["events"]["date"].tolist() == [pd.Timestamp("2021-03-04")] * 3
    assert dataset["associations"]["date"].tolist() == [pd.Timestamp("2021-03-04"), pd.Timestamp("2021-03-13")]
    assert dataset.date_layouts["placements.end_date"] == {"Excel serial numbers": 2}
    assert dataset.date_layouts["events.date"] == {"d Mon yyyy": 2, "yyyymmdd": 1}
    assert (
        "dates read in their own layout: people.csv 'dob' as dd/mm/yyyy; placements.csv 'start_date' as mm/dd/yyyy; "
        "placements.csv 'end_date' as Excel serial numbers; events.csv 'date' as yyyymmdd and d Mon yyyy; "
        "associations.csv 'date' as dd-mm-yy (two-digit years 00-68 read as 20xx, 69-99 as 19xx)"
    ) in dataset.notes


def test_an_ambiguous_column_stops_the_job_naming_file_column_examples_and_setting(tmp_path):
    folder = folder_with(tmp_path, **{"people.csv": "URN,source,DOB\nP1,police,03/04/2008\nP2,police,05/06/2009\n"})
    assert stop_message(folder) == (
        "people.csv, column 'DOB' (people.dob): dates such as '03/04/2008', '05/06/2009' read differently day-first "
        "(%d/%m/%Y) and month-first (%m/%d/%Y), and no value in the file settles it; say which in the job config: "
        "input: {date_format: {people.dob: '%d/%m/%Y'}} (or '%m/%d/%Y'), or input: {day_first: true} to read every "
        "such column day-first, as UK systems write dates"
    )
    day_first = load_dataset(folder, config_from_dict({"input": {"day_first": True}}))
    assert day_first["people"]["dob"].tolist() == [pd.Timestamp("2008-04-03"), pd.Timestamp("2009-06-05")]
    month_first = load_dataset(folder, config_from_dict({"input": {"date_format": {"people.dob": "%m/%d/%Y"}}}))
    assert month_first["people"]["dob"].tolist() == [pd.Timestamp("2008-03-04"), pd.Timestamp("2009-05-06")]


def test_a_column_that_settles_nothing_follows_its_files_other_dates(tmp_path):
    folder = folder_with(
        tmp_path,
        **{
            "people.csv": "record_id,source\nP1,police\n",
            "locations.csv": "location_id,category\nL1,children_home\n",
            "placements.csv": "placement_id,record_id,location_id,start_date,end_date\nPL1,P1,L1,01/02/2020,15/03/2021\n",
        },
    )
    placements = load_dataset(folder)["placements"]
    assert placements["start_date"].tolist() == [pd.Timestamp("2020-02-01")]


def test_date_format_per_table_leaves_the_other_tables_iso(tmp_path):
    folder = folder_with(
        tmp_path,
        **{
            "people.csv": "record_id,source,dob\nP1,police,2008-03-04\n",
            "locations.csv": "location_id,category\nL1,children_home\n",
            "placements.csv": "placement_id,record_id,location_id,start_date,end_date\nPL1,P1,L1,02/01/2020,03/01/2020\n",
        },
    )
    config = config_from_dict({"input": {"date_format": {"placements": "%m/%d/%Y"}}})
    dataset = load_dataset(folder, config)
    assert dataset.rejects.empty
    assert dataset["people"]["dob"].tolist() == [pd.Timestamp("2008-03-04")]
    assert dataset["placements"]["start_date"].tolist() == [pd.Timestamp("2020-02-01")]
    # the old scalar form still applies everywhere, and ISO 8601 is read beside it
    scalar = load_dataset(folder, config_from_dict({"input": {"date_format": "%d/%m/%Y"}}))
    assert scalar.rejects.empty
    assert scalar["placements"]["start_date"].tolist() == [pd.Timestamp("2020-01-02")]


def test_input_settings_are_checked(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_from_dict({"input": {"date_format": {"peple.dob": "%d/%m/%Y", "people.sex": "%d/%m/%Y"},
                                    "day_first": "yes", "delimiter": "\x00", "year_range": [2100]}})
    assert info.value.problems == [
        "input.date_format: 'peple.dob' is not a table or table.column (did you mean 'people'?); write e.g. "
        "{placements: '%d/%m/%Y', people.dob: '%m/%d/%Y', default: auto}",
        "input.date_format: 'people.sex' is not a date column; the date columns of people are dob",
        "input.day_first 'yes' must be true or false",
        "input.year_range [2100] must be auto or two years, earliest first, e.g. [1900, 2100]",
        "input.delimiter '\\x00' must be auto or one plain character (',', ';', '|' or tab); NUL, quotes, line breaks, "
        "letters, digits and characters outside ASCII cannot separate columns",
    ]
    assert config_from_dict({"input": {"date_format": "dd/mm/yyyy"}}).input.date_format == "%d/%m/%Y"


def test_a_multi_byte_delimiter_given_to_the_reader_is_an_error(tmp_path):
    path = folder_with(tmp_path, **{"people.csv": "record_id¦source\nP1¦police\n"}) / "people.csv"
    with pytest.raises(DataError, match=r"the delimiter '¦' cannot separate columns; use one plain character"):
        read_raw_table(path, delimiter="¦")


@pytest.mark.parametrize(("separator", "shown"), [("¦", "'¦'"), ("\x00", "'\\x00'")], ids=["broken-bar", "nul"])
def test_a_file_separated_by_a_character_that_cannot_separate_is_one_error(tmp_path, separator, shown):
    folder = folder_with(tmp_path, **{"people.csv": f"record_id{separator}source\nP1{separator}police\n"})
    shown_header = "record_id" + ("\\x00" if separator == "\x00" else separator) + "source"
    assert stop_message(folder) == (
        f"{folder / 'people.csv'} reads as a single column '{shown_header}', but its header seems separated by {shown}, "
        "which cannot separate columns (it must be one plain character: ',', ';', tab or '|'); save the file with one "
        "of those"
    )


# --- 6. delimiters and encodings ---------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
def test_delimiters_are_found_from_the_header_line(tmp_path, delimiter):
    text = "\n".join(delimiter.join(row) for row in [
        ["record_id", "source", "first_name", "postcode"],
        ["P1", "police", "Smith, Amy", "PR1 4AB"],
        ["P2", "police", "Bo", "BB1 1AA"],
    ]) + "\n"
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": text}))
    assert dataset["people"]["first_name"].tolist() == ["Smith, Amy", "Bo"]
    assert dataset.files["people"].delimiter == delimiter
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    assert f"people.csv is separated by {shown}" in dataset.notes


def test_a_config_delimiter_wins_and_a_wrong_one_says_so(tmp_path):
    folder = folder_with(tmp_path, **{"people.csv": "record_id;source;note\nP1;police;a,b\n"})
    assert stop_message(folder, config_from_dict({"input": {"delimiter": ","}})) == (
        f"{folder / 'people.csv'} reads as a single column 'record_id;source;note' with the delimiter ',' the job "
        "config names, but its header is separated by ';'; set input: {delimiter: ';'} (or remove input.delimiter: "
        "it is found from the header line)"
    )
    assert load_dataset(folder, config_from_dict({"input": {"delimiter": "semicolon"}}))["people"]["note"].tolist() == ["a,b"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"], ids=["bom", "le-no-bom", "be-no-bom"])
def test_utf16_files_are_read(tmp_path, codec):
    text = "record_id\tsource\tfirst_name\nP1\tpolice\tZoë\nP2\tpolice\tJosé\n"
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": text.encode(codec)}))
    assert dataset["people"]["first_name"].tolist() == ["Zoë", "José"]
    assert dataset.files["people"].encoding == "utf-16"


def test_a_utf8_file_with_a_few_latin1_bytes_is_decoded_value_by_value(tmp_path):
    data = "record_id,source,first_name,dob\nP1,police,Zoë,2008-03-04\n".encode() + b"P2,police,Jos\xe9,31/02/2008\nP3,police,Ann,\n"
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": data}))
    assert dataset["people"]["first_name"].tolist() == ["Zoë", "José", "Ann"]
    assert dataset.files["people"].encoding == "utf-8 (1 value(s) latin-1)"
    assert (
        "people.csv: 1 value(s) were not UTF-8 and were read as latin-1 (Windows-1252), first on line(s) 3; "
        "check them, and ask for the file as UTF-8"
    ) in dataset.notes
    # a whole latin-1 file is latin-1
    latin = tmp_path / "latin"
    latin.mkdir()
    whole = load_dataset(folder_with(latin, **{"people.csv": "record_id,source,first_name\nP1,police,Zoë\n".encode("latin-1")}))
    assert whole.files["people"].encoding == "latin-1"
    assert whole["people"]["first_name"].tolist() == ["Zoë"]


# --- 18.5 every reader robust -----------------------------------------------------------------------


def test_an_unbalanced_quote_rejects_its_line_and_swallows_nothing(tmp_path):
    rows = "".join(f"P{i},police,N{i},2008-01-01\n" for i in range(2, 752))
    text = 'record_id,source,first_name,dob\nP1,police,"Amy,2008-01-01\n' + rows
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": text}))
    assert rejects_of(dataset) == [("people", 2, "", 'P1,police,"Amy,2008-01-01', "rejected")]
    assert dataset.rejects["reason"].iloc[0] == (
        "has a quote (\") that is never closed where it should be, so it ran over the lines after it; this line is "
        "rejected and the lines after it are read as rows of their own. Close the quote, or double a quote inside a "
        "value (\"\"), or quote the whole value when it contains ','"
    )
    people = dataset["people"]
    assert len(people) == 750
    assert people["_row"].tolist() == list(range(3, 753))
    info = dataset.files["people"]
    assert (info.rows_read, info.rows_rejected, info.rows_kept) == (751, 1, 750)


def test_a_quote_closed_lines_later_rejects_its_line_only(tmp_path):
    text = 'record_id,source,first_name\nP1,police,"Amy\nP2,police,Ben\nP3,police,"Cara"\nP4,police,Dan\n'
    dataset = load_dataset(folder_with(tmp_path, **{"people.csv": text}))
    assert [(r.row, r.action) for r in dataset.rejects.itertuples()] == [(2, "rejected")]
    assert dataset["people"]["record_id"].tolist() == ["P2", "P3", "P4"]
    assert dataset["people"]["first_name"].tolist() == ["Ben", "Cara", "Dan"]


def test_a_multi_megabyte_field_is_read(tmp_path):
    note = "x" * 3_000_000
    text = f'record_id,source,note\nP1,police,"{note}"\nP2,police,short\n'
    people = load_dataset(folder_with(tmp_path, **{"people.csv": text}))["people"]
    assert people["record_id"].tolist() == ["P1", "P2"]
    assert len(people["note"].iloc[0]) == 3_000_000


def test_parquet_as_pandas_writes_it(tmp_path):
    frame = pd.DataFrame({
        "record_id": ["P1", "P2", "P3"],
        "source": ["police"] * 3,
        "dob": pd.to_datetime(["2008-03-04", None, "1990-01-01 13:45"], format="ISO8601"),
        "sex": pd.Categorical(["F", "M", "F"]),
    })
    frame.to_parquet(tmp_path / "people.parquet")
    dataset = load_dataset(tmp_path)
    assert dataset.rejects.empty
    people = dataset["people"]
    assert people["dob"].tolist()[0] == pd.Timestamp("2008-03-04")
    assert people["dob"].tolist()[2] == pd.Timestamp("1990-01-01")  # a date of birth keeps the day
    assert people["dob_precision"].tolist()[0] == "day"
    assert_every_person_resolved(dataset)


def test_parquet_of_every_type_is_read_or_rejected_per_value(tmp_path):
    bad_utf8 = pa.Array.from_buffers(
        pa.string(), 2, [None, pa.py_buffer(np.array([0, 4, 6], dtype=np.int32).tobytes()), pa.py_buffer(b"Jos\xe9Bo")]
    )
    pq.write_table(pa.table({
        "record_id": ["P1", "P2"],
        "source": ["police", "police"],
        "first_name": bad_utf8,
        "dob": pa.array([dt.datetime(1, 1, 1), dt.datetime(2008, 3, 4, 23, 30)], pa.timestamp("us", tz="UTC")),
        "flags": pa.array([["looked_after"], None], pa.list_(pa.string())),
    }), tmp_path / "people.parquet")
    pq.write_table(pa.table({
        "episode_id": ["M1", "M2"],
        "record_id": ["P1", "P2"],
        "start": pa.array([dt.date(2021, 2, 3), dt.date(2021, 2, 4)], pa.date32()),
        "end": pa.array([3_600_000_000, None], pa.duration("us")),
    }), tmp_path / "missing_episodes.parquet")
    dataset = load_dataset(tmp_path)
    assert rejects_of(dataset) == [
        ("people", 1, "dob", "0001-01-01T00:00:00", "cleared"),
        ("missing_episodes", 1, "end", "0 days 01:00:00", "cleared"),
    ]
    assert dataset.rejects["reason"].iloc[1] == (
        "'0 days 01:00:00' is not a valid date and time; write it as 2021-03-04T22:15:00 (ISO 8601), or name its "
        "layout in the job config: input: {date_format: {missing_episodes.end: '%d/%m/%Y'}} "
        "(the Parquet file stores end as duration[us])"
    )
    people = dataset["people"]
    assert people["first_name"].tolist() == ["José", "Bo"]
    assert people["dob"].tolist()[1] == pd.Timestamp("2008-03-04")
    assert dataset.files["people"].encoding == "parquet (1 value(s) latin-1)"
    assert dataset["missing_episodes"]["start"].tolist() == [pd.Timestamp("2021-02-03"), pd.Timestamp("2021-02-04")]
    assert_counts_add_up(dataset)
