"""The job config: one typed object loaded from YAML, with defaults for everything.

Every problem in a config file is collected and reported together, each with
the fix, before any work starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from ..contract import TABLES
from ..errors import ConfigError, did_you_mean
from ._geography import Geography, geography_from_dict, load_geography
from ._yaml import read_yaml

__all__ = ["JobConfig", "InputOptions", "load_config", "config_from_dict", "DEFAULT_NTE_CATEGORIES"]

DEFAULT_NTE_CATEGORIES = (
    "takeaway",
    "hotel",
    "taxi_firm",
    "licensed_premises",
    "off_licence",
    "shisha_bar",
    "car_wash",
)

#: Sections owned by later pipeline stages; kept as plain mappings here and
#: validated by the stage that reads them.
STAGE_SECTIONS = ("resolve", "network", "analyses", "exports", "views", "report")

#: sections with no settings yet: any key in them is a mistake (why they have none)
SECTIONS_WITHOUT_SETTINGS = {
    "report": "report.html always covers every table the job wrote",
}
JOB_KEYS = ("name", "seed")

TOP_LEVEL_KEYS = (
    "job",
    "data",
    "output",
    "seed",
    "geography",
    "tables",
    "columns",
    "values",
    "input",
    "night_time_economy_categories",
    "suppress_below",
    "max_reject_share",
) + STAGE_SECTIONS

#: a table may lose at most this share of its rows to rejects before a job stops (``max_reject_share``)
DEFAULT_MAX_REJECT_SHARE = 0.05


#: the settings of ``input:``
INPUT_KEYS = ("date_format", "day_first", "year_range", "encoding", "delimiter", "map_headers")
#: delimiters ``input.delimiter`` takes by name
DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


@dataclass(frozen=True)
class InputOptions:
    """How to read the extract's files."""

    #: ``auto`` (detect each column's layout), ``ISO8601`` (the contract only) or a
    #: strftime format such as ``%d/%m/%Y``, for every date column not named in ``date_formats``.
    date_format: str = "auto"
    #: per table (``placements``) or column (``people.dob``): a layout as above; a column's wins over its table's.
    date_formats: dict[str, str] = field(default_factory=dict)
    #: read a column whose dates could be dd/mm or mm/dd day-first (UK), instead of stopping the job
    day_first: bool = False
    #: the years a date may have; a date outside is not read (dates of birth keep nothing of it).
    #: ``None`` (the default): 1900-2100, widened back for a column whose own dates show a historical
    #: extract (see ``read._validate.derived_years``), with a note saying so.
    year_range: tuple[int, int] | None = None
    #: ``auto`` (UTF-8 with or without BOM, UTF-16 with BOM, else latin-1 value by value), ``utf-8`` or ``latin-1``.
    encoding: str = "auto"
    #: ``auto`` (``,`` ``;`` tab or ``|``, from the header line) or one character
    delimiter: str = "auto"
    #: map headers that clearly name a contract column (``Forename``, ``D.O.B.``) onto it
    map_headers: bool = True

    def date_format_for(self, table: str, column: str) -> str:
        """The layout to read ``table.column`` in: the column's setting, else its table's, else the global one."""
        return self.date_formats.get(f"{table}.{column}") or self.date_formats.get(table) or self.date_format


