"""Reach: how far victim networks and perpetrator networks extend across BCU and force boundaries.

Project Empra found that victim networks crossed BCU and force boundaries more
than perpetrator networks, especially for looked-after children. These
functions test that on the data rather than assume it. A *same-side tie* is a
person-person tie (co_placed, co_missing, shared_identifier, contact,
associate) between two victims, or between two perpetrators (a person recorded
as both is on both sides, and a tie between two such people counts on both).
Each person is placed by their home local authority: its BCU, its force and
the authority's centroid from the force's geography. For boundaries, a person
outside the force counts as their force's area (so a tie from a Lancashire BCU
to Greater Manchester crosses a BCU boundary as well as the force boundary).

- ``reach_ties``: every same-side tie with whether it crosses a BCU or force
  boundary and the km between the two home authorities;
- ``reach_by_person``: per person, their same-side network's extent;
- ``reach``: the summary by group (looked-after victims, other victims,
  perpetrators); ``reach_verdict`` says in one sentence what it shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..build import PERSON_TIES, Network
from ..geography import haversine_km
from ..config import Geography
from ..contract import PERPETRATOR_ROLES
from ..graph.kernels import distinct
from .core import NO_PEOPLE, NetworkLike, as_network, dated_ties, empty_table, flag, no_rows, typed_table

__all__ = [
    "REQUIRES",
    "GROUPS",
    "TIE_COLUMNS",
    "PERSON_COLUMNS",
    "SUMMARY_COLUMNS",
    "reach",
    "reach_by_person",
    "reach_ties",
    "reach_verdict",
]

#: victims and perpetrators come from the events people took part in
REQUIRES: tuple[str, ...] = ("events", "event_people")

GROUPS: tuple[str, ...] = ("victims_looked_after", "victims_not_looked_after", "perpetrators")
TIE_COLUMNS: dict[str, str] = {
    "entity_id_a": "str",
    "entity_id_b": "str",
    "side": "str",
    "tie_types": "str",
    "cross_bcu": "boolean",
    "cross_force": "boolean",
    "distance_km": "float64",
}
PERSON_COLUMNS: dict[str, str] = {
    "entity_id": "str",
    "group": "str",
    "side": "str",
    "looked_after": "bool",
    "local_authority": "str",
    "bcu": "str",
    "force": "str",
    "ties": "int64",
    "ties_cross_bcu": "int64",
    "ties_cross_force": "int64",
    "share_ties_cross_bcu": "float64",
    "share_ties_cross_force": "float64",
    "bcus_spanned": "int64",
    "forces_spanned": "int64",
    "span_km": "float64",
}
SUMMARY_COLUMNS: dict[str, str] = {
    "group": "str",
    "people": "int64",
    "ties": "int64",
    "share_ties_cross_bcu": "float64",
    "share_ties_cross_force": "float64",
    "mean_bcus_spanned": "float64",
    "mean_forces_spanned": "float64",
    "mean_span_km": "float64",
    "people_in_group": "int64",
}
_SIDES = (("victim", "is_victim"), ("perpetrator", "is_perpetrator"))


def _centroids(network: Network, geography: Geography | None) -> pd.DataFrame:
    """Latitude and longitude of each authority: the geography's centroid, else the mean of its places."""
    rows = []
    if geography is not None:
        rows = [(a.name, a.latitude, a.longitude) for a in geography.authorities if a.latitude is not None]
    table = pd.DataFrame(rows, columns=["local_authority", "latitude", "longitude"]).set_index("local_authority")
    places = network.places
    if places is not None and len(places) and {"local_authority", "latitude", "longitude"} <= set(places.columns):
        means = places.dropna(subset=["local_authority", "latitude", "longitude"]).groupby("local_authority")[
            ["latitude", "longitude"]].mean()
        table = pd.concat([table, means[~means.index.isin(table.index)]])
    return table


