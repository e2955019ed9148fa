"""Read a dataset folder: every contract table, typed, validated, with its rejects."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..config import JobConfig
from ..contract import TABLE_ORDER, TABLES
from ..errors import DataError
from ._columns import normalise_header, rename_to_contract, table_headers
from ._files import SUFFIXES, RawTable, read_raw_table
from ._validate import (
    CLEARED,
    DEFAULT_YEARS,
    KIND_COLUMN,
    REJECT_COLUMNS,
    REJECTED,
    Problem,
    apply_value_maps,
    read_date_columns,
    validate_table,
)

__all__ = ["Dataset", "TableFile", "load_dataset", "find_table_files", "file_sha256", "mapped_headers_note"]


@dataclass(frozen=True)
class TableFile:
    """One input file: what was read, rejected (rows not kept), cleared (kept rows with a value cleared) and kept."""

    table: str
    path: Path
    sha256: str
    encoding: str
    rows_read: int
    rows_rejected: int
    rows_kept: int
    rows_cleared: int = 0
    delimiter: str = ""


@dataclass
class Dataset:
    """The validated tables of one dataset folder.

    ``tables`` holds a typed DataFrame per table that was present (its
    ``_row`` column is the line in the input file); ``rejects`` every problem
    value with its reason and ``action`` (the row ``rejected``, or kept with
    the value ``cleared``); ``warnings`` what was kept but deserves a look.
    For every file, rows read = rows kept + rows rejected.
    """

    folder: Path
    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, TableFile] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: headers read as contract columns by their names and values, per table: {header: column}
    columns_mapped: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the layouts each date column was read in ("table.column" -> {layout: distinct values})
    date_layouts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the reason of each reject line without its value and fix (aligned with ``rejects``), to count by
    reject_kinds: pd.Series = field(default_factory=lambda: pd.Series(dtype="str"))
    #: tables that were read but whose rows have been let go (``release``): ``has`` still answers for them
    released: frozenset[str] = frozenset()

    def has(self, table: str) -> bool:
        return table in self.tables or table in self.released

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table in self.released:
            raise KeyError(f"the {table} table was released to free memory once the network was built; "
                           "read it before then, or keep it in Dataset.release(keep=...)")
        if table not in self.tables:
            raise KeyError(f"the dataset has no {table} table")
        return self.tables[table]

    def release(self, keep: tuple[str, ...] = ()) -> list[str]:
        """Let go of the rows of every table but ``keep``, to free their memory; the tables released, in order.

        What was read stays known: ``has``, ``files`` (the counts), ``rejects``
        and ``warnings`` are unchanged; reading a released table raises a
        ``KeyError`` that says so.
        """
        gone = [name for name in self.tables if name not in keep]
        self.released = self.released | frozenset(gone)
        self.tables = {name: frame for name, frame in self.tables.items() if name in keep}
        return gone

    def _rows(self, action: str) -> int:
        if not len(self.rejects):
            return 0
        return int(self.rejects.loc[self.rejects["action"] == action].drop_duplicates(["table", "row"]).shape[0])

    @property
    def n_rejected(self) -> int:
        """Rows not kept (one count for the CLI, the report and the manifest)."""
        return self._rows(REJECTED)

    @property
    def n_cleared(self) -> int:
        """Rows kept with a value cleared."""
        return self._rows(CLEARED)

    def table_counts(self) -> pd.DataFrame:
        """Per table: rows read, rejected, cleared, kept, and the share rejected."""
        rows = [
            {"table": f.table, "file": f.path.name, "read": f.rows_read, "rejected": f.rows_rejected,
             "cleared": f.rows_cleared, "kept": f.rows_kept,
             "rejected_share": f.rows_rejected / f.rows_read if f.rows_read else 0.0}
            for f in self.files.values()
        ]
        columns = ["table", "file", "read", "rejected", "cleared", "kept", "rejected_share"]
        return pd.DataFrame(rows, columns=columns)

    def top_reasons(self, table: str | None = None, *, n: int = 3, action: str | None = REJECTED) -> pd.DataFrame:
        """The ``n`` most common reasons (per column), with how many rows and one full reason (it has the fix)."""
        rejects = self.rejects.assign(kind=self.reject_kinds.to_numpy() if len(self.reject_kinds) == len(self.rejects)
                                      else self.rejects["reason"])
        if table is not None:
            rejects = rejects[rejects["table"] == table]
        if action is not None:
            rejects = rejects[rejects["action"] == action]
        columns = ["table", "column", "kind", "rows", "example"]
        if rejects.empty:
            return pd.DataFrame(columns=columns)
        grouped = rejects.groupby(["table", "column", "kind"], sort=False)
        out = grouped.agg(rows=("row", "nunique"), example=("reason", "first")).reset_index()
        return out.sort_values(["rows", "table", "column"], ascending=[False, True, True], kind="stable").head(n)[columns].reset_index(drop=True)

    def summary_rows(self) -> list[dict]:
        return [
            {
                "table": f.table,
                "file": f.path.name,
                "encoding": f.encoding,
                "read": f.rows_read,
                "rejected": f.rows_rejected,
                "cleared": f.rows_cleared,
                "kept": f.rows_kept,
            }
            for f in self.files.values()
        ]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_table_files(folder: Path, config: JobConfig) -> dict[str, Path]:
    """The file of every table present in ``folder``; errors name what is missing and the fix."""
    if not folder.exists():
        raise DataError(f"dataset folder {folder} does not exist; pass the folder that holds people.csv")
    if not folder.is_dir():
        raise DataError(f"{folder} is a file, not a dataset folder; pass the folder that holds people.csv")
    found: dict[str, Path] = {}
    problems: list[str] = []
    for table in TABLE_ORDER:
        if table in config.tables:
            path = folder / config.tables[table]
            if not path.is_file():
                problems.append(f"{path} does not exist; the job config names it under tables: {table}. Correct the file name")
                continue
            found[table] = path
            continue
        candidates = [folder / f"{table}{suffix}" for suffix in SUFFIXES]
        present = [p for p in candidates if p.is_file()]
        if len(present) > 1:
            problems.append(
                f"{folder} has both {present[0].name} and {present[1].name}; keep one, or name the one to read under tables: {table}"
            )
        elif present:
            found[table] = present[0]
    if "people" not in found and not any("people" in p for p in problems):
        problems.append(
            f"{folder} has no people.csv (or people.parquet), the one table every dataset needs; "
            "add it, or name your file in the job config: tables: {people: your_file.csv}"
        )
    if problems:
        raise DataError.from_problems(problems)
    return found


def mapped_headers_note(file_name: str, table: str, mapped: dict[str, str]) -> str:
    """The run-summary line for headers read as contract columns from their names and values."""
    shown = ", ".join(f"'{h}' as {c}" for h, c in mapped.items())
    return (
        f"{file_name}: read {shown}, from their names and values; to read a header otherwise, "
        f"map it under columns: {{{table}: ...}} in the job config"
    )


def _quoted(names) -> str:
    return ", ".join(f"'{n}'" for n in names)


def load_dataset(
    folder: str | Path,
    config: JobConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Dataset:
    """Read and validate every table in ``folder``.

    Raises ``DataError`` (naming file, column and fix) only when the dataset
    cannot be read at all: no people table, a missing file named by the
    config, a required column missing, a header that may mean a contract
    column but is not clear enough to map, a date column whose day/month
    order nothing settles.  Bad rows never raise: they are in
    ``Dataset.rejects``, rejected or with the bad value cleared.
    """
    started = time.perf_counter()
    config = config or JobConfig()
    folder = Path(folder)
    paths = find_table_files(folder, config)

    raws: dict[str, RawTable] = {}
    dates: dict[str, dict] = {}
    problems: list[str] = []
    notes: list[str] = []
    columns_mapped: dict[str, dict[str, str]] = {}
    extras: list[str] = []
    layout_notes: list[str] = []
    date_layouts: dict[str, dict[str, int]] = {}
    for table_name, path in paths.items():
        if progress:
            progress(f"reading {path.name}")
        table = TABLES[table_name]
        try:
            raw = read_raw_table(path, encoding=config.input.encoding, delimiter=config.input.delimiter)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        headers_read = table_headers(raw.frame, raw.header, table, config.columns.get(table_name, {}), str(path),
                                     map_clear=config.input.map_headers)
        renamed = headers_read.renamed
        problems.extend(headers_read.problems)
        if headers_read.mapped:
            columns_mapped[table_name] = dict(headers_read.mapped)
            notes.append(mapped_headers_note(path.name, table_name, headers_read.mapped))
        unused = [h for h in raw.header if h not in renamed and normalise_header(h) not in table.columns_by_name]
        if unused:
            extras.append(f"{path.name}: {_quoted(unused)}")
        raw.frame = rename_to_contract(raw.frame, renamed, table)
        raw.iso_columns = frozenset(renamed.get(c, c) for c in raw.iso_columns)
        raw.column_types = {renamed.get(c, c): kind for c, kind in raw.column_types.items()}
        apply_value_maps(raw.frame, table, config)
        headers = {column: header for header, column in renamed.items()}
        read, ambiguous = read_date_columns(raw, table, config, headers)
        problems.extend(ambiguous)
        dates[table_name] = read
        for column, values in read.items():
            if values.layouts:
                date_layouts[f"{table_name}.{column}"] = dict(values.layouts)
            if config.input.year_range is None and values.years != DEFAULT_YEARS:
                notes.append(
                    f"{path.name} '{headers.get(column, column)}' holds dates back to {values.years[0]} (a historical "
                    f"extract): read back to {values.years[0]} rather than {DEFAULT_YEARS[0]}; "
                    "input: {year_range: [FIRST, LAST]} in the job config sets the window"
                )
            own = [layout for layout in values.layouts if layout != "ISO 8601"]
            if own:
                pivot = " (two-digit years 00-68 read as 20xx, 69-99 as 19xx)" if any("yy" in x and "yyyy" not in x for x in own) else ""
                layout_notes.append(f"{path.name} '{headers.get(column, column)}' as {' and '.join(own)}{pivot}")
        if raw.delimiter != ",":
            notes.append(f"{path.name} is separated by {'tab' if raw.delimiter == chr(9) else repr(raw.delimiter)}")
        if raw.recoded_values:
            lines = ", ".join(str(n) for n in raw.recoded_lines)
            notes.append(
                f"{path.name}: {raw.recoded_values} value(s) were not UTF-8 and were read as latin-1 (Windows-1252), "
                f"first on line(s) {lines}; check them, and ask for the file as UTF-8"
            )
        raws[table_name] = raw
    if problems:
        raise DataError.from_problems(problems)
    if layout_notes:
        notes.append("dates read in their own layout: " + "; ".join(layout_notes))
    if extras:
        notes.append(
            "extra columns kept as they are (not contract columns; a resolve: comparison can name them): " + "; ".join(extras)
        )

    tables: dict[str, pd.DataFrame] = {}
    reject_parts: list[pd.DataFrame] = []
    warnings: list[Problem] = []
    files: dict[str, TableFile] = {}
    kept_ids: dict = {}
    present = set(raws)
    for table_name in TABLE_ORDER:
        if table_name not in raws:
            continue
        if progress:
            progress(f"validating {table_name}")
        table = TABLES[table_name]
        raw = raws.pop(table_name)
        result = validate_table(raw, table, config, kept_ids=kept_ids, present_tables=present,
                                dates=dates.pop(table_name), values_mapped=True)
        for (column, target), rows in result.unchecked.items():
            notes.append(
                f"{table_name}.{column}: {rows} row(s) refer to {target}, but the dataset has no {target} table: "
                "those references were not checked"
            )
        tables[table_name] = result.frame
        reject_parts.append(result.rejects)
        warnings.extend(result.warnings)
        rejected = result.rejects.loc[result.rejects["action"] == REJECTED, "row"].nunique() if len(result.rejects) else 0
        files[table_name] = TableFile(
            table_name,
            raw.path,
            file_sha256(raw.path),
            raw.encoding,
            result.rows_read,
            int(rejected),
            len(result.frame),
            result.rows_cleared,
            raw.delimiter if raw.path.suffix.lower() != ".parquet" else "",
        )
        del raw
    rejects = (
        pd.concat(reject_parts, ignore_index=True)
        if reject_parts
        else pd.DataFrame({c: pd.Series(dtype="str") for c in [*REJECT_COLUMNS, KIND_COLUMN]})
    )
    if len(rejects):
        order = {name: i for i, name in enumerate(TABLE_ORDER)}
        rejects = (
            rejects.assign(_t=rejects["table"].map(order))
            .sort_values(["_t", "row", "column"], kind="stable")
            .drop(columns="_t")
            .reset_index(drop=True)
        )
    kinds = rejects.pop(KIND_COLUMN).astype("str")
    absent = [name for name in TABLE_ORDER if name not in tables]
    if absent:
        notes.append(f"tables not in the dataset: {', '.join(absent)}; analyses that need them will be skipped")
    return Dataset(folder, tables, rejects, warnings, files, notes, time.perf_counter() - started,
                   columns_mapped, date_layouts, kinds)
