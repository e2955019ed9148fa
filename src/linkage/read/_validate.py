"""Apply the data contract to one table: every problem of every row, collected at once.

A row that breaks a rule is rejected (one reject line per problem, naming
table, line, column, value and the fix); the other rows go on.  Nothing here
raises for bad rows; only a missing required column is fatal, and that is
decided in ``_columns``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from .._arrow import id_set, isin
from ..config import Geography, JobConfig
from ..contract import Table
from ._dates import AmbiguousDates, DateRules, DateValues, numeric_order, read_dates
from ._files import RawTable
from ._parse import SEX_CODES, Parsed, parse_bool, parse_enum, parse_float, parse_int, parse_list

__all__ = [
    "TableRejects",
    "ValidationResult",
    "Problem",
    "validate_table",
    "read_date_columns",
    "apply_value_maps",
    "derived_years",
    "DEFAULT_YEARS",
    "REJECT_COLUMNS",
    "ROW_COLUMN",
    "REJECTED",
    "CLEARED",
]

#: rejects.csv: one line per problem; ``action`` says what happened to the row
REJECT_COLUMNS = ["table", "row", "column", "value", "reason", "action"]
#: the row is not kept
REJECTED = "rejected"
#: the row is kept, with the value on this line cleared (or cut back to what is certain)
CLEARED = "cleared"
#: name of the column that carries each row's line number in the input file
ROW_COLUMN = "_row"
#: internal column of a rejects frame: the reason without its value, for counting reasons
KIND_COLUMN = "_kind"


@dataclass
class Problem:
    """A warning about data that is kept: counted per table, column and value."""

    table: str
    column: str
    value: str
    rows: int
    first_row: int
    message: str

    def as_dict(self) -> dict:
        return {
            "table": self.table,
            "column": self.column,
            "value": self.value,
            "rows": self.rows,
            "first_row": self.first_row,
            "message": self.message,
        }


@dataclass
class ValidationResult:
    frame: pd.DataFrame
    rejects: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    #: kept rows with a value cleared
    rows_cleared: int = 0
    #: rows whose reference could not be checked, as (column, target table) -> rows
    unchecked: dict[tuple[str, str], int] = field(default_factory=dict)


def _kind_of(reason: str | pd.Series) -> str | pd.Series:
    """A reason without its value and its fix, to count reasons by: ``is not a valid date``."""
    if isinstance(reason, str):
        return re.split(r"[;(]", reason, maxsplit=1)[0].strip()
    return reason.astype(str).str.split(r"[;(]", n=1, regex=True).str[0].str.strip()


class TableRejects:
    """Collects reject lines for one table, vectorised; a line either rejects its row or clears its value."""

    def __init__(self, table: str, lines: np.ndarray) -> None:
        self.table = table
        self.lines = lines
        self.parts: list[pd.DataFrame] = []
        self.rejected = np.zeros(len(lines), dtype=bool)
        self.cleared = np.zeros(len(lines), dtype=bool)

    def add(
        self,
        mask: np.ndarray,
        column: str,
        values: pd.Series | str,
        reason: str | pd.Series,
        *,
        clear: bool = False,
        kind: str | pd.Series | None = None,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if clear:
            self.cleared |= mask
        else:
            self.rejected |= mask
        if isinstance(values, pd.Series):
            value = values.to_numpy(dtype=object, na_value="")[mask]
        else:
            value = np.full(mask.sum(), values, dtype=object)
        if isinstance(reason, pd.Series):
            why = reason.to_numpy(dtype=object, na_value="")[mask]
        else:
            why = np.full(mask.sum(), reason, dtype=object)
        kind = _kind_of(reason) if kind is None else kind
        if isinstance(kind, pd.Series):
            kinds = kind.to_numpy(dtype=object, na_value="")[mask]
        else:
            kinds = np.full(mask.sum(), kind, dtype=object)
        self.parts.append(
            pd.DataFrame(
                {
                    "table": self.table,
                    "row": self.lines[mask],
                    "column": column,
                    "value": value.astype(str),
                    "reason": why.astype(str),
                    "_pos": np.flatnonzero(mask),
                    "_clear": clear,
                    KIND_COLUMN: kinds.astype(str),
                }
            )
        )

    def add_bad_rows(self, bad_rows) -> None:
        """Lines the reader could not split into a row: always rejected."""
        for bad in bad_rows:
            self.parts.append(
                pd.DataFrame({"table": [self.table], "row": [bad.line], "column": [""], "value": [bad.text],
                              "reason": [bad.reason], "_pos": [-1], "_clear": [False], KIND_COLUMN: [_kind_of(bad.reason)]})
            )

    @property
    def rows_cleared(self) -> int:
        return int((self.cleared & ~self.rejected).sum())

    def frame(self) -> pd.DataFrame:
        """The reject lines (``REJECT_COLUMNS`` and ``_kind``): every line of a rejected row says ``rejected``."""
        if not self.parts:
            empty = {c: pd.Series(dtype="int64" if c == "row" else "str") for c in REJECT_COLUMNS}
            return pd.DataFrame({**empty, KIND_COLUMN: pd.Series(dtype="str")})
        frame = pd.concat(self.parts, ignore_index=True)
        position = frame["_pos"].to_numpy(dtype=np.int64) if "_pos" in frame else np.full(len(frame), -1)
        clear = frame["_clear"].fillna(False).to_numpy(dtype=bool) if "_clear" in frame else np.zeros(len(frame), bool)
        row_rejected = np.where(position >= 0, self.rejected[np.clip(position, 0, None)] if len(self.rejected) else True, True)
        frame["action"] = np.where(clear & ~row_rejected, CLEARED, REJECTED)
        if KIND_COLUMN not in frame:
            frame[KIND_COLUMN] = _kind_of(frame["reason"])
        frame[KIND_COLUMN] = frame[KIND_COLUMN].fillna(frame["reason"])
        return frame[REJECT_COLUMNS + [KIND_COLUMN]]


def _parse_column(text: pd.Series, spec, table: Table) -> Parsed | None:
    kind = spec.kind
    if kind == "bool":
        return parse_bool(text)
    if kind == "int":
        return parse_int(text, minimum=spec.minimum)
    if kind == "float":
        return parse_float(text, minimum=spec.minimum, maximum=spec.maximum)
    if kind == "enum":
        return parse_enum(text, spec.values, table=table.name, column=spec.name, known=SEX_CODES if spec.name == "sex" else None)
    if kind == "list":
        return parse_list(text)
    return None


#: the years a date may have when the job config names none (``input.year_range``)
DEFAULT_YEARS = (1900, 2100)
#: the earliest year any extract may open its window to: earlier years are keying slips (0001, 0208)
EARLIEST_YEAR = 1000
#: a column holds a historical extract, not a slip, when at least this share of its distinct readable
#: dates, and at least ``HISTORICAL_MIN_DATES`` of them, lie before ``DEFAULT_YEARS[0]``
HISTORICAL_SHARE = 0.05
HISTORICAL_MIN_DATES = 20


def derived_years(values: DateValues) -> tuple[int, int]:
    """The window a column's own dates call for, read first with the widest window.

    Safeguarding data is about living people: by default a date before 1900 is
    a keying slip and is cleared.  A column where dates before 1900 are common
    (a historical register, a public benchmark) is read back to the century of
    its first percentile, never before ``EARLIEST_YEAR``.
    """
    kept = values.values[~np.isnat(values.values)]
    if not len(kept):
        return DEFAULT_YEARS
    years = kept.astype("datetime64[Y]").astype(np.int64) + 1970
    early = int((years < DEFAULT_YEARS[0]).sum())
    if early < HISTORICAL_MIN_DATES or early < HISTORICAL_SHARE * len(years):
        return DEFAULT_YEARS
    first = int(np.percentile(years, 1)) // 100 * 100
    return (max(EARLIEST_YEAR, first), DEFAULT_YEARS[1])


def _read_column(text: pd.Series, rules: DateRules, auto_window: bool) -> DateValues:
    """``read_dates``; with no window in the config, the window the column's own dates call for."""
    if not auto_window:
        return read_dates(text, rules)
    widest = read_dates(text, replace(rules, years=(EARLIEST_YEAR, DEFAULT_YEARS[1])))
    years = derived_years(widest)
    values = widest if years == widest.years else read_dates(text, replace(rules, years=years))
    return values


