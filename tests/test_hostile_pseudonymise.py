"""No clear name leaves ``linkage pseudonymise``: names planted in every text column of every table.

A broken or careless extract puts names where they do not belong: a free-text
reason for a placement change, a flag, an operation named after its
suspect, a local authority column holding a carer's name, a header.  Every
such cell is planted here, and every byte written is searched for every word
of every name afterwards.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.cli import cli
from linkage.contract import TABLES
from linkage.pseudonymise import Pseudonymiser, check_key, pseudonymise_dataset
from linkage.pseudonymise._dataset import (
    ID_COLUMNS,
    ID_LIST_COLUMNS,
    IDENTIFIER_COLUMNS,
    NAME_COLUMNS,
    POSTCODE_COLUMNS,
)
from linkage.pseudonymise._scrub import NameScrubber

KEY = check_key("4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa0123", "test key")

#: (record_id, first_name, last_name) of the people; every word of these is a name to find
PEOPLE = [("007", "Amy", "Smith"), ("P2", "Ben", "Jones-Kaur"), ("P3", "Zoë", "O'Brien"), ("P4", "Mary Ann", "Lee")]
NAME_WORDS = {"amy", "smith", "ben", "jones", "kaur", "zoe", "brien", "mary", "ann", "lee"}
#: the ways a name turns up in free text
PLANTS = ["seen with Amy SMITH", "zoe o'brien (sister)", "ben_jones-kaur;cse_risk", "Mary-Ann", "LEE", "met Zoë at 9pm"]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def surviving_names(text: str) -> set[str]:
    """Name words standing as whole words in ``text`` (case and accents ignored)."""
    return set(re.findall(r"[a-z]+", _fold(text))) & NAME_WORDS


def _text_columns(table: str) -> list[str]:
    """Columns that are not ids, identifiers, names or postcodes: where a stray name can hide."""
    protected = {c for group in (ID_COLUMNS, ID_LIST_COLUMNS, IDENTIFIER_COLUMNS, NAME_COLUMNS, POSTCODE_COLUMNS)
                 for c in group.get(table, ())}
    return [c for c in TABLES[table].column_names if c not in protected]


def planted_dataset(write_dataset) -> tuple[Path, int]:
    """The valid dataset with a name planted in every text column of every table (one row per column)."""
    base = write_dataset("clean")
    people_lines = ["record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags,Amy Smith notes"]
    people_lines += [f"{rid},police,{first},{last},2008-03-04,F,PR1 4AB,Preston,,x" for rid, first, last in PEOPLE]
    replace = {"people": "\n".join(people_lines) + "\n"}
    planted = 0
    for table in TABLES:
        frame = pd.read_csv(base / f"{table}.csv", dtype=str, keep_default_na=False)
        if table == "people":
            frame = pd.read_csv(pd.io.common.StringIO(replace["people"]), dtype=str, keep_default_na=False)
        rows = [frame]
        for n, column in enumerate(_text_columns(table)):
            row = frame.iloc[[n % len(frame)]].copy()
            row[column] = PLANTS[n % len(PLANTS)]
            rows.append(row)
            planted += 1
        replace[table] = pd.concat(rows).to_csv(index=False)
    return write_dataset("planted", replace=replace), planted


def every_written_text(folder: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()))


def test_no_clear_name_survives_in_any_table_or_the_report(write_dataset, tmp_path):
    data, planted = planted_dataset(write_dataset)
    assert planted >= 30  # every text column of every table
    source = every_written_text(data)
    assert surviving_names(source) == NAME_WORDS  # the names are there to be found
    result = pseudonymise_dataset(data, tmp_path / "shared", KEY)
    written = every_written_text(result.folder)
    assert surviving_names(written) == set()
    assert surviving_names(json.dumps(result.report)) == set()
    assert surviving_names("\n".join(result.notes)) == set()


def test_text_keeps_its_words_and_names_become_the_name_pseudonyms(write_dataset, tmp_path):
    placements = (
        "placement_id,record_id,location_id,start_date,end_date,placement_type,placing_authority,reason_for_change\n"
        "PL1,007,L1,2020-01-01,2021-06-30,foster,Preston,moved after Amy SMITH's friend visited\n"
    )
    data = write_dataset(replace={"placements": placements}, only=("placements", "locations"))
    result = pseudonymise_dataset(data, tmp_path / "shared", KEY)
    out = pd.read_csv(result.folder / "placements.csv", dtype=str, keep_default_na=False)
    tokens = Pseudonymiser(KEY)
    assert out["reason_for_change"][0] == (
        f"moved after {tokens.name_token('Amy')} {tokens.name_token('Smith')}'s friend visited"
    )
    people = pd.read_csv(result.folder / "people.csv", dtype=str, keep_default_na=False)
    assert tokens.name_token("Amy") in set(people["first_name"])  # the same pseudonym as the name column
    assert "placements.reason_for_change: person names in 1 value(s) were replaced by their pseudonyms" in result.notes


def test_allowed_codes_and_known_authorities_are_kept_even_when_someone_bears_the_name(write_dataset, tmp_path):
    people = (
        "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags\n"
        "007,police,Amy,Foster,2008-03-04,F,PR1 4AB,Preston,\n"
        "P2,police,Ben,Preston,2007-11-01,M,BB1 1AA,Preston,\n"
        "P3,police,Cara,Foster,2006-01-01,F,FY1 1AA,Leeds,\n"
    )
    placements = (
        "placement_id,record_id,location_id,start_date,end_date,placement_type,placing_authority,reason_for_change\n"
        "PL1,007,L1,2020-01-01,,foster,Preston,Foster carer ill\n"
    )
    data = write_dataset(replace={"people": people, "placements": placements}, only=("placements", "locations"))
    result = pseudonymise_dataset(data, tmp_path / "shared", KEY)
    out = pd.read_csv(result.folder / "placements.csv", dtype=str, keep_default_na=False)
    tokens = Pseudonymiser(KEY)
    assert out["placement_type"][0] == "foster"  # a contract code, not a name
    assert out["placing_authority"][0] == "Preston"  # an authority of the geography
    assert out["reason_for_change"][0] == f"{tokens.name_token('Foster')} carer ill"
    people_out = pd.read_csv(result.folder / "people.csv", dtype=str, keep_default_na=False)
    assert list(people_out["local_authority"]) == ["Preston", "Preston", "Leeds"]


def test_operation_names_are_pseudonymised_unless_kept_explicitly(dataset_folder, tmp_path):
    default = pseudonymise_dataset(dataset_folder, tmp_path / "a", KEY)
    events = pd.read_csv(default.folder / "events.csv", dtype=str, keep_default_na=False)
    assert not set(events["operation"]) & {"Op Alpha", "Op Beta"}
    assert events["operation"].str.fullmatch(r"[0-9a-f]{20}").all()
    assert "--keep-column operation keeps it" in default.columns["events"]["operation"]
    kept = pseudonymise_dataset(dataset_folder, tmp_path / "b", KEY, keep_columns=("events.operation",))
    events = pd.read_csv(kept.folder / "events.csv", dtype=str, keep_default_na=False)
    assert list(events["operation"]) == ["Op Alpha", "Op Beta"]
    assert kept.columns["events"]["operation"] == "kept as it is (--keep-column)"


def test_keep_column_cannot_keep_names_ids_or_identifiers(dataset_folder, tmp_path):
    result = CliRunner().invoke(cli, ["pseudonymise", str(dataset_folder), str(tmp_path / "o"), "--key-env", "NOPE",
                                      "--keep-column", "first_name"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    from linkage.errors import LinkageError

    for option in ({"keep_columns": ("people.first_name",)}, {"keep_columns": ("record_id",)},
                   {"hash_columns": ("identifier",)}):
        with pytest.raises(LinkageError, match="are always pseudonymised"):
            pseudonymise_dataset(dataset_folder, tmp_path / "o", KEY, **option)
    assert not (tmp_path / "o").exists()


def test_the_scrubber_matches_whole_words_ignoring_case_and_accents():
    scrubber = NameScrubber.from_names([pd.Series(["Zoë", "Al", "A", None]), pd.Series(["O'Brien"])], str.upper)
    assert set(scrubber.lookup) == {"zoe", "al", "brien"}  # one-letter initials are not names to look for
    assert scrubber.text("ZOE and zoë met Al, not Alan or Zoey; o'brien") == ("ZOE and ZOE met AL, not Alan or Zoey; o'BRIEN", 4)
    column, changed = scrubber.column(pd.Series(["al", "al", None, "x", "Al Zoe"]))
    assert list(column.fillna("<missing>")) == ["AL", "AL", "<missing>", "x", "AL ZOE"] and changed == 3


def test_keep_column_keeps_business_names_but_never_the_names_of_homes(write_dataset, tmp_path):
    locations = (
        "location_id,category,name,night_time_economy,postcode,local_authority,latitude,longitude\n"
        "L1,children_home,Amy Smith House,,PR1 5AA,Preston,53.76,-2.70\n"
        "L2,takeaway,Smith's Kebabs,,FY1 2BB,Blackpool,53.81,-3.05\n"
        "L3,hotel,Bay Hotel,false,LA1 1AA,Lancaster,54.04,-2.80\n"
    )
    data = write_dataset(replace={"locations": locations}, only=("locations",))
    scrubbed = pseudonymise_dataset(data, tmp_path / "a", KEY)
    names = pd.read_csv(scrubbed.folder / "locations.csv", dtype=str, keep_default_na=False)["name"]
    assert list(names) == ["", f"{Pseudonymiser(KEY).name_token('Smith')}'s Kebabs", "Bay Hotel"]
    kept = pseudonymise_dataset(data, tmp_path / "b", KEY, keep_columns=("locations.name",))
    names = pd.read_csv(kept.folder / "locations.csv", dtype=str, keep_default_na=False)["name"]
    assert list(names) == ["", "Smith's Kebabs", "Bay Hotel"]
