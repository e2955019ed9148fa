"""Business targets: where Genga co-ordinators should take exploitation-awareness training first.

Project Empra's communications-data aggregation found night-time-economy
businesses instrumental in exploitation; Genga co-ordinators used it to target
training at owners and staff. ``business_targets`` ranks every business
(``places.is_business``) linked to children or perpetrators, night-time
economy first, then by ``score``, a weighted sum (``BUSINESS_WEIGHTS``) of:

- ``children_found_there``: distinct children found there after going missing;
- ``children_linked``: distinct children found there, party to an event there,
  or in heavy phone contact with it (at least ``min_contacts`` contacts
  between the child's phones and the business's: most people call a takeaway
  a few times; exploiters and their victims call dozens of times);
- ``perpetrators_linked``: distinct suspects or offenders party to an event
  there or in heavy phone contact with it;
- ``contact_volume``: contacts between the business and those children and
  perpetrators (all counts), scored as log10(1 + volume);
- ``clusters_touched``: distinct clusters (``clusters``) those people belong to.

A *child* is looked after, reported missing, or under 18 on the first date the
data covers. ``evidence`` spells out the counts behind each rank.
``business_targets_by_area`` sums the list up per local authority and BCU,
with the top business of each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import positions_in_each
from ..build import BUSINESS_CATEGORIES
from ..graph.kernels import pairs
from .clusters import clusters
from .core import (
    NO_PEOPLE,
    NetworkLike,
    NetworkView,
    as_network,
    as_view,
    column_strings,
    empty_reason,
    empty_table,
    flag,
    joined,
    no_rows,
    person_clusters,
    plural,
    text,
    typed_table,
)

__all__ = [
    "REQUIRES",
    "TARGET_COLUMNS",
    "AREA_COLUMNS",
    "BUSINESS_WEIGHTS",
    "business_targets",
    "business_targets_by_area",
]

#: input tables the analysis needs
REQUIRES: tuple[str, ...] = ("people", "locations")

#: ``business_targets.csv``: the contract's columns first, then the detail
TARGET_COLUMNS: dict[str, str] = {
    "rank": "int64",
    "location_id": "str",
    "name": "str",
    "category": "str",
    "local_authority": "str",
    "bcu": "str",
    "score": "float64",
    "children_linked": "int64",
    "perpetrators_linked": "int64",
    "children_found_there": "int64",
    "contact_volume": "int64",
    "clusters_touched": "int64",
    "evidence": "str",
    "night_time_economy": "bool",
}
#: ``business_targets_by_area``: one row per local authority and per BCU
AREA_COLUMNS: dict[str, str] = {
    "area_type": "str",
    "area": "str",
    "businesses": "int64",
    "night_time_economy": "int64",
    "children_linked": "int64",
    "perpetrators_linked": "int64",
    "top_rank": "int64",
    "top_location_id": "str",
    "top_name": "str",
    "top_score": "float64",
}
#: ``score`` = sum of these weights times the business's figures
BUSINESS_WEIGHTS: dict[str, float] = {
    "children_found_there": 2.0,   # on top of counting in children_linked
    "children_linked": 1.0,
    "perpetrators_linked": 1.0,
    "contact_volume": 2.0,         # x log10(1 + contacts)
    "clusters_touched": 1.0,
}


def _children(view: NetworkView) -> np.ndarray:
    """Who counts as a child: looked after, reported missing, or under 18 on the first date the data covers."""
    network = view.network
    people = view.people
    child = flag(people, "looked_after").copy()
    episodes = network.episodes
    if episodes is not None and len(episodes):
        (missing,) = positions_in_each([column_strings(episodes, "entity_id")], view.id_array)
        child[missing[missing >= 0]] = True
    dates = []
    for frame, column in ((network.participation, "date"), (episodes, "start"), (network.placements, "start_date")):
        if frame is not None and len(frame) and column in frame:
            first = pd.to_datetime(frame[column], errors="coerce").min()
            if pd.notna(first):
                dates.append(first)
    if dates and "dob" in people:
        born = pd.to_datetime(people["dob"], errors="coerce")
        child |= (born > min(dates) - pd.DateOffset(years=18)).fillna(False).to_numpy(dtype=bool)
    return child


def _distinct_per_place(person: np.ndarray, place: np.ndarray, mask: np.ndarray, n: int,
                        n_places: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (place, person) pairs with ``mask[person]``."""
    person = np.asarray(person, dtype=np.int64)
    place = np.asarray(place, dtype=np.int64)
    keep = (place >= 0) & (person >= 0)
    keep[keep] = mask[person[keep]]
    return pairs(place[keep], person[keep], n)


