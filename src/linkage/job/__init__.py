"""Running a job: the stages in order (``STAGES``), the typed state they hand on (``JobState``), the manifest."""

from __future__ import annotations

from ._analyses import run_analyses
from ._context import JobContext, JobState, Stage
from ._demo import demo_config_path, run_demo
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
from ._resolve import BlockingExplained, ResolveRun, explain_dataset_blocking, resolve_dataset
from ._stages import STAGES, resolve_stage
from ._suppress import COUNT_COLUMNS, suppress_counts
from ._verify import VerifyError, VerifyResult, verify_job

__all__ = [
    "COUNT_COLUMNS",
    "STAGES",
    "BlockingExplained",
    "CallbackProgress",
    "JobContext",
    "JobResult",
    "JobState",
    "NoProgress",
    "Progress",
    "JobPaths",
    "ResolveRun",
    "Stage",
    "VerifyError",
    "VerifyResult",
    "demo_config_path",
    "explain_dataset_blocking",
    "job_paths",
    "reject_messages",
    "reject_summary",
    "resolve_dataset",
    "resolve_stage",
    "run_analyses",
    "run_demo",
    "run_job",
    "strict_error",
    "suppress_counts",
    "validate_dataset",
    "verify_job",
]
