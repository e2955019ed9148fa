"""Files every stage writes and reads beside the data: one module owns them, below every stage.

- ``atomic_open`` / ``atomic_path`` (the one atomic writer), ``write_text``,
  ``write_json``, ``write_parquet``, ``write_csv`` (spreadsheet formulas neutralised);
- ``read_side_csv``: the small CSVs a user hands in beside the data
  (overrides, labels, a previous run's entities), with errors that say the fix;
- output folders: a job or pseudonymised dataset built in a staging folder and
  swapped in (``job_folder``), never over an input or a folder linkage did not
  write (``check_can_write``, ``prepare_output_folder``);
- what killed runs leave behind (``find_leftovers``, ``clean_leftovers``,
  ``clean_tree``), and SIGTERM / SIGINT as an exception (``interruptible``).

The read, resolve, pseudonymise, render and job stages import it; it imports
only ``linkage.errors`` (and ``linkage.config`` for the type of a job config).
"""

from __future__ import annotations

from ._atomic import atomic_open, atomic_path, write_json, write_parquet, write_text
from ._csv import FORMULA_PREFIXES, neutralise_formulas, read_side_csv, restore_neutralised, write_csv
from ._folders import (
    KIND_JOB,
    KIND_PSEUDONYMISED,
    Inputs,
    check_can_write,
    config_inputs,
    folder_kind,
    job_folder,
    job_inputs,
    manifest_kind,
    prepare_output_folder,
)
from ._leftovers import CleanResult, clean_leftovers, clean_tree, find_leftovers, owner_token
from ._signals import interruptible

__all__ = [
    "FORMULA_PREFIXES",
    "KIND_JOB",
    "KIND_PSEUDONYMISED",
    "CleanResult",
    "Inputs",
    "atomic_open",
    "atomic_path",
    "check_can_write",
    "clean_leftovers",
    "clean_tree",
    "config_inputs",
    "find_leftovers",
    "folder_kind",
    "interruptible",
    "job_folder",
    "job_inputs",
    "manifest_kind",
    "neutralise_formulas",
    "owner_token",
    "prepare_output_folder",
    "read_side_csv",
    "restore_neutralised",
    "write_csv",
    "write_json",
    "write_parquet",
    "write_text",
]
