"""The job config: one typed object loaded from YAML, with defaults for everything.

``JobConfig`` holds every section as a typed object (``input``, ``resolve``,
``network``, ``analyses``, ``exports``, ``views``, ``geography``, ...). It is
read by the one validator, ``_fields.parse``: every problem in a config file is
collected and reported together, each with the fix, before any work starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from ..contract import TABLES
from ..errors import ConfigError, did_you_mean
from ..geography import Geography
from ._analyses import ANALYSIS_FUNCTIONS, analysis_schema, read_analyses
from ._fields import (Context, Invalid, Section, collect, control_problem, folder_path, mapping_of, number, parse,
                      section, setting, setting_fields, shown)
from ._geography import GeographyFile, read_geography
from ._resolve import ResolveSettings
from ._sections import ExportOptions, InputOptions, NetworkSettings, ReportOptions, ViewOptions
from ._yaml import read_yaml

__all__ = ["JobConfig", "JobSection", "load_config", "config_from_dict", "DEFAULT_NTE_CATEGORIES", "TOP_LEVEL_KEYS"]

DEFAULT_NTE_CATEGORIES = (
    "takeaway",
    "hotel",
    "taxi_firm",
    "licensed_premises",
    "off_licence",
    "shisha_bar",
    "car_wash",
)

#: a table may lose at most this share of its rows to rejects before a job stops (``max_reject_share``)
DEFAULT_MAX_REJECT_SHARE = 0.05
#: a job name names a folder: most file systems allow 255 bytes
MAX_NAME_CHARS = 100


def _name(value: Any, where: str, ctx: Context) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise Invalid(f"{where} {shown(value)} must be a name such as lancashire-2025 (it names the job folder)")
    return str(value)


@dataclass(frozen=True)
class JobSection:
    """``job:`` (or ``job: NAME``): the job's name and seed."""

    SECTION: ClassVar[Section] = Section(shorthand=lambda value: {"name": value} if isinstance(value, str) else value,
                                         not_a_mapping="'{where}' must be a mapping such as job: {{name: lancashire-2025}}")

    name: str | None = setting(None, read=_name,
                               shown_default="the config file's name",
                               doc="names the job folder reports/<name>/ (unless --out or output: says otherwise)")
    seed: int | None = setting(None, read=number(whole=True, hint=", e.g. seed: 42"), shown_default="0",
                               doc="the seed, as the top-level seed: (which wins)")


def _tables(key: Any, file_name: Any, where: str, ctx: Context) -> str | None:
    if key not in TABLES:
        raise Invalid(f"{where}: unknown table '{key}'{did_you_mean(str(key), list(TABLES))}; "
                      f"the tables are {', '.join(TABLES)}")
    if not isinstance(file_name, (str, int, float)) or isinstance(file_name, bool):
        raise Invalid(f"{where}.{key} must be a file name such as nominals.csv, not {shown(file_name)}")
    problem = control_problem(f"{where}.{key}", str(file_name))
    if problem:
        raise Invalid(problem)
    return str(file_name)


def _columns(table: Any, mapping: Any, where: str, ctx: Context) -> dict[str, str]:
    if table not in TABLES:
        raise Invalid(f"{where}: unknown table '{table}'{did_you_mean(str(table), list(TABLES))}; "
                      f"the tables are {', '.join(TABLES)}")
    if not isinstance(mapping, dict):
        raise Invalid(f"{where}.{table} must map your file's headers to contract columns, e.g. {{Forename: first_name}}")
    known = TABLES[table].column_names
    targets: dict[str, str] = {}
    for header, target in mapping.items():
        target = str(target)
        if target not in known:
            ctx.problems.append(
                f"{where}.{table}: '{header}' maps to '{target}', which is not a {table} column"
                f"{did_you_mean(target, known)}; the {table} columns are {', '.join(known)}"
            )
        elif target in targets:
            ctx.problems.append(f"{where}.{table}: both '{targets[target]}' and '{header}' map to '{target}'; map only one")
        targets[target] = str(header)
    return {str(h): str(t) for h, t in mapping.items()}


def _values(key: Any, mapping: Any, where: str, ctx: Context) -> dict[str, str]:
    table, _, column = str(key).partition(".")
    if table not in TABLES or column not in TABLES[table].columns_by_name:
        every = [f"{t}.{c}" for t in TABLES for c in TABLES[t].column_names]
        raise Invalid(f"{where}: '{key}' is not table.column{did_you_mean(str(key), every)} "
                      "(e.g. people.sex, locations.category)")
    if not isinstance(mapping, dict):
        raise Invalid(f"{where}.{key} must map your values to contract values, e.g. {{pub: licensed_premises}}")
    allowed = TABLES[table].columns_by_name[column].values
    for source_value, target in mapping.items():
        if allowed and str(target).lower() not in {v.lower() for v in allowed}:
            ctx.problems.append(f"{where}.{key}: '{source_value}' maps to '{target}', which is not allowed; "
                                f"use one of {', '.join(allowed)}")
    return {str(k): str(v) for k, v in mapping.items()}


