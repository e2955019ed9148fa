"""``review.html``: the resolution's review queue as a page a reviewer works through, in the style of Splink's
comparison viewer.

Each pair of the queue is shown side by side, field by field, with the level
and match weight of every comparison, and below it the other records of each
candidate entity. The reviewer marks each pair same, different or unsure; the
page keeps the decisions in the browser (``localStorage``, under a key made of
the job's name and the queue's pairs, so two jobs never share decisions) and
saves them, with the decisions of the overrides file the run used, as the
overrides CSV that ``resolve.overrides`` / ``--overrides`` reads: ``same`` is
``must_link``, ``different`` is ``cannot_link``, ``unsure`` is left out. The
file is made in the page (a Blob link): no server, no request.

Every record value travels as JSON data (``view_data``) and is put into the
page with ``textContent`` by ``review.js``; the template is autoescaped. A
queue longer than ``max_pairs`` shows its first ``max_pairs`` pairs (the queue
is ranked, most valuable decision first) and says how many are left.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from ..files import write_text

from ._template import page_assets, render_page, view_data

__all__ = ["review_html", "write_review", "MAX_OTHER_RECORDS", "REVIEW_PAGE"]

REVIEW_PAGE = "review.html"
#: other records of a candidate entity shown under a pair; the rest are counted
MAX_OTHER_RECORDS = 25
#: the queue's columns that are not a comparison's evidence
_PAIR_COLUMNS = ("record_id_a", "record_id_b", "match_probability", "review_group", "decision_value",
                 "records_in_group", "match_weight", "decision", "blocking_rule", "names_swapped", "uncertainty")
#: why a pair is in the queue, by its decision
DECISION_NOTES = {
    "review": "match probability in the review band (between review_from and the threshold)",
    "review_disagrees": "alike on almost everything, but clearly different on a first name, a date of birth or sex "
                        "(twins, siblings, a father and son?)",
    "review_common_values": "agree only on values many people share (a common first name and town, a family's "
                            "surname and address)",
}


def _comparisons(queue: pd.DataFrame) -> list[str]:
    """The comparisons whose ``<name>_level`` and ``<name>_weight`` the queue holds, in its column order."""
    return [c[: -len("_level")] for c in queue.columns
            if c.endswith("_level") and f"{c[: -len('_level')]}_weight" in queue.columns and c not in _PAIR_COLUMNS]


def _shown(value, precision=None) -> str:
    """A record value as the reviewer reads it: dates to their precision, lists joined, blanks empty."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (tuple, list)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return value.strftime({"year": "%Y", "month": "%Y-%m"}.get(str(precision), "%Y-%m-%d"))
    return str(value)


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if value != value or value in (float("inf"), float("-inf")) else value


def _fields(people: pd.DataFrame, comparisons: list[str]) -> list[str]:
    """The record fields shown: the compared ones first (as the model has them), then the other columns."""
    columns = [c for c in people.columns if not str(c).startswith("_") and c not in ("record_id", "dob_precision")]
    return list(dict.fromkeys([*comparisons, *columns]))


def _record_rows(people: pd.DataFrame, record_ids: list[str], fields: list[str]) -> dict[str, list[str]]:
    """record id -> its ``fields`` as the reviewer reads them (a record id not in ``people``: blanks)."""
    chosen = people.assign(record_id=people["record_id"].astype(str)).drop_duplicates("record_id")
    chosen = chosen.set_index("record_id").reindex(record_ids)
    precision = chosen["dob_precision"] if "dob_precision" in chosen else pd.Series(None, index=chosen.index)
    columns = []
    for name in fields:
        if name not in chosen.columns:
            columns.append([""] * len(chosen))
        elif name == "dob":
            columns.append([_shown(v, p) for v, p in zip(chosen[name], precision)])
        else:
            columns.append([_shown(v) for v in chosen[name]])
    return {record_id: list(row) for record_id, row in zip(record_ids, zip(*columns))} if columns else \
        {record_id: [] for record_id in record_ids}