def date_rules(raw: RawTable, table: Table, spec, config: JobConfig) -> DateRules:
    """How to read one date column of ``raw``: the config's layout for it (Parquet dates are ISO 8601)."""
    date_format = "ISO8601" if spec.name in raw.iso_columns else config.input.date_format_for(table.name, spec.name)
    return DateRules(
        key=f"{table.name}.{spec.name}",
        date_format=date_format,
        day_first=config.input.day_first,
        with_time=spec.kind == "datetime",
        partial=spec.name == "dob",
        years=config.input.year_range or DEFAULT_YEARS,
    )


def read_date_columns(raw: RawTable, table: Table, config: JobConfig, headers: dict[str, str]) -> tuple[dict[str, DateValues], list[str]]:
    """Read every date column of ``raw`` (renamed to the contract); a problem line for each ambiguous one.

    A column whose values read the same day-first and month-first follows the
    order the file's other date columns settled (a file writes its dates one
    way); only when none settles it is it a problem.  ``headers`` maps a
    contract column back to the header it had in the file, for messages.
    """
    read: dict[str, DateValues] = {}
    ambiguous: dict[str, AmbiguousDates] = {}
    auto_window = config.input.year_range is None
    for spec in table.columns:
        if spec.kind not in ("date", "datetime"):
            continue
        try:
            read[spec.name] = _read_column(raw.frame[spec.name], date_rules(raw, table, spec, config), auto_window)
        except AmbiguousDates as exc:
            ambiguous[spec.name] = exc
    orders = {numeric_order(values.layouts) for values in read.values()} - {None}
    problems: list[str] = []
    for name, exc in ambiguous.items():
        spec = table.columns_by_name[name]
        rules = date_rules(raw, table, spec, config)
        if len(orders) == 1:
            read[name] = _read_column(raw.frame[name], replace(rules, file_order=next(iter(orders))), auto_window)
            continue
        day, month = exc.formats()
        header = headers.get(name, name)
        shown = ", ".join(f"'{e}'" for e in exc.examples)
        problems.append(
            f"{raw.path.name}, column '{header}' ({rules.key}): dates such as {shown} read differently day-first "
            f"({day}) and month-first ({month}), and no value in the file settles it; say which in the job config: "
            f"input: {{date_format: {{{rules.key}: '{day}'}}}} (or '{month}'), or input: {{day_first: true}} to read "
            "every such column day-first, as UK systems write dates"
        )
    return read, problems


