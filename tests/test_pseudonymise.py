"""Pseudonymisation: keyed, consistent across tables and agencies, the key written nowhere; Bloom names still link."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import PLANTED, REPO_ROOT
from linkage.cli import cli
from linkage.bloom import BLOOM_PREFIX, BloomEncoder, bloom_matrix, dice_pairs, is_bloom_series
from linkage.pseudonymise import (
    Pseudonymiser,
    PseudonymKeyError,
    check_key,
    load_key,
    normalise_identifier,
    postcode_sector,
    pseudonymise_dataset,
)
from linkage.read import load_dataset
from linkage.resolve import evaluate_entities, resolve_people
from linkage.resolve._compare import coded_dice
from linkage.resolve._prepare import prepare_records

DEMO = REPO_ROOT / "synthetic_data" / "demo"
KEY_TEXT = "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa0123"


@pytest.fixture(scope="module")
def key():
    return check_key(KEY_TEXT, "test key")


@pytest.fixture(scope="module")
def key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("key") / "linkage.key"
    path.write_text(KEY_TEXT + "\n")
    return path


@pytest.fixture(scope="module")
def demo_pseudo(tmp_path_factory, key) -> Path:
    out = tmp_path_factory.mktemp("pseudo") / "demo"
    pseudonymise_dataset(DEMO, out, key)
    return out


@pytest.fixture(scope="module")
def demo_bloom(tmp_path_factory, key) -> Path:
    out = tmp_path_factory.mktemp("bloom") / "demo"
    pseudonymise_dataset(DEMO, out, key, bloom_names=True)
    return out


def _read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


# -- the key ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fragment",
    [("", "is empty"), ("   \n", "is empty"), ("abc123", "too short"), ("ab" * 20, "too weak"), ("0123456789" * 2, "too short")],
)
def test_weak_or_empty_keys_are_refused_without_quoting_them(text, fragment):
    with pytest.raises(PseudonymKeyError) as info:
        check_key(text, "key file k")
    assert fragment in str(info.value)
    assert "secrets.token_hex" in str(info.value)
    if text.strip():
        assert text.strip() not in str(info.value)


def test_key_from_file_and_from_environment_agree(key_file, monkeypatch):
    monkeypatch.setenv("LINKAGE_TEST_KEY", KEY_TEXT)
    from_file = load_key(key_file=key_file)
    from_env = load_key(key_env="LINKAGE_TEST_KEY")
    assert from_file.secret == from_env.secret
    assert from_file.fingerprint == from_env.fingerprint and len(from_file.fingerprint) == 16
    assert KEY_TEXT not in repr(from_file) and KEY_TEXT not in str(from_env)


def test_missing_key_sources_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("LINKAGE_NO_SUCH_KEY", raising=False)
    with pytest.raises(PseudonymKeyError, match="LINKAGE_NO_SUCH_KEY is not set"):
        load_key(key_env="LINKAGE_NO_SUCH_KEY")
    with pytest.raises(PseudonymKeyError, match="does not exist"):
        load_key(key_file=tmp_path / "nope.key")
    with pytest.raises(PseudonymKeyError, match="either as --key-file"):
        load_key()


# -- normalisation and tokens ------------------------------------------------------------


def test_phone_formats_normalise_to_one_value():
    forms = ["07700 900123", "07700-900123", "+44 7700 900123", "+44 (0)7700 900123", "0044 7700 900123", "(07700) 900 123"]
    assert {normalise_identifier(f) for f in forms} == {"tel:07700900123"}
    assert normalise_identifier("AB12 CDE") == normalise_identifier("ab12cde") == "ab12cde"
    assert normalise_identifier("@Some.Handle") == "some.handle"
    assert normalise_identifier("07700 900124") != normalise_identifier("07700 900123")


def test_postcodes_are_cut_to_their_sector():
    assert postcode_sector("pr1 4ab") == "PR1 4"
    assert postcode_sector("PR14AB") == "PR1 4"
    assert postcode_sector("BB9 1") == "BB9 1"
    assert postcode_sector("FY1") == "FY1"
    assert postcode_sector("not a postcode") is None
    assert postcode_sector(None) is None


def test_tokens_are_consistent_keyed_and_normalised(key):
    tokens = Pseudonymiser(key)
    other = Pseudonymiser(check_key(secrets.token_hex(32), "another key"))
    assert tokens.name_token("  Zoë  ") == tokens.name_token("ZOE") == tokens.name_token("zoe")
    assert tokens.name_token("Zoe") != other.name_token("Zoe")
    assert tokens.name_token("Zoe").isalpha() and len(tokens.name_token("Zoe")) == 16
    assert tokens.identifier_token("+44 7700 900123") == tokens.identifier_token("07700900123")
    assert tokens.id_token("P1") != tokens.id_token("p1")  # ids are opaque: case is kept
    assert tokens.id_token("P1") == tokens.id_token(" P1 ")
    # ids, identifiers and names use different sub-keys: the same text gives unrelated pseudonyms
    assert tokens.id_token("07700900123") != tokens.identifier_token("07700900123")
    assert tokens.id_token(None) is None and tokens.name_token("  ") is None


# -- the dataset --------------------------------------------------------------------------


def test_every_table_is_written_and_still_validates_with_no_rejects(demo_pseudo):
    before = load_dataset(DEMO)
    after = load_dataset(demo_pseudo)
    assert set(after.tables) == set(before.tables)
    assert len(after.rejects) == 0
    for table in before.tables:
        assert len(after[table]) == len(before[table]), table


def test_ids_and_references_join_through_the_same_pseudonyms(demo_pseudo, key):
    tokens = Pseudonymiser(key)
    people = _read(DEMO, "people")
    out_people = _read(demo_pseudo, "people")
    assert list(out_people["record_id"]) == list(tokens.ids(people["record_id"]))
    placements = _read(demo_pseudo, "placements")
    assert set(placements["record_id"]) <= set(out_people["record_id"])
    assert set(placements["location_id"]) <= set(_read(demo_pseudo, "locations")["location_id"])
    contacts = _read(demo_pseudo, "contacts")
    assert set(contacts["from_identifier"]) <= set(_read(demo_pseudo, "identifiers")["identifier"])
    found_with = _read(demo_pseudo, "missing_episodes")["found_with"]
    items = {item for cell in found_with if cell for item in cell.split(";")}
    assert items and items <= set(out_people["record_id"])


def test_no_direct_identifier_survives(demo_pseudo):
    people = _read(DEMO, "people")
    text = "\n".join((demo_pseudo / f"{t}.csv").read_text() for t in ("people", "placements", "identifiers", "contacts", "associations"))
    for record_id in people["record_id"].head(200):
        assert record_id not in text
    out = _read(demo_pseudo, "people")
    assert not (set(people["last_name"].str.lower()) & set(out["last_name"])) - {""}
    phones = _read(DEMO, "identifiers")["identifier"]
    assert not (set(phones) & set(_read(demo_pseudo, "identifiers")["identifier"])) - {""}
    assert (out["postcode"].str.len() <= 6).all()
    assert list(out["dob"]) == list(people["dob"])  # kept: needed to link
    locations = _read(demo_pseudo, "locations")
    private = locations["category"].isin(["address", "foster_home", "children_home"])
    assert (locations.loc[private, "name"] == "").all()
    assert (locations.loc[~private & (locations["category"] == "hotel"), "name"] != "").any()


def test_the_key_is_written_nowhere(demo_pseudo, demo_bloom, key):
    secret = KEY_TEXT.encode()
    for folder in (demo_pseudo, demo_bloom):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert secret not in data and secret[:32] not in data, path
    report = json.loads((demo_pseudo / "pseudonymisation.json").read_text())
    assert report["key_fingerprint"] == key.fingerprint
    assert report["columns"]["people"]["record_id"].startswith("id pseudonym")
    assert report["tables"]["people"]["rows"] == 2061


def test_two_agencies_with_the_same_key_get_the_same_pseudonyms(write_dataset, key, tmp_path):
    police = write_dataset("police", only=("people",))
    council = write_dataset(
        "council",
        only=("people",),
        replace={"people": "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags\n"
                           "007,social_care,  AMY ,smith,2008-03-04,F,pr14ab,Preston,"},
    )
    a = _read(pseudonymise_dataset(police, tmp_path / "a", key).folder, "people").iloc[0]
    b = _read(pseudonymise_dataset(council, tmp_path / "b", key).folder, "people").iloc[0]
    for column in ("record_id", "first_name", "last_name", "postcode", "dob"):
        assert a[column] == b[column], column
    c = _read(pseudonymise_dataset(police, tmp_path / "c", check_key(secrets.token_hex(32), "k2")).folder, "people").iloc[0]
    assert c["record_id"] != a["record_id"] and c["first_name"] != a["first_name"]


def test_bad_rows_are_still_rejected_for_the_same_reasons(write_dataset, key, tmp_path):
    folder = write_dataset(append=PLANTED)
    before = load_dataset(folder).rejects
    after = load_dataset(pseudonymise_dataset(folder, tmp_path / "p", key).folder).rejects
    assert list(after["table"]) == list(before["table"])
    assert list(after["row"]) == list(before["row"])
    assert list(after["column"]) == list(before["column"])


def test_extra_columns_dropped_unless_named_and_dob_coarsened(write_dataset, key, tmp_path):
    people = (
        "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags,nhs_number,address,nickname\n"
        "P1,police,Amy,Smith,2008-03-04,F,PR1 4AB,Preston,,943 476 5919,1 High St,Ames\n"
        "P2,police,Ben,Jones,2007-11,M,,Preston,,9434765919,2 Low St,\n"
    )
    folder = write_dataset(only=("people",), replace={"people": people})
    result = pseudonymise_dataset(folder, tmp_path / "p", key, dob="year", hash_columns=("nhs_number",), keep_columns=("nickname",))
    out = _read(result.folder, "people")
    assert "address" not in out.columns and result.dropped_columns == {"people": ["address"]}
    assert any("address" in note and "--hash-column" in note for note in result.notes)
    assert out["nhs_number"][0] == out["nhs_number"][1] and "943" not in out["nhs_number"][0]
    assert list(out["nickname"]) == ["Ames", ""]
    assert list(out["dob"]) == ["2008", "2007"]


def test_refuses_to_replace_a_folder_or_write_over_its_input(dataset_folder, key, tmp_path):
    from linkage.errors import JobExistsError, LinkageError

    pseudonymise_dataset(dataset_folder, tmp_path / "p", key)
    with pytest.raises(JobExistsError, match="--overwrite"):
        pseudonymise_dataset(dataset_folder, tmp_path / "p", key)
    pseudonymise_dataset(dataset_folder, tmp_path / "p", key, overwrite=True)
    with pytest.raises(LinkageError, match="is the dataset"):
        pseudonymise_dataset(dataset_folder, dataset_folder, key, overwrite=True)


# -- Bloom filters ------------------------------------------------------------------------


def test_bloom_dice_follows_name_similarity(key):
    encoder = BloomEncoder(key.derive("bloom names"))
    names = ["smith", "smyth", "smith", "jones", "smithe"]
    encoded = np.array([encoder.encode(n) for n in names], dtype=object)
    assert all(e.startswith(BLOOM_PREFIX) for e in encoded)
    matrix = bloom_matrix(encoded)
    a, b = np.array([0, 0, 0, 0]), np.array([2, 1, 4, 3])
    dice = dice_pairs(matrix, a, b)
    assert dice[0] == pytest.approx(1.0)
    assert 0.5 < dice[1] < 0.9 and 0.7 < dice[2] < 1.0
    assert dice[3] < 0.3
    # another key: the same name gives an unrelated filter
    other = BloomEncoder(check_key(secrets.token_hex(32), "k").derive("bloom names")).encode("smith")
    assert dice_pairs(bloom_matrix(np.array([encoded[0], other], dtype=object)), np.array([0]), np.array([1]))[0] < 0.4


def test_coded_dice_matches_a_direct_computation(key):
    encoder = BloomEncoder(key.derive("bloom names"))
    vocabulary = np.array([encoder.encode(n) for n in ["anna", "hannah", "ana", "joanna", "bob"]], dtype=object)
    rng = np.random.default_rng(0)
    a = rng.integers(-1, 5, 500)
    b = rng.integers(-1, 5, 500)
    fast = coded_dice(a, b, vocabulary)
    bits = np.unpackbits(bloom_matrix(vocabulary), axis=1).astype(bool)
    for i in range(len(a)):
        if a[i] < 0 or b[i] < 0:
            assert fast[i] == 0
            continue
        x, y = bits[a[i]], bits[b[i]]
        assert fast[i] == pytest.approx(2 * (x & y).sum() / (x.sum() + y.sum()), abs=1e-6)


def test_resolver_recognises_bloom_names_and_links_a_misspelling(demo_bloom):
    people = load_dataset(demo_bloom)["people"]
    assert is_bloom_series(people["first_name"])
    records = prepare_records(people)
    assert records.bloom_names
    result = resolve_people(people)
    assert any("Dice" in note for note in result.notes)
    assert set(result.match_pairs["first_name_level"]) >= {"exact", "dice_high"}


def test_pseudonymised_linkage_keeps_most_of_its_accuracy(demo_pseudo, demo_bloom, key):
    """Measured on the demo world: clear names F1 0.985; HMAC names 0.93; Bloom names 0.95."""
    truth = _read(DEMO / "truth", "records").set_index("record_id")["person_id"]
    mapped = truth.copy()
    mapped.index = Pseudonymiser(key).ids(pd.Series(truth.index, dtype="str")).to_numpy()
    scores = {}
    for name, folder in (("hmac", demo_pseudo), ("bloom", demo_bloom)):
        entities = resolve_people(load_dataset(folder)["people"]).entities.set_index("record_id")["entity_id"]
        scores[name] = evaluate_entities(entities.loc[mapped.index], mapped)
    assert scores["hmac"]["pairwise_precision"] >= 0.99 and scores["bloom"]["pairwise_precision"] >= 0.99
    assert scores["hmac"]["pairwise_recall"] >= 0.8
    assert scores["bloom"]["pairwise_recall"] > scores["hmac"]["pairwise_recall"] + 0.02


# -- the command line -----------------------------------------------------------------------


def test_cli_pseudonymise_with_key_file_and_env(dataset_folder, key_file, tmp_path, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(cli, ["pseudonymise", str(dataset_folder), str(tmp_path / "out"), "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    assert "people: 4 rows" in result.output and "key fingerprint" in result.output
    assert KEY_TEXT not in result.output
    monkeypatch.setenv("LINKAGE_KEY", KEY_TEXT)
    again = runner.invoke(cli, ["pseudonymise", str(dataset_folder), str(tmp_path / "env"), "--key-env", "LINKAGE_KEY", "--bloom-names"])
    assert again.exit_code == 0, again.output
    assert _read(tmp_path / "env", "people")["record_id"].tolist() == _read(tmp_path / "out", "people")["record_id"].tolist()
    assert _read(tmp_path / "env", "people")["first_name"].str.startswith(BLOOM_PREFIX).all()


def test_cli_pseudonymise_refuses_a_weak_key(dataset_folder, tmp_path):
    weak = tmp_path / "weak.key"
    weak.write_text("password")
    result = CliRunner().invoke(cli, ["pseudonymise", str(dataset_folder), str(tmp_path / "out"), "--key-file", str(weak)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the key in key file") and "too short" in result.output
    assert "password" not in result.output
    assert not (tmp_path / "out").exists()


def test_partner_headers_are_read_as_contract_columns_and_pseudonymised(tmp_path, key):
    """A Forename/Surname/D.O.B. extract is pseudonymised as the job would read it: no name left in clear."""
    data = tmp_path / "extract"
    data.mkdir()
    (data / "people.csv").write_text(
        "Record ID,Source,Forename,Surname,D.O.B.,Post Code\n"
        "P1,police,Kayleigh,Ashworth,04/03/2008,PR1 4AB\n"
        "P2,health,Kayleigh,Ashworth,04/03/2008,PR1 4AB\n"
        "P3,police,Jordan,Whitehead,17/11/2009,BB1 2CD\n"
    )
    result = pseudonymise_dataset(data, tmp_path / "out", key)
    assert any("'Forename' as first_name" in note and "'Surname' as last_name" in note for note in result.notes)
    written = (tmp_path / "out" / "people.csv").read_text()
    for clear in ("Kayleigh", "Ashworth", "Jordan", "Whitehead", "PR1 4AB"):
        assert clear not in written
    people = pd.read_csv(tmp_path / "out" / "people.csv", dtype=str)
    assert {"first_name", "last_name", "dob", "postcode"} <= set(people.columns)
    assert people["first_name"].iloc[0] == people["first_name"].iloc[1] != people["first_name"].iloc[2]
    assert people["postcode"].tolist()[:1] == ["PR1 4"]
