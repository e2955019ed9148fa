"""The stages of a job, in pipeline order: read -> resolve -> build -> analyse -> export -> render.

Each stage reads what the ones before it left in ``ctx.state`` (a ``JobState``)
and adds its own part; ``STAGES`` declares them in order.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..config import JobConfig
from ._context import JobContext, Stage
from ._memory import release_pair_tables, release_raw_tables

if TYPE_CHECKING:
    from ..resolve import Resolution

__all__ = ["STAGES", "resolve_settings", "resolve_stage"]


def _stage_read(ctx: JobContext) -> None:
    """The tables were read and validated before the job folder was made (a job with too many rejects stops
    there); this writes their rejects."""
    dataset = ctx.state.dataset
    assert dataset is not None
    ctx.write_table("rejects.csv", dataset.rejects)
    ctx.notes.extend(dataset.notes)


def resolve_settings(config: JobConfig):
    """The job's resolution settings (the ``resolve:`` section, checked when the config was read)."""
    return config.resolve


def resolve_stage(ctx: JobContext, *, settings=None, previous_entities: Path | None = None,
                  progress: Callable[[str], None] | None = None) -> Resolution:
    """The resolve stage: the people of ``ctx.state.dataset`` resolved into entities, written into ``ctx.folder``.

    ``settings`` are the config's ``resolve:`` section unless given;
    ``previous_entities`` (an earlier run's entities.csv, so unchanged
    entities keep their ids) is the settings' unless given.  ``linkage
    resolve`` runs this same stage (``resolve_dataset``).
    """
    from ..resolve import read_previous_entities, resolve_people, write_resolution

    assert ctx.state.dataset is not None
    settings = settings or resolve_settings(ctx.config)
    previous_path = previous_entities or settings.previous_entities
    previous = read_previous_entities(previous_path) if previous_path else None
    resolution = resolve_people(ctx.state.dataset["people"], settings, previous_entities=previous, progress=progress)
    for name, path in write_resolution(resolution, ctx.folder).items():
        ctx.outputs[name] = path
    for name, frame in (("entities.csv", resolution.entities), ("match_pairs.csv", resolution.match_pairs),
                        ("review_queue.csv", resolution.review_queue), ("blocking.csv", resolution.blocking)):
        ctx.rows[name] = len(frame)
    ctx.notes.extend(resolution.notes)
    ctx.state.resolution = resolution
    ctx.state.summary["resolution"] = resolution.stats
    return resolution


def network_settings(config: JobConfig):
    return config.network


def _stage_build(ctx: JobContext) -> None:
    from ..build import build_network

    assert ctx.state.dataset is not None
    resolution = ctx.state.resolution
    entities = resolution.entities if resolution is not None else None
    network = build_network(ctx.state.dataset, entities, ctx.config, network_settings(ctx.config))
    ctx.state.network = network
    ctx.notes.extend(network.notes)
    counts = network.edges["edge_type"].value_counts().sort_index()
    ctx.state.summary["network"] = {
        "people": int(len(network.people)),
        "places": int(len(network.places)),
        "episodes": int(len(network.episodes)),
        "operations": int(len(network.operations)),
        "identifiers": int(len(network.identifiers)),
        "edges": {str(k): int(v) for k, v in counts.items()},
    }


def analysis_settings(config: JobConfig):
    """The ``analyses:`` section, checked (thresholds of the analyses)."""
    from ._analyses import analysis_options

    return analysis_options(config)


def _stage_analyse(ctx: JobContext) -> None:
    from ._analyses import run_analyses

    run_analyses(ctx)


def _stage_export(ctx: JobContext) -> None:
    """The graph exports, and ``network/*.parquet`` written beside them: Arrow's Parquet writer runs in C++
    without the GIL, so on a second core it costs the stage almost nothing (the same bytes either way)."""
    from concurrent.futures import ThreadPoolExecutor

    from ..render.exports import write_graph_exports

    network = ctx.state.network
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="network-tables") as pool:
        tables = pool.submit(_write_network_tables, ctx, network)
        written = write_graph_exports(network, ctx.folder, notes=ctx.notes, members=ctx.state.cluster_members,
                                      options=export_options(ctx.config))
        tables.result()
    for name, path in written.items():
        ctx.outputs[name] = path


def _write_network_tables(ctx: JobContext, network) -> None:
    """``network/*.parquet``: the whole network, for the tools that work on a finished job folder alone."""
    from ..build import NETWORK_FOLDER, NETWORK_FORMAT, network_tables
    from ..files import write_json, write_parquet

    for name, table in network_tables(network).items():
        key = f"{NETWORK_FOLDER}/{name}"
        ctx.outputs[key] = write_parquet(table, ctx.folder / key)
        ctx.rows[key] = table.num_rows
    key = f"{NETWORK_FOLDER}/network.json"
    ctx.outputs[key] = write_json({
        "format": NETWORK_FORMAT,
        "open_until": network.open_until.date().isoformat() if network.open_until is not None else None,
        "settings": {k: v for k, v in dataclasses.asdict(network.settings).items() if v is not None},
        # the geography as the job ran, for distances from home and boundary crossings
        "geography": [dataclasses.asdict(a) for a in ctx.config.geography.authorities] if ctx.config.geography else [],
    }, ctx.folder / key)


def export_options(config: JobConfig):
    return config.exports


def view_options(config: JobConfig):
    return config.views


def _stage_render(ctx: JobContext) -> None:
    """Views and the report; they use whatever analyses ran (absent tables give notes, not errors)."""
    import pandas as pd

    from ..render import write_report, write_views

    from ._review import write_review_page

    network = ctx.state.network
    tables = ctx.state.tables
    review = write_review_page(ctx, ctx.state.resolution).name if ctx.state.resolution is not None else None
    dataset = ctx.state.dataset
    pages = write_views(network, ctx.folder, tables=tables, seed=ctx.config.seed, options=view_options(ctx.config),
                        title=ctx.config.name, review=review, records=dataset["people"] if dataset is not None else None)
    ctx.outputs.update(pages.outputs)
    ctx.notes.extend(pages.notes)
    inputs = pd.DataFrame(dataset.summary_rows()) if dataset is not None else None
    ctx.outputs["report.html"] = write_report(
        network, ctx.folder, tables=tables, summary=ctx.state.summary, notes=ctx.notes, inputs=inputs,
        rejects=dataset.rejects if dataset is not None else None, pages=pages, title=ctx.config.name,
    )


#: The pipeline's stages, in the order they run.
STAGES: tuple[Stage, ...] = (
    Stage("read", _stage_read),
    Stage("resolve", resolve_stage, check=resolve_settings, release=release_pair_tables),
    Stage("build", _stage_build, check=network_settings, release=release_raw_tables),
    Stage("analyse", _stage_analyse, check=analysis_settings),
    Stage("export", _stage_export, check=export_options),
    Stage("render", _stage_render, check=view_options),
)
