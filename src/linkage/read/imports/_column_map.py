"""Propose a ``columns:`` mapping from any extract's headers onto a contract table.

Each header is scored against each contract column on two kinds of evidence:
its name (rapidfuzz against the column's name and common synonyms:
``Forename``, ``Surname``, ``DOB``, ``Gender``, ...) and a sample of its
values (values that parse as dates suggest a date column, ``M``/``F`` or
``1``/``2`` suggest sex, postcodes suggest postcode, distinct values suggest
an id).  Headers are then matched one-to-one, best pair first.  The result is
a proposal for the analyst to check, written as the ``columns:`` section of a
job config that ``load_config`` reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ...contract import TABLES
from ...errors import ConfigError, DataError
from .._files import read_raw_table
from .._parse import FALSE_WORDS, TRUE_WORDS

__all__ = ["ColumnProposal", "MappingProposal", "propose_column_map", "SYNONYMS", "ACCEPT"]

#: a header is mapped when its confidence reaches this
ACCEPT = 0.6
#: rows of the file whose values are looked at
SAMPLE_ROWS = 500

#: other names partners use for a contract column, beside the column's own name
SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": ("id", "person id", "person ref", "nominal id", "nominal ref", "child id", "child", "client id",
                  "case id", "ref", "reference", "urn", "unique id", "subject id", "pnc id"),
    "source": ("system", "agency", "source system", "dataset", "origin"),
    "first_name": ("forename", "forenames", "firstname", "fname", "given name", "given names", "christian name", "first"),
    "last_name": ("surname", "lastname", "lname", "family name", "second name"),
    "dob": ("date of birth", "birth date", "birthdate", "born", "d o b", "birth"),
    "sex": ("gender", "sex code", "gender code"),
    "postcode": ("post code", "postal code", "home postcode", "pcode", "zip", "address postcode", "home post"),
    "local_authority": ("la", "council", "authority", "borough", "district", "la name"),
    "flags": ("markers", "warning markers", "risk flags", "tags", "warnings"),
    "placement_id": ("episode id", "placement ref"),
    "location_id": ("urn", "setting id", "home id", "premises id", "provider id", "uprn", "place id"),
    "start_date": ("start", "decom", "date started", "from date", "placement start", "date placed"),
    "end_date": ("end", "dec", "date ended", "to date", "placement end", "date left"),
    "placement_type": ("place", "placement", "type of placement"),
    "placing_authority": ("responsible authority", "placing la", "home la"),
    "reason_for_change": ("reason", "reason place change", "reason for leaving", "rec"),
    "episode_id": ("missing id", "incident id", "episode ref"),
    "start": ("mis start", "missing from", "date missing", "start date", "reported missing", "start time"),
    "end": ("mis end", "returned", "date found", "end date", "found date", "end time"),
    "kind": ("missing", "type", "absence type", "missing or absent"),
    "from_location_id": ("missing from location", "from location", "last seen at"),
    "found_location_id": ("found at", "found location", "location found"),
    "found_with": ("found with", "with", "companions"),
    "category": ("type", "premises type", "business type", "crime type", "offence", "offence type"),
    "name": ("trading name", "premises name", "business name", "premises"),
    "night_time_economy": ("nte", "night time economy", "late night"),
    "latitude": ("lat", "y"),
    "longitude": ("lon", "lng", "long", "x"),
    "event_id": ("crime id", "crime number", "crime ref", "incident id", "occurrence id", "occurrence number", "urn"),
    "event_type": ("type", "record type", "event type"),
    "operation": ("op", "op name", "operation name", "investigation"),
    "date": ("month", "occurred", "offence date", "date committed", "incident date", "event date"),
    "status": ("outcome", "state", "last outcome category"),
    "role": ("involvement", "person role", "role type"),
    "identifier": ("value", "phone", "phone number", "number", "vrm", "registration", "handle", "msisdn", "imei"),
    "owner_id": ("owner", "held by", "holder"),
    "owner_type": ("owner kind", "holder type"),
    "first_seen": ("first", "first date", "from"),
    "last_seen": ("last", "last date", "to"),
    "from_identifier": ("from", "a party", "caller", "source number", "a number"),
    "to_identifier": ("to", "b party", "recipient", "target number", "b number"),
    "count": ("n", "calls", "number of contacts", "contacts"),
    "first_date": ("first", "from date", "first contact"),
    "last_date": ("last", "to date", "last contact"),
    "record_id_a": ("person a", "record a", "id a", "subject"),
    "record_id_b": ("person b", "record b", "id b", "associate"),
}

_DATE_LAYOUTS = (
    (r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$", "ISO8601"),
    (r"^\d{1,2}/\d{1,2}/\d{4}( \d{2}:\d{2}(:\d{2})?)?$", "%d/%m/%Y"),
    (r"^\d{1,2}-\d{1,2}-\d{4}$", "%d-%m-%Y"),
    (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
    (r"^\d{4}-\d{2}$", "ISO8601"),
)
_POSTCODE = r"^[A-Z]{1,2}\d[A-Z\d]?( ?\d([A-Z]{2})?)?$"
_SEX_WORDS = {"m", "f", "u", "male", "female", "unknown", "1", "2", "0", "9", "x"}
_NAME = r"^[A-Za-z][A-Za-z' \-]*$"


@dataclass(frozen=True)
class ColumnProposal:
    """One header of the file, the contract column proposed for it (or None) and why."""

    header: str
    column: str | None
    confidence: float
    evidence: str


@dataclass
class MappingProposal:
    table: str
    file: Path
    proposals: list[ColumnProposal]
    #: required contract columns that no header maps onto (each with the fix)
    unmapped_required: list[str] = field(default_factory=list)
    #: ``input.date_format`` the file's dates need, when it is not ISO 8601
    date_format: str | None = None
    #: ``values:`` the file's codes need ("table.column" -> {code: contract value})
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def mapping(self) -> dict[str, str]:
        """Header -> contract column, for the headers whose proposal is a change of name."""
        return {p.header: p.column for p in self.proposals if p.column is not None}

    def to_yaml(self) -> str:
        """A job config holding the proposal: ``columns:`` for the table, ready to edit."""
        lines = [
            f"# Column mapping proposed by `linkage import map --table {self.table} {self.file.name}`.",
            "# Check every line: the comment gives the confidence (0-1) and the evidence.",
            "# Delete a line that is wrong, or change the contract column it names.",
        ]
        if self.unmapped_required:
            lines.append(f"# Required {self.table} columns with no header yet:")
            lines += [f"#   {problem}" for problem in self.unmapped_required]
        lines += [
            f"job: {{name: {json.dumps(re.sub(r'[^A-Za-z0-9_-]+', '-', self.file.stem).strip('-') or 'job')}}}",
            f"data: {json.dumps(str(self.file.resolve().parent))}",
            f"tables: {{{self.table}: {json.dumps(self.file.name)}}}",
        ]
        if self.date_format:
            lines.append(
                f"input: {{date_format: {json.dumps(self.date_format)}}}   # the layout of the dates in {self.file.name}; "
                "it applies to every file of the job"
            )
        if self.values:
            lines.append("values:   # codes in the file -> contract values; check them")
            for key, mapping in self.values.items():
                pairs = ", ".join(f"{json.dumps(code)}: {value}" for code, value in mapping.items())
                lines.append(f"  {key}: {{{pairs}}}")
        lines += ["columns:", f"  {self.table}:"]
        mapped = [p for p in self.proposals if p.column is not None]
        if not mapped:
            lines[-1] += " {}"
        for p in mapped:
            lines.append(f"    {json.dumps(p.header)}: {p.column}   # {p.confidence:.2f} {p.evidence}")
        unmapped = [p for p in self.proposals if p.column is None]
        if unmapped:
            lines.append("    # not mapped (kept as extra columns):")
            lines += [f"    #   {json.dumps(p.header)}   # {p.evidence}" for p in unmapped]
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write ``to_yaml()`` to ``path`` (atomically); an existing file is replaced only with ``overwrite``."""
        from ...job import write_text

        path = Path(path)
        if path.exists() and path.resolve() == self.file.resolve():
            raise DataError(f"{path} is the file being mapped; write the proposal to another file, e.g. {self.file.stem}.yaml")
        if path.is_dir():
            raise DataError(f"{path} is a folder; name the config file to write, e.g. configs/my-job.yaml")
        if path.exists() and not _is_proposal(path):
            raise DataError(
                f"{path} exists and is not a proposal written by linkage import map, so it is not replaced; "
                f"choose another file name, e.g. {path.with_name(path.stem + '-proposed' + path.suffix)}"
            )
        if path.exists() and not overwrite:
            raise DataError(f"{path} holds an earlier proposal; pass --overwrite to replace it, or choose another file name")
        return write_text(self.to_yaml(), path)