@dataclass(frozen=True)
class JobConfig:
    """Everything a job needs to know, with a default for everything.

    Paths are absolute (resolved against the config file's folder).
    """

    name: str = "job"
    data: Path | None = None
    output: Path | None = None
    seed: int = 0
    geography: Geography | None = None
    geography_path: Path | None = None
    #: table -> file name inside the dataset folder
    tables: dict[str, str] = field(default_factory=dict)
    #: table -> {header in the file: contract column}
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    #: "table.column" -> {value in the file: contract value}
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    input: InputOptions = field(default_factory=InputOptions)
    night_time_economy_categories: tuple[str, ...] = DEFAULT_NTE_CATEGORIES
    suppress_below: int | None = None
    #: table (or ``default``) -> the most of its rows that may be rejected before the job stops after reading
    max_reject_share: dict[str, float] = field(default_factory=lambda: {"default": DEFAULT_MAX_REJECT_SHARE})
    #: stage sections (resolve, network, ...) as given, validated by their stage.
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the config as written (for the manifest)
    raw: dict[str, Any] = field(default_factory=dict)
    source: str = "<defaults>"
    #: folder that relative paths in the config are read from
    base: Path | None = None

    def output_folder(self) -> Path:
        return self.output if self.output is not None else Path("reports") / self.name

    def reject_share_limit(self, table: str) -> float:
        """The most of ``table``'s rows that may be rejected before the job stops."""
        return self.max_reject_share.get(table, self.max_reject_share.get("default", DEFAULT_MAX_REJECT_SHARE))

    def stage(self, name: str) -> dict[str, Any]:
        return dict(self.stages.get(name) or {})


_suggest = did_you_mean


