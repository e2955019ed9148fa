"""Clusters: groups of people tied together, ranked by risk.

People are tied through co-placement, going missing together, phone contact,
shared phones or vehicles, recorded associations and taking part in the same
operation. The connected components of that network are one giant component
(family calls and friends join almost everyone), so clusters are communities.

How they are found, at any scale (a million records, millions of ties):

1. **Typed, weighted ties, weak ones dropped** (``person_ties``,
   ``TIE_WEIGHTS``). Going missing together, shared identifiers and shared
   exploitation operations are strong. Contact counts below ``min_contacts``
   (default 10: the background of friends and family is mostly 1 to 5 calls,
   exploiters call their victims dozens of times) are dropped. An operation's
   tie is shared out over its size (a pair in an 80-person drugs operation gets
   a tenth of a pair in a 10-person one), and an operation whose share is
   below ``min_weight`` is not expanded into pairs at all. Pairs lighter than
   ``min_weight`` in total are dropped.
2. **The risk subgraph.** Only people who are victims, perpetrators, looked
   after or flagged for CSE/CCE take part, plus anyone else with a strong tie
   (weight >= ``STRONG_TIE``) to at least two of them: an adult unknown to
   police who calls several victims heavily is who an analyst wants to see.
3. **Communities** by ``louvain_labels``: the Louvain method (Blondel et al.
   2008) vectorised over edge arrays with numpy, not a Python loop per node.
   Each round every node (a seeded random half of them, so neighbours do not
   swap back and forth) moves to the neighbouring community with the best
   gain; later rounds look only at nodes next to a move; communities are then
   merged into nodes and the process repeats. The quality optimised is the
   Constant Potts Model (CPM, Traag et al. 2011) rather than modularity:
   modularity's resolution limit merges small groups once the network is big
   (on the large synthetic world, modularity clusters hold several planted
   groups and hundreds of background people), and CPM's clusters do not depend
   on the size of the rest of the data, so a group looks the same in a
   county-wide run as in a one-BCU run. ``resolution`` is the least average tie
   weight per pair of members that holds a cluster together.
   ``quality="modularity"`` is available and matches
   ``networkx.community.louvain_communities`` in modularity.
4. Each community is split into its connected pieces, and pieces smaller than
   ``min_size`` are dropped.

Clusters are ranked by ``risk_score``, a weighted sum whose parts and weights
(``RISK_WEIGHTS``) are written out in ``risk_parts``, so every score can be
explained. The other analyses (``key_people``, ``business_targets``) reuse the
encoded view of the network built here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..build._network import Network
from ..graph import connected_components, louvain_labels
from ..graph.kernels import counted, dense, distinct, pair_keys, pairs, sum_by_key
from ._empty import no_rows, plural

__all__ = [
    "REQUIRES",
    "CLUSTER_COLUMNS",
    "MEMBER_COLUMNS",
    "TIE_TYPES",
    "TIE_WEIGHTS",
    "STRONG_TIE",
    "RISK_WEIGHTS",
    "EXPLOITATION_CATEGORIES",
    "OPERATION_SHARE",
    "clusters",
    "person_ties",
    "NO_PEOPLE",
    "ROLE_FIX",
    "light_contacts",
    "contact_threshold_note",
]

#: input tables the analysis needs (ties come from whichever of the others are present)
REQUIRES: tuple[str, ...] = ("people",)

#: ``clusters.csv``: the contract's columns first, then the detail
CLUSTER_COLUMNS: dict[str, str] = {
    "cluster_id": "str",
    "size": "int64",
    "n_victims": "int64",
    "n_perpetrators": "int64",
    "bcus": "str",
    "n_bcus": "int64",
    "cross_bcu": "bool",
    "out_of_force": "bool",
    "risk_score": "float64",
    "n_looked_after": "int64",
    "care_settings": "int64",
    "businesses": "int64",
    "forces": "str",
    "categories": "str",
    "risk_parts": "str",
}
#: ``cluster_members.csv``: the contract's columns, then what the node is (a person's role, a place's category,
#: an operation's categories)
MEMBER_COLUMNS: dict[str, str] = {
    "cluster_id": "str",
    "node_id": "str",
    "node_type": "str",
    "detail": "str",
}

#: the kinds of tie between two people
TIE_TYPES: tuple[str, ...] = ("event", "co_missing", "shared_identifier", "contact", "associate", "co_placed")
#: weight of one tie of each kind
TIE_WEIGHTS: dict[str, float] = {
    "event": 2.0,               # per shared exploitation operation (half for others), shared out over big ones
    "co_missing": 2.0,          # per missing episode together, at most 3 counted
    "shared_identifier": 2.0,   # per phone / vehicle / handle held by both, at most 3 counted
    "contact": 1.0,             # x log10(contacts): 10 -> 1, 100 -> 2, 1000 or more -> 3
    "associate": 1.0,           # a recorded association of any kind
    "co_placed": 1.0,           # placed at one care setting at the same time
}
#: a tie at least this heavy is strong (it draws a person with no role into the risk subgraph)
STRONG_TIE = 2.0
#: operation categories that count as exploitation
EXPLOITATION_CATEGORIES: tuple[str, ...] = ("CSE", "CCE", "trafficking")
#: a pair's tie through an operation of n people is its event weight x min(1, OPERATION_SHARE / (n - 1))
OPERATION_SHARE = 10.0
#: parts of ``risk_score`` and their weights
RISK_WEIGHTS: dict[str, float] = {
    "victims": 1.0,            # per member recorded as a victim
    "perpetrators": 1.0,       # per member recorded as a suspect or offender
    "exploited": 1.0,          # per member flagged for CSE or CCE (events or markers)
    "looked_after": 0.5,       # per looked-after member
    "missing_together": 0.5,   # per pair of members who went missing together
    "businesses": 1.0,         # per night-time-economy business linked to two or more members
    "extra_bcus": 2.0,         # per BCU beyond the first
    "out_of_force": 2.0,       # once, when a member lives outside the force
    "cse_and_cce": 3.0,        # once, when the cluster carries both CSE and CCE
}
_BITS = {name: 1 << i for i, name in enumerate(TIE_TYPES)}
_PERSON_EDGES = ("co_missing", "shared_identifier", "associate", "co_placed")


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _typed(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: frame[name].astype(dtype) for name, dtype in columns.items()}).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# the network as integer codes


def _arrow(values) -> pa.Array:
    """A column as an Arrow large-string array (zero copy for Arrow-backed pandas strings)."""
    if isinstance(values, pa.ChunkedArray):
        array = values.combine_chunks()
    elif isinstance(values, pa.Array):
        array = values
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
        try:
            array = pa.array(series.array)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            array = None
        if array is None or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            text = series.astype(object).where(series.notna(), None)
            array = pa.array([None if v is None else str(v) for v in text], type=pa.large_string())
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
    return array if pa.types.is_large_string(array.type) else array.cast(pa.large_string())


def _encode(ids: np.ndarray | pa.Array, columns: list[pa.Array]) -> list[np.ndarray]:
    """Positions in ``ids`` of every column's values (-1 when absent or missing): one hash lookup for all."""
    lengths = np.array([len(c) for c in columns], dtype=np.int64)
    if not len(columns) or not lengths.sum() or not len(ids):
        return [np.full(n, -1, dtype=np.int64) for n in lengths]
    value_set = ids if isinstance(ids, pa.Array) else _arrow(pd.Series(ids, dtype=object))
    found = pc.index_in(pa.concat_arrays(columns), value_set=value_set)
    codes = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.split(codes, np.cumsum(lengths)[:-1])


