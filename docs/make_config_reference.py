"""Regenerate the key reference at the end of docs/configuration.md from the config model itself.

    python docs/make_config_reference.py

Every key of a job config is a field of ``linkage.config.JobConfig`` or of one
of its sections, with its default and what it does; the analyses' options are
read from their functions. tests/test_docs.py fails when the reference is out
of date.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from linkage.config import ANALYSIS_FUNCTIONS, GeographyFile, JobConfig, analysis_schema, setting_fields

PAGE = Path(__file__).resolve().parent / "configuration.md"
MARKER = "## Key reference"


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return f"{value:,}".replace(",", " ") if isinstance(value, int) and value >= 10_000 else str(value)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _rows(cls, prefix: str = "") -> list[str]:
    rows = []
    for f in setting_fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        if dataclasses.is_dataclass(default):  # a section: its own keys
            rows += _rows(type(default), f"{prefix}{f.name}.")
            continue
        if f.name == "analyses" and not prefix:
            rows += _analyses_rows()
            continue
        shown = f.metadata["shown_default"] if f.metadata["shown_default"] is not None else _shown(default)
        rows.append(_row(f"`{prefix}{f.name}`", shown, f.metadata["doc"]))
        if isinstance(default, tuple) and default and dataclasses.is_dataclass(default[0]):  # a list of sections
            rows += _rows(type(default[0]), f"{prefix}{f.name}[].")
    return rows


def _analyses_rows() -> list[str]:
    rows = []
    for name in ANALYSIS_FUNCTIONS:
        module, function = ANALYSIS_FUNCTIONS[name]
        for f in dataclasses.fields(analysis_schema(name)):
            rows.append(_row(f"`analyses.{name}.{f.name}`", _shown(f.default),
                             f"option `{f.name}` of `{module.removeprefix('linkage.')}.{function}` (see analyses.md)"))
    return rows


def config_reference() -> str:
    """The reference section: every key of a job config and of a geography file, with its default."""
    header = ["| key | default | what it does |", "|---|---|---|"]
    return "\n".join([
        MARKER,
        "",
        "Generated from the config model (`linkage.config`) by `python docs/make_config_reference.py`; "
        "do not edit by hand.",
        "",
        "### Job config",
        "",
        *header,
        *_rows(JobConfig),
        "",
        "### Geography file (or `geography:` inline)",
        "",
        *header,
        *_rows(GeographyFile),
        "",
    ])


def page() -> str:
    """docs/configuration.md with its reference regenerated."""
    text = PAGE.read_text(encoding="utf-8")
    before = text.split(MARKER, 1)[0]
    return before + config_reference()


if __name__ == "__main__":
    PAGE.write_text(page(), encoding="utf-8")
