"""Run a whole job: read -> resolve -> build -> analyse -> export -> render into a job folder.

The stages (``_stages.STAGES``) run in order on one ``JobContext``, each
reading and writing its typed ``JobState``.  The manifest records what was run
on what, and the sha256 of everything written.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..config import JobConfig
from ..errors import ConfigError, StrictRejectError, TooManyRejectsError
from ..files import KIND_JOB, job_folder, job_inputs, manifest_kind, prepare_output_folder, write_csv, write_json
from ..read import Dataset, file_sha256, load_dataset
from ._context import JobContext
from ._memory import job_allocator, return_freed_memory
from ._progress import NoProgress, Progress
from ._stages import STAGES

__all__ = [
    "JobResult",
    "check_stage_settings",
    "run_job",
    "validate_dataset",
    "reject_messages",
    "reject_summary",
    "strict_error",
    "reject_share_notes",
    "too_many_rejects_error",
    "WARN_REJECT_SHARE",
]


@dataclass
class JobResult:
    folder: Path
    manifest: dict
    dataset: Dataset
    notes: list[str]


def reject_messages(dataset: Dataset, limit: int | None = 20) -> list[str]:
    """Reject lines as a person reads them: ``placements.csv row 17, end_date: ...``."""
    rejects = dataset.rejects
    shown = rejects if limit is None else rejects.head(limit)
    messages = []
    for item in shown.itertuples(index=False):
        info = dataset.files.get(item.table)
        name = info.path.name if info else f"{item.table}.csv"
        column = f", {item.column}" if item.column else ""
        cleared = " (cleared, row kept)" if getattr(item, "action", "") == "cleared" else ""
        messages.append(f"{name} row {item.row}{column}{cleared}: {item.reason}")
    if limit is not None and len(rejects) > limit:
        messages.append(f"... and {len(rejects) - limit} more in rejects.csv")
    return messages


def reject_summary(dataset: Dataset) -> str:
    """``7 row(s) rejected`` (and ``, 3 kept with a value cleared``): the one count the CLI, report and manifest share."""
    text = f"{dataset.n_rejected} row(s) rejected"
    if dataset.n_cleared:
        text += f", {dataset.n_cleared} kept with a value cleared"
    return text


def strict_error(dataset: Dataset) -> StrictRejectError:
    lines = "\n  ".join(reject_messages(dataset))
    return StrictRejectError(
        f"{reject_summary(dataset)} and --strict was given; fix them or run without --strict:\n  {lines}"
    )


#: a table losing more than this share of its rows gets a warning in the run summary and a banner in the report
WARN_REJECT_SHARE = 0.01


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %" if share < 0.995 or share == 1 else f"{100 * share:.2f} %"


def rejected_tables(dataset: Dataset, limit) -> pd.DataFrame:
    """Per-table counts (``Dataset.table_counts``) of the tables whose rejected share is above ``limit(table)``."""
    counts = dataset.table_counts()
    if counts.empty:
        return counts
    over = [share > limit(table) for table, share in zip(counts["table"], counts["rejected_share"])]
    return counts[over].reset_index(drop=True)


def reject_share_notes(dataset: Dataset) -> list[str]:
    """A warning for every table that lost more than ``WARN_REJECT_SHARE`` of its rows (shown in the report's banner)."""
    notes = []
    for row in rejected_tables(dataset, lambda _table: WARN_REJECT_SHARE).itertuples(index=False):
        notes.append(
            f"warning: {row.file} lost {_percent(row.rejected_share)} of its rows to rejects ({row.rejected:,} of "
            f"{row.read:,}); the analyses ran without them. rejects.csv says why, row by row, with the fix"
        )
    return notes


def too_many_rejects_error(dataset: Dataset, config: JobConfig, *, data: Path | None = None) -> TooManyRejectsError | None:
    """The error that stops a job whose tables lost more rows than ``max_reject_share`` allows, or ``None``."""
    over = rejected_tables(dataset, config.reject_share_limit)
    if over.empty:
        return None
    blocks = []
    for row in over.itertuples(index=False):
        limit = config.reject_share_limit(row.table)
        lines = [
            f"{row.file}: {_percent(row.rejected_share)} of its rows were rejected ({row.rejected:,} of {row.read:,}), "
            f"more than max_reject_share {_percent(limit)} allows. The most common reasons:"
        ]
        for reason in dataset.top_reasons(row.table, n=3).itertuples(index=False):
            column = f"{reason.column}: " if reason.column else ""
            lines.append(f"    {column}{reason.rows:,} row(s), e.g. {reason.example}")
        blocks.append("\n  ".join(lines))
    where = f"linkage validate {data} --config CONFIG --out DIR" if data is not None else "linkage validate DATASET --out DIR"
    return TooManyRejectsError(
        "the job stopped after reading, before writing anything:\n  " + "\n  ".join(blocks) + "\n"
        f"Fix the file or the job config as the reasons say ({where} writes every rejected row to DIR/rejects.csv), "
        "or, to run on what is left, raise the limit: max_reject_share: {" + ", ".join(
            f"{t}: {min(1.0, round(s + 0.05, 2))}" for t, s in zip(over["table"], over["rejected_share"])) + "} in the job config"
    )


def check_stage_settings(config: JobConfig) -> None:
    """Every stage's section of the config, checked before any work starts; all problems in one ConfigError."""
    problems: list[str] = []
    for stage in STAGES:
        if stage.check is not None:
            try:
                stage.check(config)
            except ConfigError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ConfigError.from_problems(config.source, problems)


def validate_dataset(
    data: str | Path,
    config: JobConfig | None = None,
    *,
    out: str | Path | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> Dataset:
    """Read and validate ``data``; write ``out/rejects.csv`` when ``out`` is given."""
    config = config or JobConfig()
    progress = progress or NoProgress()
    check_stage_settings(config)
    cleaned = []
    if out is not None:
        cleaned = prepare_output_folder(out, job_inputs(config, data), writer="linkage validate")
    dataset = load_dataset(data, config, progress=progress.step)
    dataset.notes.extend(cleaned)
    dataset.notes.extend(reject_share_notes(dataset))
    for row in rejected_tables(dataset, config.reject_share_limit).itertuples(index=False):
        dataset.notes.append(
            f"{row.file}: {_percent(row.rejected_share)} of its rows rejected is more than max_reject_share "
            f"{_percent(config.reject_share_limit(row.table))}: linkage run stops on this dataset until the file or "
            "the job config is fixed, or the limit raised"
        )
    if out is not None:
        write_csv(dataset.rejects, Path(out) / "rejects.csv")
    if strict and len(dataset.rejects):
        raise strict_error(dataset)
    return dataset


def _config_as_run(config: JobConfig, data: Path) -> dict:
    return {
        "source": config.source,
        "name": config.name,
        "data": str(data),
        "seed": config.seed,
        "suppress_below": config.suppress_below,
        "geography": str(config.geography_path) if config.geography_path else None,
        "settings": config.raw,
    }


def run_job(
    config: JobConfig,
    *,
    data: str | Path | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    suppress_below: int | None = None,
    max_reject_share: float | None = None,
) -> JobResult:
    """Run every stage of the pipeline on ``data`` and write the job folder ``out``.

    ``data`` and ``out`` default to the config's ``data:`` and ``output:``
    (``reports/<job name>``).  Nothing is written to ``out`` until the job has
    succeeded; an existing job folder is replaced only with ``overwrite``.
    ``suppress_below`` overrides the config's: counts of people under it are
    shown as ``<N`` in the aggregated outputs (see ``_suppress``).
    ``max_reject_share`` overrides the config's for every table: a table
    that loses a larger share of its rows to rejects stops the job after
    reading (``TooManyRejectsError``), before anything is written.
    """
    progress = progress or NoProgress()
    if suppress_below is not None:
        if isinstance(suppress_below, bool) or not isinstance(suppress_below, int) or suppress_below < 2:
            raise ConfigError(f"suppress_below {suppress_below!r} must be a whole number >= 2 (counts under it are shown as <N)")
        config = replace(config, suppress_below=suppress_below)
    if max_reject_share is not None:
        if isinstance(max_reject_share, bool) or not isinstance(max_reject_share, (int, float)) or not 0 <= max_reject_share <= 1:
            raise ConfigError(f"max_reject_share {max_reject_share!r} must be a share between 0 and 1 (1: never stop)")
        config = replace(config, max_reject_share={"default": float(max_reject_share)})
    data_path = Path(data) if data is not None else config.data
    if data_path is None:
        raise ConfigError(f"{config.source}: no dataset given; pass --data DATASET or set data: in the job config")
    out_path = Path(out) if out is not None else config.output_folder()
    check_stage_settings(config)
    started = datetime.now(timezone.utc)
    timings: dict[str, float] = {}

    notes: list[str] = []
    with job_folder(out_path, overwrite=overwrite, kind=KIND_JOB, inputs=job_inputs(config, data_path),
                    notes=notes) as staging, job_allocator():
        ctx = JobContext(config=config, folder=staging, notes=notes)
        progress.start(len(STAGES))
        tick = time.perf_counter()
        dataset = ctx.state.dataset = load_dataset(data_path, config)
        timings["read"] = time.perf_counter() - tick
        if strict and len(dataset.rejects):
            raise strict_error(dataset)
        stop = too_many_rejects_error(dataset, config, data=data_path)
        if stop is not None:
            raise stop
        ctx.notes.extend(reject_share_notes(dataset))
        for stage in STAGES:
            progress.step(stage.name)
            tick = time.perf_counter()
            stage.run(ctx)
            if stage.release is not None:
                stage.release(ctx)
            return_freed_memory()
            timings[stage.name] = timings.get(stage.name, 0.0) + time.perf_counter() - tick
        finished = datetime.now(timezone.utc)
        manifest = build_manifest(ctx, data_path, started, finished, timings)
        write_json(manifest, staging / "manifest.json")
    return JobResult(out_path, manifest, dataset, ctx.notes)


def build_manifest(
    ctx: JobContext, data: Path, started: datetime, finished: datetime, timings: dict[str, float]
) -> dict:
    dataset = ctx.state.dataset
    assert dataset is not None
    return {
        "kind": manifest_kind(KIND_JOB),
        "toolkit": "linkage",
        "version": __version__,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "job": ctx.config.name,
        "config": _config_as_run(ctx.config, data),
        "seed": ctx.config.seed,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds_per_stage": {k: round(v, 3) for k, v in timings.items()},
        "inputs": {name: _input_entry(dataset, name, info) for name, info in dataset.files.items()},
        "rows_rejected": dataset.n_rejected,
        "rows_cleared": dataset.n_cleared,
        "warnings": [w.as_dict() for w in dataset.warnings],
        "notes": ctx.notes,
        "summary": ctx.state.summary,
        "suppression": {
            "suppress_below": ctx.config.suppress_below,
            "applied_to": {name: cols for name, cols in sorted(ctx.suppressed.items())},
            "note": (
                "counts under suppress_below are shown as <N in the aggregated outputs listed, and columns that "
                "restate those counts are removed; person-level outputs are not suppressed and are not for "
                "sharing beyond the analyst team"
                if ctx.config.suppress_below
                else "no small-number suppression: set suppress_below or pass --suppress-below before sharing outputs"
            ),
        },
        "outputs": {name: _output_entry(ctx, name, path) for name, path in sorted(ctx.outputs.items())},
    }


def _input_entry(dataset: Dataset, name: str, info) -> dict:
    """An input file in the manifest: its hash, its counts, and how it was read (delimiter, headers, date layouts)."""
    entry: dict[str, Any] = {
        "file": str(info.path),
        "sha256": info.sha256,
        "encoding": info.encoding,
        "rows_read": info.rows_read,
        "rows_rejected": info.rows_rejected,
        "rows_cleared": info.rows_cleared,
        "rows_kept": info.rows_kept,
    }
    if info.delimiter:
        entry["delimiter"] = info.delimiter
    if name in dataset.columns_mapped:
        entry["columns_mapped"] = dataset.columns_mapped[name]
    layouts = {key.partition(".")[2]: found for key, found in dataset.date_layouts.items() if key.partition(".")[0] == name}
    if layouts:
        entry["date_layouts"] = layouts
    return entry


def _output_entry(ctx: JobContext, name: str, path: Path) -> dict:
    entry: dict[str, Any] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
    if name in ctx.rows:
        entry["rows"] = ctx.rows[name]
    return entry
