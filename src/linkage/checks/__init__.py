"""Tools that work on one finished job folder: a placement check before a move, a briefing for a missing child.

- ``load_job(folder)``: the job folder's network, entities and geography
  (``network/*.parquet``); nothing else is read, so nothing more is revealed;
- ``placement_check(job, child, settings=... | near=...)``: candidate care
  settings ranked by the exposure a move there would add, every part of the
  score written out;
- ``missing_brief(job, child)``: a one-page briefing for a missing-from-home or
  missing-from-care investigation, every line with its source.

``write_placement_check`` and ``write_brief`` write them into the job folder
(``checks/``, ``briefs/``) or another folder.
"""

from __future__ import annotations

from .brief import Brief, children_missing_now, missing_brief
from .job_data import CheckError, JobData, load_job
from .output import BRIEFS_FOLDER, CHECKS_FOLDER, run_briefs, run_placement_check, write_brief, write_placement_check
from .placement import PERSON_COLUMNS, SCORE_PARTS, SETTING_COLUMNS, PlacementCheck, placement_check

__all__ = [
    "Brief",
    "children_missing_now",
    "missing_brief",
    "CheckError",
    "JobData",
    "PERSON_COLUMNS",
    "PlacementCheck",
    "SCORE_PARTS",
    "SETTING_COLUMNS",
    "load_job",
    "run_briefs",
    "run_placement_check",
    "write_brief",
    "write_placement_check",
    "BRIEFS_FOLDER",
    "CHECKS_FOLDER",
    "placement_check",
]
