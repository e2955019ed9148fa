"""The job config: one typed model of every section, read by one validator; and the force's geography.

``load_config`` reads a job YAML into a ``JobConfig`` whose sections are typed
objects with defaults (``config.input``, ``config.resolve``,
``config.network``, ``config.analyses``, ``config.exports``, ``config.views``,
``config.geography``); every problem in the file is reported together.
"""

from __future__ import annotations

from ..geography import Authority, Geography, normalise_authority_name
from ._analyses import ANALYSIS_FUNCTIONS, analysis_schema
from ._fields import setting_fields
from ._geography import GeographyFile, geography_from_dict, load_geography
from ._job import DEFAULT_NTE_CATEGORIES, TOP_LEVEL_KEYS, JobConfig, JobSection, config_from_dict, load_config
from ._resolve import (BLOCKING_KEYS, BLOOM_THRESHOLDS, COLUMN_KINDS, COMPARISON_KINDS, DEFAULT_COMPARISONS, METHODS,
                       BlockingRule, Comparison, ResolveSettings)
from ._sections import (ASSOCIATION_KINDS, TIE_KINDS, ExportOptions, InputOptions, NetworkSettings, ReportOptions,
                        ViewOptions)
from ._yaml import MAX_YAML_BYTES

__all__ = [
    "ANALYSIS_FUNCTIONS",
    "ASSOCIATION_KINDS",
    "Authority",
    "BLOCKING_KEYS",
    "BLOOM_THRESHOLDS",
    "BlockingRule",
    "COLUMN_KINDS",
    "COMPARISON_KINDS",
    "Comparison",
    "DEFAULT_COMPARISONS",
    "DEFAULT_NTE_CATEGORIES",
    "ExportOptions",
    "Geography",
    "GeographyFile",
    "InputOptions",
    "JobConfig",
    "JobSection",
    "MAX_YAML_BYTES",
    "METHODS",
    "NetworkSettings",
    "ReportOptions",
    "ResolveSettings",
    "TIE_KINDS",
    "TOP_LEVEL_KEYS",
    "analysis_schema",
    "ViewOptions",
    "config_from_dict",
    "geography_from_dict",
    "load_config",
    "load_geography",
    "normalise_authority_name",
    "setting_fields",
]