def _column(frame: pd.DataFrame | None, column: str, rows: np.ndarray | None = None) -> pa.Array:
    if frame is None or column not in frame or not len(frame):
        return pa.array([], type=pa.large_string())
    array = _arrow(frame[column])
    return array if rows is None else array.take(pa.array(rows, type=pa.int64()))


def _equals(frame: pd.DataFrame | None, column: str, values) -> np.ndarray:
    """Boolean mask: the rows whose ``column`` is one of ``values`` (compared in Arrow, no Python strings)."""
    if frame is None or column not in frame or not len(frame):
        return np.zeros(0 if frame is None else len(frame), dtype=bool)
    values = [values] if isinstance(values, str) else list(values)
    mask = pc.is_in(_arrow(frame[column]), value_set=pa.array(values, type=pa.large_string()))
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _sorted_ids(frame: pd.DataFrame | None, column: str) -> tuple[pd.DataFrame, np.ndarray, pa.Array]:
    """The table sorted by its id column, the ids (Python strings, for output) and the ids as Arrow (for lookups)."""
    if frame is None or column not in frame or not len(frame):
        return ((frame if frame is not None else pd.DataFrame()).iloc[:0], np.zeros(0, dtype=object),
                pa.array([], type=pa.large_string()))
    ids = frame[column].astype(str)
    ordered = frame if ids.is_monotonic_increasing else frame.assign(_id=ids).sort_values("_id", kind="stable")
    ordered = ordered.drop(columns="_id", errors="ignore").reset_index(drop=True)
    array = _arrow(ordered[column].astype(str))
    return ordered, np.asarray(array.to_pandas(types_mapper=None), dtype=object), array


@dataclass
class _View:
    """The network's facts over integer codes: a person is its position in ``ids``, a place in ``place_ids``,
    an operation in ``operation_ids`` (-1: not known). Built once per analysis, every id looked up in one pass.
    """

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
    place_contacts: pd.DataFrame   # person, place, count: phone contact between a person and a place
    memo: dict = field(default_factory=dict)   # ties and memberships already worked out on this view

    @property
    def n(self) -> int:
        return len(self.ids)


_NETWORK_TABLES = ("people", "places", "operations", "edges", "contacts", "participation", "placements", "episodes")
_CACHE: dict = {}


