"""The analysis stage: every Empra analysis that the data allows, each writing its contract file.

An analysis whose input tables are absent is skipped with a note naming the
missing table, never an error. An output with no rows gets a note saying why
and what would give it rows: the reason the analysis itself returned with the
empty table (``analyse.core.no_rows``). The ``analyses:`` config section sets
the analyses' settings (``analyses: {clusters: {resolution: 0.5}}``). The
network's view (``analyse.core.NetworkView``) is built once and passed to
every analysis, so that the ids are looked up once and what one analysis
works out (ties, clusters) is there for the next.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..analyse.core import empty_reason, network_view, table_notes
from ..config import JobConfig
from ..graph.background import Background, worker_count
from ._context import JobContext

__all__ = ["Analysis", "ANALYSES", "run_analyses", "analysis_options"]


@dataclass(frozen=True)
class Analysis:
    name: str
    module: str
    run: Callable[[JobContext, object], dict[str, pd.DataFrame]]
    #: the function whose numeric keyword options ``analyses.<main>`` sets
    main: str = ""
    #: starts the analysis's long graph computation in a worker process (``linkage.graph.background``)
    start: Callable | None = None
    #: runs after the others: it waits for a computation started in a worker, or for one that does
    late: bool = False

    def requires(self) -> tuple[str, ...]:
        return tuple(getattr(importlib.import_module(self.module), "REQUIRES", ()))

    def function(self, name: str):
        return getattr(importlib.import_module(self.module), name)


def _crossover(ctx, network):
    module = importlib.import_module("linkage.analyse.crossover")
    return {"operation_crossover.csv": module.operation_crossover(network, **_options(ctx, "operation_crossover"))}


def _clusters(ctx, network):
    module = importlib.import_module("linkage.analyse.clusters")
    clusters, members = module.clusters(network, seed=ctx.config.seed, **_options(ctx, "clusters"))
    ctx.state.cluster_members = members
    return {"clusters.csv": clusters, "cluster_members.csv": members}


def _start_clusters(ctx, network, background):
    module = importlib.import_module("linkage.analyse.clusters")
    module.start_clusters(network, background, seed=ctx.config.seed, **_options(ctx, "clusters"))


def _care_moves(ctx, network):
    module = importlib.import_module("linkage.analyse.care_moves")
    moves = module.care_moves(network)
    outputs = {"care_moves.csv": moves}
    if hasattr(module, "care_move_cohort"):
        outputs["care_move_cohort.csv"] = module.care_move_cohort(network, moves)
    if hasattr(module, "care_move_counterfactual"):
        outputs["care_move_counterfactual.csv"] = module.care_move_counterfactual(network)
    return outputs


def _reach(ctx, network):
    module = importlib.import_module("linkage.analyse.reach")
    summary = module.reach(network, geography=ctx.config.geography)
    outputs = {"reach.csv": summary}
    if hasattr(module, "reach_verdict"):
        ctx.notes.append(f"reach: {module.reach_verdict(summary)}")
    return outputs


def _missing(ctx, network):
    module = importlib.import_module("linkage.analyse.missing")
    outputs = {"missing_links.csv": module.missing_links(network, **_options(ctx, "missing_links"))}
    if hasattr(module, "missing_profile"):
        outputs["missing_profile.csv"] = module.missing_profile(network)
    return outputs


def _businesses(ctx, network):
    module = importlib.import_module("linkage.analyse.businesses")
    targets = module.business_targets(network, clusters_members=ctx.state.cluster_members,
                                      **_options(ctx, "business_targets"))
    outputs = {"business_targets.csv": targets}
    if hasattr(module, "business_targets_by_area"):
        outputs["business_targets_by_area.csv"] = module.business_targets_by_area(targets)
    return outputs


def _key_people(ctx, network):
    module = importlib.import_module("linkage.analyse.key_people")
    members = ctx.state.cluster_members
    return {"key_people.csv": module.key_people(network, seed=ctx.config.seed, clusters_members=members,
                                                **_options(ctx, "key_people"))}


def _start_key_people(ctx, network, background):
    module = importlib.import_module("linkage.analyse.key_people")
    module.start_key_people(network, background, seed=ctx.config.seed, **_options(ctx, "key_people"))


def _candidates(ctx, network):
    module = importlib.import_module("linkage.analyse.candidates")
    return {"candidate_links.csv": module.candidate_links(network, **_options(ctx, "candidate_links"))}


#: In the order their outputs, notes and timings are reported; clusters before the analyses that use them.
#: The ``late`` ones run after the others, so that the computations they started in workers run meanwhile.
ANALYSES: tuple[Analysis, ...] = (
    Analysis("operation crossover", "linkage.analyse.crossover", _crossover, "operation_crossover"),
    Analysis("clusters", "linkage.analyse.clusters", _clusters, "clusters", start=_start_clusters, late=True),
    Analysis("care-move network growth", "linkage.analyse.care_moves", _care_moves, "care_moves"),
    Analysis("victim and perpetrator reach", "linkage.analyse.reach", _reach, "reach"),
    Analysis("missing episodes", "linkage.analyse.missing", _missing, "missing_links"),
    Analysis("business targets", "linkage.analyse.businesses", _businesses, "business_targets", late=True),
    Analysis("key people", "linkage.analyse.key_people", _key_people, "key_people", start=_start_key_people,
             late=True),
    Analysis("candidate links", "linkage.analyse.candidates", _candidates, "candidate_links"),
)
#: network edges from which the long graph computations run in worker processes: below it, starting a
#: worker (about a second: a fresh Python importing numpy and igraph) costs more than it saves
BACKGROUND_EDGES = 250_000

def analysis_options(config: JobConfig) -> dict[str, dict]:
    """The ``analyses:`` section, checked when the config was read: ``{analysis: {option: value}}``."""
    return config.analyses


def _options(ctx: JobContext, main: str) -> dict:
    return analysis_options(ctx.config).get(main, {})


def _empty_notes(outputs: dict[str, pd.DataFrame]) -> tuple[dict[str, dict], list[str]]:
    """Why each output with no rows is empty (as the analysis said), and one note per distinct reason."""
    empty: dict[str, dict] = {}
    by_reason: dict[str, list[str]] = {}
    for name, frame in outputs.items():
        if len(frame):
            continue
        reason = empty_reason(frame)
        entry = reason.as_dict() if reason else {
            "why": "the analysis wrote no rows and did not say why",
            "fix": "this is a gap in linkage: please report it with the job's manifest.json",
        }
        empty[name] = entry
        by_reason.setdefault(f"{entry['why']}; {entry['fix']}", []).append(name)
    notes = [f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} empty: {text}" for text, names in by_reason.items()]
    return empty, notes


def run_analyses(ctx: JobContext, *, workers: int | None = None) -> None:
    """Run every analysis the data allows; note the ones skipped, and why any output is empty.

    ``workers``: worker processes for the long graph computations (``linkage.graph.background``); by
    default two on a machine of two or more cores (``worker_count``), when the network has ``BACKGROUND_EDGES`` edges or more.
    What the job writes does not depend on it: outputs, notes and timings are reported in ``ANALYSES`` order.
    """
    dataset = ctx.state.dataset
    assert dataset is not None
    skipped = {}
    empty: dict[str, dict] = {}
    runnable = []
    for analysis in ANALYSES:
        try:
            requires = analysis.requires()
        except ImportError:  # an analysis not built into this version
            continue
        missing = [table for table in requires if not dataset.has(table)]
        if missing:
            skipped[analysis.name] = missing
            ctx.notes.append(
                f"{analysis.name} skipped: the dataset has no {', '.join(missing)} table"
                + ("s" if len(missing) > 1 else "")
            )
            continue
        runnable.append(analysis)
    results: dict[str, tuple[dict[str, pd.DataFrame], float]] = {}
    with Background(_workers(ctx.state.network, workers)) as background:
        background.start()   # the workers start while the view is built
        tick = time.perf_counter()
        view = network_view(ctx.state.network)
        timings = {"network view": round(time.perf_counter() - tick, 2)}
        tick = time.perf_counter()
        for analysis in runnable:
            if analysis.start is not None:
                analysis.start(ctx, view, background)
        if background.workers:
            timings["graph workers started"] = round(time.perf_counter() - tick, 2)
        for analysis in sorted(runnable, key=lambda a: a.late):
            tick = time.perf_counter()
            outputs = analysis.run(ctx, view)
            ctx.state.tables.update(outputs)
            results[analysis.name] = outputs, round(time.perf_counter() - tick, 2)
            # written at once, while the workers still run, rather than all at the end with a core idle
            for name, frame in outputs.items():
                ctx.write_table(name, frame)
    for analysis in runnable:
        outputs, seconds = results[analysis.name]
        reasons, notes = _empty_notes(outputs)
        empty.update(reasons)
        ctx.notes.extend(notes)
        ctx.notes.extend(f"{name}: {note}" for name, frame in outputs.items() for note in table_notes(frame))
        timings[analysis.name] = seconds
    ctx.state.summary["analyses"] = {"seconds": timings, "skipped": {k: list(v) for k, v in skipped.items()}, "empty": empty}


def _workers(network, requested: int | None) -> int:
    if requested is not None:
        return worker_count(requested)
    edges = network.edges
    return worker_count() if edges is not None and len(edges) >= BACKGROUND_EDGES else 0
