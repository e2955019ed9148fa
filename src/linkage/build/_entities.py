"""Record id -> entity id, looked up in Arrow (millions of ids per table at large scale)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import positions_in, take_strings

__all__ = ["EntityLookup"]


class EntityLookup:
    """Maps record ids to their entity ids; a record the resolution did not see is its own entity."""

    def __init__(self, entities: pd.DataFrame) -> None:
        unique = entities.drop_duplicates("record_id")
        self.records = pd.Series(unique["record_id"].to_numpy(), dtype="str")
        self.entities = pd.Series(unique["entity_id"].to_numpy(), dtype="str")

    def __call__(self, record_ids: pd.Series) -> pd.Series:
        """The entity id of each of ``record_ids`` (same index; missing stays missing)."""
        record_ids = pd.Series(record_ids)
        if record_ids.empty:
            return pd.Series([], index=record_ids.index, dtype="str")
        position = positions_in(record_ids, self.records)
        found = take_strings(self.entities, np.maximum(position, 0))
        own = pd.Series(record_ids.to_numpy(), dtype="str")
        return found.where(position >= 0, own).set_axis(record_ids.index)