def apply_value_maps(frame: pd.DataFrame, table: Table, config: JobConfig) -> None:
    for key, mapping in config.values.items():
        name, _, column = key.partition(".")
        if name != table.name or column not in frame.columns:
            continue
        lowered = {str(k).strip().lower(): v for k, v in mapping.items()}
        text = frame[column]
        mapped = text.str.lower().map(lowered)
        frame[column] = mapped.where(mapped.notna(), text).astype("str")


def validate_table(
    raw: RawTable,
    table: Table,
    config: JobConfig,
    *,
    kept_ids: dict[tuple[str, str], pa.Array],
    present_tables: set[str],
    dates: dict[str, DateValues] | None = None,
    values_mapped: bool = False,
) -> ValidationResult:
    """Type and check ``raw`` (already renamed to contract columns) against ``table``.

    A broken required value, a duplicate id or a required reference to an
    unknown row rejects the row; anything else that cannot be read (an
    optional date, code, number or reference) is cleared, and the row kept.
    Either way the value has a line in the rejects, with its ``action``.

    ``kept_ids`` maps (table, column) to the ids kept so far, for reference
    checks; this function adds the ids it keeps for its own unique column.
    ``dates`` are the date columns already read (``read_date_columns``).
    """
    text = raw.frame
    lines = raw.lines
    rejects = TableRejects(table.name, lines)
    warnings: list[Problem] = []
    rejects.add_bad_rows(raw.bad_rows)
    if not values_mapped:
        apply_value_maps(text, table, config)
    if dates is None:
        dates, problems = read_date_columns(raw, table, config, {})
        if problems:
            from ..errors import DataError

            raise DataError.from_problems(problems)
    typed = pd.DataFrame(index=text.index)

    for spec in table.columns:
        column_text = text[spec.name]
        must_have = spec.required_in(typed)
        if spec.required:
            missing = column_text.isna().to_numpy() & must_have
            rejects.add(missing, spec.name, "", f"{spec.name} is required but empty; fill it in or remove the row"
                        + spec.exception_note())
        if spec.kind in ("date", "datetime"):
            read = dates[spec.name]
            values = read.series(text.index)
            bad = read.bad_mask()
            reason: str | pd.Series = read.reason_series(text.index) if read.bad.any() else ""
            if spec.name == "dob":
                typed["dob"] = values
                typed["dob_precision"] = read.precision_series(text.index)
            else:
                typed[spec.name] = values
        else:
            parsed = _parse_column(column_text, spec, table)
            if parsed is None:
                typed[spec.name] = column_text
                continue
            bad, reason = parsed.bad, parsed.reason
            typed[spec.name] = parsed.values
        if not bad.any():
            continue
        kind = _kind_of(reason)
        stored = raw.column_types.get(spec.name)
        if stored:
            reason = reason + f" (the Parquet file stores {spec.name} as {stored})"
        reason = "'" + column_text.fillna("") + "' " + (reason if isinstance(reason, str) else reason.fillna(""))
        bad = np.asarray(bad, dtype=bool)
        rejects.add(bad & must_have, spec.name, column_text, reason, clear=False, kind=kind)
        rejects.add(bad & ~must_have, spec.name, column_text, reason, clear=True, kind=kind)

    for start, end in table.intervals:
        s, e = typed[start], typed[end]
        backwards = (s.notna() & e.notna() & (e < s)).to_numpy()
        if backwards.any():
            # datetimes keep their time: an episode can end earlier on the day it started
            shown = "%Y-%m-%dT%H:%M:%S" if table.columns_by_name[start].kind == "datetime" else "%Y-%m-%d"
            optional = not table.columns_by_name[end].required
            reason = (
                end + " " + e.dt.strftime(shown).fillna("") + " is before " + start + " "
                + s.dt.strftime(shown).fillna("") + "; correct whichever date is wrong"
                + (f" ({end} is cleared: the row reads as open-ended)" if optional else "")
            )
            rejects.add(backwards, end, text[end], reason, clear=optional, kind=f"{end} is before {start}")
            if optional:
                typed.loc[backwards, end] = pd.NaT

    if table.name == "associations":
        self_link = (text["record_id_a"].notna() & (text["record_id_a"] == text["record_id_b"])).to_numpy()
        rejects.add(self_link, "record_id_b", text["record_id_b"], "links a record to itself; name two different records")

    unchecked: dict[tuple[str, str], int] = {}
    for ref in table.references:
        column_text = text[ref.column]
        applies = column_text.notna().to_numpy()
        if ref.when is not None:
            when_column, when_value = ref.when
            applies = applies & (typed[when_column] == when_value).fillna(False).to_numpy(dtype=bool)
        required = table.columns_by_name[ref.column].required
        if ref.target not in present_tables:
            if applies.any():
                unchecked[(ref.column, ref.target)] = unchecked.get((ref.column, ref.target), 0) + int(applies.sum())
            continue
        known = kept_ids.get((ref.target, ref.target_column))
        if known is None:
            continue
        if ref.each:
            items = typed[ref.column]
            exploded = items[applies].explode().dropna()
            unknown_items = exploded[~isin(exploded.astype("str"), known)]
            if unknown_items.empty:
                continue
            grouped = unknown_items.astype(str).groupby(level=0)
            names = grouped.agg(lambda ids: "', '".join(ids))
            several = grouped.size() > 1
            mask = text.index.isin(names.index)
            reason = pd.Series("", index=text.index, dtype=object)
            reason[names.index] = (
                "names " + ref.target_column + several.map({True: "s", False: ""}) + " '" + names + "', which "
                + several.map({True: "are", False: "is"}) + " not among the kept rows of " + ref.target
                + "; correct the id or add that " + ref.target + " row"
                + ("" if required else " (the list keeps its other ids)")
            )
            rejects.add(mask, ref.column, column_text, reason, clear=not required,
                        kind=f"names a {ref.target_column} not among the kept rows of {ref.target}")
            if not required:
                bad_ids = set(unknown_items.astype(str))
                typed.loc[mask, ref.column] = typed.loc[mask, ref.column].map(
                    lambda ids: tuple(i for i in ids if i not in bad_ids)
                )
            continue
        unknown = applies & ~isin(column_text, known)
        if unknown.any():
            rejects.add(
                unknown,
                ref.column,
                column_text,
                "'" + column_text.fillna("") + "' is not a known " + ref.target_column + " among the kept rows of "
                + ref.target + "; correct the id or add that " + ref.target + " row",
                clear=not required,
                kind=f"is not a known {ref.target_column} among the kept rows of {ref.target}",
            )
            if not required:
                typed.loc[unknown, ref.column] = pd.NA

    if table.unique:
        ids = text[table.unique]
        candidates = ids.notna().to_numpy() & ~rejects.rejected
        duplicate = np.zeros(len(ids), dtype=bool)
        sub = ids[candidates]
        dup_sub = sub.duplicated(keep="first").to_numpy()
        if dup_sub.any():
            duplicate[np.flatnonzero(candidates)[dup_sub]] = True
            first_line = pd.Series(lines[candidates], index=sub.index).groupby(sub.to_numpy()).transform("first")
            reason = pd.Series("", index=text.index, dtype=object)
            reason[first_line.index] = (
                "duplicate " + table.unique + " '" + sub.astype(str) + "': already used on row "
                + first_line.astype(str) + "; give each row its own id"
            )
            rejects.add(duplicate, table.unique, ids, reason, kind=f"duplicate {table.unique}")

    keep = ~rejects.rejected
    if table.name == "locations":
        nte = typed["night_time_economy"]
        default = typed["category"].isin(config.night_time_economy_categories)
        typed["night_time_economy"] = nte.fillna(default).astype("boolean")
    if table.name == "contacts":
        # the contract: an empty count means one contact
        typed["count"] = typed["count"].fillna(1)

    extra = [c for c in text.columns if c not in table.columns_by_name]
    for column in extra:
        typed[column] = text[column]
    typed.insert(0, ROW_COLUMN, lines)
    kept = typed[keep].reset_index(drop=True)
    if table.unique:
        kept_ids[(table.name, table.unique)] = id_set(kept[table.unique])
    if table.name == "identifiers":
        kept_ids[("identifiers", "identifier")] = id_set(kept["identifier"])

    if config.geography is not None:
        warnings.extend(_authority_warnings(kept, table, config.geography))
    return ValidationResult(kept, rejects.frame(), warnings, rows_read=len(text) + len(raw.bad_rows),
                            rows_cleared=rejects.rows_cleared, unchecked=unchecked)


def _authority_warnings(frame: pd.DataFrame, table: Table, geography: Geography) -> list[Problem]:
    warnings = []
    for column in table.authority_columns:
        values = frame[column].dropna()
        if values.empty:
            continue
        counts = values.value_counts(sort=False)
        for value, count in sorted(counts.items()):
            if geography.lookup(value) is None:
                first = int(frame.loc[frame[column] == value, ROW_COLUMN].iloc[0])
                warnings.append(
                    Problem(
                        table.name,
                        column,
                        str(value),
                        int(count),
                        first,
                        f"'{value}' is not an authority of the configured geography ({geography.force} and its neighbours); "
                        "kept as out of force. If it is a spelling of a known authority, correct it or add it to the geography file",
                    )
                )
    return warnings
