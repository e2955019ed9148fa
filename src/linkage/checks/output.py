"""Write a placement check or a briefing: into the job folder (``checks/``, ``briefs/``) or ``out``.

Every file goes through the job's atomic writers (a kill leaves the old file
or the new one, never half of one); a child id that is not a plain file name
is written under a stable hash of it (``render.safe_name``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..files import write_csv, write_text
from ..render import safe_name
from .brief import Brief, children_missing_now, missing_brief
from .job_data import CheckError, JobData, load_job
from .pages import brief_page, placement_check_page
from .placement import PlacementCheck, placement_check

__all__ = ["run_briefs", "run_placement_check", "write_placement_check", "write_brief", "CHECKS_FOLDER", "BRIEFS_FOLDER"]

#: sub-folders of a job folder the tools write into (``linkage verify`` lists them apart from the job's outputs)
CHECKS_FOLDER = "checks"
BRIEFS_FOLDER = "briefs"


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans left empty when unknown; everything else as the tables hold it."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, bool) or v is None).all():
            out[column] = out[column].astype("boolean")
    return out


def write_placement_check(result: PlacementCheck, folder: str | Path, *, title: str = "",
                          recent_days: int = 365) -> dict[str, Path]:
    """``placement-check-<child>.csv`` (one row per candidate setting) and ``.html`` into ``folder``."""
    folder = Path(folder)
    stem = f"placement-check-{safe_name(result.child)}"
    return {
        "csv": write_csv(_csv_ready(result.settings), folder / f"{stem}.csv"),
        "html": write_text(placement_check_page(result, title=title, recent_days=recent_days), folder / f"{stem}.html"),
    }


def write_brief(brief: Brief, folder: str | Path, *, title: str = "") -> Path:
    """``brief-<child>.html`` into ``folder``."""
    return write_text(brief_page(brief, title=title), Path(folder) / f"brief-{safe_name(brief.child)}.html")


def _folder(job: JobData, out: str | Path | None, default: str) -> Path:
    return Path(out) if out is not None else job.folder / default


def _move_date(value):
    if value is None or str(value).strip() == "":
        return None
    try:
        return pd.Timestamp(str(value).strip())
    except ValueError:
        raise CheckError(f"--from '{value}' is not a date; write it as 2025-06-30") from None


def run_placement_check(folder: str | Path, child: str, *, settings: list[str] | None = None, near: str | None = None,
                        within_km: float = 30.0, setting_type: str | None = None, move_date=None,
                        recent_days: int = 365, out: str | Path | None = None) -> tuple[PlacementCheck, dict[str, Path]]:
    """Read the job folder, check the candidate settings and write the CSV and HTML (``checks/`` or ``out``)."""
    job = load_job(folder)
    result = placement_check(job, child, settings=settings, near=near, within_km=within_km, setting_type=setting_type,
                             move_date=_move_date(move_date), recent_days=recent_days)
    return result, write_placement_check(result, _folder(job, out, CHECKS_FOLDER), title=job.job,
                                         recent_days=recent_days)


def run_briefs(folder: str | Path, children: list[str] | None = None, *, all_missing_now: bool = False,
               out: str | Path | None = None) -> list[Path]:
    """Read the job folder and write a briefing for each child (``briefs/`` or ``out``).

    With ``all_missing_now``: one for each child whose latest episode has no
    end; none such is a ``CheckError`` that says so.
    """
    job = load_job(folder)
    wanted = list(children or [])
    if all_missing_now:
        wanted += children_missing_now(job)
        if not wanted:
            raise CheckError(f"no child in job {job.folder} is missing now (every child's latest missing episode has "
                             "an end); name a child with --child")
    if not wanted:
        raise CheckError("say whose briefing to write: --child ID, or --all-missing-now")
    target = _folder(job, out, BRIEFS_FOLDER)
    return [write_brief(missing_brief(job, child), target, title=job.job) for child in dict.fromkeys(wanted)]
