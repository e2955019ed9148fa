"""``review.html`` for a run's review queue: the resolution's tables, the people they were made from and the
overrides the run used, handed to ``render.write_review`` (the page itself is described there)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._context import JobContext

if TYPE_CHECKING:
    from ..resolve import Resolution

__all__ = ["write_review_page", "empty_queue_reason"]


def empty_queue_reason(resolution: Resolution) -> str:
    """Why a run's review queue is empty, in the reviewer's words."""
    settings = resolution.settings
    if settings is None or settings.method == "none":
        return ("resolve: none -- the person records were not compared, so there is no pair to review; "
                "remove resolve: none from the job config to match records")
    return (f"No pair needs a decision: no compared pair has a match probability from review_from "
            f"({settings.review_from:g}) up to the threshold ({settings.threshold:g}), and no guard held back a pair "
            "above it. Every link's evidence is in match_pairs.csv.")


def write_review_page(ctx: JobContext, resolution: Resolution, *, nav: bool = True) -> Path:
    """Write ``review.html`` into ``ctx.folder`` (``nav``: link the overview and the report, which a job writes)."""
    from ..render import write_review
    from ..resolve import override_decisions

    assert ctx.state.dataset is not None
    settings = resolution.settings
    previous = override_decisions(settings.overrides) if settings is not None and settings.overrides else None
    path = write_review(ctx.folder, resolution.review_queue, resolution.entities, ctx.state.dataset["people"],
                        title=ctx.config.name, previous=previous, max_pairs=ctx.config.views.max_review_pairs,
                        empty_reason=empty_queue_reason(resolution), nav=nav)
    ctx.outputs[path.name] = path
    return path
