"""The analysis stage: every Empra analysis that the data allows, each writing its contract file.

An analysis whose input tables are absent is skipped with a note naming the
missing table, never an error.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ._run import JobContext

__all__ = ["Analysis", "ANALYSES", "run_analyses"]


@dataclass(frozen=True)
class Analysis:
    name: str
    module: str
    run: Callable[[JobContext, object], dict[str, pd.DataFrame]]

    def requires(self) -> tuple[str, ...]:
        return tuple(getattr(importlib.import_module(self.module), "REQUIRES", ()))

    def function(self, name: str):
        return getattr(importlib.import_module(self.module), name)


def _crossover(ctx, network):
    module = importlib.import_module("linkage.analyse.crossover")
    return {"operation_crossover.csv": module.operation_crossover(network)}


def _clusters(ctx, network):
    module = importlib.import_module("linkage.analyse.clusters")
    clusters, members = module.clusters(network, seed=ctx.config.seed)
    ctx.state["cluster_members"] = members
    return {"clusters.csv": clusters, "cluster_members.csv": members}


def _care_moves(ctx, network):
    module = importlib.import_module("linkage.analyse.care_moves")
    moves = module.care_moves(network)
    ctx.state["care_moves"] = moves
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
    outputs = {"missing_links.csv": module.missing_links(network)}
    if hasattr(module, "missing_profile"):
        outputs["missing_profile.csv"] = module.missing_profile(network)
    return outputs


def _businesses(ctx, network):
    module = importlib.import_module("linkage.analyse.businesses")
    targets = module.business_targets(network, clusters_members=ctx.state.get("cluster_members"))
    outputs = {"business_targets.csv": targets}
    if hasattr(module, "business_targets_by_area"):
        outputs["business_targets_by_area.csv"] = module.business_targets_by_area(targets)
    return outputs


def _key_people(ctx, network):
    module = importlib.import_module("linkage.analyse.key_people")
    members = ctx.state.get("cluster_members")
    return {"key_people.csv": module.key_people(network, seed=ctx.config.seed, clusters_members=members)}


def _candidates(ctx, network):
    module = importlib.import_module("linkage.analyse.candidates")
    return {"candidate_links.csv": module.candidate_links(network)}


#: In order: clusters before the analyses that use them.
ANALYSES: tuple[Analysis, ...] = (
    Analysis("operation crossover", "linkage.analyse.crossover", _crossover),
    Analysis("clusters", "linkage.analyse.clusters", _clusters),
    Analysis("care-move network growth", "linkage.analyse.care_moves", _care_moves),
    Analysis("victim and perpetrator reach", "linkage.analyse.reach", _reach),
    Analysis("missing episodes", "linkage.analyse.missing", _missing),
    Analysis("business targets", "linkage.analyse.businesses", _businesses),
    Analysis("key people", "linkage.analyse.key_people", _key_people),
    Analysis("candidate links", "linkage.analyse.candidates", _candidates),
)


def run_analyses(ctx: JobContext) -> None:
    """Run every analysis the data allows; note the ones skipped and why."""
    network = ctx.state["network"]
    dataset = ctx.dataset
    assert dataset is not None
    timings = {}
    skipped = {}
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
        tick = time.perf_counter()
        for name, frame in analysis.run(ctx, network).items():
            ctx.write_table(name, frame)
            ctx.state.setdefault("tables", {})[name] = frame
        timings[analysis.name] = round(time.perf_counter() - tick, 2)
    ctx.state["summary"] = {
        **ctx.state.get("summary", {}),
        "analyses": {"seconds": timings, "skipped": {k: list(v) for k, v in skipped.items()}},
    }
