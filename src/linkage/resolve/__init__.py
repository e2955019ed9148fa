"""Stage 2 of the pipeline: resolve person records into entities (one per real person).

Blocking rules and comparisons are declared in the job config (``resolve:``);
a Fellegi-Sunter model scores every candidate pair; pairs above the threshold
are clustered into entities, guarded against chaining, with overrides honoured
and entity ids kept stable across runs.
"""

from __future__ import annotations

from ._blocking import CandidatePairs, block_pairs, explain_blocking
from ._evaluate import evaluate_entities, evaluate_files
from ._model import FellegiSunterModel
from ._prepare import Records, prepare_records
from ._resolve import Resolution, resolve_people
from ..config import BLOCKING_KEYS, COMPARISON_KINDS, BlockingRule, Comparison, ResolveSettings
from ._write import read_previous_entities, write_resolution

__all__ = [
    "BLOCKING_KEYS",
    "COMPARISON_KINDS",
    "BlockingRule",
    "CandidatePairs",
    "Comparison",
    "FellegiSunterModel",
    "Records",
    "Resolution",
    "ResolveSettings",
    "block_pairs",
    "evaluate_entities",
    "evaluate_files",
    "explain_blocking",
    "prepare_records",
    "read_previous_entities",
    "resolve_people",
    "write_resolution",
]
