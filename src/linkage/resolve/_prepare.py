"""Prepare person records for comparison: normalised names, nickname groups, date and postcode parts.

Everything is computed once per distinct value (names and postcodes repeat a
lot), and kept as arrays aligned with the records.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..bloom import is_bloom_series
from ..read import map_unique

__all__ = ["UK_POSTCODE_PATTERN", "Records", "normalise_phone", "prepare_records", "normalise_name", "soundex", "nickname_groups", "key_codes"]

_NOT_LETTERS = re.compile(r"[^a-z]")


def normalise_name(value: object) -> str | None:
    """``"  Zoë O'Brien-Smith "`` -> ``"zoeobriensmith"``; empty -> None."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
    text = _NOT_LETTERS.sub("", text)
    return text or None


_SOUNDEX_CODES = {c: str(d) for d, letters in enumerate(["aeiouyhw", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r"]) for c in letters}


def soundex(name: str | None) -> str | None:
    """American Soundex of a normalised name (``robert`` -> ``R163``)."""
    if not name:
        return None
    first = name[0]
    digits = []
    previous = _SOUNDEX_CODES.get(first, "")
    for char in name[1:]:
        code = _SOUNDEX_CODES.get(char, "")
        if code and code != "0" and code != previous:
            digits.append(code)
        if char not in "hw":
            previous = code
    return (first.upper() + "".join(digits) + "000")[:4]


@lru_cache(maxsize=1)
def nickname_groups() -> dict[str, tuple[str, ...]]:
    """name -> the canonical names it belongs to (a canonical name belongs to itself)."""
    groups: dict[str, set[str]] = {}
    with resources.files("linkage").joinpath("data/nicknames.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            canonical = normalise_name(row["name"])
            if not canonical:
                continue
            groups.setdefault(canonical, set()).add(canonical)
            for variant in row["variants"].split(";"):
                variant = normalise_name(variant)
                if variant:
                    groups.setdefault(variant, set()).add(canonical)
    return {name: tuple(sorted(canon)) for name, canon in groups.items()}


_UK_OUTWARD = r"(GIR|[A-Z]{1,2}[0-9][A-Z0-9]?)"
#: a whole or partial UK postcode (``PR1 4AB``, ``PR1 4``, ``PR1``), upper case, one space at most
UK_POSTCODE_PATTERN = rf"^{_UK_OUTWARD}( ?[0-9]([A-Z]{{2}})?)?$"
_UK_FULL = re.compile(rf"^{_UK_OUTWARD} ?([0-9][A-Z]{{2}})$")
_UK_SECTOR = re.compile(rf"^{_UK_OUTWARD} ([0-9])[A-Z]?$")
_UK_DISTRICT = re.compile(rf"^{_UK_OUTWARD}$")


def _postcode_parts(value: object) -> tuple[str | None, str | None, str | None]:
    """(full, sector, district) of a postcode.

    UK postcodes give all three (``PR1 4AB`` -> ``PR14AB``, ``PR1 4``, ``PR1``);
    a partial one (``PR1 4``, ``PR1``) gives what it has.  Anything else (a
    foreign postcode) is its own sector and district, so that blocking rules
    on them still work; compared, it agrees in full or not at all.
    """
    if not isinstance(value, str):
        return None, None, None
    text = " ".join(re.sub(r"[^A-Z0-9 ]", "", value.upper()).split())
    if not text:
        return None, None, None
    match = _UK_FULL.match(text)
    if match:
        outward, inward = match.groups()
        return f"{outward}{inward}", f"{outward} {inward[0]}", outward
    match = _UK_SECTOR.match(text)
    if match:
        outward, digit = match.groups()
        return None, f"{outward} {digit}", outward
    match = _UK_DISTRICT.match(text)
    if match:
        return None, None, match.group(1)
    whole = text.replace(" ", "")
    return whole, whole, whole


@dataclass
class Records:
    """Prepared records, every array aligned with ``record_id``."""

    record_id: np.ndarray
    columns: dict[str, pd.Series]
    dob_days: np.ndarray  # days since 1970-01-01, or INT_MIN when unknown
    dob_year: np.ndarray
    dob_month: np.ndarray
    dob_day: np.ndarray
    dob_precision: np.ndarray  # 3 day, 2 month, 1 year, 0 unknown
    name_frequency: dict[str, pd.Series] = field(default_factory=dict)
    #: names are keyed Bloom filters (``linkage pseudonymise --bloom-names``): compared by Dice similarity
    bloom_names: bool = False
    _codes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.record_id)

    def key(self, name: str) -> pd.Series:
        return self.columns[name]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Integer code per record (-1 unknown) and the distinct values, computed once per key.

        First and last names share one vocabulary, so a first name's code can
        be compared with a last name's (swapped names).
        """
        if name not in self._codes:
            if name in ("first_name", "last_name"):
                both = pd.concat([self.columns["first_name"], self.columns["last_name"]], ignore_index=True)
                codes, uniques = pd.factorize(both, use_na_sentinel=True)
                n = len(self)
                self._codes["first_name"] = (codes[:n].astype(np.int64), np.asarray(uniques, dtype=object))
                self._codes["last_name"] = (codes[n:].astype(np.int64), np.asarray(uniques, dtype=object))
            else:
                codes, uniques = pd.factorize(self.columns[name], use_na_sentinel=True)
                self._codes[name] = (codes.astype(np.int64), np.asarray(uniques, dtype=object))
        return self._codes[name]


UNKNOWN_DAY = np.iinfo(np.int64).min


def _normalise_text(value: object) -> str | None:
    """An extra column's value, trimmed, lower case, inner spaces single; empty -> None."""
    if not isinstance(value, str):
        return None
    return " ".join(value.lower().split()) or None


def _bloom_surrogate(value: object) -> str | None:
    """Letters standing for one Bloom-encoded name, so name-derived blocking keys agree where names agree exactly."""
    if not isinstance(value, str):
        return None
    number = int.from_bytes(hashlib.sha256(value.encode("utf-8")).digest()[:8], "big")
    letters = []
    for _ in range(12):
        number, digit = divmod(number, 26)
        letters.append(chr(ord("a") + digit))
    return "".join(letters)


def normalise_phone(value: object) -> str | None:
    """The last ten digits of a phone number (``+44 (0)7700 900123`` and ``07700900123`` agree); None without six."""
    if not isinstance(value, str):
        return None
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 6 else None


def _unordered(a: pd.Series, b: pd.Series, separator: str) -> pd.Series:
    """``min(a, b) + separator + max(a, b)`` per record (``"smith|john"`` and ``"john|smith"`` agree), in Arrow."""
    in_order = (a <= b).to_numpy()
    return a.where(in_order, b) + separator + b.where(in_order, a)


def _dob_keys(year: np.ndarray, month: np.ndarray, day: np.ndarray, precision: np.ndarray) -> dict[str, pd.Series]:
    """The date of birth blocking keys as text (``1984-05-29``, ``1984-5-29`` unordered, ``1984``, ``1984-05``).

    Written once per distinct date and precision (some 25,000 at 1M records), then gathered.
    """
    code, distinct = pd.factorize(((year * 100 + month) * 100 + day) * 4 + precision)
    precision, date = distinct % 4, distinct // 4
    year, month, day = date // 10000, date // 100 % 100, date % 100
    day_known = precision == 3
    year_text = pd.Series(year.astype(str), dtype="str")
    month_text = pd.Series(np.char.zfill(month.astype(str), 2), dtype="str")
    day_text = pd.Series(np.char.zfill(day.astype(str), 2), dtype="str")
    lo = np.minimum(month, day)
    hi = np.maximum(month, day)
    keys = {
        "dob": (year_text + "-" + month_text + "-" + day_text).where(day_known),
        "dob_unordered": (year_text + "-" + pd.Series(lo.astype(str), dtype="str") + "-"
                          + pd.Series(hi.astype(str), dtype="str")).where(day_known),
        "dob_year": year_text.where(precision > 0),
        "dob_year_month": (year_text + "-" + month_text).where(precision >= 2),
    }
    return {name: pd.Series(values.array.take(code)) for name, values in keys.items()}


def _postcode_keys(postcode: pd.Series) -> dict[str, pd.Series]:
    """Full, sector and district of each record's postcode (``_postcode_parts`` once per distinct postcode)."""
    code, distinct = pd.factorize(postcode, use_na_sentinel=True)
    parts = [_postcode_parts(value) for value in distinct] + [_postcode_parts(None)]
    at = np.where(code < 0, len(distinct), code)
    return {name: pd.Series(pd.array([p[i] for p in parts], dtype="str").take(at))
            for i, name in enumerate(("postcode", "postcode_sector", "postcode_district"))}


def prepare_records(
    people: pd.DataFrame, *, extra_columns: tuple[str, ...] = (), phone_columns: tuple[str, ...] = ()
) -> Records:
    """Derive every key and comparison input from the ``people`` table.

    Bloom-encoded names (``clk1:...``, from ``linkage pseudonymise
    --bloom-names``) are kept as they are for comparison by Dice similarity;
    the blocking keys derived from names then stand for the exact encoding.

    Records come in ``record_id`` order, whatever the order of the rows: u
    sampling, EM sums, blocking and clustering then depend on the records'
    values only, and every pair of positions ``i < j`` is (smaller id, larger id).
    """
    people = people.sort_values("record_id", key=lambda ids: ids.astype(str), kind="stable").reset_index(drop=True)
    bloom = is_bloom_series(people["first_name"]) or is_bloom_series(people["last_name"])
    if bloom:
        first_compared = people["first_name"].astype("str")
        last_compared = people["last_name"].astype("str")
        first = map_unique(first_compared, _bloom_surrogate, dtype="str")
        last = map_unique(last_compared, _bloom_surrogate, dtype="str")
    else:
        first = map_unique(people["first_name"], normalise_name, dtype="str")
        last = map_unique(people["last_name"], normalise_name, dtype="str")
        first_compared, last_compared = first, last
    groups = nickname_groups()
    canonical = map_unique(first, lambda v: (groups.get(v) or (v,))[0] if isinstance(v, str) else None, dtype="str")
    columns: dict[str, pd.Series] = {
        "first_name": first_compared,
        "last_name": last_compared,
        "first_name_canonical": canonical,
        "first_initial": canonical.str[0],
        "last_initial": last.str[0],
        "last_name_prefix": last.str[:3],
        "first_name_sound": map_unique(first, soundex, dtype="str"),
        "last_name_sound": map_unique(last, soundex, dtype="str"),
    }
    both = (first.notna() & last.notna()).to_numpy()
    columns["name_set"] = _unordered(first.fillna(""), last.fillna(""), "|").where(both)
    columns["initials_set"] = _unordered(first.str[0].fillna(""), last.str[0].fillna(""), "").where(both)

    dob = people["dob"]
    precision_text = people["dob_precision"] if "dob_precision" in people else pd.Series("day", index=people.index)
    precision = precision_text.map({"day": 3, "month": 2, "year": 1}).fillna(0).astype("int8").to_numpy()
    precision = np.where(dob.notna().to_numpy(), precision, 0).astype(np.int8)
    known = precision > 0
    dob_days = np.full(len(people), UNKNOWN_DAY, dtype=np.int64)
    dob_days[known] = dob[known].to_numpy().astype("datetime64[D]").astype(np.int64)
    year = np.where(known, dob.dt.year.fillna(0).to_numpy(dtype=np.int64), 0)
    month = np.where(precision >= 2, dob.dt.month.fillna(0).to_numpy(dtype=np.int64), 0)
    day = np.where(precision >= 3, dob.dt.day.fillna(0).to_numpy(dtype=np.int64), 0)
    columns.update(_dob_keys(year, month, day, precision))
    columns.update(_postcode_keys(people["postcode"]))
    sex = people["sex"].where(people["sex"].isin(["M", "F"]))
    columns["sex"] = sex.astype("str")
    columns["source"] = people["source"].astype("str")
    for name in extra_columns:
        if name in people:
            normalise = normalise_phone if name in phone_columns else _normalise_text
            columns[f"column:{name}"] = map_unique(people[name], normalise, dtype="str")
    records = Records(
        record_id=people["record_id"].astype(str).to_numpy(dtype=object),
        columns=columns,
        dob_days=dob_days,
        dob_year=year,
        dob_month=month,
        dob_day=day,
        dob_precision=precision,
        bloom_names=bloom,
    )
    for name in ("first_name", "last_name"):
        values = columns[name]
        frequency = values.value_counts(normalize=True, dropna=True)
        records.name_frequency[name] = frequency
    return records


def key_codes(records: Records, keys: tuple[str, ...]) -> np.ndarray:
    """One integer per record for the combined ``keys`` (-1 when any key is unknown)."""
    combined = np.zeros(len(records), dtype=np.int64)
    unknown = np.zeros(len(records), dtype=bool)
    for key in keys:
        if key not in records.columns:
            raise KeyError(key)
        codes, uniques = records.codes(key)
        unknown |= codes < 0
        combined = combined * (len(uniques) + 1) + np.maximum(codes, 0)
        if len(keys) > 1:
            combined, _ = pd.factorize(combined)
            combined = combined.astype(np.int64)
    combined[unknown] = -1
    return combined