def business_targets(network: NetworkLike, *, clusters_members: pd.DataFrame | None = None,
                     min_contacts: float = 10, seed: int = 0) -> pd.DataFrame:
    """Businesses ranked for awareness training, night-time economy first (``business_targets.csv``).

    Parameters
    ----------
    network : the built ``Network``, or its ``core.NetworkView``.
    clusters_members : ``cluster_members.csv`` from ``clusters``; worked out (with ``seed``) when not given.
    min_contacts : contacts between a person and a business that make a link.
    seed : seed of the clusters, when they are worked out here.

    Returns
    -------
    One row per business linked to a child or a perpetrator (``TARGET_COLUMNS``), ``rank`` 1 first.

    Examples
    --------
    >>> business_targets(network).head(10)[["rank", "name", "score", "evidence"]]   # doctest: +SKIP
    """
    people, places = as_network(network).people, as_network(network).places
    if people is None or people.empty:
        return no_rows(empty_table(TARGET_COLUMNS), *NO_PEOPLE)
    if places is None or places.empty:
        return no_rows(empty_table(TARGET_COLUMNS), "the locations table has no kept rows",
                       "correct the locations rows listed in rejects.csv")
    view = as_view(network)
    n, n_places = view.n, len(view.place_ids)
    business = flag(view.places, "is_business")
    if not business.any():
        categories = sorted(set(text(view.places, "category")) - {""})
        return no_rows(empty_table(TARGET_COLUMNS),
                       f"none of the {plural(n_places, 'location')} is a business: their categories are "
                       f"{', '.join(categories[:8]) or 'empty'}{' ...' if len(categories) > 8 else ''}",
                       f"the business categories are {', '.join(BUSINESS_CATEGORIES)}; map yours onto them with "
                       "values: {locations.category: {your_code: takeaway}}")
    child = _children(view)
    perpetrator = flag(view.people, "is_perpetrator")
    part = view.participation
    contacts = view.place_contacts
    heavy = contacts[contacts["count"].to_numpy() >= min_contacts]

    found_place, found_person = _distinct_per_place(view.found["person"], view.found["place"], child, n, n_places)
    links = [  # (place, person) pairs
        (found_place, found_person),
        _distinct_per_place(part["person"], part["place"], child | perpetrator, n, n_places),
        _distinct_per_place(heavy["person"], heavy["place"], child | perpetrator, n, n_places),
    ]
    place, person = pairs(np.concatenate([p for p, _ in links]), np.concatenate([q for _, q in links]), n)
    found_count = np.bincount(found_place, minlength=n_places)
    children_linked = np.bincount(place[child[person]], minlength=n_places)
    perpetrators_linked = np.bincount(place[perpetrator[person]], minlength=n_places)
    via_event = np.bincount(links[1][0], minlength=n_places)
    via_contact = np.bincount(links[2][0], minlength=n_places)
    counted = contacts[(contacts["place"].to_numpy() >= 0)]
    counted = counted[(child | perpetrator)[counted["person"].to_numpy()]]
    volume = np.bincount(counted["place"].to_numpy(), weights=counted["count"].to_numpy(dtype=np.float64),
                         minlength=n_places).astype(np.int64)

    if clusters_members is None:
        _, clusters_members = clusters(view, seed=seed)
    cluster_of, cluster_ids = person_clusters(view, clusters_members)
    in_cluster = cluster_of[person] >= 0
    touched_place, touched = pairs(place[in_cluster], cluster_of[person][in_cluster], max(len(cluster_ids), 1))
    clusters_touched = np.bincount(touched_place, minlength=n_places)
    touched_text, _ = joined(touched_place, cluster_ids[touched] if len(cluster_ids) else touched.astype(object),
                              n_places)

    score = (BUSINESS_WEIGHTS["children_found_there"] * found_count
             + BUSINESS_WEIGHTS["children_linked"] * children_linked
             + BUSINESS_WEIGHTS["perpetrators_linked"] * perpetrators_linked
             + BUSINESS_WEIGHTS["contact_volume"] * np.log10(1.0 + volume)
             + BUSINESS_WEIGHTS["clusters_touched"] * clusters_touched)
    score = np.round(score, 3)
    nte = flag(view.places, "night_time_economy")
    rows = np.flatnonzero(business & ((children_linked + perpetrators_linked) > 0))
    if not len(rows):
        return no_rows(
            empty_table(TARGET_COLUMNS),
            f"none of the {plural(int(business.sum()), 'business', 'businesses')} is linked to a child or a perpetrator "
            f"({plural(int(child.sum()), 'child', 'children')}: looked after, reported missing or under 18; "
            f"{plural(int(perpetrator.sum()), 'perpetrator')}): no child was found there, no event there has a victim or "
            f"perpetrator, and no child or perpetrator had {min_contacts:g} or more contacts with its phones",
            "add missing_episodes.found_location_id, events.location_id with event_people roles, or the businesses' "
            "phones in identifiers (owner_type location) with their contacts; analyses.business_targets.min_contacts "
            f"(now {min_contacts:g}) sets the contacts that make a link")
    rows = rows[np.lexsort((view.place_ids[rows], -score[rows], ~nte[rows]))]

    evidence = _evidence(rows, found_count, via_event, via_contact, volume, clusters_touched, touched_text,
                         min_contacts)
    table = pd.DataFrame({
        "rank": np.arange(1, len(rows) + 1),
        "location_id": view.place_ids[rows],
        "name": text(view.places, "name")[rows],
        "category": text(view.places, "category")[rows],
        "local_authority": text(view.places, "local_authority")[rows],
        "bcu": text(view.places, "bcu")[rows],
        "score": score[rows],
        "children_linked": children_linked[rows],
        "perpetrators_linked": perpetrators_linked[rows],
        "children_found_there": found_count[rows],
        "contact_volume": volume[rows],
        "clusters_touched": clusters_touched[rows],
        "evidence": evidence,
        "night_time_economy": nte[rows],
    })
    return typed_table(table, TARGET_COLUMNS)


