"""Must-link / cannot-link overrides and labelled pairs, read from CSV files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LinkageError
from ..files import read_side_csv

__all__ = ["PairFile", "read_overrides", "read_labels", "override_decisions"]

_MUST = {"must_link", "must", "match", "same", "link", "1", "true", "yes"}
_CANNOT = {"cannot_link", "cannot", "non_match", "nonmatch", "different", "no_link", "0", "false", "no"}


@dataclass
class PairFile:
    left: np.ndarray
    right: np.ndarray
    same: np.ndarray  # True = must-link / match, False = cannot-link / non-match
    unknown_records: list[str]


def _decided_rows(path: Path, decision_columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """``record_id_a, record_id_b, same`` of a pair file, every decision checked (all problems reported at once)."""
    frame = read_side_csv(path, what=f"{what} file", fix=f"it needs a header line record_id_a,record_id_b,{decision_columns[0]} "
                          "and a line per pair (or leave the setting out)")
    frame.columns = [c.strip().lower() for c in frame.columns]
    decision = next((c for c in decision_columns if c in frame.columns), None)
    missing = [c for c in ("record_id_a", "record_id_b") if c not in frame.columns]
    if missing or decision is None:
        need = ", ".join(missing + ([decision_columns[0]] if decision is None else []))
        raise LinkageError(f"{path} has no column {need}; {what} files need record_id_a, record_id_b, {decision_columns[0]}")
    values = frame[decision].str.strip().str.lower()
    problems = []
    for line, value in zip(range(2, len(frame) + 2), values):
        if value not in _MUST and value not in _CANNOT:
            problems.append(f"{path} row {line}: {decision} '{value}' is not one of must_link, cannot_link (or match / non_match, 1 / 0)")
    if problems:
        raise LinkageError("\n  ".join([f"{len(problems)} problem(s) in {what} file {path}:"] + problems[:20]), problems)
    return pd.DataFrame({"record_id_a": frame["record_id_a"].str.strip(), "record_id_b": frame["record_id_b"].str.strip(),
                         "same": values.isin(_MUST).to_numpy()})


def _read_pairs(path: Path, decision_columns: tuple[str, ...], what: str, record_ids: pd.Index) -> PairFile:
    rows = _decided_rows(path, decision_columns, what)
    a = record_ids.get_indexer(rows["record_id_a"])
    b = record_ids.get_indexer(rows["record_id_b"])
    unknown = sorted(set(rows["record_id_a"][a < 0]) | set(rows["record_id_b"][b < 0]))
    keep = (a >= 0) & (b >= 0) & (a != b)
    same = rows["same"].to_numpy()
    return PairFile(np.minimum(a, b)[keep], np.maximum(a, b)[keep], same[keep], unknown)


def override_decisions(path: Path) -> pd.DataFrame:
    """The overrides file as ``record_id_a, record_id_b, decision`` (``must_link`` / ``cannot_link``), in file order.

    The review page starts from these, so that the file it saves keeps the
    decisions of earlier rounds.
    """
    rows = _decided_rows(path, ("decision", "override", "is_match"), "override")
    return pd.DataFrame({"record_id_a": rows["record_id_a"], "record_id_b": rows["record_id_b"],
                         "decision": np.where(rows["same"], "must_link", "cannot_link")})


def read_overrides(path: Path, record_ids: pd.Index) -> PairFile:
    """``record_id_a, record_id_b, decision`` (must_link / cannot_link)."""
    return _read_pairs(path, ("decision", "override", "is_match"), "override", record_ids)


def read_labels(path: Path, record_ids: pd.Index) -> PairFile:
    """``record_id_a, record_id_b, is_match`` (1 / 0, match / non_match)."""
    return _read_pairs(path, ("is_match", "decision", "label"), "labels", record_ids)
