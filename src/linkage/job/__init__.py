"""Running a job: the stages in order, the job folder, the manifest."""

from __future__ import annotations

from ._analyses import run_analyses
from ._paths import JobPaths, job_paths
from ._progress import CallbackProgress, NoProgress, Progress
from ._run import (
    STAGES,
    JobContext,
    JobResult,
    Stage,
    reject_messages,
    reject_summary,
    run_job,
    strict_error,
    validate_dataset,
)
from ._stages import register_default_stages
from ._suppress import COUNT_COLUMNS, suppress_counts
from ._verify import VerifyError, VerifyResult, verify_job

register_default_stages()

__all__ = [
    "COUNT_COLUMNS",
    "STAGES",
    "JobContext",
    "JobResult",
    "Stage",
    "CallbackProgress",
    "NoProgress",
    "Progress",
    "JobPaths",
    "job_paths",
    "register_default_stages",
    "reject_messages",
    "reject_summary",
    "run_analyses",
    "run_job",
    "strict_error",
    "suppress_counts",
    "validate_dataset",
    "verify_job",
    "VerifyError",
    "VerifyResult",
]