_PROPOSAL_MARK = b"# Column mapping proposed by `linkage import map"


def _is_proposal(path: Path) -> bool:
    """Does ``path`` start with the comment ``to_yaml`` writes (so --overwrite may replace it)?"""
    try:
        with path.open("rb") as stream:
            return stream.read(len(_PROPOSAL_MARK)) == _PROPOSAL_MARK
    except OSError:
        return False


def _words(name: str) -> str:
    """``Date_of-Birth`` -> ``date of birth``; ``firstName`` -> ``first name``."""
    name = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def _name_scores(headers: list[str], columns: list[str]) -> np.ndarray:
    """Header x column: the best rapidfuzz score (0-100) against the column's name and synonyms."""
    choices: list[str] = []
    owner: list[int] = []
    for position, column in enumerate(columns):
        for word in (column.replace("_", " "), *SYNONYMS.get(column, ())):
            choices.append(_words(word))
            owner.append(position)
    queries = [_words(h) for h in headers]
    spaced = process.cdist(queries, choices, scorer=fuzz.token_sort_ratio)
    joined = process.cdist([q.replace(" ", "") for q in queries], [c.replace(" ", "") for c in choices], scorer=fuzz.ratio)
    best = np.maximum(spaced, joined)
    scores = np.zeros((len(headers), len(columns)))
    owner_array = np.asarray(owner)
    for position in range(len(columns)):
        scores[:, position] = best[:, owner_array == position].max(axis=1)
    return scores


