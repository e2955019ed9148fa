"""Running a job: the stages in order (``STAGES``), the typed state they hand on (``JobState``), the manifest."""

from __future__ import annotations

from ._analyses import run_analyses
from ._context import JobContext, JobState, Stage
from ._paths import JobPaths, job_paths
from ._progress import CallbackProgress, NoProgress, Progress
from ._run import (
    JobResult,
    reject_messages,
    reject_summary,
    run_job,
    strict_error,
    validate_dataset,
)
from ._stages import STAGES
from ._suppress import COUNT_COLUMNS, suppress_counts
from ._verify import VerifyError, VerifyResult, verify_job

__all__ = [
    "COUNT_COLUMNS",
    "STAGES",
    "JobContext",
    "JobResult",
    "JobState",
    "Stage",
    "CallbackProgress",
    "NoProgress",
    "Progress",
    "JobPaths",
    "job_paths",
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
