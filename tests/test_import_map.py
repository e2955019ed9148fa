"""Column-mapping proposals: headers and values to contract columns, written as a config that loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from linkage.cli import cli
from linkage.config import load_config
from linkage.errors import ConfigError, DataError
from linkage.read import load_dataset
from linkage.read.imports import propose_column_map

NOMINALS = [
    "Person Ref,Forename,Surname,Date of Birth,Gender,Home Post Code,Council,Arrest Date,Notes",
    "N1,Amy,Smith,04/03/2008,F,PR1 4AB,Preston,01/02/2020,seen twice",
    "N2,Ben,Jones,11/11/2007,M,BB1 1AA,Blackburn with Darwen,02/02/2020,",
    "N3,Cara,Lee,01/01/2006,F,FY1 1AA,Blackpool,,",
]


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_headers_map_by_name_and_values(tmp_path):
    proposal = propose_column_map(_write(tmp_path, "nominals.csv", NOMINALS), "people")
    assert proposal.mapping == {
        "Person Ref": "record_id",
        "Forename": "first_name",
        "Surname": "last_name",
        "Date of Birth": "dob",
        "Gender": "sex",
        "Home Post Code": "postcode",
        "Council": "local_authority",
    }
    by_header = {p.header: p for p in proposal.proposals}
    assert by_header["Date of Birth"].evidence == "name 100%, 100% dates"
    assert by_header["Notes"].column is None
    assert proposal.date_format == "%d/%m/%Y"
    assert proposal.unmapped_required == [
        "source: no header looks like it; add a column naming the system the records came from (e.g. police), then map it"
    ]


def test_values_decide_between_headers_and_weaken_a_name_they_contradict(tmp_path):
    path = _write(tmp_path, "people.csv", [
        "ID,System,DOB,D.O.B,Sex",
        "1,police,unknown,2008-03-04,1",
        "2,police,n/a,2007-11-11,2",
    ])
    proposal = propose_column_map(path, "people")
    assert proposal.mapping["D.O.B"] == "dob"  # dates in it; "DOB" holds none
    assert "DOB" not in proposal.mapping
    assert proposal.mapping["System"] == "source"
    assert proposal.mapping["ID"] == "record_id"
    assert proposal.date_format is None  # ISO dates need no layout
    assert proposal.values == {"people.sex": {"1": "M", "2": "F"}}
    assert proposal.unmapped_required == []


def test_a_header_whose_name_says_nothing_is_not_mapped_on_values_alone(tmp_path):
    path = _write(tmp_path, "people.csv", ["Person ID,Col7", "P1,01/02/2008", "P2,03/04/2009"])
    proposal = propose_column_map(path, "people")
    assert proposal.mapping == {"Person ID": "record_id"}


def test_the_proposal_is_a_config_that_loads_and_reads_the_file(tmp_path):
    path = _write(tmp_path, "nominals.csv", [NOMINALS[0] + ",System", *(line + ",police" for line in NOMINALS[1:])])
    proposal = propose_column_map(path, "people")
    config_path = proposal.write(tmp_path / "nominals.yaml")
    text = config_path.read_text()
    assert '    "Person Ref": record_id   # 1.00 name 100%, 100% distinct' in text
    config = load_config(config_path)
    assert config.columns == {"people": {**proposal.mapping}}
    assert config.columns["people"]["System"] == "source"
    assert config.tables == {"people": "nominals.csv"}
    # the layout is scoped to the table it was found in, so other files keep theirs
    assert config.input.date_formats == {"people": "%d/%m/%Y"}
    assert config.input.date_format == "auto"
    assert config.data == tmp_path
    dataset = load_dataset(config.data, config)
    assert len(dataset.rejects) == 0
    people = dataset["people"]
    assert people["first_name"].tolist() == ["Amy", "Ben", "Cara"]
    assert str(people["dob"].iloc[0].date()) == "2008-03-04"
    assert yaml.safe_load(text)["columns"]["people"]["Surname"] == "last_name"


def test_other_tables_map_too(tmp_path):
    path = _write(tmp_path, "crimes.csv", [
        "Crime ID,Month,Crime type,Location,Last outcome category",
        "c1,2024-03,Drugs,On or near Fishergate,Under investigation",
    ])
    proposal = propose_column_map(path, "events")
    assert proposal.mapping["Crime ID"] == "event_id"
    assert proposal.mapping["Month"] == "date"
    assert proposal.mapping["Last outcome category"] == "status"
    assert proposal.unmapped_required == [
        "event_type: no header looks like it; map the header that holds it by hand: "
        "columns: {events: {YourHeader: event_type}}"
    ]


def test_unknown_table_and_missing_file_are_errors(tmp_path):
    with pytest.raises(ConfigError, match="'peeple' is not a contract table; did you mean 'people'?"):
        propose_column_map(_write(tmp_path, "a.csv", NOMINALS), "peeple")
    with pytest.raises(DataError, match="does not exist"):
        propose_column_map(tmp_path / "nope.csv", "people")


def test_cli_prints_the_proposal_and_flags_required_columns(tmp_path):
    path = _write(tmp_path, "nominals.csv", NOMINALS)
    result = CliRunner().invoke(cli, ["import", "map", "--table", "people", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].split() == ["Person", "Ref", "record_id", "1.00", "name", "100%,", "100%", "distinct"]
    assert "required, not mapped: source: no header looks like it" in result.output
    assert "columns:\n  people:\n" in result.output


def test_cli_writes_the_config_and_will_not_replace_it_without_overwrite(tmp_path):
    path = _write(tmp_path, "nominals.csv", NOMINALS)
    target = tmp_path / "nominals.yaml"
    runner = CliRunner()
    first = runner.invoke(cli, ["import", "map", str(path), "--out", str(target)])
    assert first.exit_code == 0, first.output
    assert load_config(target).columns["people"]["Forename"] == "first_name"
    again = runner.invoke(cli, ["import", "map", str(path), "--out", str(target)])
    assert again.exit_code == 1
    assert again.output == f"Error: {target} holds an earlier proposal; pass --overwrite to replace it, or choose another file name\n"
    forced = runner.invoke(cli, ["import", "map", str(path), "--out", str(target), "--overwrite"])
    assert forced.exit_code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--table", "peeple"], "'peeple' is not a contract table; did you mean 'people'?"),
        ([], "is empty; it needs a header line"),
    ],
)
def test_cli_user_mistakes_are_one_error_line(tmp_path, args, message):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = CliRunner().invoke(cli, ["import", "map", *args, str(empty)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1
