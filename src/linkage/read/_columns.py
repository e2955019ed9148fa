"""Map an extract's own headers onto the contract's column names."""

from __future__ import annotations

import re

import pandas as pd
from rapidfuzz import process

from ..contract import Table

__all__ = ["clashing_columns", "contract_header_map", "missing_required_columns", "normalise_header"]


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
    for column in table.required_columns:
        if column in present:
            continue
        guess = process.extractOne(column, unmapped, score_cutoff=50) if unmapped else None
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