def _evidence(rows: np.ndarray, found: np.ndarray, via_event: np.ndarray, via_contact: np.ndarray,
              volume: np.ndarray, touched: np.ndarray, touched_text: np.ndarray, min_contacts: float) -> np.ndarray:
    """One line per business: the counts its rank rests on."""
    out = []
    for r in rows:
        parts = []
        if found[r]:
            parts.append(f"found there: {found[r]} children")
        if via_event[r]:
            parts.append(f"events there: {via_event[r]} children or perpetrators")
        if via_contact[r]:
            parts.append(f"phone contact {min_contacts:g}+ times: {via_contact[r]} children or perpetrators")
        if volume[r]:
            parts.append(f"contacts with them: {volume[r]}")
        if touched[r]:
            names = touched_text[r].split(";")
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            parts.append(f"clusters: {shown}")
        out.append("; ".join(parts))
    return np.array(out, dtype=object)


def business_targets_by_area(targets: pd.DataFrame) -> pd.DataFrame:
    """Per BCU and per local authority: businesses listed, children and perpetrators linked, the top business.

    ``targets`` is ``business_targets``' table. Areas missing from it (a
    business with no authority, or outside the force's BCUs) are shown as
    ``(unknown)`` and ``(out of force)``.
    """
    if targets is None or targets.empty:
        reason = empty_reason(targets) if targets is not None else None
        return no_rows(empty_table(AREA_COLUMNS), *((reason.why, reason.fix) if reason else
                                                   ("business_targets has no rows", "see business_targets.csv's note")))
    frames = []
    for area_type in ("bcu", "local_authority"):
        area = targets[area_type].astype(object).where(targets[area_type].astype(str) != "", None)
        if area_type == "bcu":
            known_la = targets["local_authority"].astype(str) != ""
            area = area.fillna(pd.Series(np.where(known_la, "(out of force)", "(unknown)"), index=targets.index))
        else:
            area = area.fillna("(unknown)")
        frame = targets.assign(_area=area.astype(str)).sort_values("rank", kind="stable")
        grouped = frame.groupby("_area", sort=True)
        top = grouped.head(1).set_index("_area")
        summary = pd.DataFrame({
            "area_type": area_type,
            "area": grouped.size().index,
            "businesses": grouped.size().to_numpy(),
            "night_time_economy": grouped["night_time_economy"].sum().to_numpy(),
            "children_linked": grouped["children_linked"].sum().to_numpy(),
            "perpetrators_linked": grouped["perpetrators_linked"].sum().to_numpy(),
        })
        summary["top_rank"] = top["rank"].reindex(summary["area"]).to_numpy()
        summary["top_location_id"] = top["location_id"].reindex(summary["area"]).to_numpy()
        summary["top_name"] = top["name"].reindex(summary["area"]).to_numpy()
        summary["top_score"] = top["score"].reindex(summary["area"]).to_numpy()
        frames.append(summary.sort_values(["top_rank", "area"], kind="stable"))
    return typed_table(pd.concat(frames, ignore_index=True), AREA_COLUMNS)
