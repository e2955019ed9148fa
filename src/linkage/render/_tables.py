"""Report tables: a DataFrame as rows of display cells, for the ``table`` macro of ``parts/macros.html``.

Cells carry plain text (the template engine escapes it), a sort key for
``sortable.js`` and, when the value has a page of its own, the link to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Cell", "Table", "cell_text", "data_table"]


@dataclass(frozen=True)
class Cell:
    text: str
    #: ``data-sort`` value (None: sort by the text)
    key: str | None
    numeric: bool
    href: str | None = None


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    #: "Showing 50 of 1,234 rows; ..." when the table is cut short, else ""
    more: str = ""


def cell_text(value) -> tuple[str, str | None, bool]:
    """(text, sort key, numeric) of a table cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "", "", False
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), None, False
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}", str(int(value)), True
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "", "", True
        text = f"{value:,.0f}" if float(value).is_integer() else (f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}")
        return text, repr(float(value)), True
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d"), None, False
    return str(value), None, False


def data_table(frame: pd.DataFrame | None, columns: list[str] | None = None, *,
               links: dict[str, tuple[dict[str, str], str]] | None = None, limit: int | None = 50,
               caption: str = "") -> Table | None:
    """The first ``limit`` rows of ``frame`` (all when None) as a sortable table; None when there is no frame.

    ``links`` maps a column to (id -> page path, prefix): cells whose value has
    a page link to it.
    """
    if frame is None:
        return None
    columns = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    links = links or {}
    shown = frame if limit is None else frame.head(limit)
    values = [shown[c].tolist() for c in columns]
    rows = []
    for i in range(len(shown)):
        cells = []
        for c, column in zip(columns, values):
            text, key, numeric = cell_text(column[i])
            href = None
            if c in links:
                pages, prefix = links[c]
                target = pages.get(str(column[i]))
                href = prefix + target if target else None
            cells.append(Cell(text, key, numeric, href))
        rows.append(cells)
    more = ""
    if limit is not None and len(frame) > limit:
        more = f"Showing {limit:,} of {len(frame):,} rows; the CSV has them all."
    return Table(columns, rows, caption, more)
