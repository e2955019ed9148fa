"""``linkage path JOBDIR A B``: the paths between two people of a finished job, read from its graph export."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import LinkageError
from ..files import KIND_JOB, folder_kind

__all__ = ["JobPaths", "job_paths"]


@dataclass
class JobPaths:
    """The two ends as named in the network, the path table (``analyse.paths.PATH_COLUMNS``) and notes."""

    source: str
    target: str
    source_label: str
    target_label: str
    paths: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def job_paths(jobdir: str | Path, a: str, b: str, *, k: int = 3) -> JobPaths:
    """The ``k`` shortest weighted paths between ``a`` and ``b`` (entity ids, record ids or names) in job ``jobdir``.

    Reads the job's ``graph.graphml`` (and ``entities.csv`` to look up record
    ids); see ``analyse.paths.connection_paths`` for what a path's length is.
    """
    import networkx as nx

    from ..analyse.paths import connection_paths, find_node, node_label

    jobdir = Path(jobdir)
    if folder_kind(jobdir) != KIND_JOB:
        raise LinkageError(f"{jobdir} is not a job folder (no job manifest.json); give the folder `linkage run` wrote, "
                           "e.g. reports/demo")
    graphml = jobdir / "graph.graphml"
    if not graphml.is_file():
        raise LinkageError(f"{graphml} is missing: the job's export stage did not run or the file was removed; "
                           f"re-run the job (linkage run CONFIG --out {jobdir} --overwrite)")
    try:
        graph = nx.read_graphml(graphml)
    except (OSError, ValueError, SyntaxError) as exc:  # ElementTree's ParseError is a SyntaxError
        raise LinkageError(f"{graphml} cannot be read as GraphML ({exc}); re-run the job or `linkage verify {jobdir}`") from None
    entities = None
    if (jobdir / "entities.csv").is_file():
        entities = pd.read_csv(jobdir / "entities.csv", dtype=str, keep_default_na=False)
    source = find_node(graph, a, entities=entities)
    target = find_node(graph, b, entities=entities)
    if source == target:
        raise LinkageError(f"'{a}' and '{b}' are the same node ({source}); give two different people")
    paths = connection_paths(graph, source, target, k=k)
    notes = []
    if paths.empty:
        notes.append(f"no path joins {source} and {target} in the network (they are in different components)")
    scoped = any("exports.max_edges" in str(note) for note in _manifest_notes(jobdir))
    if scoped:
        notes.append("graph.graphml holds the top clusters only (exports.max_edges), so a path outside them is not found")
    return JobPaths(source, target, node_label(graph, source), node_label(graph, target), paths, notes)


def _manifest_notes(jobdir: Path) -> list[str]:
    import json

    try:
        return list(json.loads((jobdir / "manifest.json").read_text(encoding="utf-8")).get("notes") or [])
    except (OSError, ValueError, AttributeError):
        return []
