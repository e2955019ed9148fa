"""Apply the data contract to one table: every problem of every row, collected at once.

A row that breaks a rule is rejected (one reject line per problem, naming
table, line, column, value and the fix); the other rows go on.  Nothing here
raises for bad rows; only a missing required column is fatal, and that is
decided in ``_columns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from .._arrow import id_set, isin
from ..config import Geography, JobConfig
from ..contract import Table
from ._files import RawTable
from ._parse import Parsed, date_precision, parse_bool, parse_date, parse_enum, parse_float, parse_int, parse_list

__all__ = ["ValidationResult", "Problem", "validate_table", "REJECT_COLUMNS", "ROW_COLUMN"]

REJECT_COLUMNS = ["table", "row", "column", "value", "reason"]
#: name of the column that carries each row's line number in the input file
ROW_COLUMN = "_row"


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


class _Rejects:
    """Collects reject lines for one table, vectorised."""

    def __init__(self, table: str, lines: np.ndarray) -> None:
        self.table = table
        self.lines = lines
        self.parts: list[pd.DataFrame] = []
        self.rejected = np.zeros(len(lines), dtype=bool)

    def add(self, mask: np.ndarray, column: str, values: pd.Series | str, reason: str | pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.rejected |= mask
        if isinstance(values, pd.Series):
            value = values.to_numpy(dtype=object, na_value="")[mask]
        else:
            value = np.full(mask.sum(), values, dtype=object)
        if isinstance(reason, pd.Series):
            why = reason.to_numpy(dtype=object, na_value="")[mask]
        else:
            why = np.full(mask.sum(), reason, dtype=object)
        self.parts.append(
            pd.DataFrame(
                {
                    "table": self.table,
                    "row": self.lines[mask],
                    "column": column,
                    "value": value.astype(str),
                    "reason": why.astype(str),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in REJECT_COLUMNS})
        return pd.concat(self.parts, ignore_index=True)


def _parse_column(text: pd.Series, spec, table: Table, config: JobConfig, iso: bool) -> Parsed | None:
    kind = spec.kind
    if kind == "date" or kind == "datetime":
        date_format = "ISO8601" if iso else config.input.date_format
        return parse_date(text, date_format=date_format, with_time=(kind == "datetime"), column=spec.name)
    if kind == "bool":
        return parse_bool(text)
    if kind == "int":
        return parse_int(text, minimum=spec.minimum)
    if kind == "float":
        return parse_float(text, minimum=spec.minimum, maximum=spec.maximum)
    if kind == "enum":
        return parse_enum(text, spec.values, table=table.name, column=spec.name)
    if kind == "list":
        return parse_list(text)
    return None


def _apply_value_maps(frame: pd.DataFrame, table: Table, config: JobConfig) -> None:
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
) -> ValidationResult:
    """Type and check ``raw`` (already renamed to contract columns) against ``table``.

    ``kept_ids`` maps (table, column) to the ids kept so far, for reference
    checks; this function adds the ids it keeps for its own unique column.
    """
    text = raw.frame
    lines = raw.lines
    rejects = _Rejects(table.name, lines)
    warnings: list[Problem] = []
    for bad in raw.bad_rows:
        rejects.parts.append(
            pd.DataFrame({"table": [table.name], "row": [bad.line], "column": [""], "value": [bad.text], "reason": [bad.reason]})
        )
    _apply_value_maps(text, table, config)
    typed = pd.DataFrame(index=text.index)

    for spec in table.columns:
        column_text = text[spec.name]
        if spec.required:
            missing = column_text.isna().to_numpy()
            rejects.add(missing, spec.name, "", f"{spec.name} is required but empty; fill it in or remove the row")
        parsed = _parse_column(column_text, spec, table, config, spec.name in raw.iso_columns)
        if parsed is None:
            typed[spec.name] = column_text
            continue
        if parsed.bad.any():
            reason = parsed.reason
            if isinstance(reason, str):
                reason = "'" + column_text.fillna("") + "' " + reason
            else:
                reason = "'" + column_text.fillna("") + "' " + reason.fillna("")
            rejects.add(parsed.bad, spec.name, column_text, reason)
        typed[spec.name] = parsed.values
        if spec.name == "dob":
            typed["dob_precision"] = date_precision(column_text.where(~parsed.bad))

    for start, end in table.intervals:
        s, e = typed[start], typed[end]
        backwards = (s.notna() & e.notna() & (e < s)).to_numpy()
        if backwards.any():
            # datetimes keep their time: an episode can end earlier on the day it started
            shown = "%Y-%m-%dT%H:%M:%S" if table.columns_by_name[start].kind == "datetime" else "%Y-%m-%d"
            reason = (
                end + " " + e.dt.strftime(shown).fillna("") + " is before " + start + " "
                + s.dt.strftime(shown).fillna("") + "; correct whichever date is wrong"
            )
            rejects.add(backwards, end, text[end], reason)

    if table.name == "associations":
        self_link = (text["record_id_a"].notna() & (text["record_id_a"] == text["record_id_b"])).to_numpy()
        rejects.add(self_link, "record_id_b", text["record_id_b"], "links a record to itself; name two different records")

    for ref in table.references:
        if ref.target not in present_tables:
            continue
        known = kept_ids.get((ref.target, ref.target_column))
        if known is None:
            continue
        column_text = text[ref.column]
        applies = column_text.notna().to_numpy()
        if ref.when is not None:
            when_column, when_value = ref.when
            applies = applies & (typed[when_column] == when_value).fillna(False).to_numpy(dtype=bool)
        if ref.each:
            items = typed[ref.column]
            exploded = items[applies].explode().dropna()
            unknown_items = exploded[~isin(exploded.astype("str"), known)]
            if unknown_items.empty:
                continue
            first_unknown = unknown_items.groupby(level=0).first()
            mask = text.index.isin(first_unknown.index)
            reason = pd.Series("", index=text.index, dtype=object)
            reason[first_unknown.index] = (
                "names " + ref.target_column + " '" + first_unknown.astype(str) + "', which is not among the kept rows of "
                + ref.target + "; correct the id or add that " + ref.target + " row"
            )
            rejects.add(mask, ref.column, column_text, reason)
            continue
        unknown = applies & ~isin(column_text, known)
        if unknown.any():
            rejects.add(
                unknown,
                ref.column,
                column_text,
                "'" + column_text.fillna("") + "' is not a known " + ref.target_column + " among the kept rows of "
                + ref.target + "; correct the id or add that " + ref.target + " row",
            )

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
            rejects.add(duplicate, table.unique, ids, reason)

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
    return ValidationResult(kept, rejects.frame(), warnings, rows_read=len(text) + len(raw.bad_rows))


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
