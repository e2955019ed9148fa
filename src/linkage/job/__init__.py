"""Running a job: the stages in order, the job folder, the manifest."""

from __future__ import annotations

from ._analyses import run_analyses
from ._folder import (
    KIND_JOB,
    KIND_PSEUDONYMISED,
    check_can_write,
    folder_kind,
    job_folder,
    manifest_kind,
    prepare_output_folder,
)
from ._paths import JobPaths, job_paths
from ._leftovers import CleanResult, clean_leftovers, clean_tree, find_leftovers
from ._progress import CallbackProgress, NoProgress, Progress
from ._run import (
    STAGES,
    JobContext,
    JobResult,
    Stage,
    config_inputs,
    job_inputs,
    reject_messages,
    reject_summary,
    run_job,
    strict_error,
    validate_dataset,
)
from ._stages import register_default_stages
from ._suppress import COUNT_COLUMNS, suppress_counts
from ._verify import VerifyError, VerifyResult, verify_job
from ._write import neutralise_formulas, restore_neutralised, write_csv, write_json, write_text

register_default_stages()

__all__ = [
    "COUNT_COLUMNS",
    "KIND_JOB",
    "KIND_PSEUDONYMISED",
    "STAGES",
    "JobContext",
    "JobResult",
    "Stage",
    "CallbackProgress",
    "NoProgress",
    "Progress",
    "check_can_write",
    "CleanResult",
    "clean_leftovers",
    "clean_tree",
    "config_inputs",
    "find_leftovers",
    "folder_kind",
    "job_inputs",
    "manifest_kind",
    "prepare_output_folder",
    "job_folder",
    "JobPaths",
    "job_paths",
    "neutralise_formulas",
    "register_default_stages",
    "restore_neutralised",
    "run_analyses",
    "reject_messages",
    "reject_summary",
    "run_job",
    "strict_error",
    "suppress_counts",
    "validate_dataset",
    "verify_job",
    "VerifyError",
    "VerifyResult",
    "write_csv",
    "write_json",
    "write_text",
]
