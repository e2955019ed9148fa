"""Property tests for the column parsers: any text is parsed or flagged, never an exception."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from linkage.contract import LOCATION_CATEGORIES, PLACEMENT_TYPES, SSDA903_PLACE_CODES
from linkage.read._parse import (
    FALSE_WORDS,
    TRUE_WORDS,
    date_precision,
    parse_bool,
    parse_date,
    parse_enum,
    parse_float,
    parse_int,
    parse_list,
)

# cells as the reader hands them over: text, or missing (None)
cells = st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=12)
# text that looks nearly like the values the parsers accept
near_dates = st.from_regex(r"\A[0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?\Z")
near_numbers = st.from_regex(r"\A[-+]?[0-9]{0,25}(\.[0-9]{0,5})?([eE][-+]?[0-9]{1,4})?\Z")

ENUM = PLACEMENT_TYPES + SSDA903_PLACE_CODES


def series(values) -> pd.Series:
    return pd.Series(values, dtype="str")


def check_shape(parsed, text: pd.Series) -> None:
    """Every present cell is either parsed or flagged; missing cells are neither."""
    present = text.notna().to_numpy()
    assert parsed.bad.dtype == bool
    assert len(parsed.bad) == len(text)
    assert list(parsed.values.index) == list(text.index)
    assert not (parsed.bad & ~present).any()
    parsed_ok = parsed.values.notna().to_numpy()
    assert (parsed_ok == (present & ~parsed.bad)).all()


# --- dates --------------------------------------------------------------------


@given(st.one_of(cells, st.lists(st.one_of(st.none(), near_dates), max_size=12)), st.booleans())
@example(["2021-03-04T10:00:00Z", "2021-03-04T10:00:00"], True)
@example(["2021-03-04T10:00:00+01:00", "2021-03-04T10:00:00-05:00"], True)
@example(["\u0662\u0660\u0662\u0661-\u0660\u0663-\u0660\u0664"], False)  # Arabic-Indic digits
@example([], False)
@example([None, None], True)
def test_parse_date_never_raises(values, with_time):
    text = series(values)
    parsed = parse_date(text, with_time=with_time)
    check_shape(parsed, text)
    assert str(parsed.values.dtype) == "datetime64[s]"
    assert isinstance(parsed.reason, str) and "is not a valid" in parsed.reason


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=8), st.sampled_from(["%d/%m/%Y", "%Y%m%d", "%d.%m.%y"]))
def test_parse_date_with_a_layout_never_raises(values, layout):
    text = series(values)
    parsed = parse_date(text, date_format=layout)
    check_shape(parsed, text)
    assert f"({layout})" in parsed.reason


@given(st.lists(st.dates(min_value=dt.date(1000, 1, 1)), min_size=1, max_size=10))
def test_iso_dates_round_trip(dates):
    parsed = parse_date(series([d.isoformat() for d in dates]))
    assert not parsed.bad.any()
    assert parsed.values.tolist() == [pd.Timestamp(d) for d in dates]


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_partial_dates_round_trip_to_the_first_day(date):
    text = series([date.isoformat(), date.isoformat()[:7], date.isoformat()[:4]])
    parsed = parse_date(text)
    assert not parsed.bad.any()
    assert parsed.values.tolist() == [
        pd.Timestamp(date),
        pd.Timestamp(date.year, date.month, 1),
        pd.Timestamp(date.year, 1, 1),
    ]
    assert date_precision(text).tolist() == ["day", "month", "year"]


@given(st.lists(st.datetimes(min_value=dt.datetime(1000, 1, 1)), min_size=1, max_size=10), st.sampled_from(["T", " "]))
def test_iso_datetimes_round_trip_to_the_second(moments, separator):
    parsed = parse_date(series([m.isoformat(sep=separator, timespec="seconds") for m in moments]), with_time=True)
    assert not parsed.bad.any()
    assert parsed.values.tolist() == [pd.Timestamp(m.replace(microsecond=0)) for m in moments]


@given(
    st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2100, 1, 1)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_datetimes_with_offsets_become_utc(moment, minutes):
    zone = dt.timezone(dt.timedelta(minutes=minutes))
    aware = moment.replace(microsecond=0, tzinfo=zone)
    # an offset row mixed with a plain one must not break the column
    parsed = parse_date(series([aware.isoformat(), "2021-03-04T22:15:00"]), with_time=True)
    assert not parsed.bad.any()
    expected = aware.astimezone(dt.timezone.utc).replace(tzinfo=None)
    assert parsed.values.tolist() == [pd.Timestamp(expected), pd.Timestamp("2021-03-04 22:15:00")]


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_dates_in_a_configured_layout_round_trip(date):
    parsed = parse_date(series([date.strftime("%d/%m/%Y")]), date_format="%d/%m/%Y")
    assert not parsed.bad.any()
    assert parsed.values.tolist() == [pd.Timestamp(date)]


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["%d/%m/%Y", "%Y/%m/%d", "%d %B %Y", "%Y%m%d"]))
def test_non_iso_dates_are_flagged(date, layout):
    text = series([date.strftime(layout)])
    assert parse_date(text).bad.tolist() == [True]


@pytest.mark.parametrize(
    "text",
    ["2021-02-30", "2021-13-01", "2021-00", "21-03-04", "2021-3-4", "2021-03-04T22:15", "tomorrow", "", "2021-03-04 "],
)
def test_impossible_or_malformed_dates_are_flagged(text):
    parsed = parse_date(series([text, "2021-03-04"]))
    assert parsed.bad.tolist() == [True, False]
    assert parsed.reason.startswith("is not a valid date; write it as 2021-03-04 (ISO 8601)")


def test_a_date_column_does_not_take_times():
    parsed = parse_date(series(["2021-03-04T22:15:00"]), with_time=True)
    assert parsed.bad.tolist() == [False]
    assert parse_date(series(["2021-03-04T22:15:00"]), with_time=False).bad.tolist() == [True]


# --- booleans -------------------------------------------------------------------------


@given(cells)
def test_parse_bool_never_raises(values):
    text = series(values)
    parsed = parse_bool(text)
    check_shape(parsed, text)
    assert str(parsed.values.dtype) == "boolean"


@given(st.lists(st.tuples(st.sampled_from(TRUE_WORDS + FALSE_WORDS), st.booleans()), min_size=1, max_size=10))
def test_bool_words_round_trip_in_any_case(words):
    text = series([w.upper() if upper else w for w, upper in words])
    parsed = parse_bool(text)
    assert not parsed.bad.any()
    assert parsed.values.tolist() == [w in TRUE_WORDS for w, _ in words]


@given(st.text(min_size=1, max_size=10).filter(lambda t: t.lower() not in TRUE_WORDS + FALSE_WORDS))
def test_other_words_are_not_booleans(word):
    parsed = parse_bool(series([word]))
    assert parsed.bad.tolist() == [True]
    assert parsed.reason == "is not true or false; write true or false (yes/no, y/n, 1/0 are read too)"


# --- whole numbers --------------------------------------------------------------------


@given(st.one_of(cells, st.lists(st.one_of(st.none(), near_numbers), max_size=12)), st.sampled_from([None, 0]))
@example(["inf", "-inf", "nan", "1e400", "99999999999999999999", "9223372036854775808"], 0)
@example(["9223372036854775808", "1"], None)
def test_parse_int_never_raises(values, minimum):
    text = series(values)
    parsed = parse_int(text, minimum=minimum)
    check_shape(parsed, text)
    assert str(parsed.values.dtype) == "Int64"


@given(st.lists(st.integers(min_value=-(2**53), max_value=2**53), min_size=1, max_size=10))
def test_integers_round_trip(numbers):
    parsed = parse_int(series([str(n) for n in numbers]))
    assert not parsed.bad.any()
    assert parsed.values.tolist() == numbers


@given(st.integers(min_value=1, max_value=10**9))
def test_counts_below_the_minimum_are_flagged(number):
    parsed = parse_int(series([str(-number), str(number)]), minimum=0)
    assert parsed.bad.tolist() == [True, False]
    assert parsed.values.tolist()[1] == number
    assert parsed.reason == "is not a whole number of at least 0; write digits only, e.g. 3"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9).filter(lambda x: x != int(x)))
def test_fractions_are_not_whole_numbers(number):
    assert parse_int(series([repr(number)])).bad.tolist() == [True]


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "1e400", "1e19", "12abc", "3,000", "0x1A", "١٢"])
def test_text_that_is_no_whole_number_is_flagged(text):
    parsed = parse_int(series([text, "7"]))
    assert parsed.bad.tolist() == [True, False]
    assert parsed.values.tolist() == [pd.NA, 7]


# --- decimal numbers ---------------------------------------------------------------------


@given(st.one_of(cells, st.lists(st.one_of(st.none(), near_numbers), max_size=12)))
@example(["inf", "-inf", "nan", "NaN", "1e400", "-0"])
def test_parse_float_never_raises(values):
    text = series(values)
    parsed = parse_float(text, minimum=-90, maximum=90)
    check_shape(parsed, text)
    assert parsed.values.dtype == np.float64


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=10))
def test_floats_round_trip(numbers):
    parsed = parse_float(series([repr(x) for x in numbers]))
    assert not parsed.bad.any()
    assert parsed.values.tolist() == numbers


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_outside_the_range_are_flagged(number):
    parsed = parse_float(series([repr(number)]), minimum=-90, maximum=90)
    assert parsed.bad.tolist() == [not -90 <= number <= 90]
    assert parsed.reason == "is not a number between -90 and 90; write a decimal number such as 53.7632"
    if not parsed.bad[0]:
        assert parsed.values.iloc[0] == number
    else:
        assert math.isnan(parsed.values.iloc[0])


# --- enums --------------------------------------------------------------------------------


@given(cells, st.sampled_from([ENUM, LOCATION_CATEGORIES, ("M", "F", "U")]))
@example(["CSEE", "foster", None, "A3"], ENUM)
@example(["{'x'}", "'", "\\"], ("M", "F", "U"))
def test_parse_enum_never_raises(values, allowed):
    text = series(values)
    parsed = parse_enum(text, allowed, table="people", column="sex")
    check_shape(parsed, text)
    assert set(parsed.values.dropna()) <= set(allowed)
    if parsed.bad.any():
        for value, reason in zip(text[parsed.bad], parsed.reason[parsed.bad]):
            assert reason.startswith(f"is not one of {', '.join(allowed)}; ")
            assert f"values: {{people.sex: {{'{value}': " in reason


@st.composite
def respelled(draw, allowed):
    """A contract value written with another case and spaces or hyphens for underscores."""
    value = draw(st.sampled_from(allowed))
    chars = [c.upper() if draw(st.booleans()) else c.lower() for c in value]
    text = "".join(chars)
    return value, text.replace("_", draw(st.sampled_from(["_", " ", "-"])))


@given(st.lists(respelled(LOCATION_CATEGORIES + ENUM), min_size=1, max_size=10))
def test_enum_spellings_map_to_the_contract_spelling(pairs):
    allowed = tuple(dict.fromkeys(LOCATION_CATEGORIES + ENUM))
    parsed = parse_enum(series([text for _, text in pairs]), allowed, table="locations", column="category")
    assert not parsed.bad.any()
    assert parsed.values.tolist() == [value for value, _ in pairs]


@given(st.text(min_size=1, max_size=15))
def test_values_not_in_the_list_are_flagged(text):
    allowed = ("live", "closed")
    parsed = parse_enum(series([text]), allowed, table="events", column="status")
    # only a respelling of an allowed value (case, spaces and hyphens aside) is accepted
    respelling = re.sub(r"[\s\-]+", "_", text.strip().lower()) in allowed
    assert parsed.bad.tolist() == [not respelling]
    if respelling:
        assert parsed.values.tolist() == [re.sub(r"[\s\-]+", "_", text.strip().lower())]
    else:
        assert parsed.values.isna().all()


def test_enum_suggests_the_close_value_whatever_its_case():
    parsed = parse_enum(series(["CSEE", "drugz", "xyz"]), ("CSE", "CCE", "drugs"), table="events", column="category")
    assert parsed.bad.tolist() == [True, True, True]
    assert parsed.reason.tolist() == [
        "is not one of CSE, CCE, drugs; did you mean 'CSE'? correct it, or map your value in the job config: "
        "values: {events.category: {'CSEE': CSE}}",
        "is not one of CSE, CCE, drugs; did you mean 'drugs'? correct it, or map your value in the job config: "
        "values: {events.category: {'drugz': drugs}}",
        # no close value and no 'other': the hint names the choices rather than guess one
        "is not one of CSE, CCE, drugs; correct it, or map your value in the job config: "
        "values: {events.category: {'xyz': <CSE, CCE or drugs>}}",
    ]


@pytest.mark.parametrize(
    ("code", "target"),
    [("1", "M"), ("2", "F"), ("0", "U"), ("9", "U"), ("Male", "M"), ("female", "F"), ("7", "U"), ("Q", "U")],
)
def test_sex_code_hints_follow_the_ons_coding_and_never_map_2_to_m(code, target):
    from linkage.read._parse import SEX_CODES

    parsed = parse_enum(series([code]), ("M", "F", "U"), table="people", column="sex", known=SEX_CODES)
    assert parsed.reason.iloc[0].endswith(f"values: {{people.sex: {{'{code}': {target}}}}}")


# --- lists -------------------------------------------------------------------------------------


@given(cells)
def test_parse_list_never_raises_or_flags(values):
    text = series(values)
    parsed = parse_list(text)
    assert not parsed.bad.any()
    for cell, items in zip(values, parsed.values):
        assert isinstance(items, tuple)
        assert all(item and item == item.strip() and ";" not in item for item in items)
        if cell is None:
            assert items == ()


tokens = st.text(alphabet=st.characters(blacklist_characters=";", blacklist_categories=("Cs",)), min_size=1, max_size=8)


@given(st.lists(st.lists(tokens.filter(lambda t: t.strip()), max_size=5), min_size=1, max_size=6))
def test_lists_round_trip(lists):
    parsed = parse_list(series([";".join(items) for items in lists]))
    assert parsed.values.tolist() == [tuple(item.strip() for item in items) for items in lists]


def test_list_ignores_empty_items_and_spaces():
    assert parse_list(series(["a; b;;c", ";", None, "x"])).values.tolist() == [("a", "b", "c"), (), (), ("x",)]


# --- dates in any layout (read_dates): detected per column, never an exception but AmbiguousDates ------------

any_dates = st.lists(
    st.one_of(
        st.none(),
        st.text(alphabet="0123456789/-.: TAPMZ+", max_size=22),
        st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
        st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d %b %Y")),
        st.integers(0, 99_999).map(str),
        st.sampled_from(["31/02/2020", "1819-12-55", "2008-13", "0001-01-01", "44259.75", "04-MAR-21", "13/13/13"]),
    ),
    max_size=12,
)


@given(any_dates, st.booleans(), st.booleans(), st.sampled_from(["auto", "ISO8601", "%d/%m/%Y", "%m/%d/%y", "%Y%m%d", "%d.%m.%Y %H:%M"]))
def test_read_dates_reads_or_explains_every_value(values, with_time, partial, layout):
    from linkage.read._dates import AmbiguousDates, DateRules, read_dates

    text = series(values)
    try:
        read = read_dates(text, DateRules(date_format=layout, day_first=False, with_time=with_time, partial=partial))
    except AmbiguousDates as exc:
        assert layout == "auto" and exc.examples
        return
    got = read.series(text.index)
    bad = read.bad_mask()
    kept = read.kept_mask()
    present = text.notna().to_numpy()
    assert not (bad & ~present).any() and not (kept & ~present).any()
    # a value is read whole, kept in part (a date of birth's month or year), or cleared with a reason
    assert (got.notna().to_numpy() == kept).all()
    assert (present <= (kept | bad)).all()
    if not partial:
        assert not (kept & bad).any()
    reasons = read.reason_series(text.index)
    assert (reasons[bad].str.len() > 0).all()
    years = got.dropna().dt.year
    assert years.between(1900, 2100).all()
