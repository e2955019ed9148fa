"""Small-number suppression for outputs shared beyond the analyst team.

With ``suppress_below: N`` (or ``linkage run --suppress-below N``) every count
of people in an aggregated output that is between 1 and N-1 is written as
``<N``, so that a table cannot single out one child.  Zero stays zero: it
reveals no one.  Person-level tables (entities, match pairs, care moves,
key people, ...) are not touched: they are records about individuals, for the
analyst team only, and suppression cannot make them shareable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COUNT_COLUMNS", "REMOVED_COLUMNS", "suppress_counts"]

#: aggregated outputs and their columns that count people (or people's ties)
COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "clusters.csv": ("size", "n_victims", "n_perpetrators", "n_looked_after"),
    "business_targets.csv": ("children_linked", "perpetrators_linked", "children_found_there"),
    "business_targets_by_area.csv": ("children_linked", "perpetrators_linked"),
    "operation_crossover.csv": ("shared_victims", "shared_perpetrators", "shared_locations"),
    "care_move_cohort.csv": ("children",),
    "care_move_counterfactual.csv": ("children", "children_affected"),
    "reach.csv": ("people", "people_in_group", "ties"),
}

#: columns that restate those counts (lists of the people counted, text such as
#: "victims 3x1"): removed when suppressing, or they would give the counts away
REMOVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "clusters.csv": ("risk_parts",),
    "business_targets.csv": ("evidence",),
    "operation_crossover.csv": ("victims", "perpetrators", "locations"),
}


def suppress_counts(name: str, frame: pd.DataFrame, below: int | None) -> tuple[pd.DataFrame, list[str], list[str]]:
    """``frame`` with counts under ``below`` (but above 0) shown as ``<below``.

    Returns the frame, the columns where a count was suppressed, and the
    columns removed because they restate the counts (``REMOVED_COLUMNS``).
    Only the outputs of ``COUNT_COLUMNS`` are touched; any other comes back
    unchanged.
    """
    if not below or name not in COUNT_COLUMNS:
        return frame, [], []
    removed = [c for c in REMOVED_COLUMNS.get(name, ()) if c in frame.columns]
    out = frame.drop(columns=removed)
    touched = []
    for column in COUNT_COLUMNS[name]:
        if column not in out.columns:
            continue
        numbers = pd.to_numeric(out[column], errors="coerce")
        small = (numbers > 0) & (numbers < below)
        if not small.any():
            continue
        values = out[column].astype(object)
        whole = numbers.notna() & (numbers == np.floor(numbers.fillna(0)))
        values = values.where(~whole, numbers.astype("Int64").astype(object))
        out[column] = values.where(~small.to_numpy(), f"<{below}")
        touched.append(column)
    return out, touched, removed
