"""Every score a page shows, with the parts that make it up (for ``parts/view_score.html``).

A score is shown as its parts: what was counted, how many, the weight of
each, and the points they give, which add up to the score. The weights are
the analyses' own (``CHILD_RISK_WEIGHTS`` here, ``RISK_WEIGHTS`` of the
clusters, ``BUSINESS_WEIGHTS`` of the business targets), so the page cannot
drift from the CSV it explains.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..analyse.businesses import BUSINESS_WEIGHTS

__all__ = ["CHILD_RISK_WEIGHTS", "CHILD_RISK_PARTS", "child_score", "cluster_score", "business_score", "business_rank_reason",
           "top_risk_part"]

#: a looked-after child's risk (``children_at_risk``): the weight of each count
CHILD_RISK_WEIGHTS: dict[str, float] = {
    "missing_episodes": 1.0,
    "missing_with_others": 2.0,
    "peers_in_care": 1.0,
    "perpetrators_within_two_steps": 0.2,
}
#: what each part of a child's risk counts, in words
CHILD_RISK_PARTS: dict[str, str] = {
    "missing_episodes": "missing episodes",
    "missing_with_others": "children they went missing with",
    "peers_in_care": "peers met in care",
    "perpetrators_within_two_steps": "perpetrators within two steps of their settings",
}
_CLUSTER_PARTS = {
    "victims": "members recorded as victims", "perpetrators": "members recorded as suspects or offenders",
    "exploited": "members flagged for CSE or CCE", "looked_after": "looked-after members",
    "missing_together": "pairs of members who went missing together",
    "businesses": "night-time-economy businesses linked to two or more members",
    "extra_bcus": "BCUs beyond the first", "out_of_force": "a member lives outside the force",
    "cse_and_cce": "both CSE and CCE in the cluster",
}
_BUSINESS_PARTS = {
    "children_found_there": "children found there after going missing",
    "children_linked": "children linked (found there, at an event there, or in heavy phone contact)",
    "exploitation_events": "CSE, CCE or trafficking events there (drugs count half)",
    "flagged_linked": "people flagged for CSE or CCE linked",
    "perpetrators_linked": "perpetrators tied to a child or an exploitation event",
    "contact_volume": "contacts with those children and perpetrators (scored as log10(1 + contacts))",
    "clusters_touched": "clusters those people belong to",
    "other_events": "other events there (break ties only)",
}
_PART = re.compile(r"^\s*(?P<name>\w+)\s+(?P<count>-?[0-9.]+)x(?P<weight>-?[0-9.]+)\s*$")


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _text(number: float) -> str:
    return f"{number:,.3f}".rstrip("0").rstrip(".") if number != int(number) else f"{int(number):,}"


def _part(name: str, count, weight: float, counted=None) -> dict:
    """One row: what, how many, the weight, the points (blank when the count is not a number, e.g. suppressed)."""
    number = _number(counted if counted is not None else count)
    return {"name": name, "count": str(count) if _number(count) is None else _text(float(count)),
            "weight": _text(weight), "points": "" if number is None else _text(round(number * weight, 3))}


def _score(heading: str, total, parts: list[dict], note: str) -> dict:
    number = _number(total)
    return {"heading": heading, "total": "" if number is None else _text(round(number, 3)), "parts": parts, "note": note}


def child_score(row: pd.Series) -> dict:
    """A row of ``children_at_risk`` as its risk score and parts."""
    parts = [_part(words, row.get(column, 0), CHILD_RISK_WEIGHTS[column]) for column, words in CHILD_RISK_PARTS.items()]
    return _score("Risk score", row.get("risk"), parts,
                  "How the children are ranked in the report: each count times its weight, added up.")


def cluster_score(row: pd.Series) -> dict | None:
    """A row of ``clusters.csv`` as its risk score and the parts in ``risk_parts``; None when it has none
    (suppressed outputs drop ``risk_parts``)."""
    text = row.get("risk_parts")
    if not isinstance(text, str):
        return None
    parts = []
    for piece in filter(None, (p.strip() for p in text.split(";"))):
        match = _PART.match(piece)
        if match is None:
            parts.append({"name": piece, "count": "", "weight": "", "points": ""})
            continue
        name = match["name"]
        parts.append(_part(_CLUSTER_PARTS.get(name, name.replace("_", " ")), match["count"], float(match["weight"])))
    return _score("Risk score", row.get("risk_score"), parts,
                  "From clusters.csv (risk_parts): each count times its weight, added up; parts that are zero are left out.")


def top_risk_part(text) -> tuple[str, float] | None:
    """The part of a ``risk_parts`` text (``clusters.csv``) giving the most points: (its name as the CSV
    writes it, e.g. ``missing_together``, and its points); the first such part on a tie; None when the text
    has no part that parses (suppressed outputs drop ``risk_parts``)."""
    if not isinstance(text, str):
        return None
    best: tuple[str, float] | None = None
    for piece in text.split(";"):
        match = _PART.match(piece)
        if match is None:
            continue
        points = round(float(match["count"]) * float(match["weight"]), 3)
        if best is None or points > best[1]:
            best = (match["name"], points)
    return best


def business_rank_reason(row: pd.Series) -> str:
    """Why a business of ``business_targets.csv`` is where it is on the list: its group, then its score."""
    child = str(row.get("linked_to", "")) == "child"
    nte = str(row.get("night_time_economy", "")).strip().lower() in ("true", "1", "yes")
    group = "linked to a child" if child else "exploitation evidence, no child linked"
    score = _number(row.get("score"))
    return f"{group}; {'night-time economy' if nte else 'not night-time economy'}; score {'' if score is None else f'{score:g}'}"


def business_score(row: pd.Series) -> dict:
    """A row of ``business_targets.csv`` as its score, the parts that make it up, and why it ranks where it does."""
    parts = []
    for column, words in _BUSINESS_PARTS.items():
        if column not in row.index:
            continue
        count = row.get(column)
        counted = None
        if column == "contact_volume" and _number(count) is not None:
            counted = math.log10(1.0 + float(count))
        parts.append(_part(words, count, BUSINESS_WEIGHTS[column], counted))
    score = _score("Score", row.get("score"), parts,
                   "Businesses linked to a child come first, then those with exploitation evidence only; within each, "
                   "night-time economy first, then by this score (each count times its weight, added up).")
    score["rank"] = f"Rank {row.get('rank')}: {business_rank_reason(row)}."
    return score
