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

from ...contract import TABLES, Table
from ...errors import ConfigError, DataError
from .._dates import AmbiguousDates, DateRules, read_dates, strftime_for
from .._files import read_raw_table
from .._parse import FALSE_WORDS, SEX_CODES, TRUE_WORDS

__all__ = [
    "ColumnProposal",
    "HeaderScores",
    "MappingProposal",
    "propose_column_map",
    "score_headers",
    "sex_values",
    "SYNONYMS",
    "ACCEPT",
]

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

_POSTCODE = r"^[A-Z]{1,2}\d[A-Z\d]?( ?\d([A-Z]{2})?)?$"
#: a postcode of another country: a US ZIP (ZIP+4), an Australian, German or French code, a Canadian or Dutch one
_OTHER_POSTCODE = r"^(\d{4,5}(-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4} ?[A-Z]{2})$"
#: a name in any alphabet (Zoë, Ó Briain), or a pseudonymised token standing for one
_NAME = r"^[^\W\d_][^\W\d_' \-.]*$"
_TOKEN = r"^[A-Za-z0-9+/=_\-]{8,}$"


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
    #: ``input.date_format`` entries the file's dates need ("table" or "table.column" -> layout), when not ISO 8601
    date_formats: dict[str, str] = field(default_factory=dict)
    #: ``values:`` the file's codes need ("table.column" -> {code: contract value})
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: why each ``values:`` entry was proposed ("table.column" -> evidence)
    value_evidence: dict[str, str] = field(default_factory=dict)
    #: date columns whose day and month order the values do not settle (header -> example values)
    ambiguous_dates: dict[str, list[str]] = field(default_factory=dict)

    @property
    def mapping(self) -> dict[str, str]:
        """Header -> contract column, for the headers whose proposal is a change of name."""
        return {p.header: p.column for p in self.proposals if p.column is not None}

    @property
    def date_format(self) -> str | None:
        """The one layout of the file's dates, when they share one (``None``: ISO 8601, or several)."""
        layouts = set(self.date_formats.values())
        return layouts.pop() if len(layouts) == 1 else None

    def date_format_yaml(self) -> str | None:
        """The ``input:`` line that names the layouts, scoped to this table so that other files keep theirs."""
        if not self.date_formats:
            return None
        pairs = ", ".join(f"{key}: {json.dumps(value)}" for key, value in self.date_formats.items())
        return f"input: {{date_format: {{{pairs}}}}}"

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
        date_line = self.date_format_yaml()
        if date_line:
            comment = f"the layout of the dates in {self.file.name}; other tables keep their own"
            if self.ambiguous_dates:
                shown = "; ".join(f"{h}: {', '.join(v)}" for h, v in self.ambiguous_dates.items())
                comment = f"CHECK: day-first assumed, the values do not settle it ({shown})"
            lines.append(f"{date_line}   # {comment}")
        if self.values:
            lines.append("values:   # codes in the file -> contract values; check them")
            for key, mapping in self.values.items():
                pairs = ", ".join(f"{json.dumps(code)}: {value}" for code, value in mapping.items())
                why = self.value_evidence.get(key)
                lines.append(f"  {key}: {{{pairs}}}" + (f"   # {why}" if why else ""))
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
        from ...files import write_text

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
    """``Date_of-Birth`` -> ``date of birth``; ``firstName`` -> ``first name``; ``D.O.B.`` -> ``d o b``."""
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


@dataclass(frozen=True)
class _DateEvidence:
    share: float
    layout: str | None  # the non-ISO layout most values use (None: ISO 8601 or no dates)
    ambiguous: list[str]  # examples, when dd/mm and mm/dd both fit every value


def _date_evidence(values: pd.Series, with_time: bool = False) -> _DateEvidence:
    """How many values read as dates (in any layout the reader knows), and in which layout."""
    if values.empty:
        return _DateEvidence(0.0, None, [])
    ambiguous: list[str] = []
    wide = dict(with_time=with_time, years=(1000, 2999))
    try:
        read = read_dates(values, DateRules(**wide))
    except AmbiguousDates as exc:
        ambiguous = exc.examples
        read = read_dates(values, DateRules(day_first=True, **wide))
    share = float(read.date_shaped.mean())
    other = {k: v for k, v in read.layouts.items() if k != "ISO 8601"}
    layout = max(other, key=other.get) if other else None
    return _DateEvidence(share, layout, ambiguous)


def _value_share(spec, values: pd.Series) -> tuple[float | None, str]:
    """How well a sample of values fits a contract column (None: values say nothing about it)."""
    if values.empty:
        return None, "no values"
    name = spec.name
    if spec.kind in ("date", "datetime"):
        share = _date_evidence(values, spec.kind == "datetime").share
        return share, f"{share:.0%} dates"
    if name == "sex":
        share = float(values.str.strip().str.lower().isin(SEX_CODES).mean())
        return share, f"{share:.0%} sex codes"
    if name == "postcode":
        text = values.str.upper().str.strip()
        share = float((text.str.match(_POSTCODE) | text.str.match(_OTHER_POSTCODE)).mean())
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
        share = float((values.str.match(_NAME) | values.str.match(_TOKEN)).mean())
        return share, f"{share:.0%} name-like"
    if name.endswith("_id") or name in ("record_id_a", "record_id_b", "identifier"):
        if name in ("record_id", "placement_id", "episode_id", "event_id") or (name == "location_id" and spec.required):
            share = float(values.nunique() / len(values))
            return share, f"{share:.0%} distinct"
    return None, ""


