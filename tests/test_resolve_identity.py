"""People with no first name, last name or date of birth stop the resolve stage, unless the config says resolve: none."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import LANCASHIRE_YAML
from linkage.cli import cli
from linkage.config import config_from_dict, load_config
from linkage.errors import ConfigError, DataError
from linkage.job import run_job
from linkage.read import load_dataset
from linkage.read.imports import import_ssda903
from linkage.resolve import resolve_people

#: a health extract keyed on a pseudonymised NHS number: no names, no date of birth
HEALTH = [
    "record_id,source,nhs_number_pseudo,gp_practice,postcode,sex",
    "H1,health,9a41c0,P81001,PR1 4AB,F",
    "H2,health,9a41c0,P81001,PR1 4AB,F",
    "H3,health,77be02,P81044,BB1 1AA,M",
]


def _write(folder, lines, name="people.csv"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _config(**sections):
    return config_from_dict({"job": {"name": "identity"}, "geography": str(LANCASHIRE_YAML), **sections})


def test_no_name_or_dob_stops_the_job_naming_the_columns_and_the_fix(tmp_path):
    data = _write(tmp_path / "health", HEALTH)
    with pytest.raises(DataError) as caught:
        run_job(_config(), data=data, out=tmp_path / "job")
    message = str(caught.value)
    assert "no record has a first_name, last_name or dob" in message
    assert "the people columns with values are record_id, source, sex, postcode, nhs_number_pseudo, gp_practice" in message
    assert "columns: {people: {YourForenameHeader: first_name" in message and "resolve: none" in message
    assert not (tmp_path / "job").exists()
    config = tmp_path / "job.yaml"
    config.write_text(f"job: {{name: identity}}\ndata: {data}\n")
    result = CliRunner().invoke(cli, ["run", str(config), "--out", str(tmp_path / "cli-job")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert [line for line in result.output.splitlines() if line.startswith("Error:")] == [f"Error: {message}"]


def test_the_message_proposes_the_mapping_for_headers_that_mean_names_and_dob():
    people = pd.DataFrame({
        "record_id": ["A1", "A2"], "source": ["police", "police"],
        "first_name": [None, None], "last_name": [None, None], "dob": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[s]"),
        "sex": ["F", "F"], "postcode": [None, None], "flags": [(), ()],
        "Forename": ["Amy", "Amy"], "Family Name": ["Smith", "Smyth"], "D.O.B.": ["04/03/2008", "04/03/2008"],
    })
    with pytest.raises(DataError) as caught:
        resolve_people(people)
    assert "columns: {people: {Forename: first_name, Family Name: last_name, D.O.B.: dob}}" in str(caught.value)


def test_resolve_none_makes_every_record_its_own_person_and_says_so(tmp_path):
    data = _write(tmp_path / "health", HEALTH)
    result = run_job(_config(resolve="none"), data=data, out=tmp_path / "job")
    entities = pd.read_csv(tmp_path / "job" / "entities.csv", dtype=str)
    assert list(entities["record_id"]) == ["H1", "H2", "H3"] and entities["entity_id"].nunique() == 3
    assert len(pd.read_csv(tmp_path / "job" / "match_pairs.csv")) == 0
    assert not (tmp_path / "job" / "model.json").exists()
    manifest = json.loads((tmp_path / "job" / "manifest.json").read_text())
    assert manifest["summary"]["resolution"]["method"] == "none"
    assert any(n.startswith("resolve: none -- the 3 person records were not compared") for n in result.notes)
    assert result.manifest["summary"]["network"]["people"] == 3
    # the mapping form says the same
    assert config_from_dict({"resolve": {"method": "none"}}).resolve.method == "none"
    with pytest.raises(ConfigError, match="resolve.method 'nothing'"):
        config_from_dict({"resolve": {"method": "nothing"}})


def test_resolve_none_from_yaml(tmp_path):
    data = _write(tmp_path / "health", HEALTH)
    path = tmp_path / "job.yaml"
    path.write_text(f"job: {{name: identity}}\ndata: {data}\nresolve: none\n")
    config = load_config(path)
    assert config.stage("resolve") == {"method": "none"}
    result = CliRunner().invoke(cli, ["run", str(path), "--out", str(tmp_path / "job")])
    assert result.exit_code == 0, result.output
    assert "note: resolve: none -- the 3 person records were not compared" in result.output


def test_an_ssda903_import_has_dob_and_no_names_and_still_resolves(tmp_path):
    header = _write(tmp_path / "in", ["CHILD,SEX,DOB,ETHNIC,UPN", "C1,1,01/02/2008,WBRI,A100", "C2,2,15/06/2009,WBRI,A200",
                                      "C6,1,,WOTH,A800"], "header.csv") / "header.csv"
    out = tmp_path / "903"
    import_ssda903(out, header=header)
    people = load_dataset(out)["people"]
    assert people["first_name"].isna().all() and people["dob"].notna().sum() == 2
    resolution = resolve_people(people)
    assert sorted(resolution.entities["record_id"]) == ["C1", "C2", "C6"]
    assert resolution.model is not None