def _categories(value: Any, where: str, ctx: Context) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise Invalid(f"'{where}' must be a list of location categories, e.g. [takeaway, hotel, taxi_firm]")
    known = TABLES["locations"].columns_by_name["category"].values
    for category in value:
        if category not in known:
            ctx.problems.append(f"{where}: '{category}' is not a location category{did_you_mean(category, known)}")
    return tuple(value)


_SHARE = "a share between 0 and 1 (1: never stop); e.g. max_reject_share: 0.05, or max_reject_share: {default: 0.05, contacts: 0.2}"


def _share(table: Any, value: Any, where: str, ctx: Context) -> float:
    if table != "default" and table not in TABLES:
        raise Invalid(f"{where}: unknown table '{table}'{did_you_mean(str(table), list(TABLES))}; "
                      f"the tables are default, {', '.join(TABLES)}")
    return number(high=1, what=_SHARE)(value, where if table == "default" else f"{where}.{table}", ctx)


def _max_reject_share(value: Any, where: str, ctx: Context) -> dict[str, float]:
    """``max_reject_share: 0.05`` for every table, or ``{default: 0.05, contacts: 0.2}`` per table."""
    if value is None:
        return {"default": DEFAULT_MAX_REJECT_SHARE}
    given = value if isinstance(value, dict) else {"default": value}
    return {"default": DEFAULT_MAX_REJECT_SHARE, **mapping_of(_share, problem="")(given, where, ctx)}


@dataclass(frozen=True)
class JobConfig:
    """Everything a job needs to know, with a default for everything.

    The fields declared with ``setting`` are the keys of the config file, in
    the order ``docs/configuration.md`` lists them. Paths are absolute
    (resolved against the config file's folder).
    """

    SECTION: ClassVar[Section] = Section(prefixed=False, not_a_mapping="expected a mapping of settings (key: value lines)")

    job: JobSection = setting(read=section(JobSection), factory=JobSection, shown_default="",
                              doc="name: and seed: of the job (job: NAME is short for job: {name: NAME})")
    data: Path | None = setting(None, read=folder_path, doc="the dataset folder (--data wins)")
    output: Path | None = setting(None, read=folder_path, shown_default="reports/<name>",
                                  doc="the job folder (--out wins)")
    seed: int = setting(0, read=number(whole=True, hint=", e.g. seed: 42"),
                        doc="every random choice is seeded: same input + config + seed = same output")
    geography: Geography | None = setting(
        None, read=read_geography, shown_default="none",
        doc="the force's geography: a file (configs/lancashire.yaml) or the same mapping inline (see Geography)")
    #: table -> file name inside the dataset folder
    tables: dict[str, str] = setting(
        read=mapping_of(_tables, problem="'{where}' must map a table to its file name, e.g. tables: {{people: nominals.csv}}"),
        factory=dict, shown_default="<table>.csv or .parquet", doc="table -> its file's name, where it differs")
    #: table -> {header in the file: contract column}
    columns: dict[str, dict[str, str]] = setting(
        read=mapping_of(_columns, problem="'{where}' must map a table to {{header in your file: contract column}}, "
                                "e.g. columns: {{people: {{Forename: first_name}}}}"),
        factory=dict, shown_default="{}", doc="table -> {your header: contract column}")
    #: "table.column" -> {value in the file: contract value}
    values: dict[str, dict[str, str]] = setting(
        read=mapping_of(_values, problem="'{where}' must map table.column to {{value in your file: contract value}}, "
                               "e.g. values: {{people.sex: {{'1': M, '2': F}}}}"),
        factory=dict, shown_default="{}", doc="table.column -> {your value: contract value}")
    input: InputOptions = setting(read=section(InputOptions), factory=InputOptions, shown_default="",
                                  doc="how the files are read")
    night_time_economy_categories: tuple[str, ...] = setting(
        DEFAULT_NTE_CATEGORIES, read=_categories, doc="location categories of the night-time economy")
    suppress_below: int | None = setting(
        None, read=number(whole=True, low=2, optional=True, hint=" (counts under it are shown as <N)"),
        shown_default="none", doc="counts of people under N shown as <N in aggregated outputs (--suppress-below wins)")
    #: table (or ``default``) -> the most of its rows that may be rejected before the job stops after reading
    max_reject_share: dict[str, float] = setting(
        read=_max_reject_share, factory=lambda: {"default": DEFAULT_MAX_REJECT_SHARE}, shown_default="0.05",
        doc="a table losing a larger share of its rows to rejects stops the job; or {default: 0.05, contacts: 0.2}")
    resolve: ResolveSettings = setting(read=section(ResolveSettings), factory=ResolveSettings, shown_default="",
                                       doc="entity resolution (resolve: none: every record is its own person)")
    network: NetworkSettings = setting(read=section(NetworkSettings), factory=NetworkSettings, shown_default="",
                                       doc="how the network is built")
    #: analysis -> {option: value}, the analyses' keyword options (checked against their functions)
    analyses: dict[str, dict[str, float]] = setting(read=read_analyses, factory=dict, shown_default="",
                                                    doc="the analyses' thresholds")
    exports: ExportOptions = setting(read=section(ExportOptions), factory=ExportOptions, shown_default="",
                                     doc="graph.graphml, graph.gexf, graph.anx")
    views: ViewOptions = setting(read=section(ViewOptions), factory=ViewOptions, shown_default="",
                                 doc="the HTML views")
    report: ReportOptions = setting(read=section(ReportOptions), factory=ReportOptions, shown_default="",
                                    doc="no settings yet: report.html covers every table the job wrote")

    #: the job's name (``job.name``, else the config file's name)
    name: str = "job"
    #: the config as written (for the manifest)
    raw: dict[str, Any] = field(default_factory=dict)
    source: str = "<defaults>"
    #: folder that relative paths in the config are read from
    base: Path | None = None

    @classmethod
    def finish(cls, values: dict, raw: dict, where: str, ctx: Context) -> dict:
        job = values.get("job", JobSection())
        if "seed" not in values:  # not given, or not a whole number >= 0 (a problem already)
            values["seed"] = (job.seed or 0) if "seed" not in raw else 0
        values["resolve"] = replace(values.get("resolve", ResolveSettings()), seed=values["seed"])
        name = job.name or Path(ctx.source).stem or "job"
        problem = control_problem("job name", name)
        if problem is None and len(name) > MAX_NAME_CHARS:
            problem = (f"job name {shown(name)} is {len(name)} characters long; keep it to {MAX_NAME_CHARS} "
                       "(it names the job folder)")
        elif problem is None and (any(ch in name for ch in "/\\") or name in {".", ".."}):
            ctx.problems.append(f"job name '{name}' cannot contain '/' or '\\'; it names the folder reports/<name>")
        if problem:
            ctx.problems.append(problem)
            name = "job"
        values.update(name=name, raw=raw, source=ctx.source, base=ctx.base)
        return values

    @property
    def geography_path(self) -> Path | None:
        """The geography file the config names (None when inline or absent)."""
        return self.geography.path if self.geography is not None else None

    def output_folder(self) -> Path:
        return self.output if self.output is not None else Path("reports") / self.name

    def reject_share_limit(self, table: str) -> float:
        """The most of ``table``'s rows that may be rejected before the job stops."""
        return self.max_reject_share.get(table, self.max_reject_share.get("default", DEFAULT_MAX_REJECT_SHARE))

    def stage(self, name: str) -> dict[str, Any]:
        """The section ``name`` as written in the file (``resolve: none`` as ``{method: none}``)."""
        value = self.raw.get(name)
        if name == "resolve" and isinstance(value, str):
            return {"method": value.strip().lower()}
        return dict(value) if isinstance(value, dict) else {}