def review_data(queue: pd.DataFrame, entities: pd.DataFrame, people: pd.DataFrame, *, job: str,
                previous: pd.DataFrame | None = None, max_pairs: int = 2000, empty_reason: str = "") -> dict:
    """What ``review.js`` draws: fields, records, candidate entities, pairs in queue order and earlier decisions."""
    comparisons = _comparisons(queue)
    shown = queue.head(max_pairs) if max_pairs >= 0 else queue
    fields = _fields(people, comparisons)
    entity_of = entities.assign(record_id=entities["record_id"].astype(str)).set_index("record_id")["entity_id"].astype(str)
    a = shown["record_id_a"].astype(str).tolist()
    b = shown["record_id_b"].astype(str).tolist()
    involved = sorted(set(entity_of.reindex(a + b).dropna()))
    members = entity_of[entity_of.isin(set(involved))]
    by_entity = {e: sorted(ids)[:MAX_OTHER_RECORDS + 2] for e, ids in members.groupby(members, sort=True).groups.items()}
    sizes = members.value_counts()
    record_ids = sorted(set(a) | set(b) | {r for ids in by_entity.values() for r in ids})
    levels = list(zip(*([shown[f"{c}_level"].astype(str).tolist() for c in comparisons]
                        + [[_number(w) for w in shown[f"{c}_weight"]] for c in comparisons]))) or [()] * len(shown)

    def column(name: str, default) -> list:
        return shown[name].tolist() if name in shown else [default] * len(shown)

    n = len(comparisons)
    pairs = [
        {"a": left, "b": right, "p": _number(p), "w": _number(w), "decision": str(decision), "group": int(group),
         "value": _number(value), "swapped": bool(swapped), "levels": [[level[i], level[n + i]] for i in range(n)]}
        for left, right, p, w, decision, group, value, swapped, level in zip(
            a, b, column("match_probability", None), column("match_weight", None), column("decision", "review"),
            column("review_group", 0), column("decision_value", None), column("names_swapped", False), levels)
    ]
    previous_rows = [] if previous is None else previous[["record_id_a", "record_id_b", "decision"]].astype(str).values.tolist()
    digest = hashlib.sha256("\n".join([job, *(f"{x}\t{y}" for x, y in zip(a, b))]).encode("utf-8")).hexdigest()[:16]
    return {
        "key": f"linkage-review/{digest}",
        "fields": fields, "comparisons": comparisons,
        "records": _record_rows(people, record_ids, fields),
        "entityOf": {r: entity_of.get(r, "") for r in record_ids},
        "entities": {e: {"records": ids, "size": int(sizes.get(e, len(ids)))} for e, ids in by_entity.items()},
        "pairs": pairs, "total": int(len(queue)), "previous": previous_rows,
        "notes": DECISION_NOTES, "empty": empty_reason, "maxOthers": MAX_OTHER_RECORDS,
    }


def review_html(queue: pd.DataFrame, entities: pd.DataFrame, people: pd.DataFrame, *, title: str,
                previous: pd.DataFrame | None = None, max_pairs: int = 2000, empty_reason: str = "",
                nav: bool = True) -> str:
    """The review page of ``queue`` (a ``review_queue.csv`` table) over the ``people`` records resolved into
    ``entities``; ``previous``: the overrides the run used (``record_id_a, record_id_b, decision``)."""
    data = review_data(queue, entities, people, job=title, previous=previous, max_pairs=max_pairs,
                       empty_reason=empty_reason)
    total, count = data["total"], len(data["pairs"])
    if total == 0:
        subtitle = "no pair to review"
    elif count < total:
        subtitle = f"the first {count:,} of {total:,} pairs, most valuable decision first"
    else:
        subtitle = f"{total:,} pair(s), most valuable decision first"
    return render_page("review.html", title=f"{title}: review queue", subtitle=subtitle, nav=nav, total=total,
                       count=count, empty_reason=empty_reason, data=view_data(data),
                       **page_assets(styles=("page.css", "review.css"), scripts=("review.js",)))


def write_review(folder: str | Path, queue: pd.DataFrame, entities: pd.DataFrame, people: pd.DataFrame, **options) -> Path:
    """Write ``review.html`` into ``folder``; ``options`` as for ``review_html``."""
    return write_text(review_html(queue, entities, people, **options), Path(folder) / REVIEW_PAGE)