def _cached_view(network: Network, *, min_contacts: float = 10) -> _View:
    """The view of ``network``, reused while the same network object (and tables) is analysed again.

    One slot: the analyses of a job run one after another on one network, and
    each would otherwise spend seconds re-encoding a million ids.
    """
    key = (id(network), float(min_contacts), tuple(id(getattr(network, t, None)) for t in _NETWORK_TABLES))
    hit = _CACHE.get("view")
    if hit is not None and hit[0] == key and hit[1]() is network:
        return hit[2]
    _CACHE.clear()
    view = _view(network, min_contacts=min_contacts)
    _CACHE["view"] = (key, weakref.ref(network), view)
    weakref.finalize(network, _forget, id(network))
    return view


def _forget(network_id: int) -> None:
    """Drop the cached view once its network is gone (and only then: another network's view stays)."""
    hit = _CACHE.get("view")
    if hit is not None and hit[0][0] == network_id and hit[1]() is None:
        _CACHE.clear()


def _cached_ties(view: _View, *, ties: tuple[str, ...], min_weight: float) -> _Ties:
    key = ("ties", tuple(ties), float(min_weight))
    if key not in view.memo:
        view.memo[key] = _ties(view, ties=ties, min_weight=min_weight)
    return view.memo[key]


def _view(network: Network, *, min_contacts: float = 10) -> _View:
    from ..contract import PERPETRATOR_ROLES

    people, ids, id_array = _sorted_ids(network.people, "entity_id")
    places, place_ids, place_array = _sorted_ids(network.places, "location_id")
    _, operation_ids, operation_array = _sorted_ids(network.operations, "operation")
    person_columns: list[pa.Array] = []
    place_columns: list[pa.Array] = []

    edges = network.edges
    if edges is not None and len(edges):
        # one pass over the edge types: the position of each row's type among the person-person kinds
        kind_of = pc.index_in(_arrow(edges["edge_type"]), value_set=pa.array(_PERSON_EDGES, type=pa.large_string()))
        kind_of = np.asarray(pc.fill_null(kind_of, -1).to_numpy(zero_copy_only=False))
    else:
        kind_of = np.zeros(0, dtype=np.int64)
    edge_rows = {}
    for position, kind in enumerate(_PERSON_EDGES):
        rows = np.flatnonzero(kind_of == position)
        edge_rows[kind] = rows
        person_columns += [_column(edges, "source", rows), _column(edges, "target", rows)]

    contacts = network.contacts
    if contacts is not None and len(contacts):
        count = pd.to_numeric(contacts["count"]).fillna(1).to_numpy(dtype=np.float64)
        from_person = _equals(contacts, "source_type", "person")
        to_person = _equals(contacts, "target_type", "person")
        to_place = ~to_person & contacts["target_type"].notna().to_numpy()   # a holder is a person or a place
        pp_rows = np.flatnonzero(from_person & to_person & (count >= max(min_contacts, 1.0)))
        place_rows = np.flatnonzero(from_person & to_place)
    else:
        count = np.zeros(0)
        pp_rows = place_rows = np.zeros(0, dtype=np.int64)
    person_columns += [_column(contacts, "source", pp_rows), _column(contacts, "target", pp_rows),
                       _column(contacts, "source", place_rows)]
    place_columns.append(_column(contacts, "target", place_rows))

    part = network.participation
    episodes = network.episodes
    found_rows = (np.flatnonzero(episodes["found_location_id"].notna().to_numpy())
                  if episodes is not None and len(episodes) else np.zeros(0, dtype=np.int64))
    person_columns += [_column(part, "entity_id"), _column(network.placements, "entity_id"),
                       _column(episodes, "entity_id", found_rows)]
    place_columns += [_column(part, "location_id"), _column(network.placements, "location_id"),
                      _column(episodes, "found_location_id", found_rows)]

    person = _encode(id_array, person_columns)
    place = _encode(place_array, place_columns)
    (operation,) = _encode(operation_array, [_column(part, "operation")])

    view_edges = {}
    for position, (kind, rows) in enumerate(edge_rows.items()):
        raw = (pd.to_numeric(edges["weight"].iloc[rows]).fillna(1.0).to_numpy(dtype=np.float64) if len(rows)
               else np.zeros(0))
        view_edges[kind] = (person[2 * position], person[2 * position + 1], raw)
    at = 2 * len(edge_rows)
    pp = (person[at], person[at + 1], count[pp_rows])
    n_part = len(person[at + 3])
    participation = pd.DataFrame({
        "person": person[at + 3],
        "operation": operation,
        "place": place[1],
        "exploitation": _equals(part, "category", EXPLOITATION_CATEGORIES) if n_part else np.zeros(0, dtype=bool),
        "victim": _equals(part, "role", "victim") if n_part else np.zeros(0, dtype=bool),
        "perpetrator": _equals(part, "role", PERPETRATOR_ROLES) if n_part else np.zeros(0, dtype=bool),
        # a crime (not intelligence, an incident or a stop); every event counts when types are not recorded
        "crime": (_equals(part, "event_type", "crime") if "event_type" in part and part["event_type"].notna().any()
                  else np.ones(n_part, dtype=bool)) if n_part else np.zeros(0, dtype=bool),
    })

    def known(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["person"].to_numpy() >= 0)].reset_index(drop=True)

    return _View(
        ids=ids, id_array=id_array, people=people, place_ids=place_ids, place_array=place_array, places=places,
        operation_ids=operation_ids, operation_array=operation_array,
        edges=view_edges, contacts=pp,
        participation=known(participation),
        placements=known(pd.DataFrame({"person": person[at + 4], "place": place[2]})),
        found=known(pd.DataFrame({"person": person[at + 5], "place": place[3]})),
        place_contacts=known(pd.DataFrame({"person": person[at + 2], "place": place[0], "count": count[place_rows]})),
    )


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].fillna(False).to_numpy(dtype=bool)


