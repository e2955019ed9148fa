"""The network as integer codes, built once and passed to every analysis: ``NetworkView``.

An analysis over a million people spends seconds just looking ids up, so the
job's analysis stage builds one view of the network (``network_view``) and
passes it to every analysis in turn: each id is looked up once, in one Arrow
hash lookup per table. A view also remembers what the analyses work out on
it (``memo``: the ties, the people's flags, the clusters), so that the second
analysis to need the clusters does not search for them again. Nothing is
cached anywhere else: a new view starts from nothing.

Every analysis takes ``network`` first, as a built ``Network`` or as a view
(``as_view``, ``as_network``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np
import pandas as pd
import pyarrow as pa

from ..._arrow import positions_in_each, strings
from ...build import Network
from ...contract import PERPETRATOR_ROLES
from .tables import column_isin, column_strings

__all__ = [
    "EXPLOITATION_CATEGORIES",
    "PERSON_EDGE_TYPES",
    "NetworkView",
    "NetworkLike",
    "network_view",
    "as_view",
    "as_network",
]

#: operation categories that count as exploitation
EXPLOITATION_CATEGORIES: tuple[str, ...] = ("CSE", "CCE", "trafficking")
#: the edge types of the network that tie two people, as the view holds them (contacts are held apart)
PERSON_EDGE_TYPES: tuple[str, ...] = ("co_missing", "shared_identifier", "associate", "co_placed")


@dataclass
class NetworkView:
    """The network's facts over integer codes, for the analyses.

    A person is its position in ``ids`` (entity ids, sorted), a place its
    position in ``place_ids``, an operation in ``operation_ids``; -1 is "not
    known". Build it with ``network_view``; read ``memo`` through the
    functions that fill it (``weighted_ties``, ``person_flags``, ``clusters``...).
    """

    network: Network                                             # what the view was built from
    min_contacts: float                                          # person-person contacts below this are left out (0)
    ids: np.ndarray
    id_array: pa.Array                                           # ``ids`` as Arrow, for lookups
    people: pd.DataFrame                                         # network.people in ``ids`` order
    place_ids: np.ndarray
    place_array: pa.Array
    places: pd.DataFrame                                         # network.places in ``place_ids`` order
    operation_ids: np.ndarray
    operation_array: pa.Array
    edges: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # kind -> person a, person b, raw weight
    contacts: tuple[np.ndarray, np.ndarray, np.ndarray]          # person-person contacts >= min_contacts
    participation: pd.DataFrame    # person, operation, place, exploitation, victim, perpetrator, crime (a row per role)
    placements: pd.DataFrame       # person, place
    found: pd.DataFrame            # person, place: where a missing child was found
    place_contacts: pd.DataFrame   # person, place, count, first_date: phone contact between a person and a place
    # of ``contacts``: the contacts made from person a's identifiers to b's, and from b's to a's (0 and 0 when
    # the direction is not known: sightings, or a network read back from tables written before v1.1)
    contact_direction: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
    # the rows of ``network.edges`` behind each kind of ``edges``, and of ``network.contacts`` behind ``contacts``
    edge_rows: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    contact_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    # every person-person contact is in ``contacts`` (none fell below ``min_contacts``)
    all_person_contacts: bool = True
    memo: dict = field(default_factory=dict, repr=False)   # what the analyses worked out on this view

    @property
    def n(self) -> int:
        """Number of people."""
        return len(self.ids)


#: what every analysis accepts as its network
NetworkLike = Union[Network, NetworkView]


def _sorted_ids(frame: pd.DataFrame | None, column: str) -> tuple[pd.DataFrame, np.ndarray, pa.Array]:
    """The table sorted by its id column, the ids (Python strings, for output) and the ids as Arrow (for lookups)."""
    if frame is None or column not in frame or not len(frame):
        return ((frame if frame is not None else pd.DataFrame()).iloc[:0], np.zeros(0, dtype=object),
                pa.array([], type=pa.large_string()))
    ids = frame[column].astype(str)
    ordered = frame if ids.is_monotonic_increasing else frame.assign(_id=ids).sort_values("_id", kind="stable")
    ordered = ordered.drop(columns="_id", errors="ignore").reset_index(drop=True)
    array = strings(ordered[column].astype(str))
    return ordered, np.asarray(array.to_pandas(types_mapper=None), dtype=object), array


def network_view(network: Network, *, min_contacts: float = 0) -> NetworkView:
    """Build the view of ``network``: every id of every table looked up once.

    ``min_contacts``: person-person contacts with fewer contacts than this are
    left out of the view's ``contacts`` (by default none: a pair with one call
    is a weak tie, not no tie). Complexity: one Arrow hash lookup over every id
    column, O(rows).
    """
    people, ids, id_array = _sorted_ids(network.people, "entity_id")
    places, place_ids, place_array = _sorted_ids(network.places, "location_id")
    _, operation_ids, operation_array = _sorted_ids(network.operations, "operation")
    person_columns: list[pa.Array] = []
    place_columns: list[pa.Array] = []

    edges = network.edges
    if edges is not None and len(edges):
        # one pass over the edge types: the position of each row's type among the person-person kinds
        (kind_of,) = positions_in_each([column_strings(edges, "edge_type")], pa.array(PERSON_EDGE_TYPES,
                                                                                       type=pa.large_string()))
    else:
        kind_of = np.zeros(0, dtype=np.int64)
    edge_rows = {}
    for position, kind in enumerate(PERSON_EDGE_TYPES):
        rows = np.flatnonzero(kind_of == position)
        edge_rows[kind] = rows
        person_columns += [column_strings(edges, "source", rows), column_strings(edges, "target", rows)]

    contacts = network.contacts
    if contacts is not None and len(contacts):
        count = pd.to_numeric(contacts["count"]).fillna(1).to_numpy(dtype=np.float64)
        from_person = column_isin(contacts, "source_type", "person")
        to_person = column_isin(contacts, "target_type", "person")
        to_place = ~to_person & contacts["target_type"].notna().to_numpy()   # a holder is a person or a place
        person_pair = from_person & to_person
        pp_rows = np.flatnonzero(person_pair & (count >= max(min_contacts, 1.0)))
        all_person_contacts = len(pp_rows) == int(person_pair.sum())
        place_rows = np.flatnonzero(from_person & to_place)
    else:
        count = np.zeros(0)
        pp_rows = place_rows = np.zeros(0, dtype=np.int64)
        all_person_contacts = True
    person_columns += [column_strings(contacts, "source", pp_rows), column_strings(contacts, "target", pp_rows),
                       column_strings(contacts, "source", place_rows)]
    place_columns.append(column_strings(contacts, "target", place_rows))

    part = network.participation
    episodes = network.episodes
    found_rows = (np.flatnonzero(episodes["found_location_id"].notna().to_numpy())
                  if episodes is not None and len(episodes) else np.zeros(0, dtype=np.int64))
    person_columns += [column_strings(part, "entity_id"), column_strings(network.placements, "entity_id"),
                       column_strings(episodes, "entity_id", found_rows)]
    place_columns += [column_strings(part, "location_id"), column_strings(network.placements, "location_id"),
                      column_strings(episodes, "found_location_id", found_rows)]

    person = positions_in_each(person_columns, id_array)
    place = positions_in_each(place_columns, place_array)
    (operation,) = positions_in_each([column_strings(part, "operation")], operation_array)

    view_edges = {}
    for position, (kind, rows) in enumerate(edge_rows.items()):
        raw = (pd.to_numeric(edges["weight"].iloc[rows]).fillna(1.0).to_numpy(dtype=np.float64) if len(rows)
               else np.zeros(0))
        view_edges[kind] = (person[2 * position], person[2 * position + 1], raw)
    at = 2 * len(edge_rows)
    pp = (person[at], person[at + 1], count[pp_rows])
    direction = tuple(pd.to_numeric(contacts[column].iloc[pp_rows]).fillna(0).to_numpy(dtype=np.float64)
                      if contacts is not None and column in contacts else np.zeros(len(pp_rows))
                      for column in ("count_from_source", "count_from_target"))
    n_part = len(person[at + 3])
    none = np.zeros(0, dtype=bool)
    participation = pd.DataFrame({
        "person": person[at + 3],
        "operation": operation,
        "place": place[1],
        "exploitation": column_isin(part, "category", EXPLOITATION_CATEGORIES) if n_part else none,
        "victim": column_isin(part, "role", "victim") if n_part else none,
        "perpetrator": column_isin(part, "role", PERPETRATOR_ROLES) if n_part else none,
        # a crime (not intelligence, an incident or a stop); every event counts when types are not recorded
        "crime": (column_isin(part, "event_type", "crime") if "event_type" in part and part["event_type"].notna().any()
                  else np.ones(n_part, dtype=bool)) if n_part else none,
    })

    def known(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["person"].to_numpy() >= 0)].reset_index(drop=True)

    return NetworkView(
        network=network, min_contacts=float(min_contacts),
        ids=ids, id_array=id_array, people=people, place_ids=place_ids, place_array=place_array, places=places,
        operation_ids=operation_ids, operation_array=operation_array,
        edges=view_edges, contacts=pp,
        participation=known(participation),
        placements=known(pd.DataFrame({"person": person[at + 4], "place": place[2]})),
        found=known(pd.DataFrame({"person": person[at + 5], "place": place[3]})),
        place_contacts=known(pd.DataFrame({"person": person[at + 2], "place": place[0], "count": count[place_rows],
                                           "first_date": _dates(contacts, "first_date", place_rows)})),
        contact_direction=direction, edge_rows=edge_rows, contact_rows=pp_rows,
        all_person_contacts=all_person_contacts,
    )


def _dates(frame: pd.DataFrame | None, column: str, rows: np.ndarray) -> np.ndarray:
    """``frame[column]`` at ``rows`` as datetime64 (NaT where missing, unreadable or the column is absent)."""
    if frame is None or column not in frame:
        return np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]")
    return pd.to_datetime(frame[column].iloc[rows], errors="coerce").to_numpy(dtype="datetime64[ns]")


def as_view(network: NetworkLike, *, min_contacts: float = 0) -> NetworkView:
    """``network`` as a view with ``min_contacts``: the view itself, one built from it, or one built now.

    A view asked for another ``min_contacts`` keeps the second view in its
    ``memo``, so that asking again costs nothing.
    """
    if isinstance(network, NetworkView):
        if network.min_contacts == float(min_contacts):
            return network
        key = ("view", float(min_contacts))
        if key not in network.memo:
            network.memo[key] = network_view(network.network, min_contacts=min_contacts)
        return network.memo[key]
    return network_view(network, min_contacts=min_contacts)


def as_network(network: NetworkLike) -> Network:
    """The ``Network`` behind ``network`` (itself, or the one a view was built from)."""
    return network.network if isinstance(network, NetworkView) else network
