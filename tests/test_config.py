"""The job config and the force's geography: defaults, the shipped files, every problem at once."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from linkage.config import (
    DEFAULT_NTE_CATEGORIES,
    InputOptions,
    JobConfig,
    config_from_dict,
    geography_from_dict,
    load_config,
    load_geography,
    normalise_authority_name,
)
from linkage.errors import ConfigError, LinkageError

from conftest import DEMO_YAML, LANCASHIRE_YAML, REPO_ROOT

# FIELD_NOTES: 14 local authorities in three police divisions (BCUs)
LANCASHIRE_BCUS = {
    "West": ["Blackpool", "Fylde", "Wyre", "Lancaster"],
    "South": ["Preston", "Chorley", "South Ribble", "West Lancashire"],
    "East": ["Blackburn with Darwen", "Burnley", "Hyndburn", "Pendle", "Ribble Valley", "Rossendale"],
}
NEIGHBOURING_FORCES = ["Cumbria", "Greater Manchester", "Merseyside", "North Yorkshire", "West Yorkshire"]


def write_yaml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults -------------------------------------------------------------------------


def test_defaults_for_everything():
    config = load_config(None)
    assert config == JobConfig()
    assert config.name == "job"
    assert config.seed == 0
    assert config.data is None and config.geography is None
    # dates in any layout a column settles, the delimiter found from the header line
    assert config.input == InputOptions(date_format="auto", encoding="auto", delimiter="auto")
    assert config.night_time_economy_categories == DEFAULT_NTE_CATEGORIES
    assert config.tables == {} and config.columns == {} and config.values == {}
    assert config.suppress_below is None
    assert config.output_folder() == Path("reports") / "job"
    assert config.stage("resolve") == {}


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_an_empty_config_file_gives_the_defaults_named_after_the_file(tmp_path, text):
    config = load_config(write_yaml(tmp_path / "weekly.yaml", text))
    assert config.name == "weekly"
    assert config.seed == 0
    assert config.input == InputOptions()


def test_paths_are_resolved_against_the_config_folder(tmp_path):
    (tmp_path / "jobs").mkdir()
    config = load_config(write_yaml(tmp_path / "jobs" / "a.yaml", "data: ../extract\noutput: out/a\n"))
    assert config.data == tmp_path / "jobs" / "../extract"
    assert config.output_folder() == tmp_path / "jobs" / "out" / "a"


def test_settings_are_read_and_normalised():
    config = config_from_dict(
        {
            "job": "weekly-2025",
            "seed": 7,
            "tables": {"people": "nominals.csv"},
            "columns": {"people": {"Forename": "first_name", "DOB": "dob", "URN": "record_id"}},
            "values": {"people.sex": {1: "M", "2": "f"}},
            "input": {"date_format": "%d/%m/%Y", "encoding": "Windows-1252", "delimiter": "tab"},
            "night_time_economy_categories": ["takeaway", "hotel"],
            "suppress_below": 5,
            "resolve": {"threshold": 0.9},
        },
        source="weekly.yaml",
    )
    assert config.name == "weekly-2025"
    assert config.seed == 7
    assert config.tables == {"people": "nominals.csv"}
    assert config.columns == {"people": {"Forename": "first_name", "DOB": "dob", "URN": "record_id"}}
    assert config.values == {"people.sex": {"1": "M", "2": "f"}}
    assert config.input == InputOptions(date_format="%d/%m/%Y", encoding="latin-1", delimiter="\t")
    assert config.night_time_economy_categories == ("takeaway", "hotel")
    assert config.suppress_below == 5
    assert config.stage("resolve") == {"threshold": 0.9}
    assert config.source == "weekly.yaml"


# --- the shipped configs ----------------------------------------------------------------


def test_demo_config_loads():
    config = load_config(DEMO_YAML)
    assert config.name == "demo"
    assert config.seed == 42
    assert config.data.resolve() == REPO_ROOT / "synthetic_data" / "demo"
    assert config.geography_path == LANCASHIRE_YAML
    assert config.geography is not None and config.geography.force == "Lancashire"
    assert config.raw["seed"] == 42


def test_lancashire_has_14_authorities_in_three_bcus(lancashire_geography):
    geography = lancashire_geography
    assert geography.force == "Lancashire"
    assert geography.bcus == ["East", "South", "West"]
    members = {bcu: [a.name for a in geography.home_authorities if a.bcu == bcu] for bcu in LANCASHIRE_BCUS}
    assert members == LANCASHIRE_BCUS
    assert len(geography.home_authorities) == 14
    assert all(a.force == "Lancashire" and a.in_force for a in geography.home_authorities)


def test_lancashire_neighbouring_forces(lancashire_geography):
    geography = lancashire_geography
    assert geography.forces == ["Lancashire", *NEIGHBOURING_FORCES]
    by_force = {}
    for a in geography.neighbour_authorities:
        assert a.bcu is None and not a.in_force
        by_force.setdefault(a.force, []).append(a.name)
    assert sorted(by_force) == NEIGHBOURING_FORCES
    assert "Manchester" in by_force["Greater Manchester"]
    assert "Liverpool" in by_force["Merseyside"]
    assert geography.lookup("Wigan").force == "Greater Manchester"


def test_every_authority_has_a_centroid_where_it_should(lancashire_geography):
    for a in lancashire_geography.home_authorities:
        assert 53.4 < a.latitude < 54.3 and -3.2 < a.longitude < -2.0, a.name
    for a in lancashire_geography.authorities:
        assert a.latitude is not None and a.longitude is not None, a.name


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Blackburn with Darwen", "Blackburn with Darwen"),
        ("BLACKBURN-WITH-DARWEN", "Blackburn with Darwen"),
        ("  south   ribble ", "South Ribble"),
        ("St. Helens", "St Helens"),
        ("Westmorland & Furness", "Westmorland and Furness"),
    ],
)
def test_authority_lookup_tolerates_spelling(lancashire_geography, spelling, name):
    assert lancashire_geography.lookup(spelling).name == name


@pytest.mark.parametrize("value", [None, "", "  ", float("nan"), "Narnia", "Morecambe"])
def test_lookup_of_unknown_or_empty_is_none(lancashire_geography, value):
    assert lancashire_geography.lookup(value) is None


def test_normalise_authority_name():
    assert normalise_authority_name(" Blackburn & Darwen ") == "blackburn and darwen"
    assert normalise_authority_name("St. Helens") == "st helens"


def test_packaged_geography_equals_configs_lancashire():
    packaged = resources.files("linkage").joinpath("data/lancashire.yaml").read_bytes()
    assert packaged == LANCASHIRE_YAML.read_bytes()


def test_geography_can_be_given_inline_and_without_centroids():
    config = config_from_dict(
        {"geography": {"force": "Testshire", "bcus": {"North": ["Aton", "Bton"], "South": {"Cton": [51.5, -0.1]}}}}
    )
    geography = config.geography
    assert [(a.name, a.bcu, a.latitude) for a in geography.authorities] == [
        ("Aton", "North", None),
        ("Bton", "North", None),
        ("Cton", "South", 51.5),
    ]
    assert geography.forces == ["Testshire"]


# --- every problem at once -------------------------------------------------------------


def test_all_problems_are_reported_together_in_one_config_error(tmp_path):
    path = write_yaml(
        tmp_path / "job.yaml",
        "seeed: 1\n"
        "seed: -1\n"
        "tables: {peeple: x.csv}\n"
        "columns: {people: {Forename: first_nme, A: dob, B: dob}}\n"
        "values: {people.sex: {'1': Male}, people.sexx: {}}\n"
        "input: {encoding: ebcdic, date_format: day first, delimiter: ';;'}\n"
        "night_time_economy_categories: [pubs]\n"
        "suppress_below: 1\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    error = info.value
    assert error.exit_code == 1
    assert error.problems == [
        "unknown setting 'seeed' (did you mean 'seed'?); the settings are job, data, output, seed, geography, tables, "
        "columns, values, input, night_time_economy_categories, suppress_below, max_reject_share, resolve, network, analyses, exports, views, report",
        "seed -1 must be a whole number >= 0, e.g. seed: 42",
        "tables: unknown table 'peeple' (did you mean 'people'?); the tables are people, locations, placements, "
        "missing_episodes, events, event_people, identifiers, contacts, associations",
        "columns.people: 'Forename' maps to 'first_nme', which is not a people column (did you mean 'first_name'?); "
        "the people columns are record_id, source, first_name, last_name, dob, sex, postcode, local_authority, flags",
        "columns.people: both 'A' and 'B' map to 'dob'; map only one",
        "values.people.sex: '1' maps to 'Male', which is not allowed; use one of M, F, U",
        "values: 'people.sexx' is not table.column (did you mean 'people.sex'?) (e.g. people.sex, locations.category)",
        "input.date_format 'day first' is neither auto, ISO8601 nor a strftime layout like '%d/%m/%Y'",
        "input.encoding 'ebcdic' is not supported; use auto, utf-8 or latin-1",
        "input.delimiter ';;' must be auto or one plain character (',', ';', '|' or tab); NUL, quotes, line breaks, "
        "letters, digits and characters outside ASCII cannot separate columns",
        "night_time_economy_categories: 'pubs' is not a location category (did you mean 'public_space'?)",
        "suppress_below 1 must be a whole number >= 2 (counts under it are shown as <N)",
    ]
    message = str(error)
    assert message.startswith(f"{path} has 12 problems:\n  unknown setting 'seeed'")
    assert message.count("\n  ") == 12


def test_one_problem_is_one_line_naming_the_file(tmp_path):
    path = write_yaml(tmp_path / "job.yaml", "seeed: 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: unknown setting 'seeed' (did you mean 'seed'?); the settings are job,")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("job: [a, b]\n", "'job' must be a mapping such as job: {name: lancashire-2025}"),
        ("job: {name: ../x}\n", None),
        ("seed: true\n", "seed True must be a whole number >= 0, e.g. seed: 42"),
        ("seed: '3'\n", "seed '3' must be a whole number >= 0, e.g. seed: 42"),
        ("geography: 5\n", "'geography' must be a file path (configs/lancashire.yaml) or a mapping with force, bcus, neighbouring_forces"),
        ("columns: [a]\n", "'columns' must map a table to {header in your file: contract column}, e.g. columns: {people: {Forename: first_name}}"),
        ("columns: {people: [a]}\n", "columns.people must map your file's headers to contract columns, e.g. {Forename: first_name}"),
        ("columns: {peple: {a: b}}\n", "columns: unknown table 'peple' (did you mean 'people'?); the tables are people, locations, placements, missing_episodes, events, event_people, identifiers, contacts, associations"),
        ("values: {locations.category: pub}\n", "values.locations.category must map your values to contract values, e.g. {pub: licensed_premises}"),
        ("input: {color: red}\n", "input: unknown setting 'color'; the settings are date_format, day_first, year_range, encoding, delimiter, map_headers"),
        ("input: csv\n", "'input' must be a mapping, e.g. input: {date_format: '%d/%m/%Y', encoding: auto}"),
        ("night_time_economy_categories: takeaway\n", "'night_time_economy_categories' must be a list of location categories, e.g. [takeaway, hotel, taxi_firm]"),
        ("suppress_below: 2.5\n", "suppress_below 2.5 must be a whole number >= 2 (counts under it are shown as <N)"),
        ("network: [1]\n", "'network' must be a mapping of settings"),
        ("- a\n- b\n", "expected a mapping of settings (key: value lines)"),
    ],
)
def test_each_bad_setting_is_named_with_its_fix(tmp_path, text, problem):
    path = write_yaml(tmp_path / "job.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    if problem is None:  # a job name that would escape reports/
        assert "job name '../x' cannot contain '/'" in str(info.value)
    else:
        assert info.value.problems == [problem]
        assert str(info.value) == f"{path}: {problem}"


def test_unknown_key_suggestion_only_when_close():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"colums": {}, "zzzzzz": 1})
    first, second = info.value.problems
    assert first.startswith("unknown setting 'colums' (did you mean 'columns'?)")
    assert second.startswith("unknown setting 'zzzzzz'; the settings are")


@pytest.mark.parametrize(
    "text, problem",
    [
        ("resolve: {min_contacts: 5}\n",
         "resolve: unknown setting 'min_contacts' ('min_contacts' is a setting of analyses.clusters, "
         "analyses.business_targets or analyses.key_people, not of resolve: move it there, e.g. "
         "analyses: {clusters: {min_contacts: 5}}); the settings are method, blocking, comparisons, threshold, "
         "review_from, max_block_size, u_sample_pairs, em_sample_pairs, em_iterations, guard_dob_days, "
         "guard_max_dob_years, review_when_different, labels, overrides, previous_entities, model"),
        ("threshold: 0.9\n",
         "unknown setting 'threshold' ('threshold' is a setting of resolve, not of the top level: move it there, "
         "e.g. resolve: {threshold: 0.9}); the settings are job, data, output, seed, geography, tables, columns, "
         "values, input, night_time_economy_categories, suppress_below, max_reject_share, resolve, network, "
         "analyses, exports, views, report"),
        ("network: {force: Lancashire}\n",
         "network: unknown setting 'force' ('force' is a setting of geography, not of network: move it there, "
         "e.g. geography: {force: Lancashire}); the settings are min_overlap_days, open_episode_hours, "
         "max_identifier_holders, open_until, tie_weights, association_weights"),
        ("analyses: {candidate_links: {max_block_size: [1, 2]}}\n",
         "analyses.candidate_links: unknown setting 'max_block_size' ('max_block_size' is a setting of resolve, "
         "not of analyses.candidate_links: move it there, e.g. resolve: {max_block_size: ...}); "
         "the settings are "),
    ],
)
def test_a_key_in_the_wrong_section_is_named_with_the_section_it_belongs_to(tmp_path, text, problem):
    path = write_yaml(tmp_path / "job.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(problem)


def test_a_key_of_its_own_section_and_of_another_keeps_did_you_mean_for_a_typo():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"resolve": {"thresold": 0.9}, "network": {"seed": 3}})
    typo, moved = info.value.problems
    assert typo.startswith("resolve: unknown setting 'thresold' (did you mean 'threshold'?); the settings are method")
    # seed is both the top level's and job's: both are named, the first as the example
    assert moved.startswith("network: unknown setting 'seed' ('seed' is a setting of job or the top level, not of "
                            "network: move it there, e.g. job: {seed: 3}); the settings are min_overlap_days")


@pytest.mark.parametrize("given", ["auto", "AUTO", " Auto ", None])
def test_year_range_auto_is_the_default_window(given):
    config = config_from_dict({"input": {"year_range": given}})
    assert config.input.year_range is None
    assert config.input == InputOptions()


def test_year_range_that_is_neither_auto_nor_two_years(tmp_path):
    path = write_yaml(tmp_path / "job.yaml", "input: {year_range: soon}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == ["input.year_range 'soon' must be auto or two years, earliest first, e.g. [1900, 2100]"]
    assert config_from_dict({"input": {"year_range": [1800, 2100]}}).input.year_range == (1800, 2100)


def test_the_example_config_in_the_docs_loads():
    """docs/configuration.md opens with a config that shows every input setting (year_range: auto among them)."""
    text = (REPO_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", text, re.S).group(1))
    assert example["input"]["year_range"] == "auto"
    config = config_from_dict(example, base=REPO_ROOT / "configs", source="docs/configuration.md")
    assert config.input.year_range is None and config.name == "demo" and config.seed == 42


def test_bad_yaml_is_one_error_naming_the_file_and_line(tmp_path):
    path = write_yaml(tmp_path / "job.yaml", "job:\n  name: [unclosed\nseed: 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path} is not valid YAML: ")
    assert "line 3" in message
    assert message.endswith("; fix the line it names")
    assert "\n" not in message


def test_config_that_is_not_utf8(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_bytes("job: {name: Zoë}\n".encode("utf-16"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path} is not UTF-8 text; save the config as UTF-8"


def test_config_with_a_bom_loads(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_bytes(b"\xef\xbb\xbfjob: {name: bom}\n")
    assert load_config(path).name == "bom"


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert str(info.value) == (
        f"config file {tmp_path / 'nope.yaml'} does not exist; pass the path of a job YAML such as configs/demo.yaml"
    )


def test_geography_problems_are_collected_with_the_config_problems(tmp_path):
    geography = write_yaml(
        tmp_path / "geo.yaml",
        "force: Testshire\n"
        "bcu: {}\n"
        "bcus:\n  North: {Aton: [53.1, -2.1], Bton: [91, 0]}\n  South: {aton: [53, -2]}\n"
        "neighbouring_forces: [x]\n",
    )
    path = write_yaml(tmp_path / "job.yaml", f"geography: {geography.name}\nseeed: 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems[1:] == [
        "unknown key 'bcu' (did you mean 'bcus'?); the keys are force, bcus, neighbouring_forces",
        "'neighbouring_forces' must map each force to its authorities",
        "bcus.North.Bton: centroid [91, 0] is not [latitude, longitude] in degrees; write it as [53.79, -2.69]",
        "authority 'aton' is listed twice (under North and South); keep one",
    ]
    assert info.value.problems[0].startswith("unknown setting 'seeed'")


def test_missing_geography_file_names_it(tmp_path):
    path = write_yaml(tmp_path / "job.yaml", "geography: nowhere.yaml\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"geography file {tmp_path / 'nowhere.yaml'} does not exist; "
        "point 'geography:' in the job config at a file like configs/lancashire.yaml"
    ]


def test_geography_that_is_not_yaml(tmp_path):
    path = write_yaml(tmp_path / "geo.yaml", "force: [\n")
    with pytest.raises(ConfigError, match=r"geo\.yaml is not valid YAML: .*line 2.*; fix the line it names"):
        load_geography(path)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([], "expected a mapping with 'force', 'bcus' and 'neighbouring_forces'"),
        ({"bcus": {"A": ["X"]}}, "'force' must name the home police force, e.g. force: Lancashire"),
        ({"force": "T"}, "'bcus' must map each BCU to its authorities, e.g. bcus: {West: {Blackpool: [53.82, -3.04]}}"),
        ({"force": "T", "bcus": {"A": "X"}}, "bcus.A: expected a mapping of authority name to [latitude, longitude]"),
        ({"force": "T", "bcus": {"A": {"X": [True, 1]}}}, "bcus.A.X: centroid [True, 1] is not [latitude, longitude] in degrees; write it as [53.79, -2.69]"),
    ],
)
def test_geography_problems(raw, problem):
    with pytest.raises(ConfigError) as info:
        geography_from_dict(raw, "geo.yaml")
    assert info.value.problems == [problem]
    assert str(info.value) == f"geo.yaml: {problem}"


def test_config_errors_are_linkage_errors():
    assert issubclass(ConfigError, LinkageError)


# --- the one model, read by one validator -----------------------------------------------


def _key_paths(cls, prefix=""):
    """Every key of the model as a path (``input.encoding``), sections walked into."""
    import dataclasses

    from linkage.config import setting_fields

    for f in setting_fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        if dataclasses.is_dataclass(default) and setting_fields(type(default)):
            yield from _key_paths(type(default), f"{prefix}{f.name}.")
        elif not dataclasses.is_dataclass(default):
            yield f"{prefix}{f.name}"


def _nested(path: str, value) -> dict:
    for part in reversed(path.split(".")):
        value = {part: value}
    return value


@pytest.mark.parametrize("path", list(_key_paths(JobConfig)))
def test_no_key_takes_a_value_of_the_wrong_shape_silently(path):
    """A nested list where a setting wants a number, a name, a flag or a mapping: one problem naming the key."""
    with pytest.raises(ConfigError) as info:
        config_from_dict(_nested(path, [[1]]))
    leaf = path.rsplit(".", 1)[-1]
    assert info.value.problems and all(leaf in problem for problem in info.value.problems), info.value.problems


def test_every_section_is_a_typed_object_with_defaults():
    from linkage.config import ExportOptions, NetworkSettings, ResolveSettings, ViewOptions

    config = config_from_dict({})
    assert (config.input, config.network, config.views, config.exports) == (
        InputOptions(), NetworkSettings(), ViewOptions(), ExportOptions())
    assert config.resolve == ResolveSettings() and config.analyses == {} and config.geography is None
    typed = config_from_dict({"seed": 3, "resolve": "none", "network": {"max_identifier_holders": 5.0},
                              "analyses": {"clusters": {"min_size": 4.0, "min_weight": 1}}})
    assert typed.resolve.method == "none" and typed.resolve.seed == 3
    assert typed.network.max_identifier_holders == 5 and isinstance(typed.network.max_identifier_holders, int)
    assert typed.analyses == {"clusters": {"min_size": 4, "min_weight": 1.0}}
    assert isinstance(typed.analyses["clusters"]["min_size"], int)
    assert isinstance(typed.analyses["clusters"]["min_weight"], float)


def test_problems_in_every_section_come_in_one_error():
    with pytest.raises(ConfigError) as info:
        config_from_dict({
            "seed": "x", "input": {"day_first": "yes"}, "resolve": {"threshold": 2, "comparisons": [{"kind": "dob"}]},
            "network": {"open_until": "soon"}, "analyses": {"clusters": {"min_size": -1}}, "exports": {"max_edges": 0},
            "views": {"max_clusters": "all"}, "geography": {"force": "T", "bcus": {"A": {"X": [99, 0]}}},
        }, source="job.yaml")
    assert info.value.problems == [
        "seed 'x' must be a whole number >= 0, e.g. seed: 42",
        "A.X: centroid [99, 0] is not [latitude, longitude] in degrees; write it as [53.79, -2.69]".replace("A.X", "bcus.A.X"),
        "input.day_first 'yes' must be true or false",
        "resolve.comparisons[1] needs a column, e.g. {column: nhs_number, kind: exact}",
        "resolve.threshold 2 must be a probability between 0 and 1, e.g. 0.95",
        "network.open_until 'soon' is not a date; write it as 2025-12-31",
        "analyses.clusters.min_size -1 must be a whole number >= 0",
        "exports.max_edges 0 must be a whole number >= 1, e.g. 500000",
        "views.max_clusters 'all' must be a whole number >= 0",
    ]
    assert str(info.value).startswith("job.yaml has 9 problems:")


def test_the_analyses_section_knows_every_analysis_the_job_runs():
    from linkage.config import ANALYSIS_FUNCTIONS
    from linkage.job._analyses import ANALYSES

    assert {a.main: (a.module, a.main) for a in ANALYSES} == ANALYSIS_FUNCTIONS


def test_an_analysis_option_with_a_least_value_above_0_says_so():
    assert config_from_dict({"analyses": {"clusters": {"passes": 1}}}).analyses == {"clusters": {"passes": 1}}
    with pytest.raises(ConfigError) as info:
        config_from_dict({"analyses": {"clusters": {"passes": 0}}})
    assert info.value.problems == ["analyses.clusters.passes 0 must be a whole number >= 1"]
