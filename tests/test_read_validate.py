"""Validation: every rule of the data contract, the rejects it gives, and the rows it keeps."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.config import config_from_dict
from linkage.contract import TABLE_ORDER, TABLES
from linkage.errors import DataError
from linkage.read import REJECT_COLUMNS, load_dataset

from conftest import PLANTED, PLANTED_CLEARED, PLANTED_REJECTED, PLANTED_REJECTS, VALID_TABLES, DatasetWriter


#: tables a test of placements or missing episodes needs (people is always written)
PLACES = ("locations", "placements")
EPISODES = ("locations", "missing_episodes")


def rejects_of(dataset) -> list[tuple]:
    return [(r.table, r.row, r.column, r.value) for r in dataset.rejects.itertuples(index=False)]


def assert_valid_rows_kept(dataset, writer, *, tables=TABLE_ORDER) -> None:
    """Every row of the valid dataset is kept, on its own line, and nothing else."""
    for name in tables:
        assert dataset[name]["_row"].tolist() == list(range(2, writer.rows(name) + 2)), name


def blank_cell(line: str, header: str, column: str) -> str:
    cells = line.split(",")
    cells[header.split(",").index(column)] = ""
    return ",".join(cells)


def test_the_valid_dataset_has_no_rejects_and_is_typed(dataset_folder):
    dataset = load_dataset(dataset_folder)
    assert dataset.rejects.empty
    assert list(dataset.rejects.columns) == REJECT_COLUMNS
    assert set(dataset.tables) == set(TABLE_ORDER)
    people = dataset["people"]
    assert people["record_id"].tolist() == ["007", "P2", "P3", "P4"]
    assert people["dob"].iloc[0] == pd.Timestamp("2008-03-04")
    assert people["flags"].iloc[0] == ("looked_after", "cse_risk")
    assert people["flags"].iloc[1] == ()
    assert dataset["identifiers"]["identifier"].iloc[0] == "07700900001"
    assert dataset["contacts"]["count"].iloc[0] == 12
    assert dataset["locations"]["latitude"].iloc[0] == pytest.approx(53.76)
    assert dataset["missing_episodes"]["found_with"].iloc[0] == ("P2", "P4")
    assert dataset["missing_episodes"]["start"].iloc[0] == pd.Timestamp("2021-02-03 22:15:00")
    assert pd.isna(dataset["placements"]["end_date"].iloc[1])
    assert dataset.notes == []
    assert dataset.warnings == []
    for name in TABLE_ORDER:
        info = dataset.files[name]
        assert (info.rows_read, info.rows_rejected, info.rows_kept) == (len(dataset[name]), 0, len(dataset[name]))


# --- every rule: one bad row per case, all in one dataset read once (keeps the suite fast) -------------

REQUIRED = [
    pytest.param(
        t.name,
        blank_cell(VALID_TABLES[t.name][1], VALID_TABLES[t.name][0], column),
        column,
        "",
        f"{column} is required but empty; fill it in or remove the row",
        id=f"required-{t.name}.{column}",
    )
    for t in TABLES.values()
    for column in t.required_columns
]

# --- one test per rule -----------------------------------------------------------

RULES = [
    # unique ids
    pytest.param("people", "P2,police,Dup,Row,,,,,", "record_id", "P2",
                 "duplicate record_id 'P2': already used on row 3; give each row its own id", id="duplicate-record_id"),
    pytest.param("locations", "L1,retail,Dup,,,,,", "location_id", "L1",
                 "duplicate location_id 'L1': already used on row 2", id="duplicate-location_id"),
    pytest.param("placements", "PL2,P3,L1,2021-01-01,,,,", "placement_id", "PL2",
                 "duplicate placement_id 'PL2': already used on row 3", id="duplicate-placement_id"),
    pytest.param("missing_episodes", "M1,P3,2021-01-01T10:00:00,,,,,", "episode_id", "M1",
                 "duplicate episode_id 'M1': already used on row 2", id="duplicate-episode_id"),
    pytest.param("events", "E2,crime,,,2021-01-01,,,", "event_id", "E2",
                 "duplicate event_id 'E2': already used on row 3", id="duplicate-event_id"),
    # dates
    pytest.param("people", "P9,police,,,31/02/2008,,,,", "dob", "31/02/2008",
                 "'31/02/2008' is not a valid date (February 2008 has no day 31); its month and year 2008-02 are kept",
                 id="date-impossible-day-keeps-month"),
    pytest.param("people", "P9,police,,,next tuesday,,,,", "dob", "next tuesday",
                 "'next tuesday' is not a valid date; write it as 2021-03-04 (ISO 8601), or name its layout in the job "
                 "config: input: {date_format: {people.dob: '%d/%m/%Y'}}", id="date-unreadable"),
    pytest.param("people", "P9,police,,,0001-01-01,,,,", "dob", "0001-01-01",
                 "'0001-01-01' is outside the years 1900-2100 that a people.dob can have; correct it, or widen the "
                 "window in the job config: input: {year_range: [1800, 2100]}", id="dob-year-one"),
    pytest.param("placements", "PL9,P3,L1,0001-01-01,,,,", "start_date", "0001-01-01",
                 "'0001-01-01' is outside the years 1900-2100 that a placements.start_date can have", id="required-date-year-one"),
    pytest.param("events", "E9,crime,,,2021-02-30,,,", "date", "2021-02-30",
                 "'2021-02-30' is not a valid date", id="date-impossible"),
    pytest.param("people", "P9,police,,,2007-13,,,,", "dob", "2007-13",
                 "'2007-13' is not a valid date (there is no month 13)", id="partial-date-impossible"),
    pytest.param("missing_episodes", "M9,P3,yesterday,,,,,", "start", "yesterday",
                 "'yesterday' is not a valid date and time; write it as 2021-03-04T22:15:00", id="datetime"),
    pytest.param("identifiers", "X9,phone,P3,person,2021/02/30,", "first_seen", "2021/02/30",
                 "'2021/02/30' is not a valid date (February 2021 has no day 30)", id="date-slashes"),
    # end before start
    pytest.param("placements", "PL9,P3,L1,2021-05-01,2021-01-31,,,", "end_date", "2021-01-31",
                 "end_date 2021-01-31 is before start_date 2021-05-01; correct whichever date is wrong "
                 "(end_date is cleared: the row reads as open-ended)",
                 id="placement-ends-before-start"),
    pytest.param("missing_episodes", "M9,P3,2021-02-03T22:15:00,2021-02-03T08:00:00,,,,", "end", "2021-02-03T08:00:00",
                 "end 2021-02-03T08:00:00 is before start 2021-02-03T22:15:00", id="episode-ends-before-start"),
    pytest.param("identifiers", "X9,phone,P3,person,2021-06-01,2021-01-01", "last_seen", "2021-01-01",
                 "last_seen 2021-01-01 is before first_seen 2021-06-01", id="identifier-last-before-first"),
    pytest.param("contacts", "07700900001,AB12CDE,1,2021-06-01,2021-01-01,", "last_date", "2021-01-01",
                 "last_date 2021-01-01 is before first_date 2021-06-01", id="contact-last-before-first"),
    # references
    pytest.param("placements", "PL9,P99,L1,2021-01-01,,,,", "record_id", "P99",
                 "'P99' is not a known record_id among the kept rows of people; correct the id or add that people row",
                 id="unknown-record"),
    pytest.param("placements", "PL9,P3,L99,2021-01-01,,,,", "location_id", "L99",
                 "'L99' is not a known location_id among the kept rows of locations", id="unknown-location"),
    pytest.param("missing_episodes", "M9,P3,2021-01-01T10:00:00,,,L99,,", "from_location_id", "L99",
                 "'L99' is not a known location_id among the kept rows of locations", id="unknown-from-location"),
    pytest.param("missing_episodes", "M9,P3,2021-01-01T10:00:00,,,,L98,", "found_location_id", "L98",
                 "'L98' is not a known location_id among the kept rows of locations", id="unknown-found-location"),
    pytest.param("missing_episodes", "M9,P99,2021-01-01T10:00:00,,,,,", "record_id", "P99",
                 "'P99' is not a known record_id among the kept rows of people", id="episode-unknown-record"),
    pytest.param("events", "E9,crime,,,2021-01-01,L99,,", "location_id", "L99",
                 "'L99' is not a known location_id among the kept rows of locations", id="event-unknown-location"),
    pytest.param("event_people", "E99,P3,victim", "event_id", "E99",
                 "'E99' is not a known event_id among the kept rows of events", id="unknown-event"),
    pytest.param("event_people", "E1,P99,victim", "record_id", "P99",
                 "'P99' is not a known record_id among the kept rows of people", id="event-unknown-record"),
    pytest.param("contacts", "07999,07700900001,1,,,call", "from_identifier", "07999",
                 "'07999' is not a known identifier among the kept rows of identifiers", id="unknown-from-identifier"),
    pytest.param("contacts", "07700900001,7700900002,1,,,call", "to_identifier", "7700900002",
                 "'7700900002' is not a known identifier among the kept rows of identifiers", id="unknown-to-identifier"),
    pytest.param("associations", "P99,P3,family,", "record_id_a", "P99",
                 "'P99' is not a known record_id among the kept rows of people", id="association-unknown-a"),
    pytest.param("associations", "P3,p3,family,", "record_id_b", "p3",
                 "'p3' is not a known record_id among the kept rows of people", id="ids-are-case-sensitive"),
    pytest.param("associations", "P3,P3,family,", "record_id_b", "P3",
                 "links a record to itself; name two different records", id="association-to-itself"),
    # enums
    pytest.param("people", "P9,police,,,,X,,,", "sex", "X",
                 "'X' is not one of M, F, U; correct it, or map your value in the job config: values: {people.sex: {'X': U}}",
                 id="enum-sex"),
    pytest.param("locations", "L9,pub,The Crown,,,,,", "category", "pub",
                 "'pub' is not one of takeaway, hotel, taxi_firm", id="enum-location-category"),
    pytest.param("locations", "L9,takeawya,,,,,,", "category", "takeawya",
                 "did you mean 'takeaway'?", id="enum-suggests-close-spelling"),
    pytest.param("placements", "PL9,P3,L1,2021-01-01,,Z9,,", "placement_type", "Z9",
                 "'Z9' is not one of children_home, foster, semi_independent, secure, other, A3", id="enum-placement-type"),
    pytest.param("missing_episodes", "M9,P3,2021-01-01T10:00:00,,away,,,", "kind", "away",
                 "'away' is not one of missing, absent", id="enum-episode-kind"),
    pytest.param("events", "E9,arrest,,,2021-01-01,,,", "event_type", "arrest",
                 "'arrest' is not one of crime, intelligence, incident, stop", id="enum-event-type"),
    pytest.param("events", "E9,crime,CSEE,,2021-01-01,,,", "category", "CSEE",
                 "is not one of CSE, CCE, drugs, violence, trafficking, other; did you mean 'CSE'?",
                 id="enum-suggestion-ignores-case"),
    pytest.param("events", "E9,crime,,,2021-01-01,,,open", "status", "open",
                 "'open' is not one of live, closed", id="enum-event-status"),
    pytest.param("event_people", "E1,P3,bystander", "role", "bystander",
                 "'bystander' is not one of victim, suspect, offender, witness, associate", id="enum-role"),
    pytest.param("identifiers", "X9,pager,P3,person,,", "kind", "pager",
                 "'pager' is not one of phone, vehicle, email, social, other", id="enum-identifier-kind"),
    pytest.param("identifiers", "X9,phone,P3,thing,,", "owner_type", "thing",
                 "'thing' is not one of person, location", id="enum-owner-type"),
    pytest.param("contacts", "07700900001,AB12CDE,1,,,fax", "kind", "fax",
                 "'fax' is not one of call, sms, app, sighting", id="enum-contact-kind"),
    pytest.param("associations", "P3,P4,friend,", "kind", "friend",
                 "'friend' is not one of associate, family, co_offender, partner, other", id="enum-association-kind"),
    # booleans and numbers
    pytest.param("locations", "L9,retail,,maybe,,,,", "night_time_economy", "maybe",
                 "'maybe' is not true or false; write true or false", id="bool"),
    pytest.param("locations", "L9,retail,,,,,91,", "latitude", "91",
                 "'91' is not a number between -90 and 90", id="latitude-range"),
    pytest.param("locations", "L9,retail,,,,,,-181.5", "longitude", "-181.5",
                 "'-181.5' is not a number between -180 and 180", id="longitude-range"),
    pytest.param("locations", "L9,retail,,,,,53.7N,", "latitude", "53.7N",
                 "'53.7N' is not a number", id="float-text"),
    pytest.param("contacts", "07700900001,AB12CDE,-3,,,call", "count", "-3",
                 "'-3' is not a whole number of at least 0", id="count-negative"),
    pytest.param("contacts", "07700900001,AB12CDE,2.5,,,call", "count", "2.5",
                 "'2.5' is not a whole number of at least 0", id="count-fraction"),
    pytest.param("contacts", "07700900001,AB12CDE,1e400,,,call", "count", "1e400",
                 "'1e400' is not a whole number", id="count-overflow"),
]


ALL_CASES = REQUIRED + RULES


@pytest.fixture(scope="module")
def every_rule(tmp_path_factory):
    """The valid dataset with the bad row of every case appended; (writer, dataset, line of each case)."""
    writer = DatasetWriter(tmp_path_factory.mktemp("rules"))
    append: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    for number, case in enumerate(ALL_CASES):
        table, row = case.values[:2]
        lines[case.id] = writer.next_line(table) + len(append.setdefault(table, []))
        # rows kept with a value cleared keep their id: give every case's new row its own
        first, _, rest = row.partition(",")
        if first in ("P9", "L9", "PL9", "M9", "E9"):
            row = f"{first}-{number},{rest}"
        append[table].append(row)
    return writer, load_dataset(writer(append=append)), lines


def expected_action(table: str, column: str, reason: str) -> str:
    """A broken required value, a duplicate id or a self-link rejects the row; anything else clears the value."""
    if TABLES[table].columns_by_name[column].required or reason.startswith(("duplicate", "links a record")):
        return "rejected"
    return "cleared"


@pytest.mark.parametrize(("table", "row", "column", "value", "reason"), ALL_CASES)
def test_rule_rejects_the_row_at_its_line(every_rule, request, table, row, column, value, reason):
    _, dataset, lines = every_rule
    line = lines[request.node.callspec.id]
    rejects = dataset.rejects[(dataset.rejects["table"] == table) & (dataset.rejects["row"] == line)]
    assert [(r.column, r.value) for r in rejects.itertuples()] == [(column, value)]
    assert reason in rejects["reason"].iloc[0]
    assert rejects["action"].iloc[0] == expected_action(table, column, reason)
    kept = line in dataset[table]["_row"].tolist()
    assert kept == (rejects["action"].iloc[0] == "cleared")


def test_every_rule_rejects_or_clears_only_its_row_and_every_good_row_is_kept(every_rule):
    writer, dataset, lines = every_rule
    expected = sorted((case.values[0], lines[case.id]) for case in ALL_CASES)
    assert sorted(zip(dataset.rejects["table"], dataset.rejects["row"])) == expected
    rejected = [c for c in ALL_CASES if expected_action(c.values[0], c.values[2], c.values[4]) == "rejected"]
    cleared = [c for c in ALL_CASES if c not in rejected]
    for name in TABLE_ORDER:
        bad = sum(case.values[0] == name for case in rejected)
        fixed = sum(case.values[0] == name for case in cleared)
        info = dataset.files[name]
        assert (info.rows_read, info.rows_rejected, info.rows_cleared, info.rows_kept) == (
            writer.rows(name) + bad + fixed, bad, fixed, writer.rows(name) + fixed), name
        assert info.rows_read == info.rows_kept + info.rows_rejected
        kept_lines = dataset[name]["_row"].tolist()
        assert kept_lines[: writer.rows(name)] == list(range(2, writer.rows(name) + 2)), name
    assert dataset.n_rejected == len(rejected)
    assert dataset.n_cleared == len(cleared)
    counts = dataset.table_counts().set_index("table")
    assert counts.loc["people", ["read", "rejected", "cleared", "kept"]].tolist() == [
        dataset.files["people"].rows_read, dataset.files["people"].rows_rejected,
        dataset.files["people"].rows_cleared, dataset.files["people"].rows_kept]


def test_every_problem_of_a_row_is_reported_at_once(write_dataset):
    line = write_dataset.next_line("placements")
    dataset = load_dataset(write_dataset(append={"placements": ["PL9,P99,L99,2021-13-01,,Z9,,"]}, only=PLACES))
    assert rejects_of(dataset) == [
        ("placements", line, "location_id", "L99"),
        ("placements", line, "placement_type", "Z9"),
        ("placements", line, "record_id", "P99"),
        ("placements", line, "start_date", "2021-13-01"),
    ]
    assert dataset.n_rejected == 1
    assert dataset.files["placements"].rows_rejected == 1
    assert_valid_rows_kept(dataset, write_dataset, tables=("people", *PLACES))


def test_problems_in_many_rows_are_all_collected(write_dataset):
    start = write_dataset.next_line("people")
    bad = [f"B{i},police,,,,X,,," for i in range(5)]
    dataset = load_dataset(write_dataset(append={"people": bad}, only=()))
    assert dataset.rejects["row"].tolist() == list(range(start, start + 5))
    assert set(dataset.rejects["column"]) == {"sex"}


# --- the planted dataset: one bad row of each kind -------------------------------------

def test_planted_bad_row_of_each_kind(write_dataset, lancashire_config):
    dataset = load_dataset(write_dataset(append=PLANTED), lancashire_config)
    assert rejects_of(dataset) == [r[:4] for r in PLANTED_REJECTS]
    assert dataset.rejects["action"].tolist() == [r[5] for r in PLANTED_REJECTS]
    for (_, row, _, _, fragment, _), reason in zip(PLANTED_REJECTS, dataset.rejects["reason"]):
        assert fragment in reason, row
    # the rows with a bad optional value are kept, that value cleared (the dob keeps its month)
    people = dataset["people"].set_index("record_id")
    assert people.index.tolist() == ["007", "P2", "P3", "P4", "P6", "P7", "P8"]
    assert people.loc["P6", "dob"] == pd.Timestamp("2008-02-01") and people.loc["P6", "dob_precision"] == "month"
    assert pd.isna(people.loc["P7", "sex"])
    placements = dataset["placements"].set_index("placement_id")
    assert "PL3" in placements.index and pd.isna(placements.loc["PL3", "end_date"])
    assert [(w.table, w.column, w.value, w.first_row) for w in dataset.warnings] == [
        ("people", "local_authority", "Narnia", 10)
    ]
    assert dataset.n_rejected == PLANTED_REJECTED
    assert dataset.n_cleared == PLANTED_CLEARED
    for name, info in dataset.files.items():
        assert info.rows_read == info.rows_kept + info.rows_rejected, name


# --- cascade: a row that refers to a rejected row is rejected too -----------------------


def test_rows_referring_to_a_rejected_row_are_rejected(write_dataset):
    people_line = write_dataset.next_line("people")
    locations_line = write_dataset.next_line("locations")
    folder = write_dataset(
        append={
            "people": ["P9,,Ivy,Bad,,,,,"],  # rejected: no source
            "locations": ["L9,pub,,,,,,"],  # rejected: unknown category
            "placements": ["PL9,P9,L1,2021-01-01,,,,", "PL8,P3,L9,2021-01-01,,,,"],
            "identifiers": ["0799,phone,P9,person,,"],
            "contacts": ["0799,07700900001,1,,,call"],  # refers to an identifier rejected in turn
            "associations": ["P3,P9,family,"],
        }
    )
    dataset = load_dataset(folder)
    assert rejects_of(dataset) == [
        ("people", people_line, "source", ""),
        ("locations", locations_line, "category", "pub"),
        ("placements", 4, "record_id", "P9"),
        ("placements", 5, "location_id", "L9"),
        ("identifiers", 5, "owner_id", "P9"),
        ("contacts", 4, "from_identifier", "0799"),
        ("associations", 4, "record_id_b", "P9"),
    ]
    assert_valid_rows_kept(dataset, write_dataset)


def test_duplicate_ids_keep_the_first_row(write_dataset):
    dataset = load_dataset(
        write_dataset(append={"people": ["P2,health,Second,Copy,,,,,", "P2,police,Third,Copy,,,,,"]}, only=PLACES)
    )
    people = dataset["people"]
    assert people.loc[people["record_id"] == "P2", "first_name"].tolist() == ["Ben"]
    assert dataset.rejects["row"].tolist() == [6, 7]
    assert list(dataset.rejects["reason"]) == [
        "duplicate record_id 'P2': already used on row 3; give each row its own id"
    ] * 2
    # references to the id still resolve to the kept first row
    assert len(dataset["placements"]) == write_dataset.rows("placements")


def test_a_rejected_first_row_leaves_its_id_to_the_next(write_dataset):
    # the first P9 is rejected for another reason, so the second P9 is the one kept
    dataset = load_dataset(write_dataset(append={"people": ["P9,,,,,,,,", "P9,police,Jo,Ng,,F,,,"]}, only=()))
    assert rejects_of(dataset) == [("people", 6, "source", "")]
    assert dataset["people"]["record_id"].tolist()[-1] == "P9"
    assert dataset["people"]["_row"].tolist()[-1] == 7


# --- events: the date is required, except for intelligence (contract v1.1) ----------------------


def test_an_intelligence_report_with_no_date_is_kept(write_dataset):
    dataset = load_dataset(write_dataset(append={"events": ["E3,intelligence,CSE,Op Beta,,L3,Lancaster,live"]},
                                         only=("locations", "events")))
    assert dataset.rejects.empty
    events = dataset["events"].set_index("event_id")
    assert pd.isna(events.loc["E3", "date"])
    assert events.loc["E2", "date"] == pd.Timestamp("2021-04-01")


def test_a_crime_with_no_date_is_still_rejected_and_the_reason_names_the_exception(write_dataset):
    line = write_dataset.next_line("events")
    dataset = load_dataset(write_dataset(append={"events": ["E3,crime,CSE,Op Beta,,L3,Lancaster,live"]},
                                         only=("locations", "events")))
    assert rejects_of(dataset) == [("events", line, "date", "")]
    assert dataset.rejects["reason"].iloc[0] == (
        "date is required but empty; fill it in or remove the row (it may be empty only where event_type is intelligence)")
    assert "E3" not in dataset["events"]["event_id"].tolist()


def test_a_bad_date_is_cleared_on_intelligence_and_rejects_a_crime(write_dataset):
    first = write_dataset.next_line("events")
    dataset = load_dataset(write_dataset(append={"events": ["E3,intelligence,CSE,,2021-02-31,L3,Lancaster,live",
                                                            "E4,crime,CSE,,2021-02-31,L3,Lancaster,live"]},
                                         only=("locations", "events")))
    actions = dict(zip(dataset.rejects["row"], dataset.rejects["action"]))
    assert actions == {first: "cleared", first + 1: "rejected"}
    events = dataset["events"].set_index("event_id")
    assert "E4" not in events.index and pd.isna(events.loc["E3", "date"])


def test_an_events_file_with_no_date_column_keeps_its_intelligence_and_rejects_the_rest(write_dataset):
    text = "\n".join(["event_id,event_type,category,operation,location_id",
                      "E1,crime,CSE,Op Alpha,L2", "E2,intelligence,CCE,Op Beta,L3"]) + "\n"
    dataset = load_dataset(write_dataset(replace={"events": text}, only=("locations", "events")))
    assert rejects_of(dataset) == [("events", 2, "date", "")]
    assert dataset["events"]["event_id"].tolist() == ["E2"]


# --- identifiers: owner_type chooses the table the owner is checked against -----------------


def test_identifier_owner_is_checked_against_people_or_locations(write_dataset):
    line = write_dataset.next_line("identifiers")
    folder = write_dataset(
        append={
            "identifiers": [
                "0701,phone,P3,person,,",  # good
                "0702,phone,L3,location,,",  # good
                "0703,phone,L3,person,,",  # a location id given as a person
                "0704,phone,P3,location,,",  # a person id given as a location
                "0705,phone,P3,Person,,",  # enum spelling is normalised, so still checked
            ]
        },
        only=("locations", "identifiers"),
    )
    dataset = load_dataset(folder)
    assert rejects_of(dataset) == [
        ("identifiers", line + 2, "owner_id", "L3"),
        ("identifiers", line + 3, "owner_id", "P3"),
    ]
    reasons = dataset.rejects["reason"].tolist()
    assert "is not a known record_id among the kept rows of people" in reasons[0]
    assert "is not a known location_id among the kept rows of locations" in reasons[1]
    identifiers = dataset["identifiers"]
    assert identifiers["identifier"].tolist()[-3:] == ["0701", "0702", "0705"]
    assert identifiers["owner_type"].tolist()[-1] == "person"


# --- found_with: every item of the list is a reference ---------------------------------------


def test_found_with_every_listed_record_must_exist(write_dataset):
    line = write_dataset.next_line("missing_episodes")
    folder = write_dataset(
        append={
            "missing_episodes": [
                "M7,P3,2021-01-01T10:00:00,,missing,,,P2; P4",  # good, spaces around ';' ignored
                "M8,P3,2021-01-01T10:00:00,,missing,,,P2;P77;P88",  # P77 and P88 unknown
                "M9,P3,2021-01-01T10:00:00,,missing,,,;;",  # empty items are no one
            ]
        },
        only=EPISODES,
    )
    dataset = load_dataset(folder)
    assert rejects_of(dataset) == [("missing_episodes", line + 1, "found_with", "P2;P77;P88")]
    assert dataset.rejects["reason"].iloc[0] == (
        "names record_ids 'P77', 'P88', which are not among the kept rows of people; correct the id or add that "
        "people row (the list keeps its other ids)"
    )
    assert dataset.rejects["action"].iloc[0] == "cleared"
    episodes = dataset["missing_episodes"].set_index("episode_id")
    assert episodes.loc["M8", "found_with"] == ("P2",)  # the known id is kept
    assert episodes.loc["M7", "found_with"] == ("P2", "P4")
    assert episodes.loc["M9", "found_with"] == ()


def test_found_with_a_rejected_person_is_rejected(write_dataset):
    folder = write_dataset(
        append={
            "people": ["P9,,,,,,,,"],
            "missing_episodes": ["M9,P3,2021-01-01T10:00:00,,missing,,,P2;P9"],
        },
        only=EPISODES,
    )
    dataset = load_dataset(folder)
    assert rejects_of(dataset)[-1] == ("missing_episodes", 4, "found_with", "P2;P9")


# --- config: values maps, night-time economy, columns mapping, date format ---------------------


def test_values_map_turns_source_codes_into_contract_values(write_dataset):
    line = write_dataset.next_line("people")
    folder = write_dataset(
        append={
            "people": ["Q1,police,,,,1,,,", "Q2,police,,,,2,,,", "Q3,police,,,,9,,,"],
            "locations": ["L9,PUB,The Crown,,,,,"],
        },
        only=("locations",),
    )
    config = config_from_dict(
        {"values": {"people.sex": {"1": "M", "2": "F"}, "locations.category": {"pub": "licensed_premises"}}}
    )
    dataset = load_dataset(folder, config)
    people = dataset["people"].set_index("record_id")
    assert people.loc["Q1", "sex"] == "M"
    assert people.loc["Q2", "sex"] == "F"
    assert rejects_of(dataset) == [("people", line + 2, "sex", "9")]
    # 9 is "not specified" in the ONS/NHS coding: the hint maps it to U, never to M
    assert "values: {people.sex: {'9': U}}" in dataset.rejects["reason"].iloc[0]
    locations = dataset["locations"].set_index("location_id")
    assert locations.loc["L9", "category"] == "licensed_premises"
    assert bool(locations.loc["L9", "night_time_economy"]) is True


def test_enum_spellings_are_stored_in_the_contract_spelling(write_dataset):
    folder = write_dataset(append={"locations": ["L9,Children Home,,,,,,", "L8,PUBLIC-SPACE,,,,,,"]}, only=("locations",))
    locations = load_dataset(folder)["locations"].set_index("location_id")
    assert locations.loc["L9", "category"] == "children_home"
    assert locations.loc["L8", "category"] == "public_space"


def test_night_time_economy_defaults_from_the_category(write_dataset):
    folder = write_dataset(
        append={"locations": ["L9,hotel,,,,,,", "L8,school,,,,,,", "L7,school,,yes,,,,", "L6,taxi_firm,,N,,,,"]},
        only=("locations",),
    )
    locations = load_dataset(folder)["locations"].set_index("location_id")["night_time_economy"]
    assert locations.to_dict() == {
        "L1": False,  # children_home
        "L2": True,  # takeaway
        "L3": False,  # hotel, but the file says false
        "L9": True,  # hotel
        "L8": False,  # school
        "L7": True,  # the file says yes
        "L6": False,  # the file says N
    }


def test_night_time_economy_categories_come_from_the_config(write_dataset):
    folder = write_dataset(append={"locations": ["L9,hotel,,,,,,", "L8,school,,,,,,"]}, only=("locations",))
    config = config_from_dict({"night_time_economy_categories": ["school"]})
    locations = load_dataset(folder, config)["locations"].set_index("location_id")["night_time_economy"]
    assert locations[["L2", "L9", "L8"]].tolist() == [False, False, True]


def test_columns_mapping_reads_an_extract_with_its_own_headers(tmp_path):
    (tmp_path / "people.csv").write_text(
        "URN,Agency,Forename,Surname,DOB,Gender,Nickname\n"
        "007,police,Zoë,Núñez,2008-03-04,F,Zed\n"
        "008,police,José,Pérez,,M,\n",
        encoding="utf-8",
    )
    (tmp_path / "placements.csv").write_text(
        "Placement Ref,Child URN,Setting,Start Date,End\nPL1,007,L1,2020-01-01,\nPL2,009,L1,2020-01-01,\n",
        encoding="utf-8",
    )
    config = config_from_dict(
        {
            "columns": {
                "people": {"URN": "record_id", "Agency": "source", "Forename": "first_name", "Surname": "last_name",
                           "DOB": "dob", "Gender": "sex"},
                "placements": {"Placement Ref": "placement_id", "child urn": "record_id", "Setting": "location_id",
                               "End": "end_date"},
            }
        }
    )
    dataset = load_dataset(tmp_path, config)
    people = dataset["people"]
    assert people["record_id"].tolist() == ["007", "008"]
    assert people["first_name"].tolist() == ["Zoë", "José"]
    assert people["dob"].iloc[0] == pd.Timestamp("2008-03-04")
    assert people["Nickname"].tolist()[0] == "Zed"  # extra columns are kept
    placements = dataset["placements"]
    # "Start Date" needs no mapping: headers are matched ignoring case, spaces and hyphens
    assert placements["start_date"].tolist() == [pd.Timestamp("2020-01-01")]
    assert rejects_of(dataset) == [("placements", 3, "record_id", "009")]
    assert "notes" not in people.columns
    assert any("the dataset has no locations table" in n for n in dataset.notes)


def test_a_header_spelled_exactly_wins_over_its_variants(tmp_path):
    for header in ("record_id,source,Record ID", "Record ID,source,record_id"):
        (tmp_path / "people.csv").write_text(header + "\nA,police,B\n", encoding="utf-8")
        people = load_dataset(tmp_path)["people"]
        exact = header.split(",").index("record_id")
        assert people["record_id"].tolist() == [["A", "police", "B"][exact]], header
        assert people["Record ID"].tolist() == [["A", "police", "B"][2 - exact]], header


@pytest.mark.parametrize(
    ("header", "mapping", "names"),
    [
        ("URN,source,record_id", {"URN": "record_id"}, "'URN' and 'record_id'"),
        ("URN,urn,source", {"urn": "record_id"}, "'URN' and 'urn'"),
    ],
    ids=["mapped-and-exact", "mapping-matches-two-spellings"],
)
def test_two_headers_for_one_column_is_an_error_not_a_crash(tmp_path, header, mapping, names):
    (tmp_path / "people.csv").write_text(header + "\nA,B,C\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path, config_from_dict({"columns": {"people": mapping}}))
    assert str(info.value) == (
        f"{tmp_path / 'people.csv'} has columns {names}, which would both become 'record_id'; remove or rename all but "
        "one in the file, or change the mapping under columns: {people: ...} in the job config"
    )


def test_date_format_from_the_config(write_dataset):
    folder = write_dataset(
        replace={"people": "record_id,source,dob\nA1,police,04/03/2008\nA2,police,2008-03-04\nA3,police,March 2008\n"},
        omit=tuple(t for t in TABLE_ORDER if t != "people"),
    )
    dataset = load_dataset(folder, config_from_dict({"input": {"date_format": "%d/%m/%Y"}}))
    # the layout named, and ISO 8601 (the contract's, never ambiguous), are read; anything else is cleared
    assert dataset["people"]["dob"].tolist()[:2] == [pd.Timestamp("2008-03-04")] * 2
    assert rejects_of(dataset) == [("people", 4, "dob", "March 2008")]
    assert dataset.rejects["reason"].iloc[0] == (
        "'March 2008' is not a date in the layout the job config names for people.dob (%d/%m/%Y); "
        "correct it, or change that layout"
    )
    assert dataset.rejects["action"].iloc[0] == "cleared"


def test_tables_setting_names_the_file(write_dataset):
    folder = write_dataset(omit=tuple(t for t in TABLE_ORDER if t != "people"))
    (folder / "people.csv").rename(folder / "nominals.csv")
    dataset = load_dataset(folder, config_from_dict({"tables": {"people": "nominals.csv"}}))
    assert dataset["people"]["record_id"].tolist() == ["007", "P2", "P3", "P4"]


# --- dates of birth may be partial ----------------------------------------------------------------


def test_partial_dob_is_kept_with_its_precision(write_dataset):
    people = load_dataset(write_dataset(only=()))["people"].set_index("record_id")
    assert people.loc["007", "dob"] == pd.Timestamp("2008-03-04")
    assert people.loc["P2", "dob"] == pd.Timestamp("2007-11-01")
    assert people.loc["P3", "dob"] == pd.Timestamp("2006-01-01")
    assert people["dob_precision"].tolist() == ["day", "month", "year", "day"]


def test_partial_dates_are_only_for_dates_not_datetimes(write_dataset):
    line = write_dataset.next_line("missing_episodes")
    dataset = load_dataset(write_dataset(append={"missing_episodes": ["M9,P3,2021-02,,,,,"]}, only=EPISODES))
    assert rejects_of(dataset) == [("missing_episodes", line, "start", "2021-02")]


# --- local authorities: unknown ones warn, never reject --------------------------------------------------


def test_unknown_authority_is_a_warning_not_a_reject(write_dataset, lancashire_config):
    folder = write_dataset(
        append={
            "people": ["Q1,police,,,,,,Narnia,", "Q2,police,,,,,,Narnia,", "Q3,police,,,,,,BLACKBURN-WITH-DARWEN,"],
            "placements": ["PL9,P3,L1,2021-01-01,,,Gondor,"],
            "events": ["E9,crime,,,2021-01-01,,st helens,"],
        },
        only=(*PLACES, "events"),
    )
    dataset = load_dataset(folder, lancashire_config)
    assert dataset.rejects.empty
    assert [(w.table, w.column, w.value, w.rows, w.first_row) for w in dataset.warnings] == [
        ("people", "local_authority", "Narnia", 2, 6),
        ("placements", "placing_authority", "Gondor", 1, 4),
    ]
    assert "is not an authority of the configured geography (Lancashire and its neighbours); kept as out of force" in (
        dataset.warnings[0].message
    )
    assert dataset["people"]["record_id"].tolist()[-3:] == ["Q1", "Q2", "Q3"]


def test_no_geography_no_authority_warnings(write_dataset):
    dataset = load_dataset(write_dataset(append={"people": ["Q1,police,,,,,,Narnia,"]}, only=()))
    assert dataset.warnings == []
    assert dataset.rejects.empty


# --- contacts: count defaults to one -------------------------------------------------------------


def test_contact_count_defaults_to_one(write_dataset):
    contacts = load_dataset(write_dataset(only=("locations", "identifiers", "contacts")))["contacts"]
    assert contacts["count"].tolist() == [12, 1]


# --- tables that are absent ---------------------------------------------------------------------


def test_only_people_is_required_and_missing_targets_are_noted(write_dataset):
    folder = write_dataset(omit=("locations", "events"))
    dataset = load_dataset(folder)
    assert dataset.rejects.empty
    assert not dataset.has("locations")
    assert dataset.notes == [
        "placements.location_id: 2 row(s) refer to locations, but the dataset has no locations table: those references were not checked",
        "missing_episodes.from_location_id: 2 row(s) refer to locations, but the dataset has no locations table: those references were not checked",
        "missing_episodes.found_location_id: 1 row(s) refer to locations, but the dataset has no locations table: those references were not checked",
        "event_people.event_id: 3 row(s) refer to events, but the dataset has no events table: those references were not checked",
        "identifiers.owner_id: 1 row(s) refer to locations, but the dataset has no locations table: those references were not checked",
        "tables not in the dataset: locations, events; analyses that need them will be skipped",
    ]
    assert len(dataset["event_people"]) == write_dataset.rows("event_people")
    with pytest.raises(KeyError, match="the dataset has no events table"):
        dataset["events"]


def test_no_note_about_references_no_row_makes(tmp_path):
    # every owner is a person, and events has no location_id column: nothing was left unchecked
    (tmp_path / "people.csv").write_text("record_id,source\nP1,police\n")
    (tmp_path / "identifiers.csv").write_text("identifier,kind,owner_id,owner_type\n0770,phone,P1,person\n")
    (tmp_path / "events.csv").write_text("event_id,event_type,date\nE1,crime,2021-01-01\n")
    dataset = load_dataset(tmp_path)
    assert dataset.rejects.empty
    assert [n for n in dataset.notes if "refer" in n] == []


def test_no_people_table_is_one_error_with_the_fix(write_dataset):
    folder = write_dataset(omit=("people",))
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert str(info.value) == (
        f"{folder} has no people.csv (or people.parquet), the one table every dataset needs; "
        "add it, or name your file in the job config: tables: {people: your_file.csv}"
    )


def test_missing_required_column_names_file_column_and_fix(write_dataset):
    folder = write_dataset(
        replace={"placements": "placement_id,location_id,start_date\nPL1,L1,2020-01-01\n"}
    )
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert str(info.value) == (
        f"{folder / 'placements.csv'} has no column 'record_id', which placements requires; add a 'record_id' column, "
        "or map your header onto it in the job config: columns: {placements: {YourHeader: record_id}}"
    )


def test_missing_required_column_suggests_a_close_header(write_dataset):
    folder = write_dataset(replace={"people": "RecordNo,source\nA1,police\n"}, omit=("placements",))
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert str(info.value) == (
        f"{folder / 'people.csv'} has no column 'record_id', which people requires; "
        "map it in the job config: columns: {people: {'RecordNo': record_id}}"
    )


def test_all_missing_columns_are_reported_together(write_dataset):
    folder = write_dataset(
        replace={
            "placements": "placement_id,start_date\nPL1,2020-01-01\n",
            "event_people": "event_id,record_id\nE1,007\n",
        }
    )
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert [p.split(" has no column ")[1].split(",")[0] for p in info.value.problems] == [
        "'record_id'",
        "'location_id'",
        "'role'",
    ]
    assert str(info.value).startswith("the dataset has 3 problems:\n  ")


def test_config_naming_a_missing_file_is_an_error(write_dataset):
    folder = write_dataset()
    with pytest.raises(DataError) as info:
        load_dataset(folder, config_from_dict({"tables": {"events": "crimes.csv"}}))
    assert str(info.value) == (
        f"{folder / 'crimes.csv'} does not exist; the job config names it under tables: events. Correct the file name"
    )


def test_validation_does_not_depend_on_a_lancashire_config_object(write_dataset, lancashire_config):
    # the same rows are kept with or without a geography; only the warnings differ
    folder = write_dataset(append={"people": ["Q1,police,,,,,,Narnia,"]}, only=(*PLACES, "events"))
    with_geo = load_dataset(folder, lancashire_config)
    without = load_dataset(folder, replace(lancashire_config, geography=None))
    assert [w.value for w in with_geo.warnings] == ["Narnia"] and without.warnings == []
    for name in with_geo.tables:
        pd.testing.assert_frame_equal(with_geo[name], without[name])


# --- property: whatever the text, each bad row is rejected at its own line and the rest are kept ------------

name_text = st.text(alphabet=st.sampled_from(list("abcZoë ,\"';\n")), max_size=8)


@settings(max_examples=30)
@given(
    st.lists(
        st.tuples(name_text, st.sampled_from(["F", "m", "u", "X", "", "male"]), st.integers(min_value=0, max_value=2)),
        min_size=1,
        max_size=8,
    )
)
def test_each_bad_value_is_cleared_at_its_line_whatever_the_text(rows):
    with tempfile.TemporaryDirectory() as folder:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["record_id", "source", "first_name", "sex"])
        line = 2
        expected_lines, expected_bad, names, sexes = [], [], [], []
        for number, (name, sex, blanks) in enumerate(rows):
            buffer.write("\n" * blanks)  # blank lines between rows
            line += blanks
            before = buffer.tell()
            writer.writerow([f"R{number:03d}", "police", name, sex])
            expected_lines.append(line)
            if sex in ("X", "male"):
                expected_bad.append(line)
            names.append(name.strip() or None)
            sexes.append({"F": "F", "m": "M", "u": "U"}.get(sex))
            line += buffer.getvalue()[before:].count("\n")
        Path(folder, "people.csv").write_text(buffer.getvalue(), encoding="utf-8", newline="")
        dataset = load_dataset(folder)
    # a bad sex code is cleared: every row is kept, the bad ones listed at their line
    assert dataset.rejects["row"].tolist() == expected_bad
    assert set(dataset.rejects["column"]) <= {"sex"}
    assert set(dataset.rejects["action"]) <= {"cleared"}
    people = dataset["people"]
    assert people["_row"].tolist() == expected_lines
    assert [None if pd.isna(v) else v for v in people["first_name"]] == names
    assert [None if pd.isna(v) else v for v in people["sex"]] == sexes
    info = dataset.files["people"]
    assert (info.rows_read, info.rows_rejected, info.rows_cleared, info.rows_kept) == (
        len(rows), 0, len(expected_bad), len(rows))