def _share(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def _max_reject_share(raw: Any, problems: list[str]) -> dict[str, float]:
    """``max_reject_share: 0.05`` for every table, or ``{default: 0.05, contacts: 0.2}`` per table."""
    shares = {"default": DEFAULT_MAX_REJECT_SHARE}
    if raw is None:
        return shares
    example = "e.g. max_reject_share: 0.05, or max_reject_share: {default: 0.05, contacts: 0.2}"
    if not isinstance(raw, dict):
        raw = {"default": raw}
    for table, value in raw.items():
        if table != "default" and table not in TABLES:
            problems.append(f"max_reject_share: unknown table '{table}'{_suggest(str(table), list(TABLES))}; "
                            f"the tables are default, {', '.join(TABLES)}")
        elif not _share(value):
            problems.append(f"max_reject_share{'' if table == 'default' else '.' + str(table)} {value!r} must be a share "
                            f"between 0 and 1 (1: never stop); {example}")
        else:
            shares[str(table)] = float(value)
    return shares


def _resolve_path(value: Any, base: Path) -> Path:
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (base / path)


#: C0 and C1 control characters and DEL: never part of a name a person chose
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: a job name names a folder: most file systems allow 255 bytes
MAX_NAME_CHARS = 100


def _shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` short enough to quote in a message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _control_problem(what: str, value: str) -> str | None:
    """A problem when ``value`` holds a NUL or another control character, else None."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return (
        f"{what} {_shown(value)} contains the control character {found.group()!r} (position {found.start() + 1}); "
        "remove it: names and paths are plain text"
    )


def _path_setting(raw: dict, key: str, base: Path, problems: list[str]) -> Path | None:
    """The path in ``raw[key]``, resolved against ``base``; a value that is not a plain path is a problem."""
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.append(f"'{key}' must be a folder path such as {key}: ../extracts/2025-11, not {_shown(value)}")
        return None
    problem = _control_problem(f"'{key}'", str(value))
    if problem:
        problems.append(problem)
        return None
    return _resolve_path(value, base)


def config_from_dict(raw: Any, *, base: Path | None = None, source: str = "config") -> JobConfig:
    """Build a JobConfig from a mapping, reporting every problem at once."""
    base = base or Path.cwd()
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError.from_problems(source, ["expected a mapping of settings (key: value lines)"])
    problems: list[str] = []
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            problems.append(f"unknown setting '{key}'{_suggest(str(key), TOP_LEVEL_KEYS)}; the settings are {', '.join(TOP_LEVEL_KEYS)}")

    job = raw.get("job") or {}
    if isinstance(job, str):
        job = {"name": job}
    if not isinstance(job, dict):
        problems.append("'job' must be a mapping such as job: {name: lancashire-2025}")
        job = {}
    for key in job:
        if key not in JOB_KEYS:
            problems.append(f"job: unknown setting '{key}'{_suggest(str(key), JOB_KEYS)}; the settings are {', '.join(JOB_KEYS)}")
    name = str(job.get("name") or Path(source).stem or "job")
    name_problem = _control_problem("job name", name)
    if name_problem:
        problems.append(name_problem)
        name = "job"
    elif len(name) > MAX_NAME_CHARS:
        problems.append(f"job name {_shown(name)} is {len(name)} characters long; keep it to {MAX_NAME_CHARS} (it names the job folder)")
        name = "job"
    elif any(ch in name for ch in "/\\") or name in {".", ".."}:
        problems.append(f"job name '{name}' cannot contain '/' or '\\'; it names the folder reports/<name>")

    seed = raw.get("seed", job.get("seed", 0))
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        problems.append(f"seed {_shown(seed)} must be a whole number >= 0, e.g. seed: 42")
        seed = 0

    data = _path_setting(raw, "data", base, problems)
    output = _path_setting(raw, "output", base, problems)

    geography = None
    geography_path = None
    geo = raw.get("geography")
    if isinstance(geo, str) and _control_problem("'geography'", geo):
        problems.append(_control_problem("'geography'", geo))
    elif isinstance(geo, str):
        geography_path = _resolve_path(geo, base)
        try:
            geography = load_geography(geography_path)
        except ConfigError as exc:
            problems.extend(exc.problems)
    elif isinstance(geo, dict):
        try:
            geography = geography_from_dict(geo, f"{source}: geography")
        except ConfigError as exc:
            problems.extend(exc.problems)
    elif geo is not None:
        problems.append("'geography' must be a file path (configs/lancashire.yaml) or a mapping with force, bcus, neighbouring_forces")

    tables = raw.get("tables") or {}
    if not isinstance(tables, dict):
        problems.append("'tables' must map a table to its file name, e.g. tables: {people: nominals.csv}")
        tables = {}
    for table, file_name in tables.items():
        if table not in TABLES:
            problems.append(f"tables: unknown table '{table}'{_suggest(str(table), list(TABLES))}; the tables are {', '.join(TABLES)}")
        elif not isinstance(file_name, (str, int, float)) or isinstance(file_name, bool):
            problems.append(f"tables.{table} must be a file name such as nominals.csv, not {_shown(file_name)}")
        elif _control_problem(f"tables.{table}", str(file_name)):
            problems.append(_control_problem(f"tables.{table}", str(file_name)))

    columns = raw.get("columns") or {}
    if not isinstance(columns, dict):
        problems.append("'columns' must map a table to {header in your file: contract column}, e.g. columns: {people: {Forename: first_name}}")
        columns = {}
    clean_columns: dict[str, dict[str, str]] = {}
    for table, mapping in columns.items():
        if table not in TABLES:
            problems.append(f"columns: unknown table '{table}'{_suggest(str(table), list(TABLES))}; the tables are {', '.join(TABLES)}")
            continue
        if not isinstance(mapping, dict):
            problems.append(f"columns.{table} must map your file's headers to contract columns, e.g. {{Forename: first_name}}")
            continue
        known = TABLES[table].column_names
        targets: dict[str, str] = {}
        for header, target in mapping.items():
            target = str(target)
            if target not in known:
                problems.append(
                    f"columns.{table}: '{header}' maps to '{target}', which is not a {table} column{_suggest(target, known)}; "
                    f"the {table} columns are {', '.join(known)}"
                )
            elif target in targets:
                problems.append(f"columns.{table}: both '{targets[target]}' and '{header}' map to '{target}'; map only one")
            targets[target] = str(header)
        clean_columns[table] = {str(h): str(t) for h, t in mapping.items()}

    values = raw.get("values") or {}
    clean_values: dict[str, dict[str, str]] = {}
    if not isinstance(values, dict):
        problems.append("'values' must map table.column to {value in your file: contract value}, e.g. values: {people.sex: {'1': M, '2': F}}")
        values = {}
    for key, mapping in values.items():
        table, _, column = str(key).partition(".")
        if table not in TABLES or column not in TABLES[table].columns_by_name:
            every = [f"{t}.{c}" for t in TABLES for c in TABLES[t].column_names]
            problems.append(f"values: '{key}' is not table.column{_suggest(str(key), every)} (e.g. people.sex, locations.category)")
            continue
        if not isinstance(mapping, dict):
            problems.append(f"values.{key} must map your values to contract values, e.g. {{pub: licensed_premises}}")
            continue
        col = TABLES[table].columns_by_name[column]
        for source_value, target in mapping.items():
            if col.values and str(target).lower() not in {v.lower() for v in col.values}:
                problems.append(
                    f"values.{key}: '{source_value}' maps to '{target}', which is not allowed; use one of {', '.join(col.values)}"
                )
        clean_values[str(key)] = {str(k): str(v) for k, v in mapping.items()}

    input_options, input_problems = _input_options(raw.get("input"))
    problems.extend(input_problems)

    nte = raw.get("night_time_economy_categories", list(DEFAULT_NTE_CATEGORIES))
    category_values = TABLES["locations"].columns_by_name["category"].values
    if not isinstance(nte, list) or not all(isinstance(c, str) for c in nte):
        problems.append("'night_time_economy_categories' must be a list of location categories, e.g. [takeaway, hotel, taxi_firm]")
        nte = list(DEFAULT_NTE_CATEGORIES)
    for category in nte:
        if category not in category_values:
            problems.append(
                f"night_time_economy_categories: '{category}' is not a location category{_suggest(category, category_values)}"
            )

    suppress = raw.get("suppress_below")
    if suppress is not None and (not isinstance(suppress, int) or isinstance(suppress, bool) or suppress < 2):
        problems.append(f"suppress_below {suppress!r} must be a whole number >= 2 (counts under it are shown as <N)")
        suppress = None

    max_share = _max_reject_share(raw.get("max_reject_share"), problems)

    stages: dict[str, dict[str, Any]] = {}
    for section in STAGE_SECTIONS:
        value = raw.get(section)
        if value is None:
            continue
        if section == "resolve" and isinstance(value, str) and value.strip().lower() == "none":
            value = {"method": "none"}  # resolve: none -- every record is its own person
        if not isinstance(value, dict):
            problems.append(f"'{section}' must be a mapping of settings")
            continue
        if section in SECTIONS_WITHOUT_SETTINGS:
            for key in value:
                problems.append(
                    f"{section}: unknown setting '{key}'{_suggest(str(key), TOP_LEVEL_KEYS)}; this version has no {section} "
                    f"settings ({SECTIONS_WITHOUT_SETTINGS[section]}), so remove it"
                )
        stages[section] = value

    if problems:
        raise ConfigError.from_problems(source, problems)
    return JobConfig(
        name=name,
        data=data,
        output=output,
        seed=seed,
        geography=geography,
        geography_path=geography_path,
        tables={str(k): str(v) for k, v in tables.items()},
        columns=clean_columns,
        values=clean_values,
        input=input_options,
        night_time_economy_categories=tuple(nte),
        suppress_below=suppress,
        max_reject_share=max_share,
        stages=stages,
        raw=raw,
        source=source,
        base=base,
    )


#: layouts a config may name as people write them, beside strftime
_LAYOUT_NAMES = {
    "dd/mm/yyyy": "%d/%m/%Y", "mm/dd/yyyy": "%m/%d/%Y", "dd-mm-yyyy": "%d-%m-%Y", "dd.mm.yyyy": "%d.%m.%Y",
    "dd/mm/yy": "%d/%m/%y", "dd-mm-yy": "%d-%m-%y", "mm/dd/yy": "%m/%d/%y", "yyyy-mm-dd": "ISO8601", "yyyymmdd": "%Y%m%d",
}


def _date_format(value: Any, where: str, problems: list[str]) -> str:
    text = str(value).strip()
    if text.upper() in ("ISO8601", "ISO 8601", "ISO"):
        return "ISO8601"
    if text.lower() == "auto":
        return "auto"
    if text.lower() in _LAYOUT_NAMES:
        return _LAYOUT_NAMES[text.lower()]
    if "%" not in text:
        problems.append(
            f"{where} '{text}' is neither auto, ISO8601 nor a strftime layout like '%d/%m/%Y'"
        )
        return "auto"
    return text


def _input_options(input_raw: Any) -> tuple[InputOptions, list[str]]:
    """``input:`` as typed options, and every problem in it."""
    problems: list[str] = []
    if input_raw is None:
        return InputOptions(), problems
    if not isinstance(input_raw, dict):
        return InputOptions(), ["'input' must be a mapping, e.g. input: {date_format: '%d/%m/%Y', encoding: auto}"]
    for key in input_raw:
        if key not in INPUT_KEYS:
            problems.append(f"input: unknown setting '{key}'{_suggest(str(key), INPUT_KEYS)}; the settings are {', '.join(INPUT_KEYS)}")

    encoding = str(input_raw.get("encoding", "auto")).lower().replace("_", "-")
    if encoding in ("utf8", "utf-8-sig"):
        encoding = "utf-8"
    if encoding in ("latin1", "iso-8859-1", "cp1252", "windows-1252"):
        encoding = "latin-1"
    if encoding not in ("auto", "utf-8", "latin-1"):
        problems.append(f"input.encoding '{encoding}' is not supported; use auto, utf-8 or latin-1")
        encoding = "auto"

    date_format = "auto"
    date_formats: dict[str, str] = {}
    given = input_raw.get("date_format", "auto")
    if isinstance(given, dict):
        for key, value in given.items():
            key = str(key)
            if key in ("default", "*"):
                date_format = _date_format(value, f"input.date_format.{key}", problems)
                continue
            table, _, column = key.partition(".")
            if table not in TABLES:
                problems.append(
                    f"input.date_format: '{key}' is not a table or table.column{_suggest(table, list(TABLES))}; "
                    "write e.g. {placements: '%d/%m/%Y', people.dob: '%m/%d/%Y', default: auto}"
                )
                continue
            dated = [c.name for c in TABLES[table].columns if c.kind in ("date", "datetime")]
            if column and column not in dated:
                problems.append(
                    f"input.date_format: '{key}' is not a date column{_suggest(column, dated)}; "
                    f"the date columns of {table} are {', '.join(dated) or 'none'}"
                )
                continue
            date_formats[key] = _date_format(value, f"input.date_format.{key}", problems)
    else:
        date_format = _date_format(given, "input.date_format", problems)

    day_first = input_raw.get("day_first", False)
    if not isinstance(day_first, bool):
        problems.append(f"input.day_first {day_first!r} must be true or false")
        day_first = False

    years = input_raw.get("year_range")
    if years is not None and (
        not isinstance(years, (list, tuple))
        or len(years) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
        or not 1 <= years[0] < years[1] <= 9999
    ):
        problems.append(f"input.year_range {years!r} must be two years, earliest first, e.g. [1900, 2100]")
        years = None

    delimiter = input_raw.get("delimiter", "auto")
    delimiter = DELIMITER_NAMES.get(str(delimiter).lower(), str(delimiter))
    if delimiter != "auto" and (
        len(delimiter) != 1 or not delimiter.isascii() or delimiter in '\x00"\r\n' or delimiter.isalnum()
    ):
        problems.append(
            f"input.delimiter {delimiter!r} must be auto or one plain character (',', ';', '|' or tab); "
            "NUL, quotes, line breaks, letters, digits and characters outside ASCII cannot separate columns"
        )
        delimiter = "auto"

    map_headers = input_raw.get("map_headers", True)
    if not isinstance(map_headers, bool):
        problems.append(f"input.map_headers {map_headers!r} must be true or false")
        map_headers = True

    options = InputOptions(
        date_format=date_format,
        date_formats=date_formats,
        day_first=day_first,
        year_range=(int(years[0]), int(years[1])) if years is not None else None,
        encoding=encoding,
        delimiter=delimiter,
        map_headers=map_headers,
    )
    return options, problems


def load_config(path: str | Path | None) -> JobConfig:
    """Load a job config from YAML; ``None`` gives the defaults."""
    if path is None:
        return JobConfig()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist; pass the path of a job YAML such as configs/demo.yaml")
    raw = read_yaml(path, "config")
    return config_from_dict(raw, base=path.resolve().parent, source=str(path))
