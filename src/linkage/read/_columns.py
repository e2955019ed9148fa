"""Map an extract's own headers onto the contract's column names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import process

from ..contract import Table

__all__ = [
    "HeaderMatch",
    "TableHeaders",
    "clashing_columns",
    "contract_header_map",
    "match_headers",
    "missing_required_columns",
    "normalise_header",
    "rename_to_contract",
    "table_headers",
]

#: a header whose name scores this against a contract column (or a synonym) clearly means it
CLEAR_NAME = 0.9
#: values that fit a column this poorly contradict a name
CONTRADICTED = 0.5
#: when two candidates are this close in confidence, the values do not tell them apart
MARGIN = 0.15


def normalise_header(name: str) -> str:
    """``Record ID`` / ``record-id`` / `` RECORD_ID`` -> ``record_id``."""
    return re.sub(r"[\s\-.]+", "_", name.strip().lower()).strip("_")


def contract_header_map(header: list[str], table: Table, mapping: dict[str, str]) -> dict[str, str]:
    """Header in the file -> contract column, from the config mapping and exact (normalised) names."""
    known = set(table.column_names)
    renamed: dict[str, str] = {}
    by_normalised: dict[str, str] = {}
    for h in header:  # a header spelled exactly as the contract column wins over its variants
        normal = normalise_header(h)
        if normal not in by_normalised or h == normal:
            by_normalised[normal] = h
    lowered_mapping = {normalise_header(k): v for k, v in mapping.items()}
    taken: set[str] = set()
    for h in header:
        target = mapping.get(h) or lowered_mapping.get(normalise_header(h))
        if target:
            renamed[h] = target
            taken.add(target)
    for h in header:
        if h in renamed:
            continue
        normal = normalise_header(h)
        if normal in known and normal not in taken and by_normalised.get(normal) == h:
            renamed[h] = normal
            taken.add(normal)
    return renamed


def missing_required_columns(
    header: list[str], table: Table, renamed: dict[str, str], file_label: str
) -> list[str]:
    """A problem line, with the fix, for every required column the file lacks."""
    present = set(renamed.values())
    unmapped = [h for h in header if h not in renamed]
    problems = []
    # a header holding another delimiter is a file read with the wrong one: no header of it is a fix
    plausible = [h for h in unmapped if not any(d in h for d in (",", ";", "\t", "|"))]
    for column in table.required_columns:
        if column in present:
            continue
        guess = process.extractOne(column, plausible, score_cutoff=50) if plausible else None
        if guess:
            fix = f"map it in the job config: columns: {{{table.name}: {{'{guess[0]}': {column}}}}}"
        else:
            fix = f"add a '{column}' column, or map your header onto it in the job config: columns: {{{table.name}: {{YourHeader: {column}}}}}"
        problems.append(f"{file_label} has no column '{column}', which {table.name} requires; {fix}")
    return problems


def clashing_columns(header: list[str], table: Table, renamed: dict[str, str], file_label: str) -> list[str]:
    """A problem line for every column name that two headers would share once mapped."""
    sources: dict[str, list[str]] = {}
    for h in header:
        sources.setdefault(renamed.get(h, h), []).append(h)
    problems = []
    for column, headers in sources.items():
        if len(headers) > 1:
            names = " and ".join(f"'{h}'" for h in headers)
            problems.append(
                f"{file_label} has columns {names}, which would {'both' if len(headers) == 2 else 'all'} become "
                f"'{column}'; remove or rename all but one "
                f"in the file, or change the mapping under columns: {{{table.name}: ...}} in the job config"
            )
    return problems


def rename_to_contract(frame: pd.DataFrame, renamed: dict[str, str], table: Table) -> pd.DataFrame:
    """Rename mapped headers and add missing optional contract columns as empty."""
    frame = frame.rename(columns=renamed)
    for column in table.column_names:
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return frame


@dataclass
class HeaderMatch:
    """Headers mapped onto contract columns by their names and values, and the ones that need the analyst."""

    mapped: dict[str, str] = field(default_factory=dict)  # header -> contract column
    evidence: dict[str, str] = field(default_factory=dict)  # header -> why
    problems: list[str] = field(default_factory=list)


def _columns_line(table: str, header: str, column: str) -> str:
    return f"columns: {{{table}: {{{_quote(header)}: {column}}}}}"


def _quote(header: str) -> str:
    return "'" + header.replace("'", "''") + "'"


def match_headers(frame: pd.DataFrame, header: list[str], table: Table, renamed: dict[str, str], file_label: str) -> HeaderMatch:
    """Map the headers that clearly mean a contract column the file lacks (``Forename``, ``D.O.B.``, ``Post Code``).

    Scored as ``linkage import map`` scores them (name and synonyms, then a
    sample of values).  A header is mapped when its name clearly means the
    column (score >= ``CLEAR_NAME``), its values do not contradict it, and no
    other header or column competes; when its name clearly means a column but
    the values contradict it or two candidates tie, the analyst decides: a
    problem line gives the exact ``columns:`` line to add.
    """
    from .imports import score_headers

    found = HeaderMatch()
    open_columns = [c for c in table.column_names if c not in set(renamed.values())]
    candidates = [h for h in header if h not in renamed]
    if not open_columns or not candidates:
        return found
    scores = score_headers(frame, candidates, table, open_columns)
    clear = scores.name >= CLEAR_NAME
    if not clear.any():
        return found
    confidence = scores.confidence
    taken_headers: set[int] = set()
    for j in sorted(set(np.flatnonzero(clear.any(axis=0))), key=lambda j: -confidence[:, j].max()):
        column = open_columns[j]
        rivals = [i for i in np.flatnonzero(clear[:, j]) if i not in taken_headers]
        if not rivals:
            continue
        rivals.sort(key=lambda i: -confidence[i, j])
        best = rivals[0]
        close = [i for i in rivals[1:] if confidence[best, j] - confidence[i, j] < MARGIN]
        if close:
            names = " and ".join(f"'{candidates[i]}'" for i in [best, *close])
            found.problems.append(
                f"{file_label}: headers {names} could each be the {table.name} column {column}; say which in the job config, "
                f"e.g. {_columns_line(table.name, candidates[best], column)} "
                "(or set input: {map_headers: false} to keep such headers as extra columns)"
            )
            taken_headers.update([best, *close])
            continue
        # the header may clearly mean another open column better
        other = [k for k in np.flatnonzero(clear[best]) if k != j and confidence[best, k] > confidence[best, j] - MARGIN]
        if other and confidence[best, other[0]] > confidence[best, j]:
            continue
        share = scores.share[best, j]
        header_name = candidates[best]
        if not np.isnan(share) and share < CONTRADICTED:
            found.problems.append(
                f"{file_label}: header '{header_name}' reads as the {table.name} column {column} by its name, but its values "
                f"do not ({scores.evidence[(best, j)]}); if it holds {column}, add {_columns_line(table.name, header_name, column)} "
                "to the job config; if not, rename the header, or set input: {map_headers: false} to keep it as an extra column"
            )
            taken_headers.add(best)
            continue
        found.mapped[header_name] = column
        found.evidence[header_name] = scores.evidence[(best, j)]
        taken_headers.add(best)
    return found


@dataclass
class TableHeaders:
    """How one file's headers become contract columns: what the config named and what was read by name and values."""

    renamed: dict[str, str]  # header -> contract column, everything
    mapped: dict[str, str]  # header -> contract column, read from the header's name and values (not in the config)
    problems: list[str]  # missing required columns, clashes, headers the analyst must map


def table_headers(
    frame: pd.DataFrame, header: list[str], table: Table, mapping: dict[str, str], file_label: str, *, map_clear: bool = True
) -> TableHeaders:
    """Map a file's headers: the config's ``columns:`` first, exact names, then (``map_clear``) clear meanings."""
    renamed = contract_header_map(header, table, mapping)
    problems: list[str] = []
    mapped: dict[str, str] = {}
    if map_clear:
        match = match_headers(frame, header, table, renamed, file_label)
        problems.extend(match.problems)
        mapped = dict(match.mapped)
        renamed.update(mapped)
    problems.extend(missing_required_columns(header, table, renamed, file_label))
    problems.extend(clashing_columns(header, table, renamed, file_label))
    return TableHeaders(renamed, mapped, problems)
