"""Stage 1 of the pipeline: read the data contract's tables and validate them.

``load_dataset(folder, config)`` returns a ``Dataset``: typed tables, and every
rejected row with the line, column, value and the fix.
"""

from __future__ import annotations

from ._columns import table_headers
from ._dataset import Dataset, TableFile, file_sha256, find_table_files, load_dataset, mapped_headers_note
from ._files import RawTable, read_raw_table
from ._parse import map_unique, parse_date
from ._validate import REJECT_COLUMNS, ROW_COLUMN, Problem, apply_value_maps

__all__ = [
    "Dataset",
    "TableFile",
    "Problem",
    "RawTable",
    "REJECT_COLUMNS",
    "ROW_COLUMN",
    "apply_value_maps",
    "file_sha256",
    "find_table_files",
    "load_dataset",
    "map_unique",
    "mapped_headers_note",
    "parse_date",
    "read_raw_table",
    "table_headers",
]
