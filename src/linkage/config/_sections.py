"""The small sections of the job config: ``input``, ``network``, ``views``, ``exports``, ``report``.

Each is a frozen dataclass whose fields are its keys, with their defaults and
what they mean; ``_fields.parse`` reads them (see there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..contract import TABLES
from ._fields import Context, Invalid, Section, flag, mapping_of, number, setting, text_choice
from ..errors import did_you_mean

__all__ = ["InputOptions", "NetworkSettings", "ViewOptions", "ExportOptions", "ReportOptions", "DELIMITER_NAMES",
           "TIE_KINDS", "ASSOCIATION_KINDS"]

#: the kinds of tie between two people the analyses weigh (``network.tie_weights``; ``analyse.core.TIE_TYPES``)
TIE_KINDS: tuple[str, ...] = ("event", "co_missing", "shared_identifier", "contact", "associate", "co_placed")
#: the kinds of recorded association (``associations.kind``; ``network.association_weights``)
ASSOCIATION_KINDS: tuple[str, ...] = TABLES["associations"].columns_by_name["kind"].values

#: delimiters ``input.delimiter`` takes by name
DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

#: layouts a config may name as people write them, beside strftime
_LAYOUT_NAMES = {
    "dd/mm/yyyy": "%d/%m/%Y", "mm/dd/yyyy": "%m/%d/%Y", "dd-mm-yyyy": "%d-%m-%Y", "dd.mm.yyyy": "%d.%m.%Y",
    "dd/mm/yy": "%d/%m/%y", "dd-mm-yy": "%d-%m-%y", "mm/dd/yy": "%m/%d/%y", "yyyy-mm-dd": "ISO8601", "yyyymmdd": "%Y%m%d",
}


def _layout(value: Any, where: str) -> str:
    text = str(value).strip()
    if text.upper() in ("ISO8601", "ISO 8601", "ISO"):
        return "ISO8601"
    if text.lower() == "auto":
        return "auto"
    if text.lower() in _LAYOUT_NAMES:
        return _LAYOUT_NAMES[text.lower()]
    if "%" not in text:
        raise Invalid(f"{where} '{text}' is neither auto, ISO8601 nor a strftime layout like '%d/%m/%Y'")
    return text


def _date_format(value: Any, where: str, ctx: Context) -> str | dict[str, str]:
    """One layout, or ``{table or table.column or default: layout}``."""
    if not isinstance(value, dict):
        return _layout(value, where)
    layouts: dict[str, str] = {}
    for key, layout in value.items():
        key = str(key)
        table, _, column = key.partition(".")
        if key not in ("default", "*") and table not in TABLES:
            ctx.problems.append(
                f"{where}: '{key}' is not a table or table.column{did_you_mean(table, list(TABLES))}; "
                "write e.g. {placements: '%d/%m/%Y', people.dob: '%m/%d/%Y', default: auto}"
            )
            continue
        if key not in ("default", "*") and column:
            dated = [c.name for c in TABLES[table].columns if c.kind in ("date", "datetime")]
            if column not in dated:
                ctx.problems.append(f"{where}: '{key}' is not a date column{did_you_mean(column, dated)}; "
                                    f"the date columns of {table} are {', '.join(dated) or 'none'}")
                continue
        try:
            layouts["default" if key == "*" else key] = _layout(layout, f"{where}.{key}")
        except Invalid as exc:
            ctx.problems.extend(exc.problems)
    return layouts


def _year_range(value: Any, where: str, ctx: Context) -> tuple[int, int] | None:
    """``[FIRST, LAST]``, or None for auto (``auto`` or nothing): 1900-2100, opened back for historical dates."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return None
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in value)
        or not 1 <= value[0] < value[1] <= 9999
    ):
        raise Invalid(f"{where} {value!r} must be auto or two years, earliest first, e.g. [1900, 2100]")
    return int(value[0]), int(value[1])


def _encoding(value: Any) -> str:
    text = str(value).lower().replace("_", "-")
    if text in ("utf8", "utf-8-sig"):
        return "utf-8"
    if text in ("latin1", "iso-8859-1", "cp1252", "windows-1252"):
        return "latin-1"
    return text


def _delimiter(value: Any, where: str, ctx: Context) -> str:
    delimiter = DELIMITER_NAMES.get(str(value).lower(), str(value))
    if delimiter != "auto" and (
        len(delimiter) != 1 or not delimiter.isascii() or delimiter in '\x00"\r\n' or delimiter.isalnum()
    ):
        raise Invalid(
            f"{where} {delimiter!r} must be auto or one plain character (',', ';', '|' or tab); "
            "NUL, quotes, line breaks, letters, digits and characters outside ASCII cannot separate columns"
        )
    return delimiter


