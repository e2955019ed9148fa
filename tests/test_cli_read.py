"""What an analyst sees on the command line when a real extract comes in (validate, run, import map)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from linkage.cli import cli

#: a police nominals extract as partners send it: semicolons, its own headers, day-first dates,
#: an impossible date of birth, ONS sex codes, a row without its source
NOMINALS = (
    "Person Ref;Agency;Forename;Surname;D.O.B.;Gender;Post Code;NHS Number\n"
    "N1;police;Amy;Smith;04/03/2008;F;PR1 4AB;111\n"
    "N2;police;Ben;Jones;31/02/2007;M;BB1 1AA;\n"
    "N3;health;Cara;Lee;13/11/2006;2;FY1 1AA;\n"
    "N4;;Dan;Kay;01/01/2009;M;;\n"
)
SUMMARY_HEADER = ["table", "file", "read", "rejected", "cleared", "kept"]


def invoke(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def people_folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "people.csv").write_text(text, encoding="utf-8")
    return folder


def nominals(tmp_path: Path) -> Path:
    return people_folder(tmp_path, NOMINALS)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_validate_a_real_shaped_extract_prints_every_decision(tmp_path):
    folder = nominals(tmp_path)
    out = tmp_path / "check"
    result = invoke("validate", folder, "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == SUMMARY_HEADER
    assert lines[1].split() == ["people", "people.csv", "4", "1", "2", "3"]
    assert lines[2:] == [
        "note: people.csv: read 'Person Ref' as record_id, 'Agency' as source, 'Forename' as first_name, 'Surname' as "
        "last_name, 'D.O.B.' as dob, 'Gender' as sex, 'Post Code' as postcode, from their names and values; to read a "
        "header otherwise, map it under columns: {people: ...} in the job config",
        "note: people.csv is separated by ';'",
        "note: dates read in their own layout: people.csv 'D.O.B.' as dd/mm/yyyy",
        "note: extra columns kept as they are (not contract columns; a resolve: comparison can name them): "
        "people.csv: 'NHS Number'",
        "note: tables not in the dataset: locations, placements, missing_episodes, events, event_people, identifiers, "
        "contacts, associations; analyses that need them will be skipped",
        "note: warning: people.csv lost 25.0 % of its rows to rejects (1 of 4); the analyses ran without them. "
        "rejects.csv says why, row by row, with the fix",
        "note: people.csv: 25.0 % of its rows rejected is more than max_reject_share 5.0 %: linkage run stops on this "
        "dataset until the file or the job config is fixed, or the limit raised",
        "1 row(s) rejected, 2 kept with a value cleared:",
        "  people.csv row 3, dob (cleared, row kept): '31/02/2007' is not a valid date (February 2007 has no day 31); "
        "its month and year 2007-02 are kept",
        "  people.csv row 4, sex (cleared, row kept): '2' is not one of M, F, U; correct it, or map your value in the "
        "job config: values: {people.sex: {'2': F}}",
        "  people.csv row 5, source: source is required but empty; fill it in or remove the row",
        f"rejects written to {out / 'rejects.csv'}",
    ]
    rows = read_csv(out / "rejects.csv")
    assert list(rows[0]) == ["table", "row", "column", "value", "reason", "action"]
    assert [(r["row"], r["column"], r["action"]) for r in rows] == [
        ("3", "dob", "cleared"), ("4", "sex", "cleared"), ("5", "source", "rejected")]


def test_validate_an_ambiguous_date_column_is_one_error_line(tmp_path):
    result = invoke("validate", people_folder(tmp_path, "record_id,source,dob\nP1,police,03/04/2008\nP2,police,05/06/2009\n"))
    assert result.exit_code == 1
    assert result.output == (
        "Error: people.csv, column 'dob' (people.dob): dates such as '03/04/2008', '05/06/2009' read differently "
        "day-first (%d/%m/%Y) and month-first (%m/%d/%Y), and no value in the file settles it; say which in the job "
        "config: input: {date_format: {people.dob: '%d/%m/%Y'}} (or '%m/%d/%Y'), or input: {day_first: true} to read "
        "every such column day-first, as UK systems write dates\n"
    )


def test_validate_a_header_that_needs_the_analyst_is_one_error_line(tmp_path):
    folder = people_folder(tmp_path, "record_id,source,Date of Birth\nP1,police,unknown\n")
    result = invoke("validate", folder)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {folder / 'people.csv'}: header 'Date of Birth' reads as the people column dob")
    assert "add columns: {people: {'Date of Birth': dob}} to the job config" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_validate_a_wrong_delimiter_in_the_config_says_which_one_is_right(tmp_path):
    folder = nominals(tmp_path)
    config = tmp_path / "job.yaml"
    config.write_text("input: {delimiter: ','}\n")
    result = invoke("validate", folder, "--config", config)
    assert result.exit_code == 1
    assert "its header is separated by ';'; set input: {delimiter: ';'}" in result.output
    assert "columns:" not in result.output  # no nonsense mapping of 'Person Ref;Agency;...'


def test_validate_a_nul_delimiter_in_the_config_is_one_error_line(tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text('input: {delimiter: "\\0"}\n')
    result = invoke("validate", nominals(tmp_path), "--config", config)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config}: input.delimiter '\\x00' must be auto or one plain character (',', ';', '|' or tab); NUL, "
        "quotes, line breaks, letters, digits and characters outside ASCII cannot separate columns\n"
    )


def test_run_keeps_every_person_and_records_how_it_read_them(tmp_path):
    folder = nominals(tmp_path)
    config = tmp_path / "job.yaml"
    config.write_text("job: {name: nominals}\nvalues: {people.sex: {'2': F}}\nmax_reject_share: 0.3\n")
    out = tmp_path / "out"
    result = invoke("run", config, "--data", folder, "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == SUMMARY_HEADER
    assert lines[1].split() == ["people", "people.csv", "4", "1", "1", "3"]
    assert "1 row(s) rejected, 1 kept with a value cleared (see rejects.csv)" in lines
    manifest = json.loads((out / "manifest.json").read_text())
    people = manifest["inputs"]["people"]
    assert (people["rows_read"], people["rows_rejected"], people["rows_cleared"], people["rows_kept"]) == (4, 1, 1, 3)
    assert people["delimiter"] == ";"
    assert people["columns_mapped"] == {
        "Person Ref": "record_id", "Agency": "source", "Forename": "first_name", "Surname": "last_name",
        "D.O.B.": "dob", "Gender": "sex", "Post Code": "postcode",
    }
    assert people["date_layouts"] == {"dob": {"dd/mm/yyyy": 3}}  # distinct dates read whole (31/02 is not)
    assert (manifest["rows_rejected"], manifest["rows_cleared"]) == (1, 1)
    assert any(n.startswith("people.csv: read 'Person Ref' as record_id") for n in manifest["notes"])
    # every kept record has an entity, the one with a partial date of birth too
    entities = read_csv(out / "entities.csv")
    assert sorted(r["record_id"] for r in entities) == ["N1", "N2", "N3"]
    assert [r["action"] for r in read_csv(out / "rejects.csv")] == ["cleared", "rejected"]


def test_import_map_proposes_sex_codes_with_evidence_and_a_layout_for_its_table_only(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "nominals.csv").write_text(
        "Person Ref,System,Forename,Date of Birth,Gender\n"
        "N1,police,Amy,04/03/2008,2\nN2,police,Ben,11/11/2007,1\nN3,police,Cy,25/12/2006,9\n"
    )
    # another table of the same extract, in ISO 8601
    (folder / "events.csv").write_text("event_id,event_type,date\nE1,crime,2021-03-04\n")
    target = tmp_path / "job.yaml"
    result = invoke("import", "map", "--table", "people", folder / "nominals.csv", "--out", target)
    assert result.exit_code == 0, result.output
    assert "dates in their own layout: the config sets input: {date_format: {people: \"%d/%m/%Y\"}}" in result.output
    assert (
        "people.sex codes: codes 1 (1), 2 (1), 9 (1); read as the ONS/NHS coding 1 = male, 2 = female, "
        "0 = not known, 9 = not specified"
    ) in result.output
    text = target.read_text()
    assert '  people.sex: {"1": M, "2": F, "9": U}' in text
    assert "'2': M" not in text and '"2": M' not in text
    # following the proposal reads the people file and leaves the ISO events alone
    checked = invoke("validate", folder, "--config", target)
    assert checked.exit_code == 0, checked.output
    assert "no rows rejected" in checked.stdout
