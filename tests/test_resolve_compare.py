"""Every comparison level is produced by the record differences it names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkage.resolve import ResolveSettings, prepare_records
from linkage.resolve._compare import coded_text_slip, compare_pairs, text_slip

COLUMNS = ["record_id", "source", "first_name", "last_name", "dob", "sex", "postcode"]


def _people(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    text = frame["dob"].fillna("")
    frame["dob_precision"] = np.select([text.str.len() == 10, text.str.len() == 7, text.str.len() == 4], ["day", "month", "year"], None)
    frame["dob"] = pd.to_datetime(frame["dob"], format="ISO8601").astype("datetime64[s]")
    return frame


def _level(rows: list[tuple], comparison: str) -> str:
    people = _people(rows)
    settings = ResolveSettings()
    records = prepare_records(people)
    gamma = compare_pairs(records, settings.comparisons, np.array([0]), np.array([1]))
    index = [c.name for c in settings.comparisons].index(comparison)
    level = int(gamma.levels[0, index])
    return "missing" if level < 0 else settings.comparisons[index].levels[level]


BASE = ("a", "police", "Thomas", "Walsh", "2010-04-07", "M", "PR1 4AB")


def _pair(**changes) -> list[tuple]:
    other = dict(zip(COLUMNS, BASE))
    other["record_id"] = "b"
    other.update(changes)
    return [BASE, tuple(other[c] for c in COLUMNS)]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, "exact"),
        ({"first_name": "THOMAS "}, "exact"),
        ({"first_name": "Tom"}, "nickname"),
        ({"first_name": "Thoams"}, "jaro_winkler_high"),
        ({"first_name": "Thomasz"}, "jaro_winkler_high"),
        ({"first_name": "Tamas"}, "jaro_winkler_mid"),
        ({"first_name": "Graham"}, "different"),
        ({"first_name": None}, "missing"),
        ({"first_name": "Walsh", "last_name": "Thomas"}, "exact"),
    ],
)
def test_first_name_levels(changes, expected):
    assert _level(_pair(**changes), "first_name") == expected


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, "exact"),
        ({"last_name": "Walhs"}, "jaro_winkler_high"),
        ({"last_name": "Wallis"}, "jaro_winkler_mid"),
        ({"last_name": "Ahmed"}, "different"),
        ({"last_name": None}, "missing"),
    ],
)
def test_last_name_levels(changes, expected):
    assert _level(_pair(**changes), "last_name") == expected


def test_swapped_names_are_compared_in_order_and_flagged():
    people = _people(_pair(first_name="Walsh", last_name="Thomas"))
    settings = ResolveSettings()
    gamma = compare_pairs(prepare_records(people), settings.comparisons, np.array([0]), np.array([1]))
    assert bool(gamma.names_swapped[0])
    assert gamma.levels[0, 0] == 0 and gamma.levels[0, 1] == 0



def test_swapped_names_weigh_as_the_commoner_use_of_the_name():
    """Wilson is a common surname and no one's first name: recorded the wrong way round, agreeing on it is
    agreement on a common surname, not on a first name that only this record has."""
    rows = [("a", "police", "Wilson", "Jack", None, "M", "PR1 4AB"), ("b", "health", "Jack", "Wilson", None, "M", "BB1 2CD")]
    rows += [(f"w{i}", "health", f"Name{chr(97 + i)}", "Wilson", None, "F", None) for i in range(8)]
    rows += [(f"j{i}", "health", "Jack", f"Surname{chr(97 + i)}", None, "M", None) for i in range(2)]
    records = prepare_records(_people(rows))
    gamma = compare_pairs(records, ResolveSettings().comparisons, np.array([0]), np.array([1]))
    assert bool(gamma.names_swapped[0]) and gamma.levels[0, 0] == 0 and gamma.levels[0, 1] == 0
    surname_share = records.name_frequency["last_name"]["wilson"]
    first_name_share = records.name_frequency["first_name"]["jack"]
    assert surname_share == pytest.approx(9 / 12) and first_name_share == pytest.approx(3 / 12)
    # the first-name comparison agreed on "wilson" (a's first name): it weighs as the surname it is
    assert gamma.frequency["first_name"][0] == pytest.approx(surname_share)
    # the last-name comparison agreed on "jack": as common as a first name as anything else
    assert gamma.frequency["last_name"][0] == pytest.approx(first_name_share)

@pytest.mark.parametrize(
    "dob, expected",
    [
        ("2010-04-07", "exact"),
        ("2010-07-04", "day_month_swapped"),
        ("2010-04-08", "one_day_apart"),
        ("2010-04-06", "one_day_apart"),
        ("2011-04-07", "year_apart"),
        ("2010-04-20", "same_year_month"),
        ("2010-04", "same_year_month"),
        ("2010-09-30", "same_year"),
        ("2010", "same_year"),
        ("1987-01-15", "different"),
        (None, "missing"),
    ],
)
def test_dob_levels(dob, expected):
    assert _level(_pair(dob=dob), "dob") == expected


@pytest.mark.parametrize(
    "postcode, expected",
    [
        ("PR1 4AB", "full"),
        ("pr14ab", "full"),
        ("PR1 4", "sector"),
        ("PR1 4ZZ", "sector"),
        ("PR1 9XY", "district"),
        ("PR7 4AB", "one_character_or_transposed"),  # a slip in the district
        ("RP1 4AB", "one_character_or_transposed"),  # two neighbours swapped
        ("PR7 4AC", "different"),
        ("PR11 4AB", "different"),
        ("BB2 1AA", "different"),
        (None, "missing"),
    ],
)
def test_postcode_levels(postcode, expected):
    assert _level(_pair(postcode=postcode), "postcode") == expected


@pytest.mark.parametrize(
    "zip_a, zip_b, expected",
    [
        ("72125", "72125", "full"),
        ("72125", "72128", "one_character_or_transposed"),
        ("72125", "72152", "one_character_or_transposed"),
        ("72125", "27125", "one_character_or_transposed"),
        ("72125", "72251", "different"),
        ("72125", "7212", "different"),
    ],
)
def test_a_keyed_slip_in_a_zip_has_its_own_level(zip_a, zip_b, expected):
    rows = _pair(postcode=zip_b)
    rows[0] = rows[0][:-1] + (zip_a,)
    assert _level(rows, "postcode") == expected


@pytest.mark.parametrize("sex, expected", [("M", "exact"), ("F", "different"), ("U", "missing"), (None, "missing")])
def test_sex_levels(sex, expected):
    assert _level(_pair(sex=sex), "sex") == expected


def test_extra_column_comparison():
    from linkage.resolve import Comparison

    people = _people(_pair())
    people["nhs_number"] = ["999 123", "999 123"]
    settings = ResolveSettings(comparisons=(Comparison("nhs_number", "exact"),))
    records = prepare_records(people, extra_columns=("nhs_number",))
    gamma = compare_pairs(records, settings.comparisons, np.array([0]), np.array([1]))
    assert gamma.levels[0, 0] == 0
    people.loc[1, "nhs_number"] = "111 222"
    records = prepare_records(people, extra_columns=("nhs_number",))
    assert compare_pairs(records, settings.comparisons, np.array([0]), np.array([1])).levels[0, 0] == 1


def test_missing_value_neither_rewards_nor_penalises():
    from linkage.resolve._model import FellegiSunterModel

    settings = ResolveSettings()
    people = _people(_pair(postcode=None))
    gamma = compare_pairs(prepare_records(people), settings.comparisons, np.array([0]), np.array([1]))
    m = [np.full(len(c.levels), 1 / len(c.levels)) for c in settings.comparisons]
    u = [np.linspace(1, 2, len(c.levels)) / np.linspace(1, 2, len(c.levels)).sum() for c in settings.comparisons]
    model = FellegiSunterModel(settings.comparisons, m, u, prior=0.01)
    weights = model.comparison_weights(gamma)
    assert weights[0, [c.name for c in settings.comparisons].index("postcode")] == 0.0


@pytest.mark.parametrize(
    "a, b, expected",
    [("2147", "2147", "full"), ("2147", "2148", "one_character_or_transposed"), ("2147", "2183", "different"),
     ("PR1 4AB", "2147", "different"), ("PR1", "PR1 4AB", "district")],
)
def test_postcodes_that_are_not_uk_are_compared_whole(a, b, expected):
    rows = _pair(postcode=b)
    rows[0] = BASE[:6] + (a,)
    assert _level(rows, "postcode") == expected


def test_a_slip_between_coded_values_is_the_slip_between_their_texts():
    """The postcode slip is worked out on codes (each postcode encoded once); it must say what the texts say."""
    rng = np.random.default_rng(1)
    alphabet = list("AB12 xé")
    vocabulary = np.array(sorted({"".join(rng.choice(alphabet, rng.integers(1, 6))) for _ in range(3000)}), dtype=object)
    a = rng.integers(0, len(vocabulary), 50_000)
    b = rng.integers(0, len(vocabulary), 50_000)
    expected = text_slip(vocabulary[a], vocabulary[b])
    assert expected.sum() > 50 and not expected.all()
    assert (coded_text_slip(a, b, vocabulary) == expected).all()
    assert coded_text_slip(np.array([0]), np.array([0]), np.array(["PR1 4AB"], dtype=object)).tolist() == [False]
    words = np.array(["PR1 4AB", "PR7 4AB", "PR1 A4B", "72125", "72152"], dtype=object)
    assert coded_text_slip(np.array([0, 0, 3, 0]), np.array([1, 2, 4, 3]), words).tolist() == [True, True, True, False]