@dataclass
class HeaderScores:
    """Every header against every contract column: name score, value share and the two combined (all 0-1)."""

    headers: list[str]
    columns: list[str]
    name: np.ndarray
    share: np.ndarray  # NaN where the values say nothing about the column
    confidence: np.ndarray
    evidence: dict[tuple[int, int], str]
    samples: dict[str, pd.Series]


def score_headers(frame: pd.DataFrame, headers: list[str], table: Table, columns: list[str] | None = None) -> HeaderScores:
    """Score ``headers`` of ``frame`` against ``columns`` of ``table`` (all its columns by default).

    A name scores against the column's name and its synonyms; a sample of
    up to ``SAMPLE_ROWS`` non-empty values confirms or weakens it.  Values
    never make up for a name that says nothing.
    """
    columns = list(table.column_names if columns is None else columns)
    names = _name_scores(headers, columns) / 100.0 if headers and columns else np.zeros((len(headers), len(columns)))
    share = np.full_like(names, np.nan)
    confidence = np.zeros_like(names)
    evidence: dict[tuple[int, int], str] = {}
    samples: dict[str, pd.Series] = {}
    for i, header in enumerate(headers):
        values = frame[header].dropna().head(SAMPLE_ROWS).astype(str)
        samples[header] = values
        for j, column in enumerate(columns):
            fit, why = _value_share(table.columns_by_name[column], values)
            name = names[i, j]
            if fit is None:
                score = name
            else:
                share[i, j] = fit
                # values confirm or weaken a name; they cannot map a header whose name says nothing
                score = 0.65 * name + 0.35 * fit if name >= 0.45 else 0.5 * name + 0.2 * fit
            confidence[i, j] = round(score, 2)
            evidence[(i, j)] = f"name {name:.0%}" + (f", {why}" if why else "")
    return HeaderScores(headers, columns, names, share, confidence, evidence, samples)


#: the ONS / NHS Data Dictionary person-stated sex code: 1 male, 2 female, 0 not known, 9 not specified
_ONS_SEX = {"1": "M", "2": "F", "0": "U", "9": "U"}


def sex_values(values: pd.Series) -> tuple[dict[str, str], str]:
    """``values:`` for a column of sex codes, and the evidence: ONS/NHS numbers, words, letters.

    Only codes it is sure of are mapped (``M``/``F``/``U`` in any case need
    nothing); ``2`` is always female, never ``M``.
    """
    counts = values.dropna().astype(str).str.strip().value_counts()
    mapping: dict[str, str] = {}
    seen: list[str] = []
    unknown: list[str] = []
    for code, count in sorted(counts.items(), key=lambda item: str(item[0])):
        target = SEX_CODES.get(code.lower())
        seen.append(f"{code} ({count})")
        if target is None:
            unknown.append(code)
        elif code.upper() not in ("M", "F", "U"):
            mapping[code] = target
    if not mapping:
        return {}, ""
    numeric = [c for c in mapping if c in _ONS_SEX]
    why = "codes " + ", ".join(seen)
    if numeric:
        why += "; read as the ONS/NHS coding 1 = male, 2 = female, 0 = not known, 9 = not specified"
    if unknown:
        why += f"; not mapped: {', '.join(unknown)}"
    return mapping, why


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
    scores = score_headers(raw.frame, headers, spec)
    columns, confidence = scores.columns, scores.confidence
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
            proposals.append(ColumnProposal(header, columns[j], float(confidence[i, j]), scores.evidence[(i, j)]))
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
    # dates: the layout of each date column, scoped to this table (one entry when they agree)
    layouts: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for i, j in chosen.items():
        column = spec.columns_by_name[columns[j]]
        if column.kind not in ("date", "datetime"):
            continue
        found = _date_evidence(scores.samples[headers[i]], column.kind == "datetime")
        if found.layout and found.layout in ("dd/mm/yyyy", "mm/dd/yyyy", "dd/mm/yy", "mm/dd/yy") or found.ambiguous:
            layouts[column.name] = _format_of(found, scores.samples[headers[i]])
        if found.ambiguous:
            ambiguous[headers[i]] = found.ambiguous
    date_formats: dict[str, str] = {}
    if layouts:
        if len(set(layouts.values())) == 1:
            date_formats[table] = next(iter(layouts.values()))
        else:
            date_formats = {f"{table}.{column}": fmt for column, fmt in sorted(layouts.items())}
    values: dict[str, dict[str, str]] = {}
    value_evidence: dict[str, str] = {}
    sex_header = next((p.header for p in proposals if p.column == "sex"), None)
    if sex_header is not None:
        mapping, why = sex_values(scores.samples[sex_header])
        if mapping:
            values[f"{table}.sex"] = mapping
            value_evidence[f"{table}.sex"] = why
    return MappingProposal(table, path, proposals, unmapped_required, date_formats, values, value_evidence, ambiguous)


def _format_of(found: _DateEvidence, values: pd.Series) -> str:
    """The strftime layout of a column's numeric dates, with the separator its values use."""
    layout = found.layout or "dd/mm/yyyy"
    fmt = strftime_for(layout)
    separator = values.str.extract(r"^\d{1,2}([-/.])\d{1,2}")[0].mode()
    if len(separator):
        fmt = fmt.replace("/", separator.iloc[0])
    return fmt
