"""The ``analyses:`` section: each analysis's keyword options, checked against the analysis function itself.

An analysis takes the network first and its options as keywords (the networkx
way); its numeric keyword-only options, with their defaults, are what
``analyses.<name>`` may set, from 0 up (from the value its module's
``OPTION_LOWEST`` gives, where that is higher). So the section's schema is read from the
functions' signatures, only when the section is given, and parsed by the same
validator as every other section (``_fields.parse``).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import make_dataclass
from typing import Any

from ..errors import did_you_mean
from ._fields import Context, Invalid, number, parse, setting

__all__ = ["ANALYSIS_FUNCTIONS", "analysis_schema", "read_analyses"]

#: the name of an analysis in ``analyses:`` -> the function whose keyword options it sets (module, function)
ANALYSIS_FUNCTIONS: dict[str, tuple[str, str]] = {
    "operation_crossover": ("linkage.analyse.crossover", "operation_crossover"),
    "clusters": ("linkage.analyse.clusters", "clusters"),
    "care_moves": ("linkage.analyse.care_moves", "care_moves"),
    "reach": ("linkage.analyse.reach", "reach"),
    "missing_links": ("linkage.analyse.missing", "missing_links"),
    "business_targets": ("linkage.analyse.businesses", "business_targets"),
    "key_people": ("linkage.analyse.key_people", "key_people"),
    "candidate_links": ("linkage.analyse.candidates", "candidate_links"),
}

#: keyword options the job sets itself, never the config
JOB_OPTIONS = ("seed",)


def analysis_schema(name: str) -> type:
    """A settings dataclass of the options ``analyses.<name>`` may set: the function's numeric keyword options."""
    module, function = ANALYSIS_FUNCTIONS[name]
    try:
        found = importlib.import_module(module)
        signature = inspect.signature(getattr(found, function))
    except (ImportError, AttributeError):  # an analysis not built into this version
        return make_dataclass(f"{name}_options", [], frozen=True)
    lowest = getattr(found, "OPTION_LOWEST", {})   # options whose least value is above 0
    fields = []
    for option, parameter in signature.parameters.items():
        default = parameter.default
        if parameter.kind is parameter.KEYWORD_ONLY and option not in JOB_OPTIONS and \
                isinstance(default, (int, float)) and not isinstance(default, bool):
            whole = parameter.annotation not in ("float", float) and isinstance(default, int)
            kind = int if whole else float
            fields.append((option, kind, setting(default, read=number(whole=whole, low=lowest.get(option, 0)), doc="")))
    return make_dataclass(f"{name}_options", fields, frozen=True)


def read_analyses(value: Any, where: str, ctx: Context) -> dict[str, dict[str, float]]:
    """Reads ``analyses:``: ``{analysis: {option: value}}`` with only the options given."""
    from ._job import TOP_LEVEL_KEYS

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{where} must be a mapping of analysis name to settings, not {value!r}")
    options: dict[str, dict[str, float]] = {}
    for key, settings in value.items():
        if key not in ANALYSIS_FUNCTIONS:
            hint = did_you_mean(key, ANALYSIS_FUNCTIONS) or did_you_mean(key, TOP_LEVEL_KEYS).replace(
                "mean '", "mean the top-level setting '")
            ctx.problems.append(f"{where}: unknown analysis '{key}'{hint}; the analyses are {', '.join(ANALYSIS_FUNCTIONS)}")
            continue
        schema = analysis_schema(key)
        if not isinstance(settings, dict):
            known = ", ".join(schema.__dataclass_fields__) or "it has none"
            ctx.problems.append(f"{where}.{key} must be a mapping of settings ({known}), not {settings!r}")
            continue
        parsed = parse(schema, settings, f"{where}.{key}", ctx)
        options[str(key)] = {name: getattr(parsed, name) for name in settings if name in schema.__dataclass_fields__}
    return options