def _text(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), "", dtype=object)
    return frame[column].fillna("").astype(str).to_numpy(dtype=object)


def _text_at(frame: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """``_text`` of some rows only (converting a million strings to Python objects takes a second)."""
    if column not in frame:
        return np.full(len(rows), "", dtype=object)
    return frame[column].iloc[rows].fillna("").astype(str).to_numpy(dtype=object)


# ---------------------------------------------------------------------------------------------------------------
# ties


@dataclass
class _Ties:
    """Undirected person-person ties over person codes (``a < b``, one row per pair, sorted)."""

    n: int
    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray
    bits: np.ndarray

    def kinds(self) -> np.ndarray:
        """The kinds of each tie as ``;``-joined text."""
        out = np.full(len(self.a), "", dtype=object)
        for name in sorted(_BITS):
            has = (self.bits & _BITS[name]) > 0
            out[has] = out[has] + name + ";"
        return np.array([t[:-1] for t in out], dtype=object)


def _kind_ties(view: _View, kind: str, min_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """One kind of tie: (pair key, weight), one row per pair."""
    n = view.n
    if kind == "contact":
        a, b, count = view.contacts
        weight = TIE_WEIGHTS["contact"] * np.clip(np.log10(np.maximum(count, 1.0)), 0.0, 3.0)
        key, weight = pair_keys(n, a, b, weight)
        key, weight = sum_by_key(key, weight)
        return key, np.minimum(weight, 3 * TIE_WEIGHTS["contact"])
    if kind == "event":
        return _event_ties(view, min_weight)
    a, b, raw = view.edges[kind]
    capped = kind in ("co_missing", "shared_identifier")
    key, weight = pair_keys(n, a, b, np.minimum(raw, 3.0) if capped else 1.0)
    key, weight = sum_by_key(key, weight)
    return key, TIE_WEIGHTS[kind] * (np.minimum(weight, 3.0) if capped else np.ones(len(key)))


def _event_ties(view: _View, min_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of people party to one operation; big operations share their weight out (``OPERATION_SHARE``)."""
    part = view.participation
    part = part[part["operation"].to_numpy() >= 0]
    if part.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    n_ops = len(view.operation_ids)
    op = part["operation"].to_numpy()
    exploit = np.bincount(op, part["exploitation"].to_numpy(dtype=np.float64), minlength=n_ops) > 0
    member = distinct(op * view.n + part["person"].to_numpy())
    op, person = member // view.n, member % view.n
    size = np.bincount(op, minlength=n_ops)
    base = np.where(exploit, TIE_WEIGHTS["event"], TIE_WEIGHTS["event"] / 2)
    share = base * np.minimum(1.0, OPERATION_SHARE / np.maximum(size - 1, 1))
    # an operation whose share per pair is below min_weight ties nobody on its own: it is not expanded into pairs
    useful = (share >= min_weight) & (size > 1)
    keep = useful[op]
    op, person = op[keep], person[keep]
    if not len(op):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    # all pairs within each operation: members are sorted by (operation, person)
    start = np.flatnonzero(np.r_[True, op[1:] != op[:-1]])
    length = np.diff(np.r_[start, len(op)])
    later = np.repeat(start + length, length) - np.arange(len(op)) - 1   # members after each one in its operation
    left = np.repeat(np.arange(len(op)), later)
    right = left + 1 + (np.arange(len(left)) - np.repeat(np.cumsum(later) - later, later))
    key, weight = pair_keys(view.n, person[left], person[right], share[op[left]])
    key, weight = sum_by_key(key, weight)
    return key, np.minimum(weight, 3 * TIE_WEIGHTS["event"])


def _ties(view: _View, *, ties: tuple[str, ...] = TIE_TYPES, min_weight: float = 0.5) -> _Ties:
    unknown = sorted(set(ties) - set(TIE_TYPES))
    if unknown:
        raise ValueError(f"unknown tie type(s) {', '.join(unknown)}; the types are {', '.join(TIE_TYPES)}")
    keys, weights, bits = [], [], []
    for kind in dict.fromkeys(ties):
        key, weight = _kind_ties(view, kind, min_weight)
        keys.append(key)
        weights.append(weight)
        bits.append(np.full(len(key), _BITS[kind], dtype=np.int64))
    n = view.n
    if not keys or not sum(len(k) for k in keys):
        empty = np.zeros(0, dtype=np.int64)
        return _Ties(n, empty, empty, np.zeros(0), np.zeros(0, dtype=np.int64))
    key, weight, bit = sum_by_key(np.concatenate(keys), np.concatenate(weights), np.concatenate(bits))
    keep = weight >= min_weight
    key = key[keep]
    return _Ties(n, key // n, key % n, weight[keep], bit[keep])


def person_ties(network: Network, *, ties: tuple[str, ...] = TIE_TYPES, min_contacts: float = 10,
                min_weight: float = 0.5) -> pd.DataFrame:
    """The weighted person-person ties clusters are found on: ``source, target, weight, ties``.

    One row per pair of people (``source < target``); ``weight`` sums the
    kinds of tie between them (``TIE_WEIGHTS``) and ``ties`` names them.
    Contacts below ``min_contacts`` and pairs lighter than ``min_weight`` are
    left out.
    """
    if network.people is None or network.people.empty:
        return pd.DataFrame({"source": pd.Series(dtype=str), "target": pd.Series(dtype=str),
                             "weight": pd.Series(dtype=float), "ties": pd.Series(dtype=str)})
    view = _view(network, min_contacts=min_contacts)
    found = _ties(view, ties=ties, min_weight=min_weight)
    return pd.DataFrame({"source": view.ids[found.a], "target": view.ids[found.b], "weight": found.weight,
                         "ties": found.kinds()}).astype({"source": str, "target": str, "ties": str})


# ---------------------------------------------------------------------------------------------------------------
# clusters


def _person_flags(view: _View) -> dict[str, np.ndarray]:
    """Boolean facts about every person, worked out once per view (Arrow string tests, no Python strings)."""
    if "flags" not in view.memo:
        people = view.people

        def contains(column: str, text: str) -> np.ndarray:
            if column not in people or not len(people):
                return np.zeros(len(people), dtype=bool)
            found = pc.match_substring(_arrow(people[column]), text)
            return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)

        def filled(column: str) -> np.ndarray:
            if column not in people or not len(people):
                return np.zeros(len(people), dtype=bool)
            found = pc.greater(pc.utf8_length(_arrow(people[column])), 0)
            return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)

        flags = {
            "victim": _flag(people, "is_victim"),
            "perpetrator": _flag(people, "is_perpetrator"),
            "looked_after": _flag(people, "looked_after"),
            "out_of_force": _flag(people, "out_of_force"),
            "cse": contains("exploitation", "CSE"),
            "cce": contains("exploitation", "CCE"),
            "exploited": filled("exploitation"),
            "role": filled("role"),
        }
        flags["risk"] = flags["role"] | flags["looked_after"] | flags["exploited"]
        view.memo["flags"] = flags
    return view.memo["flags"]


def _person_detail(people: pd.DataFrame, person: np.ndarray) -> pa.Array:
    """Roles, looked-after marker and exploitation flags of ``person``: ``perpetrator;victim;looked_after;CSE``."""
    role = _text_at(people, "role", person)
    words = np.select([role == "both", role == "victim", role == "perpetrator"],
                      ["perpetrator;victim", "victim", "perpetrator"], default="").astype(object)
    combined = pd.Series(words + "|" + np.where(_flag(people, "looked_after")[person], "looked_after", "")
                         + "|" + _text_at(people, "exploitation", person))
    codes, distinct = pd.factorize(combined)
    labels = [";".join(p for p in d.replace("|", ";").split(";") if p) for d in distinct]
    return pa.array(labels, type=pa.large_string()).take(pa.array(codes, type=pa.int64()))


def _str_series(array: pa.Array) -> pd.Series:
    """A pandas ``str`` column on an Arrow string array, without making Python strings."""
    return pd.Series(pd.array(array, dtype="str"))


def _membership(view: _View, found: _Ties, *, seed: int, min_size: int, resolution: float,
                quality: str) -> np.ndarray:
    """Cluster number of every person (-1: in no cluster of ``min_size`` or more), numbered by smallest person."""
    risk = _person_flags(view)["risk"]
    strong = found.weight >= STRONG_TIE
    # people with no role but strong ties to two or more risk people join the risk subgraph
    ends = np.concatenate([found.b[strong & risk[found.a] & ~risk[found.b]],
                           found.a[strong & risk[found.b] & ~risk[found.a]]])
    inside = risk | (np.bincount(ends, minlength=found.n) >= 2)
    keep = inside[found.a] & inside[found.b]
    a, b, w = found.a[keep], found.b[keep], found.weight[keep]
    nodes = np.flatnonzero(np.bincount(np.r_[a, b], minlength=found.n) > 0)
    local = np.full(found.n, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    la, lb = local[a], local[b]
    labels = louvain_labels(len(nodes), la, lb, w, seed=seed, resolution=resolution, quality=quality)
    same = labels[la] == labels[lb]
    piece = connected_components(len(nodes), la[same], lb[same])   # communities split into connected pieces
    big = np.bincount(piece, minlength=len(nodes))[piece] >= min_size
    out = np.full(found.n, -1, dtype=np.int64)
    if big.any():
        out[nodes[big]] = dense(piece[big])
    return out


def _person_places(view: _View) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (person, place) links: placed there, found there, an event there, phone contact with it."""
    part = view.participation
    person = np.concatenate([view.placements["person"], view.found["person"], part["person"],
                             view.place_contacts["person"]]).astype(np.int64)
    place = np.concatenate([view.placements["place"], view.found["place"], part["place"],
                            view.place_contacts["place"]]).astype(np.int64)
    return pairs(person, place, len(view.place_ids))


def _attached(cluster_of: np.ndarray, person: np.ndarray, item: np.ndarray, n_items: int,
              *, min_members: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(cluster, item) where at least ``min_members`` of the cluster's people are linked to the item."""
    person, item = pairs(np.asarray(person, dtype=np.int64), np.asarray(item, dtype=np.int64), n_items)
    cluster = cluster_of[person]
    keep = cluster >= 0
    key, counts = counted(cluster[keep] * max(n_items, 1) + item[keep])
    key = key[counts >= min_members]
    return key // max(n_items, 1), key % max(n_items, 1)


def _joined(owner: np.ndarray, values: np.ndarray, n_owners: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct non-empty values per owner joined by ';', and how many there are."""
    text = np.full(n_owners, "", dtype=object)
    values = pd.Series(values, dtype=object)
    present = (values.notna() & (values.astype(str) != "")).to_numpy()
    codes, distinct = pd.factorize(values[present].astype(str), sort=True)
    if not len(distinct):
        return text, np.zeros(n_owners, dtype=np.int64)
    owner, value = pairs(np.asarray(owner)[present], codes, len(distinct))
    count = np.bincount(owner, minlength=n_owners)
    pieces = np.asarray(distinct, dtype=object)[value] + ";"
    start = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    joined = np.add.reduceat(pieces, start)
    text[owner[start]] = [t[:-1] for t in joined]
    return text, count


def clusters(network: Network, *, seed: int = 0, ties: tuple[str, ...] = TIE_TYPES, min_size: int = 3,
             min_contacts: float = 10, min_weight: float = 0.5, resolution: float = 0.3,
             quality: str = "cpm") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Groups of people tied together, ranked by risk: (``clusters.csv``, ``cluster_members.csv``).

    Parameters
    ----------
    network : the built ``Network``.
    seed : seed of the community search; the same network and seed give the same clusters.
    ties : the kinds of tie used (``TIE_TYPES``).
    min_size : the fewest people a cluster holds.
    min_contacts : contact counts below this are background and not used.
    min_weight : pairs tied more lightly than this in total are dropped before the search.
    resolution : with ``quality="cpm"`` the least average tie weight per pair of members that
        holds a cluster together (higher: smaller, tighter clusters); with ``"modularity"`` the usual
        modularity resolution.
    quality : ``"cpm"`` (Constant Potts Model, the default) or ``"modularity"``; see the module notes.

    Returns
    -------
    clusters : one row per cluster (``CLUSTER_COLUMNS``), highest ``risk_score`` first;
        ``cluster_id`` is ``C0001`` for the first.
    members : ``cluster_id, node_id, node_type, detail``: the people (``person``, their
        entity ids) and the care settings and businesses (``place``) and operations
        (``operation``) linked to two or more of them.

    Examples
    --------
    >>> table, members = clusters(network, seed=0)                # doctest: +SKIP
    >>> table.loc[0, ["cluster_id", "size", "risk_parts"]]         # doctest: +SKIP
    """
    if network.people is None or network.people.empty:
        why, fix = NO_PEOPLE
        return no_rows(_empty(CLUSTER_COLUMNS), why, fix), no_rows(_empty(MEMBER_COLUMNS), why, fix)
    view = _cached_view(network, min_contacts=min_contacts)
    found = _cached_ties(view, ties=ties, min_weight=min_weight)
    key = ("clusters", tuple(ties), float(min_weight), seed, min_size, float(resolution), quality)
    if key not in view.memo:
        cluster_of = _membership(view, found, seed=seed, min_size=min_size, resolution=resolution, quality=quality)
        table, members = _cluster_tables(view, found, cluster_of, network.operations)
        if table.empty:
            why, fix = _why_no_clusters(network, view, found, min_size=min_size, min_contacts=min_contacts,
                                        min_weight=min_weight, resolution=resolution)
            table, members = no_rows(table, why, fix), no_rows(members, why, fix)
        view.memo[key] = table, members
    table, members = view.memo[key]
    return table.copy(), members.copy()


#: why an analysis of people has no rows when the network has none
NO_PEOPLE = ("the network has no people", "the people table has no kept rows: correct the rows listed in rejects.csv")
#: what gives people a role, a care history or a risk flag, the people clusters and key people are grown from
ROLE_FIX = ("add event_people rows with roles (victim, suspect, offender), placements of looked-after children, or "
            "looked_after, cse_risk or cce_risk in people.flags")


def light_contacts(network: Network, min_contacts: float) -> tuple[int, int]:
    """Person-to-person contact ties, and how many of them have fewer than ``min_contacts`` contacts."""
    contacts = network.contacts
    if contacts is None or not len(contacts):
        return 0, 0
    person = _equals(contacts, "source_type", "person") & _equals(contacts, "target_type", "person")
    count = pd.to_numeric(contacts["count"]).fillna(1).to_numpy(dtype=np.float64)[person]
    return int(person.sum()), int((count < min_contacts).sum())


def contact_threshold_note(network: Network, min_contacts: float, setting: str) -> str:
    """``, and all 40 person-to-person contact ties have fewer than 10 contacts (...)`` or nothing."""
    ties, light = light_contacts(network, min_contacts)
    if not light:
        return ""
    share = "all" if light == ties else f"{light:,} of the"
    return (f"; {share} {plural(ties, 'person-to-person contact tie')} have fewer than {min_contacts:g} contacts "
            f"and were left out as background ({setting}.min_contacts)")


def _why_no_clusters(network: Network, view: _View, found: _Ties, *, min_size: int, min_contacts: float,
                     min_weight: float, resolution: float) -> tuple[str, str]:
    """Why no cluster came out: no ties at all, nobody to grow clusters from, or a threshold."""
    setting = "analyses.clusters"
    risk = _person_flags(view)["risk"]
    contact_note = contact_threshold_note(network, min_contacts, setting)
    lower_contacts = (f"lower {setting}.min_contacts (now {min_contacts:g}; a contact tie weighs log10 of the "
                      f"contacts and pairs under {setting}.min_weight, now {min_weight:g}, are dropped)")
    if not len(found.a):
        why = (f"no two of the {plural(view.n, 'person', 'people')} are tied: there are no co-placements, missing "
               f"episodes together, shared identifiers, associations or shared operations" + contact_note)
        fix = (lower_contacts + " to count lighter contact" if contact_note else
               "add placements, missing episodes, identifiers with contacts, associations or events")
        return why, fix
    if not risk.any():
        return (f"nobody among the {plural(view.n, 'person', 'people')} has a victim or perpetrator role, is looked "
                f"after or is flagged for CSE or CCE, and clusters are grown from such people: the "
                f"{plural(len(found.a), 'tie')} between people were not used" + contact_note,
                ROLE_FIX + " (clusters from the ties of people with no role are not built yet)")
    strong = found.weight >= STRONG_TIE
    inside = risk[found.a] & risk[found.b]
    return (f"{plural(int(risk.sum()), 'person', 'people')} with a role, in care or at risk, but no community of "
            f"{min_size} or more of them (with anyone strongly tied to two of them: {int(strong.sum()):,} strong "
            f"ties in all) holds together; {plural(int(inside.sum()), 'tie')} join two of them directly" + contact_note,
            f"lower {setting}.min_size (now {min_size}) or {setting}.resolution (now {resolution:g}), or "
            + lower_contacts)


def _cluster_tables(view: _View, found: _Ties, cluster_of: np.ndarray,
                    operations: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    person = np.flatnonzero(cluster_of >= 0)
    if not len(person):
        return _empty(CLUSTER_COLUMNS), _empty(MEMBER_COLUMNS)
    people = view.people
    cluster = cluster_of[person]
    n_clusters = int(cluster.max()) + 1

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cluster, weights=mask[person].astype(np.float64), minlength=n_clusters).astype(np.int64)

    flags = _person_flags(view)
    size = np.bincount(cluster, minlength=n_clusters)
    victims = count(flags["victim"])
    perpetrators = count(flags["perpetrator"])
    looked_after = count(flags["looked_after"])
    exploited = count(flags["exploited"])
    has_cse = count(flags["cse"]) > 0
    has_cce = count(flags["cce"]) > 0
    out_of_force = count(flags["out_of_force"]) > 0
    bcus, n_bcus = _joined(cluster, _text_at(people, "bcu", person), n_clusters)
    forces, _ = _joined(cluster, _text_at(people, "force", person), n_clusters)
    categories = np.where(has_cse & has_cce, "CCE;CSE", np.where(has_cse, "CSE", np.where(has_cce, "CCE", "")))

    # pairs of members who went missing together
    ca = cluster_of[found.a]
    together = (ca >= 0) & (ca == cluster_of[found.b]) & ((found.bits & _BITS["co_missing"]) > 0)
    missing_pairs = np.bincount(ca[together], minlength=n_clusters)

    # places and operations linked to two or more members
    places = view.places
    n_places = len(view.place_ids)
    link_person, link_place = _person_places(view)
    place_cluster, place = _attached(cluster_of, link_person, link_place, n_places)
    care = _flag(places, "is_care_setting")[place] if n_places else np.zeros(0, dtype=bool)
    business = _flag(places, "is_business")[place] if n_places else np.zeros(0, dtype=bool)
    nte = business & (_flag(places, "night_time_economy")[place] if n_places else business)
    care_settings = np.bincount(place_cluster[care], minlength=n_clusters)
    businesses = np.bincount(place_cluster[business], minlength=n_clusters)
    nte_businesses = np.bincount(place_cluster[nte], minlength=n_clusters)
    part = view.participation
    op_cluster, op = _attached(cluster_of, part["person"].to_numpy(), part["operation"].to_numpy(),
                               len(view.operation_ids))

    parts = {
        "victims": victims,
        "perpetrators": perpetrators,
        "exploited": exploited,
        "looked_after": looked_after,
        "missing_together": missing_pairs,
        "businesses": nte_businesses,
        "extra_bcus": np.maximum(n_bcus - 1, 0),
        "out_of_force": out_of_force.astype(np.int64),
        "cse_and_cce": (has_cse & has_cce).astype(np.int64),
    }
    score = np.zeros(n_clusters)
    explained = np.full(n_clusters, "", dtype=object)
    for name, amount in parts.items():
        weight = RISK_WEIGHTS[name]
        score += weight * amount
        label = f"; {name} "
        explained = explained + np.where(amount > 0, label + amount.astype(str) + f"x{weight:g}", "")
    explained = np.array([t[2:] for t in explained], dtype=object)
    score = np.round(score, 6)

    # rank: score, then size, then the cluster's first person; cluster ids follow the rank
    first_person = np.full(n_clusters, view.n, dtype=np.int64)
    np.minimum.at(first_person, cluster, person)
    order = np.lexsort((first_person, -size, -score))
    rank = np.empty(n_clusters, dtype=np.int64)
    rank[order] = np.arange(n_clusters)
    width = max(4, len(str(n_clusters)))
    cluster_ids = np.array([f"C{i + 1:0{width}d}" for i in range(n_clusters)], dtype=object)
    table = pd.DataFrame({
        "cluster_id": cluster_ids[rank], "size": size, "n_victims": victims, "n_perpetrators": perpetrators,
        "bcus": bcus, "n_bcus": n_bcus, "cross_bcu": n_bcus > 1, "out_of_force": out_of_force, "risk_score": score,
        "n_looked_after": looked_after, "care_settings": care_settings, "businesses": businesses, "forces": forces,
        "categories": categories, "risk_parts": explained,
    }).iloc[order]

    # members: per cluster in rank order, people then places then operations, each by id
    shown = care | business
    operation_detail = (operations.set_index(operations["operation"].astype(str))["categories"]
                        .reindex(view.operation_ids).fillna("").astype(str).to_numpy(dtype=object)
                        if operations is not None and len(operations) and "categories" in operations
                        else np.full(len(view.operation_ids), "", dtype=object))
    # codes follow the sorted ids, so sorting by code sorts by id
    category = _arrow(places["category"]) if n_places else pa.array([], type=pa.large_string())
    parts = [  # (cluster rank, node code, node ids, details)
        (rank[cluster], person, view.id_array, _person_detail(people, person)),
        (rank[place_cluster[shown]], place[shown], view.place_array, category.take(pa.array(place[shown]))),
        (rank[op_cluster], op, view.operation_array, _arrow(operation_detail[op])),
    ]
    ranks = np.concatenate([p[0] for p in parts]).astype(np.int64)
    kinds = np.concatenate([np.full(len(p[1]), i, dtype=np.int64) for i, p in enumerate(parts)])
    codes = np.concatenate([p[1] for p in parts]).astype(np.int64)
    order = pa.array(np.lexsort((codes, kinds, ranks)))
    node_ids = pa.concat_arrays([ids.take(pa.array(c, type=pa.int64())) for _, c, ids, _ in parts])
    details = pa.concat_arrays([d.cast(pa.large_string()) for *_, d in parts])
    member_table = pd.DataFrame({
        "cluster_id": _str_series(_arrow(cluster_ids).take(pa.array(ranks)).take(order)),
        "node_id": _str_series(node_ids.take(order)),
        "node_type": _str_series(pa.array(["person", "place", "operation"], type=pa.large_string())
                                 .take(pa.array(kinds)).take(order)),
        "detail": _str_series(pc.fill_null(details.take(order), "")),
    })
    return _typed(table, CLUSTER_COLUMNS), _typed(member_table, MEMBER_COLUMNS)


def _person_clusters(network: Network, view: _View, clusters_members: pd.DataFrame | None,
                     **options) -> tuple[np.ndarray, np.ndarray]:
    """Cluster number of every person (-1: none) and the cluster ids, from ``cluster_members.csv`` or worked out."""
    if clusters_members is None:
        _, clusters_members = clusters(network, **options)
    cluster_of = np.full(view.n, -1, dtype=np.int64)
    if clusters_members is None or not len(clusters_members):
        return cluster_of, np.zeros(0, dtype=object)
    people = clusters_members[_equals(clusters_members, "node_type", "person")]
    number, cluster_ids = pd.factorize(people["cluster_id"].astype(str), sort=True)
    (position,) = _encode(view.id_array, [_column(people, "node_id")])
    keep = position >= 0
    cluster_of[position[keep]] = number[keep]
    return cluster_of, np.asarray(cluster_ids, dtype=object)