def _date_share(values: pd.Series) -> tuple[float, str | None]:
    """Share of values that look like dates, and the layout most of them use."""
    if values.empty:
        return 0.0, None
    best, layout = 0.0, None
    for pattern, name in _DATE_LAYOUTS:
        share = float(values.str.match(pattern).mean())
        if share > best:
            best, layout = share, name
    return best, layout


def _value_share(spec, values: pd.Series) -> tuple[float | None, str]:
    """How well a sample of values fits a contract column (None: values say nothing about it)."""
    if values.empty:
        return None, "no values"
    name = spec.name
    if spec.kind in ("date", "datetime"):
        share, layout = _date_share(values)
        return share, f"{share:.0%} dates"
    if name == "sex":
        share = float(values.str.lower().isin(_SEX_WORDS).mean())
        return share, f"{share:.0%} sex codes"
    if name == "postcode":
        share = float(values.str.upper().str.match(_POSTCODE).mean())
        return share, f"{share:.0%} postcodes"
    if spec.kind == "float":
        numbers = pd.to_numeric(values, errors="coerce")
        low, high = (49.0, 61.0) if name == "latitude" else (-8.7, 2.0)
        share = float(numbers.between(low, high).mean())
        return share, f"{share:.0%} in the UK's {name} range"
    if spec.kind == "enum":
        allowed = {v.lower() for v in spec.values}
        share = float(values.str.lower().str.replace(r"[\s\-]+", "_", regex=True).isin(allowed).mean())
        return share, f"{share:.0%} {name} values"
    if spec.kind == "bool":
        share = float(values.str.lower().isin(TRUE_WORDS + FALSE_WORDS).mean())
        return share, f"{share:.0%} yes/no"
    if spec.kind == "int":
        share = float(values.str.match(r"^\d+$").mean())
        return share, f"{share:.0%} whole numbers"
    if name in ("first_name", "last_name"):
        share = float(values.str.match(_NAME).mean())
        return share, f"{share:.0%} name-like"
    if name.endswith("_id") or name in ("record_id_a", "record_id_b", "identifier"):
        if name in ("record_id", "placement_id", "episode_id", "event_id") or (name == "location_id" and spec.required):
            share = float(values.nunique() / len(values))
            return share, f"{share:.0%} distinct"
    return None, ""


