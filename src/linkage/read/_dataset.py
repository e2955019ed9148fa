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
from ._columns import clashing_columns, contract_header_map, missing_required_columns, rename_to_contract
from ._files import SUFFIXES, RawTable, read_raw_table
from ._validate import REJECT_COLUMNS, Problem, validate_table

__all__ = ["Dataset", "TableFile", "load_dataset", "find_table_files", "file_sha256"]


@dataclass(frozen=True)
class TableFile:
    table: str
    path: Path
    sha256: str
    encoding: str
    rows_read: int
    rows_rejected: int
    rows_kept: int


@dataclass
class Dataset:
    """The validated tables of one dataset folder.

    ``tables`` holds a typed DataFrame per table that was present (its
    ``_row`` column is the line in the input file); ``rejects`` every rejected
    row with its reason; ``warnings`` what was kept but deserves a look.
    """

    folder: Path
    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, TableFile] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def has(self, table: str) -> bool:
        return table in self.tables

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self.tables:
            raise KeyError(f"the dataset has no {table} table")
        return self.tables[table]

    @property
    def n_rejected(self) -> int:
        return int(self.rejects.drop_duplicates(["table", "row"]).shape[0]) if len(self.rejects) else 0

    def summary_rows(self) -> list[dict]:
        return [
            {
                "table": f.table,
                "file": f.path.name,
                "encoding": f.encoding,
                "read": f.rows_read,
                "rejected": f.rows_rejected,
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


def load_dataset(
    folder: str | Path,
    config: JobConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Dataset:
    """Read and validate every table in ``folder``.

    Raises ``DataError`` (naming file, column and fix) only when the dataset
    cannot be read at all: no people table, a missing file named by the
    config, a required column missing.  Bad rows never raise: they are in
    ``Dataset.rejects``.
    """
    started = time.perf_counter()
    config = config or JobConfig()
    folder = Path(folder)
    paths = find_table_files(folder, config)

    raws: dict[str, RawTable] = {}
    problems: list[str] = []
    for table_name, path in paths.items():
        if progress:
            progress(f"reading {path.name}")
        table = TABLES[table_name]
        try:
            raw = read_raw_table(path, encoding=config.input.encoding, delimiter=config.input.delimiter)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        renamed = contract_header_map(raw.header, table, config.columns.get(table_name, {}))
        problems.extend(missing_required_columns(raw.header, table, renamed, str(path)))
        problems.extend(clashing_columns(raw.header, table, renamed, str(path)))
        raw.frame = rename_to_contract(raw.frame, renamed, table)
        raw.iso_columns = frozenset(renamed.get(c, c) for c in raw.iso_columns)
        raws[table_name] = raw
    if problems:
        raise DataError.from_problems(problems)

    tables: dict[str, pd.DataFrame] = {}
    reject_parts: list[pd.DataFrame] = []
    warnings: list[Problem] = []
    files: dict[str, TableFile] = {}
    kept_ids: dict = {}
    notes: list[str] = []
    present = set(raws)
    for table_name in TABLE_ORDER:
        if table_name not in raws:
            continue
        if progress:
            progress(f"validating {table_name}")
        table = TABLES[table_name]
        raw = raws.pop(table_name)
        for ref in table.references:
            if ref.target not in present:
                notes.append(
                    f"{table_name}.{ref.column} refers to {ref.target}, but the dataset has no {ref.target} table: "
                    "those references were not checked"
                )
        result = validate_table(raw, table, config, kept_ids=kept_ids, present_tables=present)
        tables[table_name] = result.frame
        reject_parts.append(result.rejects)
        warnings.extend(result.warnings)
        n_rejected = int(result.rejects.drop_duplicates(["row"]).shape[0]) if len(result.rejects) else 0
        files[table_name] = TableFile(
            table_name,
            raw.path,
            file_sha256(raw.path),
            raw.encoding,
            result.rows_read,
            n_rejected,
            len(result.frame),
        )
        del raw
    rejects = (
        pd.concat(reject_parts, ignore_index=True)
        if reject_parts
        else pd.DataFrame({c: pd.Series(dtype="str") for c in REJECT_COLUMNS})
    )
    if len(rejects):
        order = {name: i for i, name in enumerate(TABLE_ORDER)}
        rejects = (
            rejects.assign(_t=rejects["table"].map(order))
            .sort_values(["_t", "row", "column"], kind="stable")
            .drop(columns="_t")
            .reset_index(drop=True)
        )
    absent = [name for name in TABLE_ORDER if name not in tables]
    if absent:
        notes.append(f"tables not in the dataset: {', '.join(absent)}; analyses that need them will be skipped")
    return Dataset(folder, tables, rejects, warnings, files, notes, time.perf_counter() - started)