#: the keys of a job config, in the order the reference lists them
TOP_LEVEL_KEYS = tuple(f.name for f in setting_fields(JobConfig))


@lru_cache(maxsize=1)
def key_sections() -> dict[str, tuple[str, ...]]:
    """Every key a job config may hold -> the sections that hold it ('' the top level, ``analyses.clusters``, ...).

    A key written in the wrong section is then named with the one it belongs to.
    """
    found: dict[str, list[str]] = {}

    def walk(cls, path: str) -> None:
        for f in setting_fields(cls):
            found.setdefault(f.name, []).append(path)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if dataclasses.is_dataclass(default):
                walk(type(default), f"{path}.{f.name}" if path else f.name)

    walk(JobConfig, "")
    walk(GeographyFile, "geography")
    for name in ANALYSIS_FUNCTIONS:
        for f in dataclasses.fields(analysis_schema(name)):
            found.setdefault(f.name, []).append(f"analyses.{name}")
    return {key: tuple(paths) for key, paths in found.items()}


def config_from_dict(raw: Any, *, base: Path | None = None, source: str = "config") -> JobConfig:
    """Build a JobConfig from a mapping, reporting every problem at once."""
    ctx = Context(base=base or Path.cwd(), source=source, key_sections=key_sections)
    return collect(ctx, lambda: parse(JobConfig, raw, "", ctx))


def load_config(path: str | Path | None) -> JobConfig:
    """Load a job config from YAML; ``None`` gives the defaults."""
    if path is None:
        return JobConfig()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist; pass the path of a job YAML such as configs/demo.yaml")
    raw = read_yaml(path, "config")
    return config_from_dict(raw, base=path.resolve().parent, source=str(path))
