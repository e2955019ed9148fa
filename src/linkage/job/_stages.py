"""The stages of a job, in pipeline order: read -> resolve -> (build -> analyse -> render)."""

from __future__ import annotations

from ..config import JobConfig
from ._run import STAGES, JobContext, Stage

__all__ = ["register_default_stages", "resolve_settings"]


def resolve_settings(config: JobConfig):
    """The job's resolution settings (the ``resolve:`` section), checked."""
    from ..resolve import settings_from_dict

    return settings_from_dict(config.stage("resolve"), base=config.base, seed=config.seed, source="resolve")


def _stage_resolve(ctx: JobContext) -> None:
    from ..resolve import read_previous_entities, resolve_people, write_resolution

    assert ctx.dataset is not None
    settings = resolve_settings(ctx.config)
    previous = read_previous_entities(settings.previous_entities) if settings.previous_entities else None
    resolution = resolve_people(ctx.dataset["people"], settings, previous_entities=previous)
    for name, path in write_resolution(resolution, ctx.folder).items():
        ctx.outputs[name] = path
    ctx.notes.extend(resolution.notes)
    ctx.state["resolution"] = resolution
    ctx.state["summary"] = {**ctx.state.get("summary", {}), "resolution": resolution.stats}


def register_default_stages() -> None:
    names = {stage.name for stage in STAGES}
    if "resolve" not in names:
        STAGES.append(Stage("resolve", _stage_resolve, check=resolve_settings))