def _located_people(network: Network, geography: Geography | None,
                    categories: tuple[str, ...] | None = None) -> pd.DataFrame:
    """People with integer codes for their area (BCU, or force outside it), force and home authority (-1 unknown)."""
    people = network.people.drop_duplicates("entity_id").reset_index(drop=True)
    frame = pd.DataFrame({"entity_id": people["entity_id"]})
    for column in ("local_authority", "bcu", "force"):
        frame[column] = people[column] if column in people else pd.Series(None, index=people.index, dtype="str")
    frame["area_code"] = pd.factorize(frame["bcu"].where(frame["bcu"].notna(), frame["force"]))[0]
    frame["force_code"] = pd.factorize(frame["force"])[0]
    centroids = _centroids(network, geography)
    frame["authority"] = centroids.index.get_indexer(frame["local_authority"])  # -1: no coordinates
    frame["looked_after"] = flag(people, "looked_after")
    for side, column in _SIDES:
        frame[side] = flag(people, column)
    if categories is not None:
        # sides from the events of those categories only (e.g. CSE and CCE), not every crime
        taking_part = network.participation
        taking_part = taking_part[taking_part["category"].isin(list(categories))] if len(taking_part) else taking_part
        for side, roles in (("victim", ("victim",)), ("perpetrator", PERPETRATOR_ROLES)):
            ids = taking_part.loc[taking_part["role"].isin(roles), "entity_id"] if len(taking_part) else []
            frame[side] = frame["entity_id"].isin(pd.unique(np.asarray(ids, dtype=object))).to_numpy()
    frame.attrs["centroids"] = centroids
    return frame