@dataclass(frozen=True)
class InputOptions:
    """``input:``: how to read the extract's files."""

    SECTION: ClassVar[Section] = Section(
        not_a_mapping="'{where}' must be a mapping, e.g. input: {{date_format: '%d/%m/%Y', encoding: auto}}")

    date_format: str = setting(
        "auto", read=_date_format,
        doc="auto (each column's layout from its values), ISO8601, or a layout such as '%d/%m/%Y' or dd/mm/yyyy; "
            "or per table and column: {placements: '%d/%m/%Y', people.dob: '%m/%d/%Y', default: auto}")
    day_first: bool = setting(False, read=flag,
                              doc="read a column whose dates could be dd/mm or mm/dd day-first (UK) instead of stopping")
    year_range: tuple[int, int] | None = setting(
        None, read=_year_range, shown_default="auto",
        doc="[FIRST, LAST] years a date may have; auto: 1900-2100, opened back for a column of historical dates")
    encoding: str = setting(
        "auto", read=text_choice(("auto", "utf-8", "latin-1"), normalise=_encoding,
                                 problem="{where} '{value}' is not supported; use auto, utf-8 or latin-1"),
        doc="auto (UTF-8 with or without BOM, UTF-16 with BOM, else latin-1 value by value), utf-8 or latin-1")
    delimiter: str = setting("auto", read=_delimiter,
                             doc="auto (',', ';', tab or '|' from the header line) or one of them (tab, comma, ...)")
    map_headers: bool = setting(True, read=flag,
                                doc="read headers that clearly name a contract column (Forename, D.O.B.) as that column")
    #: per table (``placements``) or column (``people.dob``): the layout named in ``date_format``
    date_formats: dict[str, str] = field(default_factory=dict)

    @classmethod
    def finish(cls, values: dict, raw: dict, where: str, ctx: Context) -> dict:
        given = values.get("date_format")
        if isinstance(given, dict):
            values["date_formats"] = {k: v for k, v in given.items() if k != "default"}
            values["date_format"] = given.get("default", "auto")
        return values

    def date_format_for(self, table: str, column: str) -> str:
        """The layout to read ``table.column`` in: the column's setting, else its table's, else the global one."""
        return self.date_formats.get(f"{table}.{column}") or self.date_formats.get(table) or self.date_format


def _date(value: Any, where: str, ctx: Context) -> str:
    import pandas as pd

    try:
        pd.Timestamp(str(value))
    except ValueError:
        raise Invalid(f"{where} {value!r} is not a date; write it as 2025-12-31") from None
    return str(value)


@dataclass(frozen=True)
class NetworkSettings:
    """``network:``: how the network is built from the records."""

    min_overlap_days: float = setting(
        1.0, read=number(), doc="two placements at one setting must overlap at least this many days to make a co_placed edge")
    open_episode_hours: float = setting(24.0, read=number(), doc="a missing episode with no end is taken to last this many hours")
    max_identifier_holders: int = setting(
        25, read=number(whole=True),
        doc="an identifier held by more people than this is shared infrastructure (a switchboard), not a tie")
    open_until: str | None = setting(
        None, read=_date, shown_default="the latest date in the data",
        doc="placements with no end date are open until this date")
    tie_weights: dict[str, float] = setting(
        read=lambda value, where, ctx: _weights(value, where, ctx, TIE_KINDS), factory=dict,
        shown_default="{} (analyse.core.TIE_WEIGHTS)",
        doc="weight of one tie of each kind between two people, e.g. {contact: 1, event: 2}; 0 leaves a kind out")
    association_weights: dict[str, float] = setting(
        read=lambda value, where, ctx: _weights(value, where, ctx, ASSOCIATION_KINDS), factory=dict,
        shown_default="{} (1 each)",
        doc="weight of a recorded association of each kind (associations.kind), e.g. {family: 0.5, co_offender: 2}")


def _weights(value: Any, where: str, ctx: Context, kinds: tuple[str, ...]) -> dict[str, float]:
    """``{kind: weight >= 0}``: unknown kinds and bad weights are problems, with the kinds there are."""
    def item(key, weight, where, ctx):
        if str(key) not in kinds:
            raise Invalid(f"{where}: unknown kind '{key}'{did_you_mean(str(key), kinds)}; the kinds are "
                          f"{', '.join(kinds)}")
        return number(what="a number >= 0 (0 leaves that kind of tie out)")(weight, f"{where}.{key}", ctx)
    return mapping_of(item, problem="'{where}' must map a kind to its weight, e.g. {where}: {{contact: 1}}")(
        value, where, ctx)


def _whole(low: int = 0) -> Any:
    return number(whole=True, low=low)


@dataclass(frozen=True)
class ViewOptions:
    """``views:``: which HTML views are written, and how big they may get."""

    max_clusters: int = setting(50, read=_whole(), doc="a page per cluster, highest risk_score first")
    max_children: int = setting(50, read=_whole(), doc="a page per looked-after child, most at risk first")
    max_businesses: int = setting(20, read=_whole(), doc="a page per top business target (business_targets.csv rank)")
    physics_below: int = setting(300, read=_whole(), doc="vis-network physics only on pages with at most this many nodes")
    aggregate_above: int = setting(500, read=_whole(),
                                   doc="above this many nodes, network.html shows clusters as super-nodes")
    max_page_nodes: int = setting(1500, read=_whole(),
                                  doc="a cluster, child or business page keeps at most this many nodes (nearest first)")
    overview_clusters: int = setting(
        300, read=_whole(), doc="an aggregated overview shows this many clusters as super-nodes (highest risk first)")
    overview_links: int = setting(
        3000, read=_whole(), doc="an aggregated overview keeps this many links between super-nodes (heaviest first)")
    overview_members: int = setting(
        3000, read=_whole(), doc="an aggregated overview carries this many cluster members and their neighbours, to expand in place")
    max_review_pairs: int = setting(
        2000, read=_whole(), doc="review.html shows this many pairs of the review queue (in its order); the rest are counted")


@dataclass(frozen=True)
class ExportOptions:
    """``exports:``: graph.graphml, graph.gexf and graph.anx."""

    max_edges: int = setting(100_000, read=number(whole=True, low=1, hint=", e.g. 500000"),
                             doc="above this many edges, the graph files carry the highest-ranked clusters only")


@dataclass(frozen=True)
class ReportOptions:
    """``report:``: none yet; report.html covers every table the job wrote."""

    SECTION: ClassVar[Section] = Section(no_settings="report.html always covers every table the job wrote")
