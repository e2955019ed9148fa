"""Pseudonymise a whole dataset folder: the same tables out, direct identifiers replaced.

Works on the text of each file (before validation), so a row the recipient's
``linkage validate`` would reject is still rejected there, for the same
reason, and references between tables still join: every id and every column
that refers to one goes through the same keyed HMAC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..config import JobConfig
from ..contract import TABLE_ORDER, TABLES
from ..errors import DataError, LinkageError
from ..files import KIND_PSEUDONYMISED, config_inputs, job_folder, manifest_kind, write_csv, write_json
from ..read import (
    apply_value_maps,
    find_table_files,
    map_unique,
    mapped_headers_note,
    parse_date,
    read_raw_table,
    table_headers,
)
from ._key import Key
from ..config import normalise_authority_name
from ..synth import default_geography
from ._normalise import postcode_sector
from ._scrub import NameScrubber
from ._tokens import Pseudonymiser

__all__ = [
    "PseudonymiseResult",
    "pseudonymise_dataset",
    "ID_COLUMNS",
    "ID_LIST_COLUMNS",
    "IDENTIFIER_COLUMNS",
    "NAME_COLUMNS",
    "POSTCODE_COLUMNS",
    "PRIVATE_LOCATION_CATEGORIES",
    "DOB_CHOICES",
]

#: columns holding an id, or a reference to one: pseudonymised with one sub-key so joins survive
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("record_id",),
    "locations": ("location_id",),
    "placements": ("placement_id", "record_id", "location_id"),
    "missing_episodes": ("episode_id", "record_id", "from_location_id", "found_location_id"),
    "events": ("event_id", "location_id"),
    "event_people": ("event_id", "record_id"),
    "identifiers": ("owner_id",),
    "associations": ("record_id_a", "record_id_b"),
}
ID_LIST_COLUMNS: dict[str, tuple[str, ...]] = {"missing_episodes": ("found_with",)}
#: phones, vehicles, e-mails, handles: normalised (phone formats, case, spaces), then pseudonymised
IDENTIFIER_COLUMNS: dict[str, tuple[str, ...]] = {
    "identifiers": ("identifier",),
    "contacts": ("from_identifier", "to_identifier"),
}
NAME_COLUMNS: dict[str, tuple[str, ...]] = {"people": ("first_name", "last_name")}
POSTCODE_COLUMNS: dict[str, tuple[str, ...]] = {"people": ("postcode",), "locations": ("postcode",)}
#: places where people live: their names are removed and coordinates rounded to ~1 km
PRIVATE_LOCATION_CATEGORIES = ("address", "foster_home", "children_home")
DOB_CHOICES = ("keep", "month", "year")
_ISO_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _numbers_as_numbers(values: pd.Series, kind: str) -> pd.Series:
    """Plain numbers as numbers, so that ``-2.7`` is not taken for a formula when written; other text stays."""

    def convert(cell):
        if isinstance(cell, str) and _NUMBER.match(cell):
            number = float(cell)
            if kind == "int" and number.is_integer() and abs(number) < 2**53:
                return int(number)
            return number if np.isfinite(number) else cell
        return cell

    return map_unique(values, convert)


@dataclass
class PseudonymiseResult:
    folder: Path
    #: table -> rows written
    rows: dict[str, int]
    #: what was done to each column, table -> column -> action
    columns: dict[str, dict[str, str]]
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    report: dict = field(default_factory=dict)


def _coarse_dob(values: pd.Series, how: str, date_format: str) -> tuple[pd.Series, int]:
    """``YYYY-MM`` or ``YYYY``; a value that is not a date is removed (counted)."""
    width = 7 if how == "month" else 4

    def convert(cell):
        if not isinstance(cell, str):
            return None
        if _ISO_PARTIAL.match(cell):
            return cell[:width] if len(cell) >= width else cell
        return None

    out = map_unique(values, convert, dtype="str")
    other = values.notna() & out.isna()
    if other.any() and date_format != "ISO8601":
        parsed = parse_date(values[other], date_format=date_format).values
        out[other] = parsed.dt.strftime("%Y-%m" if how == "month" else "%Y")
    lost = int((values.notna() & out.isna()).sum())
    return out, lost


def _round_private(frame: pd.DataFrame, private: np.ndarray) -> None:
    for column in ("latitude", "longitude"):
        if column not in frame.columns:
            continue
        numbers = pd.to_numeric(frame[column], errors="coerce")
        rounded = numbers.round(2).astype(object).where(numbers.notna(), None)
        frame[column] = frame[column].astype(object).where(~private, rounded)


#: columns whose values are places named by the geography: a known authority is kept, other text scrubbed
AUTHORITY_COLUMNS = ("local_authority", "placing_authority")
#: contract columns pseudonymised whole (the name itself can identify, or name a person): --keep-column keeps them
PSEUDONYMISED_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {"events": ("operation",)}
#: a date or number as digits and separators: no name can hide in it
_DIGITS_ONLY = re.compile(r"^[\d\s/\-.:+TtZz]*$")


@dataclass
class _Rules:
    """What the options and the data say about every column (shared by all tables)."""

    tokens: Pseudonymiser
    scrubber: NameScrubber
    #: normalised names of the authorities in the geography
    authorities: set[str]
    bloom_names: bool
    dob: str
    date_format: str
    keep_columns: set[str]
    hash_columns: set[str]

    def named(self, names: set[str], table: str, column: str) -> bool:
        """Is ``column`` of ``table`` named in ``names`` (as ``column`` or ``table.column``)?"""
        return column in names or f"{table}.{column}" in names


def _kept_values(values: pd.Series, table: str, column: str, rules: _Rules) -> np.ndarray:
    """Cells of a contract column that cannot hold a name: an allowed code, a known authority, digits."""
    spec = TABLES[table].columns_by_name[column]
    text = values.astype("str").str.strip()
    if spec.values:
        return text.str.lower().isin({v.lower() for v in spec.values}).fillna(False).to_numpy(dtype=bool)
    if column in AUTHORITY_COLUMNS:
        return map_unique(values, lambda v: isinstance(v, str) and normalise_authority_name(v) in rules.authorities).to_numpy(dtype=bool)
    if spec.kind in ("date", "datetime", "int", "float"):
        return text.str.match(_DIGITS_ONLY).fillna(False).to_numpy(dtype=bool)
    return np.zeros(len(values), dtype=bool)


def _scrubbed(values: pd.Series, table: str, column: str, rules: _Rules, notes: list[str],
              keep: np.ndarray | None = None) -> tuple[pd.Series, str]:
    out, changed = rules.scrubber.column(values, keep)
    if changed:
        notes.append(f"{table}.{column}: person names in {changed} value(s) were replaced by their pseudonyms")
    return out, "text: every person name known from people replaced by its name pseudonym"


def _pseudonymise_table(
    name: str,
    frame: pd.DataFrame,
    rules: _Rules,
    *,
    actions: dict[str, str],
    notes: list[str],
) -> tuple[pd.DataFrame, list[str]]:
    table = TABLES[name]
    tokens = rules.tokens
    out = pd.DataFrame(index=frame.index)
    dropped = []
    private = np.zeros(len(frame), dtype=bool)
    if name == "locations" and "category" in frame.columns:
        category = frame["category"].str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
        private = category.isin(PRIVATE_LOCATION_CATEGORIES).to_numpy()
    for column in frame.columns:
        values = frame[column]
        if column in ID_COLUMNS.get(name, ()):
            out[column], actions[column] = tokens.ids(values), "id pseudonym (HMAC-SHA256)"
        elif column in ID_LIST_COLUMNS.get(name, ()):
            out[column], actions[column] = tokens.id_lists(values), "list of id pseudonyms (HMAC-SHA256)"
        elif column in IDENTIFIER_COLUMNS.get(name, ()):
            out[column], actions[column] = tokens.identifiers(values), "identifier pseudonym (normalised, HMAC-SHA256)"
        elif column in NAME_COLUMNS.get(name, ()):
            out[column] = tokens.names(values, bloom=rules.bloom_names)
            actions[column] = "name Bloom filter (CLK, keyed bigrams)" if rules.bloom_names else "name pseudonym (normalised, HMAC-SHA256)"
        elif column in POSTCODE_COLUMNS.get(name, ()):
            out[column] = map_unique(values, postcode_sector, dtype="str")
            actions[column] = "truncated to postcode sector"
            unknown = int((values.notna() & out[column].isna()).sum())
            if unknown:
                notes.append(f"{name}.{column}: {unknown} value(s) that are not UK postcodes were removed")
        elif name == "people" and column == "dob" and rules.dob != "keep":
            out[column], lost = _coarse_dob(values, rules.dob, rules.date_format)
            actions[column] = f"date of birth coarsened to {'year and month' if rules.dob == 'month' else 'year'}"
            if lost:
                notes.append(f"people.dob: {lost} value(s) that are not dates were removed")
        elif name == "locations" and column == "name":  # never kept for homes, whatever the options
            public = values.where(~private)
            if rules.named(rules.hash_columns, name, column):
                out[column], how = tokens.extras(public), "pseudonymised (normalised, HMAC-SHA256; --hash-column)"
            elif rules.named(rules.keep_columns, name, column):
                out[column], how = public, "kept as they are (--keep-column)"
            else:
                out[column], _ = _scrubbed(public, name, column, rules, notes)
                how = "kept, with every person name known from people replaced by its name pseudonym"
            actions[column] = f"removed for {', '.join(PRIVATE_LOCATION_CATEGORIES)}; for other places {how}"
        elif rules.named(rules.hash_columns, name, column):
            out[column], actions[column] = tokens.extras(values), "pseudonym (normalised, HMAC-SHA256; --hash-column)"
        elif rules.named(rules.keep_columns, name, column):
            out[column], actions[column] = values, "kept as it is (--keep-column)"
        elif column in PSEUDONYMISED_TEXT_COLUMNS.get(name, ()):
            out[column] = tokens.extras(values)
            actions[column] = f"pseudonym (normalised, HMAC-SHA256); --keep-column {column} keeps it"
        elif column in table.columns_by_name:
            kind = table.columns_by_name[column].kind
            scrubbed, action = _scrubbed(values, name, column, rules, notes, keep=_kept_values(values, name, column, rules))
            out[column] = _numbers_as_numbers(scrubbed, kind) if kind in ("int", "float") else scrubbed
            actions[column] = action
        else:
            dropped.append(column)
    if name == "locations" and private.any():
        _round_private(out, private)
        for column in ("latitude", "longitude"):
            if column in out.columns:
                actions[column] = f"kept for businesses; rounded to 2 decimals (~1 km) for {', '.join(PRIVATE_LOCATION_CATEGORIES)}"
    return out, dropped


def _check_column_options(keep_columns: tuple[str, ...], hash_columns: tuple[str, ...]) -> None:
    """--keep-column and --hash-column may not name a column that is always pseudonymised."""
    protected = {}
    for group in (ID_COLUMNS, ID_LIST_COLUMNS, IDENTIFIER_COLUMNS, NAME_COLUMNS, POSTCODE_COLUMNS):
        for table, names in group.items():
            for column in names:
                protected[column] = protected[f"{table}.{column}"] = f"{table}.{column}"
    for option, names in (("--keep-column", keep_columns), ("--hash-column", hash_columns)):
        refused = sorted({protected[n] for n in names if n in protected})
        if refused:
            raise LinkageError(
                f"{option} {', '.join(refused)}: ids, names, identifiers and postcodes are always pseudonymised; "
                f"name only free-text or extra columns with {option}"
            )


def pseudonymise_dataset(
    data: str | Path,
    out: str | Path,
    key: Key,
    *,
    config: JobConfig | None = None,
    bloom_names: bool = False,
    dob: str = "keep",
    keep_columns: tuple[str, ...] = (),
    hash_columns: tuple[str, ...] = (),
    overwrite: bool = False,
) -> PseudonymiseResult:
    """Write a pseudonymised copy of the dataset folder ``data`` into ``out``.

    Record and other ids (and every column referring to them), names, phone
    numbers, vehicle registrations and other identifiers become keyed
    HMAC-SHA256 pseudonyms; postcodes are cut to their sector; dates of birth
    stay (they are needed to link) unless ``dob`` is ``month`` or ``year``.
    Operation names are pseudonymised; in every other text column each
    person name known from ``people`` becomes its name pseudonym
    (``NameScrubber``).  Columns that are not in the data contract are
    dropped unless named in ``keep_columns`` (kept as they are) or
    ``hash_columns`` (pseudonymised); these also take the text columns, as
    ``column`` or ``table.column``.
    With ``bloom_names`` names become keyed Bloom filters that the resolver
    compares by Dice similarity, so misspelt names still link.

    The same key gives the same pseudonyms in every table and at every
    agency; the key itself is written nowhere (``pseudonymisation.json``
    holds only its fingerprint).
    """
    config = config or JobConfig()
    data = Path(data)
    out = Path(out)
    if dob not in DOB_CHOICES:
        raise LinkageError(f"dob option '{dob}' is not one of {', '.join(DOB_CHOICES)}")
    clash = set(keep_columns) & set(hash_columns)
    if clash:
        raise LinkageError(f"column(s) {', '.join(sorted(clash))} named both in --keep-column and --hash-column; choose one")
    _check_column_options(keep_columns, hash_columns)
    paths = find_table_files(data, config)
    tokens = Pseudonymiser(key)

    raws = {}
    problems: list[str] = []
    header_notes: list[str] = []
    for name in TABLE_ORDER:
        if name not in paths:
            continue
        table = TABLES[name]
        try:
            raw = read_raw_table(paths[name], encoding=config.input.encoding, delimiter=config.input.delimiter)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        headers_read = table_headers(raw.frame, raw.header, table, config.columns.get(name, {}), str(paths[name]),
                                     map_clear=config.input.map_headers)
        problems.extend(headers_read.problems)
        if headers_read.mapped:
            header_notes.append(mapped_headers_note(paths[name].name, name, headers_read.mapped))
        raws[name] = (raw, headers_read.renamed)
    if problems:
        raise DataError.from_problems(problems)

    rows: dict[str, int] = {}
    columns: dict[str, dict[str, str]] = {}
    dropped: dict[str, list[str]] = {}
    notes: list[str] = list(header_notes)
    files: dict[str, dict] = {}
    inputs = [("the dataset", data), *config_inputs(config), ("the key file", key.path)]
    frames = {}
    for name, (raw, renamed) in raws.items():
        frames[name] = raw.frame.rename(columns=renamed)
        apply_value_maps(frames[name], TABLES[name], config)
    people = frames.get("people", pd.DataFrame())
    rules = _Rules(
        tokens=tokens,
        scrubber=NameScrubber.from_names([people[c] for c in NAME_COLUMNS["people"] if c in people],
                                         tokens.normalised_name_token),
        authorities={normalise_authority_name(a.name) for a in (config.geography or default_geography()).authorities},
        bloom_names=bloom_names,
        dob=dob,
        date_format=config.input.date_format,
        keep_columns=set(keep_columns),
        hash_columns=set(hash_columns),
    )

    def scrub(text: str) -> str:
        return rules.scrubber.text(text)[0]

    with job_folder(out, overwrite=overwrite, kind=KIND_PSEUDONYMISED, inputs=inputs, notes=notes) as staging:
        for name, (raw, renamed) in raws.items():
            actions: dict[str, str] = {}
            result, gone = _pseudonymise_table(name, frames[name], rules, actions=actions, notes=notes)
            gone = [scrub(column) for column in gone]  # a header can be a name too
            if raw.bad_rows:
                notes.append(
                    f"{scrub(raw.path.name)}: {len(raw.bad_rows)} malformed line(s) (wrong number of fields) were not carried over; "
                    "run linkage validate on the original to see them"
                )
            if gone:
                dropped[name] = gone
                notes.append(
                    f"{name}: column(s) {', '.join(gone)} are not in the data contract and were dropped; "
                    "name them with --hash-column to pseudonymise them or --keep-column to keep them as they are"
                )
            write_csv(result, staging / f"{name}.csv")
            rows[name] = len(result)
            columns[name] = actions
            files[name] = {"source_file": scrub(raw.path.name), "rows": len(result), "malformed_lines_dropped": len(raw.bad_rows)}
        report = {
            "kind": manifest_kind(KIND_PSEUDONYMISED),
            "format": "linkage pseudonymised dataset v1",
            "toolkit_version": __version__,
            "key_fingerprint": key.fingerprint,
            "method": {
                "ids_identifiers_names": "HMAC-SHA256 with sub-keys derived from the shared key",
                "names": (
                    f"Bloom filters (CLK): bigrams, {tokens.bloom.bits} bits, {tokens.bloom.k} keyed hashes per bigram"
                    if bloom_names else "16-letter HMAC pseudonyms of the normalised name"
                ),
                "postcodes": "postcode sector",
                "dob": {"keep": "kept", "month": "year and month", "year": "year"}[dob],
            },
            "tables": files,
            "columns": columns,
            "dropped_columns": dropped,
            "notes": notes,
        }
        write_json(report, staging / "pseudonymisation.json")
    return PseudonymiseResult(out, rows, columns, dropped, notes, report)
