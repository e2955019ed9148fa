"""Business targets: where Genga co-ordinators should take exploitation-awareness training first.

Project Empra's communications-data aggregation found night-time-economy
businesses instrumental in child exploitation (or able to protect against
it); Genga co-ordinators used it to target training at owners and staff.
``business_targets`` ranks businesses (``places.is_business``) by the evidence
of child exploitation around them, not by how busy the police are there.
Its ``score`` is a weighted sum (``BUSINESS_WEIGHTS``) of, most weight first:

- ``children_found_there``: distinct children found there after going missing;
- ``children_linked``: distinct children found there, party to an event there,
  or in heavy phone contact with it (at least ``min_contacts`` contacts
  between the child's phones and the business's: most people call a takeaway
  a few times; exploiters and their victims call dozens of times);
- ``exploitation_events``: distinct CSE, CCE or trafficking events there (a
  drugs event counts half: drug supply is where criminal exploitation shows,
  but most drugs events are possession);
- ``flagged_linked``: distinct people flagged for CSE or CCE linked to it;
- ``perpetrators_linked``: distinct suspects or offenders linked to it who
  are tied to a child or to an exploitation event: at an event there with a
  child or of an exploitation category (drugs included), or party to a CSE,
  CCE or trafficking event anywhere (a suspect in an adults' fight is not
  counted);
- ``contact_volume``: contacts between the business and those children and
  perpetrators, scored as log10(1 + volume);
- ``clusters_touched``: distinct clusters (``clusters``) those people belong to;
- ``other_events``: every other event there (general crime among adults),
  weighed so little that it only breaks ties.

Businesses linked to a child come first, then those with exploitation
evidence only; within each, night-time economy first, then by score. A
business linked only by general crime (no child, no exploitation event or
flag, no counted perpetrator) is left out, and a note says how many were.
A *child* is looked after, reported missing, or under 18 on the date of the
link (an event's date, a phone contact's first date; the first date the data
covers for a link with no date): an extract covers years, and a young
perpetrator under 18 when it starts is not a child at an event years later. ``evidence`` spells out the parts behind each rank.
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
    with_note,
)

__all__ = [
    "REQUIRES",
    "TARGET_COLUMNS",
    "AREA_COLUMNS",
    "BUSINESS_WEIGHTS",
    "EXPLOITATION_EVENTS",
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
    "exploitation_events": "float64",
    "flagged_linked": "int64",
    "other_events": "int64",
    "linked_to": "str",
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
    "children_found_there": 3.0,   # on top of counting in children_linked
    "children_linked": 2.0,
    "exploitation_events": 1.0,    # a CSE, CCE or trafficking event there (a drugs event counts 0.5)
    "flagged_linked": 1.0,
    "perpetrators_linked": 1.0,    # tied to a child or to an exploitation event only
    "contact_volume": 1.0,         # x log10(1 + contacts)
    "clusters_touched": 0.5,
    "other_events": 0.001,         # general crime there: breaks ties, never lifts a business up the list
}
#: event categories that are exploitation evidence, and what one event of each counts for
EXPLOITATION_EVENTS: dict[str, float] = {"CSE": 1.0, "CCE": 1.0, "trafficking": 1.0, "drugs": 0.5}
#: what a business is linked to, best first (``linked_to``)
LINKS: tuple[str, ...] = ("child", "exploitation")


class _Children:
    """Who was a child when: looked after or reported missing (a child throughout), or under 18 on the date.

    A link's date decides (an event's date, a phone contact's first date): an extract covers years, and someone
    under 18 when it starts may be a 24-year-old perpetrator at an event there. A link with no date is judged on
    the first date the data covers.
    """

    def __init__(self, view: NetworkView) -> None:
        network = view.network
        people = view.people
        self.always = flag(people, "looked_after").copy()
        episodes = network.episodes
        if episodes is not None and len(episodes):
            (missing,) = positions_in_each([column_strings(episodes, "entity_id")], view.id_array)
            self.always[missing[missing >= 0]] = True
        firsts = [pd.to_datetime(frame[column], errors="coerce").min()
                  for frame, column in ((network.participation, "date"), (episodes, "start"),
                                        (network.placements, "start_date"))
                  if frame is not None and len(frame) and column in frame]
        firsts = [first for first in firsts if pd.notna(first)]
        self.first = np.datetime64(min(firsts), "ns") if firsts else np.datetime64("NaT", "ns")
        born = pd.to_datetime(people["dob"], errors="coerce") if "dob" in people else pd.Series(pd.NaT, index=people.index)
        #: the day each person turns 18 (NaT where the date of birth is unknown)
        self.adult_from = (born + pd.DateOffset(years=18)).to_numpy(dtype="datetime64[ns]")

    def ever(self) -> np.ndarray:
        """Everyone who was a child at some time the data covers."""
        return self.always | (self.adult_from > self.first)

    def on(self, person: np.ndarray, dates: object = None) -> np.ndarray:
        """Whether each ``person`` was a child on each of ``dates`` (datetimes; missing ones: the first date)."""
        person = np.asarray(person, dtype=np.int64)
        when = (np.full(len(person), self.first) if dates is None
                else pd.to_datetime(pd.Series(dates), errors="coerce").to_numpy(dtype="datetime64[ns]"))
        when = np.where(np.isnat(when), self.first, when)
        return self.always[person] | (self.adult_from[person] > when)


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
    """Businesses ranked by evidence of child exploitation, for awareness training (``business_targets.csv``).

    Parameters
    ----------
    network : the built ``Network``, or its ``core.NetworkView``.
    clusters_members : ``cluster_members.csv`` from ``clusters``; worked out (with ``seed``) when not given.
    min_contacts : contacts between a person and a business that make a link.
    seed : seed of the clusters, when they are worked out here.

    Returns
    -------
    One row per business linked to a child or to exploitation (``TARGET_COLUMNS``), ``rank`` 1 first: those
    linked to a child, then the others, each night-time economy first, then by ``score``.

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
    children = _Children(view)
    child = children.ever()
    perpetrator = flag(view.people, "is_perpetrator")
    flagged = _flagged(view.people)
    contacts = view.place_contacts
    contacts = contacts[contacts["place"].to_numpy() >= 0]
    contact_child = children.on(contacts["person"].to_numpy(), contacts["first_date"])
    heavy = (contacts["count"].to_numpy() >= min_contacts)
    events = _events_there(view, children)

    # (place, person) links: found there, at an event there, in heavy phone contact with it; and those of them
    # where the person was a child at the time (everyone found after going missing was reported missing)
    everyone = np.ones(n, dtype=bool)
    found_place, found_person = _distinct_per_place(view.found["person"], view.found["place"], children.always, n,
                                                    n_places)
    event_link = _distinct_per_place(events["person"], events["place"], everyone, n, n_places)
    contact_link = _distinct_per_place(contacts["person"][heavy], contacts["place"][heavy], everyone, n, n_places)
    place, person = pairs(np.concatenate([found_place, event_link[0], contact_link[0]]),
                          np.concatenate([found_person, event_link[1], contact_link[1]]), n)
    as_child = events[events["child"].to_numpy()]
    heavy_child = heavy & contact_child
    child_place, child_person = pairs(
        np.concatenate([found_place, as_child["place"].to_numpy(), contacts["place"].to_numpy()[heavy_child]]),
        np.concatenate([found_person, as_child["person"].to_numpy(), contacts["person"].to_numpy()[heavy_child]]), n)
    # perpetrators count where tied to a child or to an exploitation event: at an event there with a child or of
    # an exploitation category, or party to an exploitation event anywhere
    # (CSE, CCE or trafficking: most drugs events are possession, so a drugs suspect elsewhere is not counted)
    exploit_perp = np.zeros(n, dtype=bool)
    exploit_perp[view.participation.loc[view.participation["exploitation"].to_numpy(), "person"].to_numpy()] = True
    telling = events[(events["exploitation"].to_numpy() > 0) | events["with_child"].to_numpy()]
    told_place, told_person = _distinct_per_place(telling["person"], telling["place"], perpetrator, n, n_places)
    counted_perp = perpetrator[person] & exploit_perp[person]
    perp_place, perp_person = pairs(np.concatenate([place[counted_perp], told_place]),
                                    np.concatenate([person[counted_perp], told_person]), n)

    found_count = np.bincount(found_place, minlength=n_places)
    children_linked = np.bincount(child_place, minlength=n_places)
    flagged_linked = np.bincount(place[flagged[person]], minlength=n_places)
    perpetrators_linked = np.bincount(perp_place, minlength=n_places)
    per_event = events.drop_duplicates("event")
    exploitation_events = np.round(np.bincount(per_event["place"].to_numpy(), weights=per_event["exploitation"].to_numpy(),
                                               minlength=n_places), 6)
    other_events = np.bincount(per_event["place"].to_numpy()[per_event["exploitation"].to_numpy() == 0],
                               minlength=n_places)
    counted = contacts[contact_child | (perpetrator & exploit_perp)[contacts["person"].to_numpy()]]
    volume = np.bincount(counted["place"].to_numpy(), weights=counted["count"].to_numpy(dtype=np.float64),
                         minlength=n_places).astype(np.int64)

    if clusters_members is None:
        _, clusters_members = clusters(view, seed=seed)
    cluster_of, cluster_ids = person_clusters(view, clusters_members)
    tied = np.concatenate([child_person, person[flagged[person]], perp_person])
    tied_place = np.concatenate([child_place, place[flagged[person]], perp_place])
    in_cluster = cluster_of[tied] >= 0
    touched_place, touched = pairs(tied_place[in_cluster], cluster_of[tied][in_cluster], max(len(cluster_ids), 1))
    clusters_touched = np.bincount(touched_place, minlength=n_places)
    touched_text, _ = joined(touched_place, cluster_ids[touched] if len(cluster_ids) else touched.astype(object),
                              n_places)

    parts = {"children_found_there": found_count, "children_linked": children_linked,
             "exploitation_events": exploitation_events, "flagged_linked": flagged_linked,
             "perpetrators_linked": perpetrators_linked, "contact_volume": np.log10(1.0 + volume),
             "clusters_touched": clusters_touched, "other_events": other_events}
    score = np.round(sum(BUSINESS_WEIGHTS[name] * value for name, value in parts.items()), 3)
    nte = flag(view.places, "night_time_economy")
    to_child = children_linked > 0
    to_exploitation = (exploitation_events > 0) | (flagged_linked > 0) | (perpetrators_linked > 0)
    rows = np.flatnonzero(business & (to_child | to_exploitation))
    crime_only = np.flatnonzero(business & ~to_child & ~to_exploitation & (other_events > 0))
    if not len(rows):
        return no_rows(
            empty_table(TARGET_COLUMNS),
            f"none of the {plural(int(business.sum()), 'business', 'businesses')} is linked to a child or to "
            f"exploitation ({plural(int(child.sum()), 'child', 'children')}: looked after, reported missing or under "
            f"18): no child was found there or took part in an event there, no CSE, CCE, trafficking or drugs event "
            f"happened there, nobody linked to it is flagged cse_risk or cce_risk, and no child had {min_contacts:g} or "
            f"more contacts with its phones" + _crime_only_note(crime_only, other_events, ", and "),
            "add missing_episodes.found_location_id, events.location_id with event_people roles, or the businesses' "
            "phones in identifiers (owner_type location) with their contacts; analyses.business_targets.min_contacts "
            f"(now {min_contacts:g}) sets the contacts that make a link")
    rows = rows[np.lexsort((view.place_ids[rows], -score[rows], ~nte[rows], ~to_child[rows]))]

    evidence = _evidence(rows, parts, volume, touched_text)
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
        "exploitation_events": exploitation_events[rows],
        "flagged_linked": flagged_linked[rows],
        "other_events": other_events[rows],
        "linked_to": np.where(to_child[rows], "child", "exploitation"),
    })
    table = typed_table(table, TARGET_COLUMNS)
    if len(crime_only):
        table = with_note(table, "left out" + _crime_only_note(crime_only, other_events, " "))
    return table


