"""The synthetic world: a full contract dataset with planted exploitation structures and their truth.

``generate_world(out, scale=..., seed=...)`` writes the nine contract tables as
CSV into ``out`` and the planted structures into ``out/truth`` (see
``linkage.synth._truth`` and ``src/linkage/synth/README.md`` for every file's
columns).  Everything is drawn from numpy generators seeded from ``seed``: the
same seed gives byte-identical files.
"""

from __future__ import annotations

from ._generate import build_world, generate_world
from ._records import ERROR_KINDS, typo
from ._resources import default_geography
from ._scale import SCALES, Scale
from ._truth import TRUTH_FILES

__all__ = ["generate_world", "build_world", "SCALES", "Scale", "ERROR_KINDS", "TRUTH_FILES", "default_geography", "typo"]
