"""Entity resolution on its own (``linkage resolve``): the dataset validated, then the job's own resolve stage."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pandas as pd

from ..config import JobConfig
from ..errors import LinkageError
from ..files import config_inputs, prepare_output_folder, write_csv
from ..read import Dataset
from ._context import JobContext, JobState
from ._review import write_review_page
from ._run import validate_dataset
from ._stages import resolve_settings, resolve_stage

if TYPE_CHECKING:
    from ..resolve import Resolution

__all__ = ["ResolveRun", "BlockingExplained", "resolve_dataset", "explain_dataset_blocking"]


@dataclass
class ResolveRun:
    """What ``resolve_dataset`` did: the entities found, the dataset they came from, what it put right first."""

    resolution: Resolution
    dataset: Dataset
    #: what killed runs had left in the output folder, put right before anything was read
    cleaned: list[str] = field(default_factory=list)


@dataclass
class BlockingExplained:
    """The candidate pairs each blocking rule generates (``per_rule``, also in blocking.csv) and the largest blocks."""

    records: int
    per_rule: pd.DataFrame
    largest: pd.DataFrame
    cleaned: list[str] = field(default_factory=list)


def _prepare(data: str | Path, out: str | Path, config: JobConfig | None, *, model: Path | None, overrides: Path | None,
             labels: Path | None, previous: Path | None):
    """The resolve: settings with the files given instead of the config's, the output folder checked, the data read."""
    config = config or JobConfig()
    settings = resolve_settings(config)
    updates = {k: Path(v) for k, v in {"model": model, "overrides": overrides, "labels": labels}.items() if v is not None}
    for name, path in updates.items():
        if not path.is_file():
            raise LinkageError(f"{path} does not exist; check the --{name} path")
    settings = dataclasses.replace(settings, **updates)
    inputs = [("the dataset", data), *config_inputs(config), ("the --model file", settings.model),
              ("the --overrides file", settings.overrides), ("the --labels file", settings.labels),
              ("the --previous file", previous or settings.previous_entities)]
    cleaned = prepare_output_folder(out, inputs, writer="linkage resolve")
    dataset = validate_dataset(data, config, out=out)
    return config, settings, dataset, cleaned


def resolve_dataset(data: str | Path, out: str | Path, config: JobConfig | None = None, *, model: Path | None = None,
                    overrides: Path | None = None, labels: Path | None = None, previous: Path | None = None,
                    progress: Callable[[str], None] | None = None) -> ResolveRun:
    """Resolve the people of the dataset ``data`` into the folder ``out``, as a job's resolve stage does.

    Writes ``out/rejects.csv`` (the dataset validated by ``config``), then
    entities.csv, match_pairs.csv, review_queue.csv, model.json and
    blocking.csv.  ``model``, ``overrides`` and ``labels`` replace the
    config's ``resolve:`` files; ``previous`` is an earlier run's
    entities.csv whose unchanged entities keep their ids.
    """
    config, settings, dataset, cleaned = _prepare(data, out, config, model=model, overrides=overrides, labels=labels,
                                                  previous=previous)
    ctx = JobContext(config=config, folder=Path(out), state=JobState(dataset=dataset))
    resolution = resolve_stage(ctx, settings=settings, previous_entities=previous, progress=progress)
    write_review_page(ctx, resolution, nav=False)
    return ResolveRun(resolution, dataset, cleaned)


def explain_dataset_blocking(data: str | Path, out: str | Path, config: JobConfig | None = None, *,
                             model: Path | None = None, overrides: Path | None = None, labels: Path | None = None,
                             previous: Path | None = None) -> BlockingExplained:
    """The pairs each of the config's blocking rules would generate on ``data``, before any scoring.

    Writes ``out/rejects.csv`` and ``out/blocking.csv``; resolves nothing.
    """
    from ..resolve import derive_settings, explain_blocking, prepare_records

    _, settings, dataset, cleaned = _prepare(data, out, config, model=model, overrides=overrides, labels=labels,
                                             previous=previous)
    people = dataset["people"]
    settings, _ = derive_settings(people, settings)  # the rules a run would use: the config's, or derived
    records = prepare_records(people, extra_columns=settings.extra_columns, phone_columns=settings.phone_columns)
    per_rule, largest = explain_blocking(records, settings.blocking, max_block_size=settings.max_block_size)
    write_csv(per_rule, Path(out) / "blocking.csv")
    return BlockingExplained(len(people), per_rule, largest, cleaned)