def _crime_only_note(crime_only: np.ndarray, other_events: np.ndarray, lead: str) -> str:
    """``N businesses linked only by general crime (M events), no child and no exploitation link``, or nothing."""
    if not len(crime_only):
        return ""
    return (f"{lead}{plural(len(crime_only), 'business', 'businesses')} linked only by general crime "
            f"({plural(int(other_events[crime_only].sum()), 'event')} there, none with a child or of CSE, CCE, "
            f"trafficking or drugs, nobody linked flagged for CSE or CCE): no child and no exploitation link")


def _flagged(people: pd.DataFrame) -> np.ndarray:
    """People flagged ``cse_risk`` or ``cce_risk`` in ``people.flags`` (not those merely party to a CSE case)."""
    if "flags" not in people or not len(people):
        return np.zeros(len(people), dtype=bool)
    flags = people["flags"].astype("str").fillna("")
    return (flags.str.contains("cse_risk", regex=False) | flags.str.contains("cce_risk", regex=False)).to_numpy(bool)


def _events_there(view: NetworkView, children: _Children) -> pd.DataFrame:
    """Every (event, person) at a place: ``event, place, person, exploitation`` (its ``EXPLOITATION_EVENTS``
    weight), ``child`` (the person was a child on the event's date), ``with_child`` (a child took part in the
    event). Events nobody is named in have person -1."""
    network = view.network
    part = network.participation
    edges = network.edges_of("event_at") if network.edges is not None and len(network.edges) else None
    columns = {"event": "int64", "place": "int64", "person": "int64", "exploitation": "float64", "child": "bool",
               "with_child": "bool"}
    if edges is None or not len(edges):
        return empty_table(columns)
    event_ids = pd.concat([edges["via"].astype(str), part["event_id"].astype(str)] if part is not None and len(part)
                          else [edges["via"].astype(str)], ignore_index=True)
    codes, _ = pd.factorize(event_ids)
    event_of_edge, event_of_row = codes[:len(edges)], codes[len(edges):]
    (place,) = positions_in_each([column_strings(edges, "target")], view.place_array)
    category = edges["kind"].astype(str).map(EXPLOITATION_EVENTS).astype(float).fillna(0.0).to_numpy()
    where = pd.DataFrame({"event": event_of_edge, "place": place, "exploitation": category}).drop_duplicates("event")
    where = where[where["place"].to_numpy() >= 0]
    if part is not None and len(part):
        (person,) = positions_in_each([column_strings(part, "entity_id")], view.id_array)
        known = person >= 0
        dates = part["date"].to_numpy()[known] if "date" in part else None
        people = pd.DataFrame({"event": event_of_row[known], "person": person[known],
                               "child": children.on(person[known], dates)})
    else:
        people = pd.DataFrame({"event": np.zeros(0, np.int64), "person": np.zeros(0, np.int64),
                               "child": np.zeros(0, dtype=bool)})
    with_child = np.zeros(int(codes.max()) + 1 if len(codes) else 0, dtype=bool)
    with_child[people.loc[people["child"].to_numpy(), "event"].to_numpy()] = True
    out = where.merge(people, on="event", how="left").fillna({"person": -1, "child": False})
    out["with_child"] = with_child[out["event"].to_numpy()]
    return typed_table(out, columns)


