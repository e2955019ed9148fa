"""Resolution end to end on a synthetic world, and the resolve / evaluate commands."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.cli import cli
from linkage.read import load_dataset
from linkage.config import config_from_dict
from linkage.resolve import ResolveSettings, evaluate_entities, evaluate_files, resolve_people
from linkage.synth import generate_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    generate_world(folder, scale="small", seed=5)
    return folder


@pytest.fixture(scope="module")
def people(world):
    return load_dataset(world)["people"]


@pytest.fixture(scope="module")
def truth(world):
    return pd.read_csv(world / "truth" / "records.csv", dtype=str).set_index("record_id")["person_id"]


@pytest.fixture(scope="module")
def resolution(people):
    return resolve_people(people)


def test_resolution_finds_the_people_behind_the_records(resolution, truth):
    predicted = resolution.entities.set_index("record_id")["entity_id"]
    scores = evaluate_entities(predicted, truth.loc[predicted.index])
    # a false merge of two children is worse than a missed link: precision first
    assert scores["pairwise_precision"] >= 0.99
    assert scores["pairwise_f1"] >= 0.95
    assert scores["bcubed_f1"] >= 0.97


def test_every_record_gets_exactly_one_entity(resolution, people):
    entities = resolution.entities
    assert list(entities.columns) == ["record_id", "entity_id"]
    assert sorted(entities["record_id"]) == sorted(people["record_id"])
    assert entities["record_id"].is_unique


def test_linked_pairs_are_above_the_threshold_and_review_pairs_in_the_band(resolution):
    settings = ResolveSettings()
    pairs = resolution.match_pairs
    linked = pairs[pairs["decision"] == "linked"]
    assert (linked["match_probability"] >= settings.threshold).all()
    review = resolution.review_queue
    assert set(review["decision"]) <= {"review", "review_disagrees", "review_common_values"}
    plain = review[review["decision"] == "review"]
    assert plain["match_probability"].between(settings.review_from, settings.threshold, inclusive="left").all()


def test_the_same_input_gives_the_same_resolution(people, resolution):
    again = resolve_people(people)
    assert again.entities.equals(resolution.entities)
    assert again.match_pairs.equals(resolution.match_pairs)


def test_a_saved_model_scores_the_same_pairs_the_same_way(people, resolution, tmp_path):
    path = resolution.model.save(tmp_path / "model.json")
    reused = resolve_people(people, ResolveSettings(model=path))
    pd.testing.assert_series_equal(reused.match_pairs["match_probability"], resolution.match_pairs["match_probability"])
    assert reused.entities.equals(resolution.entities)


def test_labelled_pairs_train_m(people, truth, tmp_path):
    ids = people["record_id"].to_numpy()
    same_person = truth.loc[ids].reset_index()
    pairs = same_person.merge(same_person, on="person_id")
    pairs = pairs[pairs["record_id_x"] < pairs["record_id_y"]].head(300)
    labels = tmp_path / "labels.csv"
    pd.DataFrame({"record_id_a": pairs["record_id_x"], "record_id_b": pairs["record_id_y"], "is_match": 1}).to_csv(labels, index=False)
    result = resolve_people(people, ResolveSettings(labels=labels))
    assert "labelled" in result.model.info["m_from"]
    predicted = result.entities.set_index("record_id")["entity_id"]
    assert evaluate_entities(predicted, truth.loc[predicted.index])["pairwise_precision"] >= 0.98


def test_evaluate_counts_pairs_and_bcubed_by_hand():
    predicted = pd.Series({"a": "1", "b": "1", "c": "1", "d": "2"})
    truth = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    scores = evaluate_entities(predicted, truth)
    # predicted pairs ab ac bc (3), true pairs ab cd (2), both: ab (1)
    assert scores["pairwise_precision"] == pytest.approx(1 / 3, abs=1e-6)
    assert scores["pairwise_recall"] == pytest.approx(1 / 2)
    assert scores["bcubed_precision"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4, abs=1e-6)
    assert scores["bcubed_recall"] == pytest.approx((1 + 1 + 1 / 2 + 1 / 2) / 4)


def test_cli_resolve_writes_the_contract_outputs(world, tmp_path, truth):
    out = tmp_path / "resolved"
    result = CliRunner().invoke(cli, ["resolve", str(world), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "entities" in result.output
    for name in ("entities.csv", "match_pairs.csv", "review_queue.csv", "model.json", "rejects.csv"):
        assert (out / name).is_file()
    pairs = pd.read_csv(out / "match_pairs.csv")
    assert list(pairs.columns[:3]) == ["record_id_a", "record_id_b", "match_probability"]
    assert json.loads((out / "model.json").read_text())["model"] == "fellegi-sunter"
    scores = evaluate_files(out / "entities.csv", world / "truth" / "records.csv")
    assert scores["pairwise_precision"] >= 0.99


def test_cli_resolve_keeps_ids_with_previous_entities(world, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    runner = CliRunner()
    assert runner.invoke(cli, ["resolve", str(world), "--out", str(first)]).exit_code == 0
    result = runner.invoke(cli, ["resolve", str(world), "--out", str(second), "--previous", str(first / "entities.csv")])
    assert result.exit_code == 0, result.output
    assert (first / "entities.csv").read_bytes() == (second / "entities.csv").read_bytes()


def test_cli_explain_blocking_counts_pairs_per_rule_before_scoring(world, tmp_path):
    result = CliRunner().invoke(cli, ["resolve", str(world), "--out", str(tmp_path), "--explain-blocking"])
    assert result.exit_code == 0, result.output
    assert "candidate pairs per blocking rule" in result.output
    assert "dob_unordered & last_initial" in result.output and "largest blocks" in result.output
    assert not (tmp_path / "entities.csv").exists()
    table = pd.read_csv(tmp_path / "blocking.csv")
    assert table["pairs"].iloc[-1] <= table["pairs"].iloc[:-1].sum()


def test_cli_evaluate_prints_the_figures(world, tmp_path):
    out = tmp_path / "resolved"
    CliRunner().invoke(cli, ["resolve", str(world), "--out", str(out)])
    result = CliRunner().invoke(cli, ["evaluate", str(out / "entities.csv"), str(world / "truth" / "records.csv")])
    assert result.exit_code == 0
    for figure in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1"):
        assert figure in result.output


def test_cli_evaluate_with_a_missing_file_is_one_error_line(tmp_path):
    result = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "nope.csv"), str(tmp_path / "truth.csv")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "nope.csv does not exist" in result.output
    assert "Traceback" not in result.output


def test_cli_resolve_reports_config_problems_before_reading(world, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("resolve:\n  threshold: 2\n  blocking: [[dob, no_such_key]]\n")
    result = CliRunner().invoke(cli, ["resolve", str(world), "--out", str(tmp_path / "o"), "--config", str(config)])
    assert result.exit_code == 1
    assert "threshold" in result.output and "no_such_key" in result.output
    assert not (tmp_path / "o").exists()


def test_run_resolves_before_later_stages(world, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text(f"job: {{name: t}}\ndata: {world}\n")
    out = tmp_path / "job"
    result = CliRunner().invoke(cli, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"entities.csv", "match_pairs.csv", "review_queue.csv", "model.json"} <= set(manifest["outputs"])
    assert manifest["summary"]["resolution"]["entities"] < manifest["summary"]["resolution"]["records"]
    # `linkage resolve` runs the job's own resolve stage: the same files, byte for byte
    alone = tmp_path / "alone"
    result = CliRunner().invoke(cli, ["resolve", str(world), "--config", str(config), "--out", str(alone)])
    assert result.exit_code == 0, result.output
    for name in ("entities.csv", "match_pairs.csv", "review_queue.csv", "model.json", "blocking.csv", "rejects.csv"):
        assert (alone / name).read_bytes() == (out / name).read_bytes(), name


def test_records_without_any_names_resolve_on_what_they_have(people):
    """An SSDA903 import has no names: no crash; the rules derived from the columns the data has (dob,
    postcode, sex) link the records, and so do rules the config gives."""
    nameless = people.head(300).copy()
    nameless["first_name"] = None
    nameless["last_name"] = None
    twin = nameless.iloc[[0]].copy()
    twin["record_id"] = "copy-of-" + twin["record_id"]
    records = pd.concat([nameless, twin], ignore_index=True)
    original = nameless["record_id"].iloc[0]

    default = resolve_people(records)
    derived = default.entities.set_index("record_id")["entity_id"]
    assert derived[original] == derived["copy-of-" + original]
    assert not any(key.startswith(("first_name", "last_name", "name")) for rule in default.settings.blocking for key in rule.keys)

    settings = config_from_dict({"resolve": {"blocking": [["dob", "postcode"], ["dob", "sex"]]}}).resolve
    entity = resolve_people(records, settings).entities.set_index("record_id")["entity_id"]
    assert len(entity) == 301
    assert entity[original] == entity["copy-of-" + original]
