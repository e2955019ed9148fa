"""Write a resolution's tables into a folder, and read a previous run's entities."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import LinkageError
from ..files import read_side_csv, restore_neutralised, write_csv, write_text
from ._derive import settings_yaml
from ._resolve import Resolution

__all__ = ["write_resolution", "read_previous_entities"]


def write_resolution(resolution: Resolution, folder: str | Path) -> dict[str, Path]:
    """entities.csv, match_pairs.csv, review_queue.csv, model.json (reloadable; none with resolve: none) and blocking.csv."""
    folder = Path(folder)
    written = {
        "entities.csv": write_csv(resolution.entities, folder / "entities.csv"),
        "match_pairs.csv": write_csv(resolution.match_pairs, folder / "match_pairs.csv"),
        "review_queue.csv": write_csv(resolution.review_queue, folder / "review_queue.csv"),
        "blocking.csv": write_csv(resolution.blocking, folder / "blocking.csv"),
    }
    if resolution.model is not None:  # resolve: none has no model
        written["model.json"] = resolution.model.save(folder / "model.json")
    if resolution.settings is not None:
        text = settings_yaml(resolution.settings, resolution.profiles, derived=resolution.derived,
                             recall=resolution.blocking_recall)
        written["settings.yaml"] = write_text(text, folder / "settings.yaml")
    return written


def read_previous_entities(path: str | Path) -> pd.DataFrame:
    """A previous run's entities.csv (record_id, entity_id), to keep entity ids stable."""
    frame = read_side_csv(path, what="previous entities file", fix="pass the entities.csv of the previous run")
    missing = [c for c in ("record_id", "entity_id") if c not in frame.columns]
    if missing:
        raise LinkageError(f"{path} has no column {', '.join(missing)}; pass the entities.csv a linkage run wrote")
    for column in ("record_id", "entity_id"):
        frame[column] = restore_neutralised(frame[column])
    return frame[["record_id", "entity_id"]]