def _pairs(network: NetworkLike, people: pd.DataFrame, ties: tuple[str, ...]) -> pd.DataFrame:
    """Distinct tied pairs as people positions (a < b) with a bit mask of their tie types (bit i: ``ties[i]``)."""
    if len(ties) > 16:
        raise ValueError(f"ties names {len(ties)} edge types; name at most 16 "
                         f"(the person-person types are {', '.join(PERSON_TIES)})")
    a, b, _, kind = dated_ties(network, ties)
    n = max(len(people), 1)
    # one sorted key per (pair, type); the types of a pair become a bit mask
    key = distinct((np.minimum(a, b) * n + np.maximum(a, b)) * 32 + kind)
    pair = key // 32
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.zeros(0, np.int64)
    mask = np.bitwise_or.reduceat(np.left_shift(1, key % 32), first) if len(first) else np.zeros(0, np.int64)
    return pd.DataFrame({"a": pair[first] // n, "b": pair[first] % n, "tie_mask": mask})


def _tie_labels(mask: np.ndarray, ties: tuple[str, ...]) -> np.ndarray:
    """The tie types of each bit mask, sorted and joined by ';'."""
    labels = np.array([";".join(sorted(t for i, t in enumerate(ties) if m >> i & 1)) for m in range(1 << len(ties))],
                      dtype=object)
    return labels[mask]


def _crossing(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1.0 where the two people's codes differ, 0.0 where equal, NaN where either is unknown (-1)."""
    known = (codes[a] >= 0) & (codes[b] >= 0)
    return np.where(known, (codes[a] != codes[b]).astype(np.float64), np.nan)


def _side_ties(network: NetworkLike, people: pd.DataFrame, ties: tuple[str, ...]) -> pd.DataFrame:
    """Same-side ties as people positions: a, b, side, tie_mask, cross_bcu, cross_force (1/0/NaN), distance_km."""
    pairs = _pairs(network, people, ties)
    parts = []
    for side, _ in _SIDES:
        member = people[side].to_numpy()
        both = member[pairs["a"].to_numpy()] & member[pairs["b"].to_numpy()]
        parts.append(pairs[both].assign(side=side))
    frame = pd.concat(parts, ignore_index=True)
    a, b = frame["a"].to_numpy(), frame["b"].to_numpy()
    frame["cross_bcu"] = _crossing(people["area_code"].to_numpy(), a, b)
    frame["cross_force"] = _crossing(people["force_code"].to_numpy(), a, b)
    centroids = people.attrs["centroids"]
    lat = np.r_[centroids["latitude"].to_numpy(dtype=float), np.nan]
    lon = np.r_[centroids["longitude"].to_numpy(dtype=float), np.nan]
    authority = people["authority"].to_numpy()  # -1 picks the trailing NaN
    frame["distance_km"] = haversine_km(lat[authority[a]], lon[authority[a]], lat[authority[b]], lon[authority[b]])
    return frame


def reach_ties(network: NetworkLike, *, geography: Geography | None = None,
               ties: tuple[str, ...] = PERSON_TIES, categories: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every same-side tie (victim-victim, perpetrator-perpetrator): does it cross a BCU or force boundary?

    ``cross_bcu`` / ``cross_force`` are empty when either person's home area
    is unknown; ``distance_km`` is between the two home authorities' centroids
    (``geography``, else the mean position of the network's places in that
    authority). ``ties`` are the edge types that tie two people;
    ``categories`` (e.g. ``("CSE", "CCE")``) takes victims and perpetrators
    from events of those categories only (default: every event, as the
    network's ``role``).
    """
    built = as_network(network)
    if built.people.empty or built.edges.empty:
        return empty_table(TIE_COLUMNS)
    people = _located_people(built, geography, categories)
    frame = _side_ties(network, people, ties)
    frame["tie_types"] = _tie_labels(frame["tie_mask"].to_numpy(), ties)
    ids = people["entity_id"]
    frame["entity_id_a"] = ids.take(frame["a"].to_numpy()).to_numpy()
    frame["entity_id_b"] = ids.take(frame["b"].to_numpy()).to_numpy()
    for column in ("cross_bcu", "cross_force"):
        values = frame[column].to_numpy()
        frame[column] = pd.array(np.where(np.isnan(values), None, values == 1.0), dtype="boolean")
    return typed_table(frame, TIE_COLUMNS)  # victim ties, then perpetrator ties, each in the people table's order


def _group(side: str, looked_after: np.ndarray) -> np.ndarray:
    if side == "perpetrator":
        return np.full(len(looked_after), "perpetrators", dtype=object)
    return np.where(looked_after, "victims_looked_after", "victims_not_looked_after").astype(object)


def _distinct_count(person: np.ndarray, value: np.ndarray, size: int) -> np.ndarray:
    """Number of distinct non-negative ``value`` per ``person`` position."""
    keep = value >= 0
    base = int(value.max(initial=0)) + 1
    key = distinct(person[keep].astype(np.int64) * base + value[keep])
    return np.bincount(key // base, minlength=size)[:size]


def _span(person: np.ndarray, authority: np.ndarray, distances: np.ndarray, size: int) -> np.ndarray:
    """Per person, the largest distance between two of their (person, authority) rows; NaN with none located."""
    span = np.full(size, np.nan)
    located = authority >= 0
    if not located.any():
        return span
    n_authorities = len(distances)
    key = distinct(person[located].astype(np.int64) * n_authorities + authority[located])
    who, where = key // n_authorities, key % n_authorities
    # pair every row with itself and the later rows of its person (sorted by person): sizes k give k(k+1)/2 pairs
    boundaries = np.flatnonzero(np.r_[True, who[1:] != who[:-1], True])
    group_end = np.repeat(boundaries[1:], np.diff(boundaries))
    count = group_end - np.arange(len(who))
    left = np.repeat(np.arange(len(who)), count)
    right = left + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    best = np.maximum.reduceat(distances[where[left], where[right]], np.r_[0, np.cumsum(count)[:-1]])
    # each person's first row pairs with all of theirs, but later rows may hold the maximum: reduce per person
    per_person = np.maximum.reduceat(best, boundaries[:-1])
    span[who[boundaries[:-1]]] = per_person
    return span


def _by_person(people: pd.DataFrame, side_ties: pd.DataFrame) -> pd.DataFrame:
    n = len(people)
    centroids = people.attrs["centroids"]
    lat = centroids["latitude"].to_numpy(dtype=float)
    lon = centroids["longitude"].to_numpy(dtype=float)
    distances = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])  # authority x authority
    area_code = people["area_code"].to_numpy()
    force_code = people["force_code"].to_numpy()
    authority = people["authority"].to_numpy()
    parts = []
    for side, _ in _SIDES:
        ties = side_ties[side_ties["side"] == side]
        if ties.empty:
            continue
        a, b = ties["a"].to_numpy(), ties["b"].to_numpy()
        ego, alter = np.r_[a, b], np.r_[b, a]
        cross_bcu = ties["cross_bcu"].to_numpy()
        cross_force = ties["cross_force"].to_numpy()
        cross_bcu, cross_force = np.r_[cross_bcu, cross_bcu], np.r_[cross_force, cross_force]
        count = np.bincount(ego, minlength=n)
        known_bcu = np.bincount(ego, weights=~np.isnan(cross_bcu), minlength=n)
        known_force = np.bincount(ego, weights=~np.isnan(cross_force), minlength=n)
        n_cross_bcu = np.bincount(ego, weights=np.nan_to_num(cross_bcu), minlength=n)
        n_cross_force = np.bincount(ego, weights=np.nan_to_num(cross_force), minlength=n)
        who = np.flatnonzero(count > 0)
        # the network's members: the person and everyone tied to them on this side
        members_ego = np.r_[who, ego]
        members = np.r_[who, alter]
        bcus = _distinct_count(members_ego, area_code[members], n)
        forces = _distinct_count(members_ego, force_code[members], n)
        # span: the largest distance between two of the members' home authorities
        span = _span(members_ego, authority[members], distances, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            share_bcu = n_cross_bcu / known_bcu
            share_force = n_cross_force / known_force
        parts.append(pd.DataFrame({
            "position": who, "side": side,
            "group": _group(side, people["looked_after"].to_numpy()[who]),
            "ties": count[who], "ties_cross_bcu": n_cross_bcu[who].astype(np.int64),
            "ties_cross_force": n_cross_force[who].astype(np.int64),
            "share_ties_cross_bcu": share_bcu[who], "share_ties_cross_force": share_force[who],
            "bcus_spanned": bcus[who], "forces_spanned": forces[who], "span_km": span[who],
        }))
    if not parts:
        return empty_table(PERSON_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    position = frame.pop("position").to_numpy()
    for column in ("entity_id", "looked_after", "local_authority", "bcu", "force"):
        frame[column] = people[column].take(position).to_numpy()
    return typed_table(frame, PERSON_COLUMNS)  # victims, then perpetrators, each in the people table's order


def reach_by_person(network: NetworkLike, *, geography: Geography | None = None,
                    ties: tuple[str, ...] = PERSON_TIES,
                    categories: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per person with at least one same-side tie: the extent of their same-side network.

    One row per person and side (a person who is both victim and perpetrator
    has a row for each). ``ties`` counts their same-side ties;
    ``share_ties_cross_*`` is over the ties whose crossing is known;
    ``bcus_spanned`` / ``forces_spanned`` count the distinct areas (a BCU, or
    a force outside the home force) and forces of the person and the people
    they are tied to; ``span_km`` is the largest distance between two of those
    people's home-authority centroids (0 when all share one authority, empty
    when none is located). Options as for ``reach_ties``.

    Complexity: O(T log T) for T person-person ties.
    """
    built = as_network(network)
    if built.people.empty or built.edges.empty:
        return empty_table(PERSON_COLUMNS)
    people = _located_people(built, geography, categories)
    return _by_person(people, _side_ties(network, people, ties))


def reach(network: NetworkLike, *, geography: Geography | None = None,
          ties: tuple[str, ...] = PERSON_TIES, categories: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Geographic extent of victim-victim against perpetrator-perpetrator networks, by group.

    Groups: ``victims_looked_after``, ``victims_not_looked_after`` and
    ``perpetrators``. ``people`` counts the group's people with a same-side
    tie (``people_in_group`` all of the group's people); ``ties`` the distinct
    same-side ties touching the group (a tie between a looked-after and another
    victim counts in both victim groups); ``share_ties_cross_*`` is over those
    ties with a known crossing; the means are over the group's people (see
    ``reach_by_person``). Empty when the network has no people or no ties.
    ``geography``, ``ties`` and ``categories`` as for ``reach_ties``.

    Examples
    --------
    >>> summary = reach(network, geography=config.geography)   # doctest: +SKIP
    >>> reach_verdict(summary)                                  # doctest: +SKIP
    """
    built = as_network(network)
    if built.people.empty:
        return no_rows(empty_table(SUMMARY_COLUMNS), *NO_PEOPLE)
    if built.edges.empty:
        return no_rows(empty_table(SUMMARY_COLUMNS), "the network has no links between anyone or anything",
                       "add the tables that link people: event_people, placements, missing_episodes, identifiers, "
                       "contacts or associations")
    people = _located_people(built, geography, categories)
    side_ties = _side_ties(network, people, ties)
    by_person = _by_person(people, side_ties)
    looked_after = people["looked_after"].to_numpy()
    rows = []
    for group in GROUPS:
        side = "perpetrator" if group == "perpetrators" else "victim"
        ties_ = side_ties[side_ties["side"] == side]
        member = people[side].to_numpy()
        if group == "victims_looked_after":
            member = member & looked_after
        elif group == "victims_not_looked_after":
            member = member & ~looked_after
        touching = ties_[member[ties_["a"].to_numpy()] | member[ties_["b"].to_numpy()]]
        persons = by_person[by_person["group"] == group]
        rows.append({
            "group": group, "people": len(persons), "ties": len(touching),
            "share_ties_cross_bcu": touching["cross_bcu"].mean(),
            "share_ties_cross_force": touching["cross_force"].mean(),
            "mean_bcus_spanned": persons["bcus_spanned"].mean(),
            "mean_forces_spanned": persons["forces_spanned"].mean(),
            "mean_span_km": persons["span_km"].mean(),
            "people_in_group": int(member.sum()),
        })
    return typed_table(pd.DataFrame(rows), SUMMARY_COLUMNS)


def _pct(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{100 * value:.0f}%"


def _km(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.0f}"


def _boundary(kind: str, la: pd.Series, other: pd.Series, perp: pd.Series) -> str:
    column = f"share_ties_cross_{kind}"
    more = [r["ties"] > 0 and pd.notna(r[column]) and r[column] > perp[column] for r in (la, other)]
    numbers = (f"{_pct(la[column])} of looked-after victims' and {_pct(other[column])} of other victims' ties "
               f"against {_pct(perp[column])} of perpetrators'")
    boundaries = f"{kind.upper() if kind == 'bcu' else kind} boundaries"
    if all(more):
        claim = f"victim networks cross {boundaries} more often than perpetrator networks"
    elif more[0]:
        claim = (f"looked-after victims' networks (not other victims') cross {boundaries} "
                 "more often than perpetrator networks")
    elif more[1]:
        claim = (f"other victims' networks (not looked-after victims') cross {boundaries} "
                 "more often than perpetrator networks")
    else:
        claim = f"victim networks do not cross {boundaries} more often than perpetrator networks"
    return f"{claim} ({numbers})"


def reach_verdict(summary: pd.DataFrame) -> str:
    """One sentence: do victim networks cross more boundaries than perpetrator networks in this data?

    Compares the share of same-side ties crossing a BCU boundary, then a force
    boundary, for each victim group against perpetrators, and quotes the mean
    span of the networks.

    Examples
    --------
    >>> reach_verdict(reach(network, geography=config.geography))  # doctest: +SKIP
    "In this data victim networks cross BCU boundaries more often than perpetrator networks (44% of ..."
    """
    rows = summary.set_index("group") if len(summary) else pd.DataFrame()
    if rows.empty or not set(GROUPS) <= set(rows.index) or rows.loc[list(GROUPS), "ties"].sum() == 0:
        return "There are no victim-victim or perpetrator-perpetrator ties in this data to compare."
    la, other, perp = (rows.loc[g] for g in GROUPS)
    if perp["ties"] == 0 or pd.isna(perp["share_ties_cross_bcu"]):
        return ("There are no perpetrator-perpetrator ties with a known home area in this data, "
                "so victim and perpetrator networks cannot be compared.")
    if la["ties"] + other["ties"] == 0:
        return ("There are no victim-victim ties in this data, "
                "so victim and perpetrator networks cannot be compared.")
    return (
        f"In this data {_boundary('bcu', la, other, perp)}, and {_boundary('force', la, other, perp)}; "
        f"mean network span {_km(la['mean_span_km'])} km for looked-after victims, "
        f"{_km(other['mean_span_km'])} km for other victims, {_km(perp['mean_span_km'])} km for perpetrators."
    )
