"""Stage 1 of the pipeline: read the data contract's tables and validate them.

``load_dataset(folder, config)`` returns a ``Dataset``: typed tables, and every
rejected row with the line, column, value and the fix.
"""

from __future__ import annotations

from ._dataset import Dataset, TableFile, file_sha256, find_table_files, load_dataset
from ._files import RawTable, read_raw_table
from ._validate import REJECT_COLUMNS, ROW_COLUMN, Problem

__all__ = [
    "Dataset",
    "TableFile",
    "Problem",
    "RawTable",
    "REJECT_COLUMNS",
    "ROW_COLUMN",
    "file_sha256",
    "find_table_files",
    "load_dataset",
    "read_raw_table",
]
