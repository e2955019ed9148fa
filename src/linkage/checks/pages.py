"""The placement check and the briefing as self-contained, printable HTML pages (Jinja2 templates, autoescaped).

Templates are ``linkage/data/render/checks/*.html``, extending the base page
every view and report shares (``data/render/templates/base.html``) through
``checks/printable.html``, which holds only what differs: a policy that allows
no script, the print styles, the last line. Autoescape is on: every
record value (names, place names, ids) is escaped by the engine; the pages
make no request of any kind (their Content-Security-Policy forbids it), so
they open on an air-gapped machine and print on A4 (the briefing on one
portrait page, the placement check landscape).
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from .. import __version__
from .brief import Brief
from .placement import PlacementCheck, place_label

__all__ = ["placement_check_page", "brief_page", "BRIEF_ROWS"]

#: rows shown per section of the briefing (one A4 page); the rest are counted ("and N more")
BRIEF_ROWS = 6
#: sources shown in full up to this many characters, then cut with a count
_SOURCE_CHARS = 60


def _blank(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _day(value, empty: str = "") -> str:
    if _blank(value):
        return empty
    return pd.Timestamp(value).date().isoformat()


def _km(value) -> str:
    return "" if _blank(value) else f"{float(value):.1f}"


def _cell(value) -> str:
    if _blank(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _short(value) -> str:
    """A source list cut to fit a line: the first ids, then how many more."""
    text = _cell(value)
    if len(text) <= _SOURCE_CHARS:
        return text
    parts = text.split(";")
    shown, size = [], 0
    for part in parts:
        if size + len(part) > _SOURCE_CHARS:
            break
        shown.append(part)
        size += len(part) + 1
    return f"{';'.join(shown)} (+{len(parts) - len(shown)} more)"


@lru_cache(maxsize=None)
def _environment() -> Environment:
    # the checks' templates, on the base page every view and report shares
    loader = ChoiceLoader([PackageLoader("linkage", "data/render/checks"), PackageLoader("linkage", "data/render/templates")])
    env = Environment(loader=loader, autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters.update(day=_day, km=_km, cell=_cell, short=_short)
    return env


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def placement_check_page(check: PlacementCheck, *, title: str = "", recent_days: int = 365) -> str:
    """The placement check as one HTML page."""
    settings = []
    for number, row in enumerate(_records(check.settings)):
        people = check.people[check.people["location_id"] == row["location_id"]]
        rows = []
        for person in _records(people):
            victims = set(filter(None, str(person["victims_went_missing_with"] or "").split(";")))
            others = [p for p in str(person["went_missing_with"] or "").split(";") if p]
            person["with_text"] = ", ".join(f"{p} (victim)" if p in victims else p for p in others)
            rows.append(person)
        settings.append({**row, "anchor": f"setting-{number + 1}", "people": rows,
                         "place": place_label(row)})
    current = check.current.get("place") or check.current.get("location_id")
    return _environment().get_template("placement_check.html").render(
        title=f"Placement check: {check.label}", subtitle=title or "", check=check, settings=settings,
        current_place=current or "", recent_days=recent_days, version=__version__, job=title or "",
    )


def _part(frame: pd.DataFrame, empty: str, **derived) -> dict:
    """A briefing section: its first ``BRIEF_ROWS`` rows (with derived columns), how many more, why it is empty."""
    rows = _records(frame.head(BRIEF_ROWS))
    for row in rows:
        for name, make in derived.items():
            row[name] = make(row)
    return {"rows": rows, "more": max(0, len(frame) - BRIEF_ROWS), "empty": empty}


def _who(row: dict) -> str:
    label = row.get("label")
    return f"{label} ({row['entity_id']})" if isinstance(label, str) and label else str(row["entity_id"])


def brief_page(brief: Brief, *, title: str = "") -> str:
    """The briefing as one HTML page (A4 portrait when printed)."""
    return _environment().get_template("brief.html").render(
        title=f"Missing-child briefing: {brief.label}", subtitle=title or "", brief=brief,
        found_places=_part(brief.found_places, "No found location is recorded for any of the child's episodes."),
        companions=_part(brief.companions, "Nobody is recorded as missing with the child or found with them.", who=_who),
        placements=_part(brief.placements.iloc[::-1], "No placement is recorded for the child."),
        places=_part(brief.places, "No business or place is linked to the child or the companions."),
        people_of_concern=_part(brief.people_of_concern, "No perpetrator within two steps and no shared phone or "
                                "vehicle with a companion.", who=_who),
        identifiers=_part(brief.identifiers, "No phone or vehicle is held by the child or the companions."),
        version=__version__, job=title or "",
    )
