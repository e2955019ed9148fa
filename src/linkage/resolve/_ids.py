"""Stable entity ids: the same people keep the same id from run to run.

Without a previous run, an entity's id is a hash of its smallest record id, so
it changes only when that record leaves the entity.  Given the previous
``entities.csv``, an entity whose records are unchanged keeps its old id, and
a changed one keeps the old id it shares most records with, if no other
entity has claimed it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["assign_entity_ids", "hashed_id"]


def hashed_id(record_id: str) -> str:
    """``E`` and 16 hex digits of the record id's BLAKE2b hash (``assign_entity_ids`` writes the same inline)."""
    return "E" + hashlib.blake2b(record_id.encode("utf-8"), digest_size=8).hexdigest()


def assign_entity_ids(record_ids: np.ndarray, labels: np.ndarray, previous: pd.DataFrame | None = None) -> np.ndarray:
    """An ``entity_id`` per record from cluster ``labels``."""
    frame = pd.DataFrame({"record_id": record_ids.astype(str), "label": labels})
    if frame["record_id"].is_monotonic_increasing:  # records in id order (as resolve has them): the first is the smallest
        label, first = np.unique(np.asarray(labels), return_index=True)
        smallest = pd.Series(frame["record_id"].to_numpy(dtype=object)[first], index=pd.Index(label, name="label"))
    else:
        smallest = frame.groupby("label")["record_id"].min()
    blake2b = hashlib.blake2b
    ids = pd.Series(["E" + blake2b(r.encode("utf-8"), digest_size=8).hexdigest() for r in smallest.to_numpy()],
                    index=smallest.index)
    if previous is not None and len(previous):
        ids = _keep_previous_ids(frame, ids, previous)
    ids = _disambiguate(ids)
    return ids.reindex(frame["label"]).to_numpy(dtype=object)


def _keep_previous_ids(frame: pd.DataFrame, ids: pd.Series, previous: pd.DataFrame) -> pd.Series:
    old = previous[["record_id", "entity_id"]].astype(str).drop_duplicates("record_id")
    joined = frame.merge(old, on="record_id", how="left")
    new_size = frame.groupby("label").size()
    old_size = old.groupby("entity_id").size()
    overlap = joined.dropna(subset=["entity_id"]).groupby(["label", "entity_id"]).size().rename("shared").reset_index()
    if overlap.empty:
        return ids
    overlap["unchanged"] = (overlap["shared"] == overlap["label"].map(new_size)) & (
        overlap["shared"] == overlap["entity_id"].map(old_size)
    )
    overlap = overlap.sort_values(["unchanged", "shared", "entity_id", "label"], ascending=[False, False, True, True], kind="stable")
    taken_labels: set[int] = set()
    taken_ids: set[str] = set()
    kept = ids.copy()
    for label, entity_id in zip(overlap["label"].to_numpy(), overlap["entity_id"].to_numpy()):
        if label in taken_labels or entity_id in taken_ids:
            continue
        kept[label] = entity_id
        taken_labels.add(label)
        taken_ids.add(entity_id)
    # a fresh hashed id must not collide with an old id now held by another entity
    fresh = ~kept.index.isin(list(taken_labels))
    clash = fresh & kept.isin(taken_ids).to_numpy()
    kept[clash] = kept[clash] + "-new"
    return kept


def _disambiguate(ids: pd.Series) -> pd.Series:
    duplicated = ids.duplicated(keep="first")
    if duplicated.any():
        ids = ids.copy()
        counter = ids.groupby(ids).cumcount()
        ids[duplicated] = ids[duplicated] + "-" + counter[duplicated].astype(str)
    return ids
