"""Rows in an order set by their values, so that nothing built from them depends on the order of the input file.

A table with a unique id is sorted by it; any other table by every scalar
contract column it has. Rows equal in all of those are interchangeable for
everything the network is built from, so their remaining order cannot show.
"""

from __future__ import annotations

import pandas as pd

from ..contract import TABLES

__all__ = ["canonical_rows", "UNORDERED_TABLES"]

#: tables whose use is already independent of row order (aggregated by value), left unsorted for speed
UNORDERED_TABLES = ("contacts",)


def canonical_rows(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` (a validated ``table``) sorted by its unique id, or by all its scalar contract columns."""
    spec = TABLES[table]
    if spec.unique:
        keys = [spec.unique]
    else:
        keys = [c.name for c in spec.columns if c.kind != "list" and c.name in frame.columns]
    if not keys or len(frame) < 2:
        return frame
    return frame.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)
