"""Job configuration and the force's geography."""

from __future__ import annotations

from ._geography import Authority, Geography, geography_from_dict, load_geography, normalise_authority_name
from ._job import DEFAULT_NTE_CATEGORIES, InputOptions, JobConfig, config_from_dict, load_config

__all__ = [
    "Authority",
    "Geography",
    "geography_from_dict",
    "load_geography",
    "normalise_authority_name",
    "DEFAULT_NTE_CATEGORIES",
    "InputOptions",
    "JobConfig",
    "config_from_dict",
    "load_config",
]
