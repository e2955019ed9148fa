"""What the stages of a job share: the config, the folder being written, and the typed state they hand on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd

from ..config import JobConfig
from ..files import write_csv
from ._suppress import suppress_counts

if TYPE_CHECKING:
    from ..build import Network
    from ..read import Dataset
    from ..resolve import Resolution

__all__ = ["JobContext", "JobState", "Stage"]


@dataclass
class JobState:
    """What each stage hands on: every field is written by the stage named and read by the ones after it."""

    #: read: the validated tables and every rejected row
    dataset: Dataset | None = None
    #: resolve: one entity per person record (``None``: every record its own person)
    resolution: Resolution | None = None
    #: build: the network
    network: Network | None = None
    #: analyse: every analysis table by its file name, for the views and the report
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: analyse: cluster_members.csv, which the key-people and business analyses and the exports' scope use
    cluster_members: pd.DataFrame | None = None
    #: resolve, build, analyse: their counts by stage, for the manifest's summary and the report
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobContext:
    """What the stages share: the config, the folder being written, the state, and what was written."""

    config: JobConfig
    folder: Path
    state: JobState = field(default_factory=JobState)
    outputs: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: rows of every table output, for the manifest
    rows: dict[str, int] = field(default_factory=dict)
    #: output -> columns whose small counts were suppressed, and columns removed (``suppress_below``)
    suppressed: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def write_table(self, name: str, frame: pd.DataFrame) -> Path:
        """Write ``name`` into the job folder; counts under ``suppress_below`` shown as ``<N``."""
        frame, columns, removed = suppress_counts(name, frame, self.config.suppress_below)
        if columns or removed:
            self.suppressed[name] = {"suppressed": columns, "removed": removed}
        path = write_csv(frame, self.folder / name)
        self.outputs[name] = path
        self.rows[name] = len(frame)
        return path


@dataclass(frozen=True)
class Stage:
    """One step of a job: ``run`` reads and writes the context's state; ``check`` reads its config section."""

    name: str
    run: Callable[[JobContext], None]
    #: checks the stage's config section before any work starts (raises ConfigError)
    check: Callable[[JobConfig], object] | None = None
    #: after the stage has run: drops from the state what no later stage reads (``_memory``)
    release: Callable[[JobContext], None] | None = None
