"""The review queue: the pairs a person should decide, grouped by candidate entity, most valuable decision first.

A pair is in the queue when its match probability is in the review band or a
guard held it back; either way it is not linked unless a person says so.  Each
pair's ``decision_value`` is the number of records a "same person" decision
would join (the records of its two entities) times its match probability:
the records a reviewer can expect to bring together by deciding it.  Pairs that
would join the same entities are one ``review_group`` (the candidate
entity), so a reviewer decides them together; groups come in order of their
most valuable pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..graph import connected_components

__all__ = ["review_queue", "REVIEW_DECISIONS"]

REVIEW_DECISIONS = ("review", "review_disagrees", "review_common_values")


def review_queue(match_pairs: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """The review rows of ``match_pairs``, ranked and grouped (see the module docstring)."""
    queue = match_pairs[match_pairs["decision"].isin(REVIEW_DECISIONS)].copy()
    entity_of = entities.set_index("record_id")["entity_id"]
    sizes = entities["entity_id"].value_counts()
    entity_a = queue["record_id_a"].map(entity_of)
    entity_b = queue["record_id_b"].map(entity_of)
    queue["uncertainty"] = (1 - (2 * queue["match_probability"] - 1).abs()).round(6)
    moved = entity_a.map(sizes).fillna(1).to_numpy() + entity_b.map(sizes).fillna(1).to_numpy()
    queue["decision_value"] = (queue["match_probability"].to_numpy() * moved).round(6)
    codes, _ = pd.factorize(pd.concat([entity_a, entity_b], ignore_index=True), sort=True)
    half = len(queue)
    labels = connected_components(int(codes.max(initial=-1)) + 1, codes[:half], codes[half:]) if half else np.empty(0, int)
    component = labels[codes[:half]] if half else np.empty(0, int)
    queue["_component"] = component
    best = queue.groupby("_component")["decision_value"].transform("max")
    queue["_best"] = best
    queue["records_in_group"] = 0
    if half:
        members = pd.DataFrame({"component": labels[codes], "entity": pd.concat([entity_a, entity_b], ignore_index=True)})
        members = members.drop_duplicates()
        members["records"] = members["entity"].map(sizes).fillna(1)
        queue["records_in_group"] = queue["_component"].map(members.groupby("component")["records"].sum()).astype("int64")
    queue = queue.sort_values(
        ["_best", "_component", "decision_value", "record_id_a", "record_id_b"],
        ascending=[False, True, False, True, True],
        kind="stable",
    )
    order, _ = pd.factorize(queue["_component"])
    queue["review_group"] = order + 1
    queue = queue.drop(columns=["_component", "_best"]).reset_index(drop=True)
    first = ["record_id_a", "record_id_b", "match_probability", "review_group", "decision_value", "records_in_group"]
    return queue[first + [c for c in queue.columns if c not in first]]