def _evidence(rows: np.ndarray, parts: dict[str, np.ndarray], volume: np.ndarray,
              touched_text: np.ndarray) -> np.ndarray:
    """One line per business: the parts its rank rests on, child evidence first."""
    out = []
    for r in rows:
        said = []
        if parts["children_found_there"][r]:
            said.append(f"children found there after going missing: {parts['children_found_there'][r]}")
        if parts["children_linked"][r]:
            said.append(f"children linked: {parts['children_linked'][r]}")
        if parts["exploitation_events"][r]:
            said.append(f"exploitation events there (CSE, CCE, trafficking; drugs count half): "
                        f"{parts['exploitation_events'][r]:g}")
        if parts["flagged_linked"][r]:
            said.append(f"people flagged for CSE or CCE linked: {parts['flagged_linked'][r]}")
        if parts["perpetrators_linked"][r]:
            said.append(f"perpetrators tied to a child or an exploitation event: {parts['perpetrators_linked'][r]}")
        if volume[r]:
            said.append(f"contacts with those children and perpetrators: {volume[r]}")
        if parts["clusters_touched"][r]:
            names = touched_text[r].split(";")
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            said.append(f"clusters: {shown}")
        if parts["other_events"][r]:
            said.append(f"other events there (ties only): {parts['other_events'][r]}")
        if not parts["children_linked"][r]:
            said.insert(0, "no child linked")
        out.append("; ".join(said))
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
