"""Facts about the people of a view: flags, role text, the places they are linked to, their clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..._arrow import positions_in_each, strings
from ...graph.kernels import counted, pairs
from .tables import column_isin, column_strings, flag, text_at
from .view import NetworkView

__all__ = ["person_flags", "person_detail", "person_places", "attached", "person_clusters"]


def person_flags(view: NetworkView) -> dict[str, np.ndarray]:
    """Boolean facts about every person, worked out once per view (Arrow string tests, no Python strings).

    ``victim``, ``perpetrator``, ``looked_after``, ``out_of_force``; ``cse``,
    ``cce`` and ``exploited`` (any exploitation marker); ``role`` (a victim or
    perpetrator); ``risk`` (a role, looked after or exploited: who takes part
    in the risk subgraph).
    """
    if "flags" not in view.memo:
        people = view.people

        def contains(column: str, word: str) -> np.ndarray:
            if column not in people or not len(people):
                return np.zeros(len(people), dtype=bool)
            found = pc.match_substring(strings(people[column]), word)
            return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)

        def filled(column: str) -> np.ndarray:
            if column not in people or not len(people):
                return np.zeros(len(people), dtype=bool)
            found = pc.greater(pc.utf8_length(strings(people[column])), 0)
            return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)

        flags = {
            "victim": flag(people, "is_victim"),
            "perpetrator": flag(people, "is_perpetrator"),
            "looked_after": flag(people, "looked_after"),
            "out_of_force": flag(people, "out_of_force"),
            "cse": contains("exploitation", "CSE"),
            "cce": contains("exploitation", "CCE"),
            "exploited": filled("exploitation"),
            "role": filled("role"),
        }
        flags["risk"] = flags["role"] | flags["looked_after"] | flags["exploited"]
        view.memo["flags"] = flags
    return view.memo["flags"]


def person_detail(people: pd.DataFrame, person: np.ndarray) -> pa.Array:
    """Roles, looked-after marker and exploitation flags of ``person``: ``perpetrator;victim;looked_after;CSE``."""
    role = text_at(people, "role", person)
    words = np.select([role == "both", role == "victim", role == "perpetrator"],
                      ["perpetrator;victim", "victim", "perpetrator"], default="").astype(object)
    combined = pd.Series(words + "|" + np.where(flag(people, "looked_after")[person], "looked_after", "")
                         + "|" + text_at(people, "exploitation", person))
    codes, distinct = pd.factorize(combined)
    labels = [";".join(p for p in d.replace("|", ";").split(";") if p) for d in distinct]
    return pa.array(labels, type=pa.large_string()).take(pa.array(codes, type=pa.int64()))


def person_places(view: NetworkView) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (person, place) links: placed there, found there, an event there, phone contact with it."""
    part = view.participation
    person = np.concatenate([view.placements["person"], view.found["person"], part["person"],
                             view.place_contacts["person"]]).astype(np.int64)
    place = np.concatenate([view.placements["place"], view.found["place"], part["place"],
                            view.place_contacts["place"]]).astype(np.int64)
    return pairs(person, place, len(view.place_ids))


def attached(cluster_of: np.ndarray, person: np.ndarray, item: np.ndarray, n_items: int,
             *, min_members: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(cluster, item) where at least ``min_members`` of the cluster's people are linked to the item."""
    person, item = pairs(np.asarray(person, dtype=np.int64), np.asarray(item, dtype=np.int64), n_items)
    cluster = cluster_of[person]
    keep = cluster >= 0
    key, counts = counted(cluster[keep] * max(n_items, 1) + item[keep])
    key = key[counts >= min_members]
    return key // max(n_items, 1), key % max(n_items, 1)


def person_clusters(view: NetworkView, members: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Cluster number of every person (-1: none) and the cluster ids, from a ``cluster_members.csv`` table."""
    cluster_of = np.full(view.n, -1, dtype=np.int64)
    if members is None or not len(members):
        return cluster_of, np.zeros(0, dtype=object)
    people = members[column_isin(members, "node_type", "person")]
    number, cluster_ids = pd.factorize(people["cluster_id"].astype(str), sort=True)
    (position,) = positions_in_each([column_strings(people, "node_id")], view.id_array)
    keep = position >= 0
    cluster_of[position[keep]] = number[keep]
    return cluster_of, np.asarray(cluster_ids, dtype=object)
