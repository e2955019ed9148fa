"""What every importer shares: reading a partner's file, UK dates, rejects, writing the tables.

An importer reads files in a partner's own layout, rejects the rows it cannot
use (naming the file, the line, the column, the value and the fix) and writes
contract tables into a dataset folder.  Rows an importer writes carry
``imported_from`` (``ssda903``, ``police.uk``), so that importing a second
format into the same folder adds to the first instead of replacing it, and
importing the same format again replaces its own rows only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...contract import TABLES
from ...errors import DataError
from ...files import prepare_output_folder, read_side_csv, write_csv
from .._files import RawTable, read_raw_table
from .._validate import REJECT_COLUMNS, TableRejects

__all__ = ["ImportResult", "IMPORTED_FROM", "read_source", "parse_uk_date", "Rejects", "write_import", "prepare_import_out"]

#: the extra column that says which importer wrote a row
IMPORTED_FROM = "imported_from"


@dataclass
class ImportResult:
    """What an import wrote: the tables, the rejects, and per input file rows read / rejected."""

    out: Path
    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    files: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_rejected(self) -> int:
        return int(self.rejects.drop_duplicates(["table", "row"]).shape[0]) if len(self.rejects) else 0


class Rejects(TableRejects):
    """Reject lines of one input file; ``table`` is the file's name, ``row`` its line."""

    def add_bad_rows(self, raw: RawTable) -> None:  # type: ignore[override]
        super().add_bad_rows(raw.bad_rows)

    def count(self) -> int:
        frame = self.frame()
        return int(frame["row"].nunique()) if len(frame) else 0


def _key(name: str) -> str:
    return re.sub(r"[\s\-.]+", "_", name.strip().upper()).strip("_")