def propose_column_map(path: str | Path, table: str) -> MappingProposal:
    """Propose which header of ``path`` holds each column of the contract table ``table``.

    Raises ``ConfigError`` for an unknown table and ``DataError`` when the file
    cannot be read.

    Examples
    --------
    >>> proposal = propose_column_map("nominals.csv", "people")   # doctest: +SKIP
    >>> proposal.mapping                                           # doctest: +SKIP
    {'Person Ref': 'record_id', 'Forename': 'first_name', 'Surname': 'last_name', 'DOB': 'dob'}
    """
    if table not in TABLES:
        match = process.extractOne(table, list(TABLES), score_cutoff=60)
        hint = f"did you mean '{match[0]}'? " if match else ""
        raise ConfigError(f"'{table}' is not a contract table; {hint}the tables are {', '.join(TABLES)}")
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path} does not exist; check the path of the file to map")
    if path.is_dir():
        raise DataError(f"{path} is a folder; name one file (a .csv or .parquet) to map")
    with path.open("rb") as handle:
        if handle.read(4) == b"PK\x03\x04":
            raise DataError(f"{path} is an Excel workbook, not CSV; save the sheet as CSV and map that file")
    raw = read_raw_table(path)
    spec = TABLES[table]
    headers = list(raw.frame.columns)
    columns = spec.column_names
    sample = raw.frame.head(SAMPLE_ROWS)
    names = _name_scores(headers, columns) / 100.0
    confidence = np.zeros_like(names)
    evidence: dict[tuple[int, int], str] = {}
    layouts: dict[int, str | None] = {}
    for i, header in enumerate(headers):
        values = sample[header].dropna().astype(str)
        for j, column in enumerate(columns):
            share, why = _value_share(spec.columns_by_name[column], values)
            name = names[i, j]
            if share is None:
                score = name
            else:
                # values confirm or weaken a name; they cannot map a header whose name says nothing
                score = 0.65 * name + 0.35 * share if name >= 0.45 else 0.5 * name + 0.2 * share
            confidence[i, j] = round(score, 2)
            evidence[(i, j)] = f"name {name:.0%}" + (f", {why}" if why else "")
        layouts[i] = _date_share(values)[1]
    chosen: dict[int, int] = {}
    order = sorted(((-confidence[i, j], i, j) for i in range(len(headers)) for j in range(len(columns))))
    used: set[int] = set()
    for negative, i, j in order:
        if -negative < ACCEPT:
            break
        if i in chosen or j in used:
            continue
        chosen[i] = j
        used.add(j)
    proposals = []
    for i, header in enumerate(headers):
        if i in chosen:
            j = chosen[i]
            proposals.append(ColumnProposal(header, columns[j], float(confidence[i, j]), evidence[(i, j)]))
        else:
            j = int(np.argmax(confidence[i])) if len(columns) else 0
            best = f"closest: {columns[j]} at {confidence[i, j]:.2f}" if len(columns) else ""
            proposals.append(ColumnProposal(header, None, float(confidence[i, j]) if len(columns) else 0.0, best))
    mapped = {p.column for p in proposals if p.column}
    unmapped_required = []
    for column in spec.required_columns:
        if column in mapped:
            continue
        if column == "source":
            fix = "add a column naming the system the records came from (e.g. police), then map it"
        else:
            fix = f"map the header that holds it by hand: columns: {{{table}: {{YourHeader: {column}}}}}"
        unmapped_required.append(f"{column}: no header looks like it; {fix}")
    date_layouts = {
        layouts[i] for i, j in chosen.items() if spec.columns_by_name[columns[j]].kind in ("date", "datetime")
    } - {None, "ISO8601"}
    date_format = sorted(date_layouts)[0] if date_layouts else None
    values = {}
    sex_header = next((p.header for p in proposals if p.column == "sex"), None)
    if sex_header is not None:
        codes = set(sample[sex_header].dropna().astype(str).str.strip())
        if codes and codes <= {"0", "1", "2", "9"}:
            # the ONS / DfE coding: 1 male, 2 female, 0 and 9 not known
            values[f"{table}.sex"] = {c: {"1": "M", "2": "F"}.get(c, "U") for c in sorted(codes)}
    return MappingProposal(table, path, proposals, unmapped_required, date_format, values)
