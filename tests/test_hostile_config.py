"""Configs, model files and names as an attacker writes them; data that tries to drive the terminal.

Each case runs the real command and expects one ``Error:`` line (exit 1, no
traceback) that says what to fix, or, for output, that no control character
reaches the terminal raw and no value floods it.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from conftest import LANCASHIRE_YAML, assert_one_error as one_error
from linkage._terminal import terminal_safe
from linkage.cli import cli
from linkage.config import load_config
from linkage.config._yaml import MAX_YAML_BYTES
from linkage.errors import ConfigError

#: nine levels of nine aliases: 10^9 strings in a few hundred bytes
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def run_with(tmp_path, dataset_folder, text: str):
    """``linkage run`` with the config ``text`` into tmp_path/out."""
    config = tmp_path / "job.yaml"
    config.write_text(text, encoding="utf-8")
    return invoke("run", config, "--data", dataset_folder, "--out", tmp_path / "out")


def validate_with(tmp_path, dataset_folder, text: str | bytes):
    config = tmp_path / "job.yaml"
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_text(text, encoding="utf-8")
    return invoke("validate", dataset_folder, "--config", config)


# --- YAML: expansion, cycles, depth, size --------------------------------------------------


@pytest.mark.parametrize(
    "text, fragment",
    [
        (BILLION_LAUGHS, "billion laughs"),
        ("a: &a [*a]\n", "an alias refers to a value that contains it (line 1)"),
        ("job: &j {name: x, seed: *j}\n", "an alias refers to a value that contains it"),
        ("a: &a {b: &b {c: *a}}\n", "an alias refers to a value that contains it"),
        ("x: " + "[" * 100_000 + "]" * 100_000 + "\n", "nests deeper than 50 levels"),
        ("x:\n" + "".join(" " * (2 * i) + f"- k{i}:\n" for i in range(1, 300)), "nests deeper than 50 levels"),
        ("s: &s '" + "x" * 100_000 + "'\nl: [" + ", ".join(["*s"] * 200) + "]\n", "expand to more than"),
        ("s: &s x\nl: [" + ", ".join(["*s"] * 2000) + "]\n", "uses aliases (*name) more than 1000 times"),
        ("a: &a [[[[[[[[[[x]]]]]]]]]]\n" + "".join(f"l{i}: &l{i} [*l{i - 1}]\n".replace("*l0", "*a") for i in range(1, 50)),
         "nesting deeper than 50 levels"),
        ("job: {name: [unclosed\n", "is not valid YAML"),
        ("job: !!python/object/apply:os.system ['echo pwned']\n", "is not valid YAML"),
        ("? [a, b]\n: c\n", "is not valid YAML"),
    ],
    ids=["billion-laughs", "self-alias", "mapping-cycle", "indirect-cycle", "deep-flow", "deep-block", "wide-string",
         "many-aliases", "deep-by-alias", "unclosed", "python-tag", "unhashable-key"],
)
def test_hostile_yaml_is_a_clear_error(tmp_path, dataset_folder, text, fragment):
    result = validate_with(tmp_path, dataset_folder, text)
    one_error(result, fragment)
    assert len(result.output) < 2000


def test_a_file_too_large_to_be_a_config_is_refused_before_parsing(tmp_path, dataset_folder):
    result = validate_with(tmp_path, dataset_folder, "# padding\n" * (MAX_YAML_BYTES // 10 + 1))
    one_error(result, "is larger than 1024 KB")


def test_a_geography_file_gets_the_same_limits(tmp_path, dataset_folder):
    (tmp_path / "geo.yaml").write_text(BILLION_LAUGHS)
    one_error(validate_with(tmp_path, dataset_folder, "geography: geo.yaml\n"), "geo.yaml is refused", "billion laughs")


def test_an_alias_expanded_value_never_floods_the_terminal(tmp_path, dataset_folder):
    text = "s: &s '" + "x" * 9_000 + "'\nl: &l [" + ", ".join(["*s"] * 200) + "]\nseed: *l\n"
    result = validate_with(tmp_path, dataset_folder, text)
    one_error(result, "seed ['xxx", "must be a whole number")
    assert len(result.output) < 2000


def test_the_config_as_a_library_refuses_the_same(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text(BILLION_LAUGHS)
    with pytest.raises(ConfigError, match="billion laughs"):
        load_config(path)


# --- unknown keys, everywhere ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("sed: 3\n", "unknown setting 'sed' (did you mean 'seed'?)"),
        ("job: {nmae: x}\n", "job: unknown setting 'nmae' (did you mean 'name'?)"),
        ("tables: {peple: p.csv}\n", "tables: unknown table 'peple' (did you mean 'people'?)"),
        ("columns: {people: {Forename: frist_name}}\n", "did you mean 'first_name'?"),
        ("values: {people.sexx: {'1': M}}\n", "did you mean 'people.sex'?"),
        ("input: {encodng: utf-8}\n", "input: unknown setting 'encodng' (did you mean 'encoding'?)"),
        ("analyses: {suppres_below: 5}\n",
         "analyses: unknown analysis 'suppres_below' (did you mean the top-level setting 'suppress_below'?)"),
        ("analyses: {clusters: {min_sise: 2}}\n", "analyses.clusters: unknown setting 'min_sise' (did you mean 'min_size'?)"),
        ("report: {title: x}\n", "report: unknown setting 'title'"),
        ("output: {folder: x}\n", "'output' must be a folder path"),
        ("data: [a, b]\n", "'data' must be a folder path"),
        ("resolve: {treshold: 0.9}\n", "resolve: unknown setting 'treshold' (did you mean 'threshold'?)"),
        ("resolve: {comparisons: [{column: dob, knd: dob}]}\n", "unknown setting 'knd' (did you mean 'kind'?)"),
        ("network: {min_overlap_day: 1}\n", "network: unknown setting 'min_overlap_day' (did you mean 'min_overlap_days'?)"),
        ("exports: {max_edge: 10}\n", "exports: unknown setting 'max_edge' (did you mean 'max_edges'?)"),
        ("views: {max_cluster: 3}\n", "views: unknown setting 'max_cluster' (did you mean 'max_clusters'?)"),
        ("geography: {force: L, bcus: {}, neighbouring_force: {}}\n", "did you mean 'neighbouring_forces'?"),
    ],
)
def test_every_section_refuses_unknown_keys_with_a_suggestion(tmp_path, dataset_folder, text, fragment):
    one_error(run_with(tmp_path, dataset_folder, text), fragment)
    assert not (tmp_path / "out").exists()


def test_validate_checks_the_stage_sections_too(tmp_path, dataset_folder):
    one_error(validate_with(tmp_path, dataset_folder, "views: {max_cluster: 3}\n"), "did you mean 'max_clusters'?")


# --- names and paths with NUL and control characters -------------------------------------------


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('job: {name: "a\\0b"}\n', "job name 'a\\x00b' contains the control character '\\x00'"),
        ('job: {name: "x\\e]0;pwned\\a"}\n', "contains the control character '\\x1b'"),
        ('job: {name: "' + "n" * 300 + '"}\n', "characters long; keep it to 100"),
        ('tables: {people: "people\\0.csv"}\n', "tables.people 'people\\x00.csv' contains the control character"),
        ('data: "data\\nx"\n', "'data' 'data\\nx' contains the control character '\\n'"),
        ('geography: "geo\\0.yaml"\n', "contains the control character '\\x00'"),
        ('output: "out\\x7f"\n', "contains the control character '\\x7f'"),
    ],
)
def test_control_characters_in_names_and_paths_are_refused(tmp_path, dataset_folder, text, fragment):
    result = run_with(tmp_path, dataset_folder, text)
    one_error(result, fragment)
    assert "\x00" not in result.output and "\x1b" not in result.output


# --- model, overrides and labels files ---------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b"{}", b'{"comparisons": 5, "prior": 0.1}', b'{"comparisons": [], "prior": 2}',
     b'{"comparisons": [{"column": "dob"}], "prior": 0.1}', b'{"comparisons": ["x"], "prior": 0.1}',
     b"[" * 100_000, b"\xff\xfe\x00junk", b'{"comparisons": [], "prior": "NaN"}', b'{"comparisons": [], "prior": 0.1, "info": 3}'],
    ids=["empty", "list", "no-keys", "comparisons-not-list", "prior-2", "comparison-no-kind", "comparison-str",
         "deep", "binary", "prior-nan", "info-not-dict"],
)
def test_a_model_file_of_the_wrong_shape_is_a_clear_error(tmp_path, dataset_folder, content):
    model = tmp_path / "model.json"
    model.write_bytes(content)
    result = invoke("resolve", dataset_folder, "--out", tmp_path / "out", "--model", model)
    if result.exit_code == 0:  # only a model that is valid may pass: here, with no comparisons at all
        assert json.loads(content)["comparisons"] == [] and 0 < float(json.loads(content)["prior"]) < 1
        return
    one_error(result, "is not a linkage model file")


def test_a_model_with_m_outside_0_1_is_refused(tmp_path, dataset_folder):
    first = invoke("resolve", dataset_folder, "--out", tmp_path / "one")
    assert first.exit_code == 0, first.output
    model = json.loads((tmp_path / "one" / "model.json").read_text())
    model["comparisons"][0]["levels"][0]["m"] = 7
    (tmp_path / "bad.json").write_text(json.dumps(model))
    one_error(invoke("resolve", dataset_folder, "--out", tmp_path / "two", "--model", tmp_path / "bad.json"),
              "must be probabilities between 0 and 1")


@pytest.mark.parametrize("option, column", [("--overrides", "decision"), ("--labels", "is_match")])
@pytest.mark.parametrize("content", ["", "\n", "\ufeff"])
def test_an_empty_overrides_or_labels_file_is_a_clear_error(tmp_path, dataset_folder, option, column, content):
    path = tmp_path / "pairs.csv"
    path.write_text(content, encoding="utf-8")
    line = one_error(invoke("resolve", dataset_folder, "--out", tmp_path / "out", option, path), "is empty")
    assert f"record_id_a,record_id_b,{column}" in line


def test_an_empty_overrides_file_named_in_the_config_is_a_clear_error_in_run(tmp_path, dataset_folder):
    (tmp_path / "overrides.csv").write_text("")
    config = tmp_path / "job.yaml"
    config.write_text("resolve: {overrides: overrides.csv}\n")
    one_error(invoke("run", config, "--data", dataset_folder, "--out", tmp_path / "out"), "is empty")
    assert not (tmp_path / "out").exists()


# --- the terminal ------------------------------------------------------------------------------


def test_terminal_safe_escapes_controls_and_cuts_long_values():
    assert terminal_safe("Preston\x1b]0;pwned\x07") == "Preston\\x1b]0;pwned\\x07"
    assert terminal_safe("a\r\nb\tc\u202ed\x9b") == "a\\x0d\nb\\x09c\\u202ed\\x9b"
    assert terminal_safe("x" * 500) == "x" * 200 + "…[300 more characters]"
    assert len(terminal_safe("word " * 100_000)) < 1100
    assert len(terminal_safe("x" * 400_000_000)) < 300
    assert terminal_safe("lone \udcff surrogate") == "lone \\udcff surrogate"


def test_escape_sequences_in_the_data_never_reach_the_terminal(write_dataset, tmp_path):
    hostile = "Preston\x1b]0;pwned\x07\x1b[2J\u202e"
    people = (
        "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags,notes\n"
        f"P1,police,Amy,Smith,2008-03-04,F,PR1 4AB,{hostile},,\n"
        f"P2,police,Ben,Jones,2008-13-44,X,PR1 4AB,Preston,,{'y' * 200_000}\n"
        f"P3,{hostile},Cy,Lee,bad\x1b[31mdate,M,,Preston,,\n"
    )
    folder = write_dataset("hostile", replace={"people": people}, only=())
    config = tmp_path / "job.yaml"
    config.write_text(f"job: {{name: t}}\ngeography: {LANCASHIRE_YAML}\n")
    for args in (["validate", folder, "--config", config], ["run", config, "--data", folder, "--out", tmp_path / "job"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", result.output), result.output
        assert "\\x1b]0;pwned\\x07" in result.output
        assert max(len(line) for line in result.output.splitlines()) <= 1100
        assert len(result.output) < 50_000
