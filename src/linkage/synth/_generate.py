"""``generate_world``: build the synthetic world stage by stage and write it out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from ..config import Geography
from ._associations import make_associations
from ._care import make_placements
from ._comms import make_comms
from ._busy import make_busy_venue
from ._events import make_events
from ._geo import geo_arrays
from ._groups import make_groups
from ._missing import make_missing
from ._places import make_locations
from ._population import finalise_persons, make_population
from ._records import make_records, record_flags
from ._resources import default_geography, vocabulary
from ._scale import Scale, scale_named
from ._truth import write_truth
from ._util import stage_rng
from ._world import World
from ._write import assign_ids, write_tables

__all__ = ["generate_world", "build_world"]

_STAGES: tuple[tuple[str, Callable[[World], None]], ...] = (
    ("people and households", make_population),
    ("locations", make_locations),
    ("exploitation groups", make_groups),
    ("care placements", make_placements),
    ("names and dates of birth", finalise_persons),
    ("person records", make_records),
    ("missing episodes", make_missing),
    ("events and operations", make_events),
    ("record flags", record_flags),
    ("phones, vehicles and contacts", make_comms),
    ("associations", make_associations),
    ("a busy venue with no child in it", make_busy_venue),
)


def build_world(*, scale: str | Scale = "small", seed: int = 0, geography: Geography | None = None, progress: Callable[[str], None] | None = None) -> World:
    """The world in memory (integer-keyed tables), before ids are given and files written."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    sc = scale if isinstance(scale, Scale) else scale_named(scale)
    geography = geography if geography is not None else default_geography()
    vocab = vocabulary()
    world = World(seed=seed, scale=sc, geo=geo_arrays(geography, vocab, stage_rng(seed, "geography")), vocab=vocab)
    for label, stage in _STAGES:
        t = time.perf_counter()
        stage(world)
        if progress:
            progress(f"{label} ({time.perf_counter() - t:.1f}s)")
    return world


def generate_world(
    out: str | Path,
    *,
    scale: str = "small",
    seed: int = 0,
    geography: Geography | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write a synthetic contract dataset into ``out`` and its planted truth into ``out/truth``.

    Parameters
    ----------
    out : folder to write (created; files of the same names are replaced).
    scale : ``small`` (~2,000 person records), ``medium`` (~100,000) or ``large`` (~1,000,000).
    seed : the same seed gives byte-identical files.
    geography : authorities, BCUs and neighbouring forces; default the shipped Lancashire file.
    progress : called with a short message after each stage.

    Returns
    -------
    dict with ``scale``, ``seed``, ``persons`` (true people), ``rows`` (per table) and
    ``truth`` (rows per truth file).

    Examples
    --------
    >>> summary = generate_world("/tmp/world", scale="small", seed=1)  # doctest: +SKIP
    >>> summary["rows"]["people"]  # doctest: +SKIP
    2011
    """
    out = Path(out)
    world = build_world(scale=scale, seed=seed, geography=geography, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    ids = assign_ids(world)
    rows = write_tables(world, ids, out)
    if progress:
        progress(f"tables written ({time.perf_counter() - t:.1f}s)")
    summary = {"scale": world.scale.name, "seed": seed, "persons": len(world.persons), "rows": rows}
    t = time.perf_counter()
    truth = write_truth(world, ids, out / "truth", summary)
    if progress:
        progress(f"truth written ({time.perf_counter() - t:.1f}s)")
    return dict(summary, truth=truth)