def read_source(path: str | Path, *, what: str, option: str, required: tuple[str, ...]) -> RawTable:
    """Read a partner's CSV as text with headers normalised to upper case (``Crime ID`` -> ``CRIME_ID``).

    ``what`` names the file for messages (``SSDA903 episodes file``), ``option``
    the command-line option that passes it.  A missing file, an empty file,
    an Excel workbook or a file without the ``required`` columns is a
    ``DataError`` naming the file and the fix.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path} does not exist; check the path given to {option}")
    if path.is_dir():
        raise DataError(f"{path} is a folder; {option} takes the {what} (a .csv file)")
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(f"{path} is an Excel workbook, not CSV; open it and save the sheet as CSV (comma-separated), then pass that file to {option}")
    if path.suffix.lower() == ".parquet":
        raise DataError(f"{path} is Parquet; {option} reads the {what} as CSV, as the partner sends it")
    raw = read_raw_table(path)
    raw.frame.columns = [_key(c) for c in raw.frame.columns]
    present = set(raw.frame.columns)
    if len(present) != len(raw.frame.columns):
        raise DataError(f"{path} has two columns that differ only in case or spacing; rename one in the header line")
    missing = [c for c in required if c not in present]
    if missing:
        names = ", ".join(missing)
        raise DataError(
            f"{path} has no column {names}, which the {what} needs (its header line reads: "
            f"{', '.join(raw.header[:8])}{', ...' if len(raw.header) > 8 else ''}); "
            f"check that this is the {what} and pass it to {option}"
        )
    return raw


_UK_DATE = r"^\d{1,2}/\d{1,2}/\d{4}$"
_ISO = r"^\d{4}-\d{2}-\d{2}$"
_SHORT_YEAR = r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$"


def parse_uk_date(text: pd.Series, column: str) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """dd/mm/yyyy (or ISO yyyy-mm-dd) dates: values, a mask of bad ones and the reason for each.

    A two-digit year is refused rather than guessed (is ``08`` 1908 or 2008?).
    Computed once per distinct value: dates repeat a lot.
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="str")
    uk = distinct.str.match(_UK_DATE, na=False)
    iso = distinct.str.match(_ISO, na=False)
    values = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[s]")
    if uk.any():
        values[uk] = pd.to_datetime(distinct[uk], format="%d/%m/%Y", errors="coerce").astype("datetime64[s]")
    if iso.any():
        values[iso] = pd.to_datetime(distinct[iso], format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    years = values.dt.year
    values = values.where(years.between(1900, 2100))
    short = distinct.str.match(_SHORT_YEAR, na=False)
    reason = pd.Series(
        "is not a date in the form dd/mm/yyyy (day/month/year), e.g. 14/08/2017; correct it at source", index=distinct.index
    )
    reason[(uk | iso) & values.isna()] = "is not a real date (is the day or month out of range, or the year before 1900?); correct it at source"
    reason[short] = "has a two-digit year, which is ambiguous; write the year in full, e.g. 14/08/2017"
    reason = "'" + distinct + "' " + reason
    if column:
        reason = column + " " + reason
    where = np.where(codes < 0, 0, codes)
    present = codes >= 0
    if len(distinct):
        spread = values.to_numpy()[where]
        spread[~present] = np.datetime64("NaT")
        why = reason.to_numpy(dtype=object)[where]
    else:
        spread = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[s]")
        why = np.full(len(text), "", dtype=object)
    out = pd.Series(spread, index=text.index, dtype="datetime64[s]")
    bad = present & out.isna().to_numpy()
    return out, bad, pd.Series(why, index=text.index, dtype=object)


def _read_existing(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return read_side_csv(path, what="the dataset's file", blank_is_missing=True,
                         fix="import into a new folder, or repair or remove that file first")


def _numbers_back(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Numeric contract columns read back as text become numbers again (a text '-2.7' would be written '\'-2.7')."""
    for spec in TABLES[table].columns:
        if spec.kind in ("float", "int") and spec.name in frame:
            numbers = pd.to_numeric(frame[spec.name], errors="coerce")
            if numbers.notna().sum() == frame[spec.name].notna().sum():
                frame[spec.name] = numbers
    return frame


def write_import(
    out: str | Path,
    tables: dict[str, pd.DataFrame],
    rejects: pd.DataFrame,
    *,
    imported_from: str,
    source_files: list[str],
) -> None:
    """Write ``tables`` into the dataset folder ``out``, beside what other imports wrote there.

    Rows of an existing ``<table>.csv`` that came from the same importer are
    replaced; other rows (another importer's, or the analyst's own) are kept.
    Rejects of the files read now replace their earlier rejects.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataError(f"{out} is a file; the import writes a dataset folder, so name a folder")
    for name in tables:
        if (out / f"{name}.parquet").exists():
            raise DataError(f"{out} already holds {name}.parquet; import into a new folder, or remove {name}.parquet first")
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame = frame.copy()
        frame[IMPORTED_FROM] = imported_from
        existing = _read_existing(out / f"{name}.csv")
        if existing is not None and len(existing.columns):
            if IMPORTED_FROM in existing:
                existing = existing[existing[IMPORTED_FROM] != imported_from]
            if len(existing):
                existing = _numbers_back(existing, name)
                contract = [c for c in TABLES[name].column_names]
                columns = contract + [c for c in list(existing.columns) + list(frame.columns) if c not in contract]
                columns = list(dict.fromkeys(columns))
                frame = pd.concat([existing, frame], ignore_index=True).reindex(columns=columns)
        write_csv(frame, out / f"{name}.csv")
    previous = _read_existing(out / "rejects.csv")
    if previous is not None and "action" not in previous.columns and set(REJECT_COLUMNS[:-1]) <= set(previous.columns):
        previous = previous.assign(action="rejected")  # written before rejects.csv had its action column
    if previous is not None and set(REJECT_COLUMNS) <= set(previous.columns):
        previous = previous[~previous["table"].isin(source_files)]
        if len(previous):
            previous["row"] = previous["row"].astype("int64")
            rejects = pd.concat([previous[REJECT_COLUMNS], rejects], ignore_index=True)
    write_csv(rejects[REJECT_COLUMNS], out / "rejects.csv")


def prepare_import_out(out: str | Path, files: dict[str, str | Path | None]) -> list[str]:
    """Check the dataset folder ``out`` before an import reads anything; clean what killed imports left in it.

    ``files`` maps each option (``--header``) to the file it names.  The
    folder may not be, hold or lie inside an input file, nor be a linkage job
    or pseudonymised dataset.
    """
    inputs = [(f"the {option} file", path) for option, path in files.items()]
    return prepare_output_folder(out, inputs, writer="the import", what="the dataset folder")
