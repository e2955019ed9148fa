"""Stage 2 of the pipeline: resolve person records into entities (one per real person).

Blocking rules and comparisons are declared in the job config (``resolve:``),
or derived from the columns the people table has when it declares none
(written to ``settings.yaml``); a Fellegi-Sunter model scores every candidate pair; pairs above the threshold
are clustered into entities, guarded against chaining, with overrides honoured
and entity ids kept stable across runs.
"""

from __future__ import annotations

from ._blocking import CandidatePairs, block_pairs, explain_blocking
from ._derive import ColumnProfile, derive_settings, profile_people, settings_yaml
from ._evaluate import evaluate_entities, evaluate_files
from ._model import FellegiSunterModel
from ._overrides import override_decisions
from ._prepare import Records, prepare_records
from ._resolve import Resolution, resolve_people
from ..config import BLOCKING_KEYS, COMPARISON_KINDS, BlockingRule, Comparison, ResolveSettings
from ._write import read_previous_entities, write_resolution

__all__ = [
    "BLOCKING_KEYS",
    "COMPARISON_KINDS",
    "BlockingRule",
    "CandidatePairs",
    "ColumnProfile",
    "Comparison",
    "FellegiSunterModel",
    "Records",
    "Resolution",
    "ResolveSettings",
    "block_pairs",
    "derive_settings",
    "evaluate_entities",
    "evaluate_files",
    "explain_blocking",
    "override_decisions",
    "prepare_records",
    "profile_people",
    "read_previous_entities",
    "resolve_people",
    "settings_yaml",
    "write_resolution",
]
