"""Ties between people: which kinds there are, what each weighs, and the tie tables the analyses work on.

Two views of the person-person ties:

- ``weighted_ties``: one row per pair of people, the kinds of tie between
  them summed into a weight (``TIE_WEIGHTS``, or the job's
  ``network.tie_weights``): what clusters are found on and key people are
  measured on (betweenness over the distance 1 / weight);
- ``dated_ties``: one row per tie edge with its start date: what the care-move
  and reach analyses follow through time and across boundaries.

How ties are weighed. Nothing is cut by a fixed threshold: a weak tie makes a
long step, not a missing one. A contact tie weighs its count of contacts over
the median count of a person-person contact pair in the data in hand
(``contact_scale``), so a typical pair weighs 1 whatever the source's calling
habits (a wiretap of a few calls per pair, a download of hundreds). Going
missing together, shared identifiers and shared exploitation operations are
strong. An operation of n people ties each pair of its members with 1 / (n - 1)
of its weight: every member's ties through it add up to the same weight
whatever its size, so a 15-person phase is not a clique and a 100-person
operation still ties its members, weakly. A recorded association weighs its
``weight`` (``associations.weight``, 1 when not given) times its kind's weight
(``network.association_weights``). ``min_contacts`` and ``min_weight`` can
still cut light ties, when a job sets them; by default they cut nothing.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from ..._arrow import positions_in, strings
from ...build import PERSON_TIES, TIE_KINDS
from ...graph.kernels import distinct, pair_keys, sum_by_key
from .empty import light_contacts, plural
from .tables import seconds
from .view import NetworkLike, NetworkView, as_network, as_view

__all__ = [
    "TIE_TYPES",
    "TIE_WEIGHTS",
    "TIE_BITS",
    "STRONG_TIE",
    "Ties",
    "tie_weights",
    "contact_scale",
    "cut_notes",
    "DatedTies",
    "weighted_ties",
    "ties_for",
    "tied_people",
    "person_ties",
    "dated_ties",
]

#: the kinds of tie between two people
TIE_TYPES: tuple[str, ...] = TIE_KINDS
#: weight of one tie of each kind (the job's ``network.tie_weights`` overrides them)
TIE_WEIGHTS: dict[str, float] = {
    "event": 2.0,               # per shared exploitation operation (half for others), over (n - 1) for n people
    "co_missing": 2.0,          # per missing episode together, at most 3 counted
    "shared_identifier": 2.0,   # per phone / vehicle / handle held by both, at most 3 counted
    "contact": 1.0,             # x contacts / the median contacts of a person-person pair (``contact_scale``)
    "associate": 1.0,           # per recorded association, x its weight and its kind's weight
    "co_placed": 1.0,           # placed at one care setting at the same time
}
#: the bit of each kind of tie in ``Ties.bits``
TIE_BITS: dict[str, int] = {name: 1 << i for i, name in enumerate(TIE_TYPES)}
#: a tie at least this heavy is strong (what makes a cluster count as bridged by a key person)
STRONG_TIE = 2.0


def tie_weights(view: NetworkView) -> dict[str, float]:
    """The weight of one tie of each kind for this network: ``TIE_WEIGHTS`` with the job's overrides."""
    settings = getattr(view.network, "settings", None)
    return {**TIE_WEIGHTS, **dict(getattr(settings, "tie_weights", None) or {})}


def contact_scale(view: NetworkView) -> float:
    """The median count of contacts of a person-person contact pair in the view (1 when there is none)."""
    count = view.contacts[2]
    return float(np.median(count)) if len(count) else 1.0


@dataclass
class Ties:
    """Undirected weighted person-person ties over person codes (``a < b``, one row per pair, sorted)."""

    n: int               # people (codes below n)
    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray   # the kinds of tie summed (``TIE_WEIGHTS``): a tie's length in paths is 1 / weight
    bits: np.ndarray     # the kinds of tie present (``TIE_BITS``)
    cohesion: np.ndarray = None  # the weight communities are found on: a contact tie counts log2(1 + its weight)

    def kinds(self) -> np.ndarray:
        """The kinds of each tie as ``;``-joined text."""
        out = np.full(len(self.a), "", dtype=object)
        for name in sorted(TIE_BITS):
            has = (self.bits & TIE_BITS[name]) > 0
            out[has] = out[has] + name + ";"
        return np.array([t[:-1] for t in out], dtype=object)


def _kind_ties(view: NetworkView, kind: str,
               weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One kind of tie: (pair key, weight, cohesion), one row per pair."""
    n = view.n
    if kind == "contact":
        a, b, count = view.contacts
        key, weight = pair_keys(n, a, b, weights["contact"] * np.maximum(count, 0.0) / max(contact_scale(view), 1e-9))
        key, weight = sum_by_key(key, weight)
        return key, weight, np.log2(1.0 + weight)
    if kind == "event":
        key, weight = _event_ties(view, weights["event"])
        return key, weight, weight
    a, b, raw = view.edges[kind]
    if kind == "associate":
        key, weight = pair_keys(n, a, b, raw)
        key, weight = sum_by_key(key, weights["associate"] * weight)
        return key, weight, weight
    capped = kind in ("co_missing", "shared_identifier")
    key, weight = pair_keys(n, a, b, np.minimum(raw, 3.0) if capped else 1.0)
    key, weight = sum_by_key(key, weight)
    weight = weights[kind] * (np.minimum(weight, 3.0) if capped else np.ones(len(key)))
    return key, weight, weight


def _event_ties(view: NetworkView, event_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of people party to one operation, each with 1 / (n - 1) of its weight for an operation of n people."""
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
    base = np.where(exploit, event_weight, event_weight / 2)
    share = base / np.maximum(size - 1, 1)
    keep = (size > 1)[op]
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
    return sum_by_key(key, weight)


def _weighted_ties(view: NetworkView, ties: tuple[str, ...], min_weight: float) -> Ties:
    unknown = sorted(set(ties) - set(TIE_TYPES))
    if unknown:
        raise ValueError(f"unknown tie type(s) {', '.join(unknown)}; the types are {', '.join(TIE_TYPES)}")
    keys, weights, cohesions, bits = [], [], [], []
    per_kind = tie_weights(view)
    for kind in dict.fromkeys(ties):
        key, weight, cohesion = _kind_ties(view, kind, per_kind)
        keys.append(key)
        weights.append(weight)
        cohesions.append(cohesion)
        bits.append(np.full(len(key), TIE_BITS[kind], dtype=np.int64))
    n = view.n
    if not keys or not sum(len(k) for k in keys):
        empty = np.zeros(0, dtype=np.int64)
        return Ties(n, empty, empty, np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0))
    key, weight, cohesion, bit = sum_by_key(np.concatenate(keys), np.concatenate(weights),
                                            np.concatenate(cohesions), np.concatenate(bits))
    keep = (weight >= min_weight) & (weight > 0)
    key = key[keep]
    return Ties(n, key // n, key % n, weight[keep], bit[keep], cohesion[keep])


def weighted_ties(view: NetworkView, *, ties: tuple[str, ...] = TIE_TYPES, min_weight: float = 0.0) -> Ties:
    """The weighted person-person ties of the view (its ``min_contacts``), worked out once per view.

    ``ties``: the kinds used (``TIE_TYPES``); pairs lighter than ``min_weight``
    in total are left out (none by default). Complexity: O(T log T) for T tie
    rows (sorts by pair key), plus the pairs within each operation.
    """
    key = ("weighted_ties", tuple(ties), float(min_weight))
    if key not in view.memo:
        view.memo[key] = _weighted_ties(view, tuple(ties), min_weight)
    return view.memo[key]


def cut_notes(view: NetworkView, found: Ties, *, min_contacts: float, min_weight: float, setting: str,
              ties: tuple[str, ...] = TIE_TYPES) -> list[str]:
    """What ``min_contacts`` and ``min_weight`` removed, when a job set them (nothing is cut by default)."""
    notes = []
    if min_contacts > 0:
        total, light = light_contacts(view.network, min_contacts)
        if light:
            notes.append(f"{setting}.min_contacts {min_contacts:g} left out {light:,} of the "
                         f"{plural(total, 'person-to-person contact pair')} (those with fewer contacts)")
    if min_weight > 0:
        every = weighted_ties(view, ties=ties, min_weight=0.0)
        removed = len(every.a) - len(found.a)
        if removed:
            notes.append(f"{setting}.min_weight {min_weight:g} left out {removed:,} of the "
                         f"{plural(len(every.a), 'tie')} between people (those weighing less in all)")
    return notes


def person_ties(network: NetworkLike, *, ties: tuple[str, ...] = TIE_TYPES, min_contacts: float = 0,
                min_weight: float = 0.0) -> pd.DataFrame:
    """The weighted person-person ties clusters are found on: ``source, target, weight, ties``.

    One row per pair of people (``source < target``); ``weight`` sums the
    kinds of tie between them (``TIE_WEIGHTS``) and ``ties`` names them.
    Contacts below ``min_contacts`` and pairs lighter than ``min_weight`` are
    left out (none by default).
    """
    people = as_network(network).people
    if people is None or people.empty:
        return pd.DataFrame({"source": pd.Series(dtype=str), "target": pd.Series(dtype=str),
                             "weight": pd.Series(dtype=float), "ties": pd.Series(dtype=str)})
    view = as_view(network, min_contacts=min_contacts)
    found = weighted_ties(view, ties=ties, min_weight=min_weight)
    return pd.DataFrame({"source": view.ids[found.a], "target": view.ids[found.b], "weight": found.weight,
                         "ties": found.kinds()}).astype({"source": str, "target": str, "ties": str})


class DatedTies(NamedTuple):
    """Person-person tie edges as positions in ``network.people``, one row per edge, ``a != b``."""

    a: np.ndarray
    b: np.ndarray
    start: np.ndarray   # int64 seconds since 1970, ``UNDATED`` when the tie has no date
    kind: np.ndarray    # index into the ``ties`` asked for


def _reads_contacts(contacts, ties: tuple[str, ...]) -> bool:
    """Whether the contact ties are read from ``network.contacts`` (typed dates) rather than the edge table."""
    return ("contact" in ties and contacts is not None and len(contacts) > 0
            and {"source", "target", "source_type", "target_type", "first_date"} <= set(contacts.columns))


def _dated_ties(network, ties: tuple[str, ...]) -> DatedTies:
    contacts = network.contacts
    from_contacts = _reads_contacts(contacts, ties)
    parts = []  # (source, target, start, kind) of person-person rows
    edges = network.edges
    kinds = [t for t in ties if not (from_contacts and t == "contact")]
    mask = edges["edge_type"].isin(kinds).to_numpy()
    if mask.any():
        sub = edges.loc[mask, ["source", "target", "source_type", "target_type", "edge_type", "start"]]
        sub = sub[((sub["source_type"] == "person") & (sub["target_type"] == "person")).to_numpy()]
        parts.append((sub["source"], sub["target"], sub["start"], pd.Index(ties).get_indexer(sub["edge_type"])))
    if from_contacts:
        person = ((contacts["source_type"] == "person") & (contacts["target_type"] == "person")).to_numpy()
        pick = pa.array(person)
        parts.append((strings(contacts["source"]).filter(pick), strings(contacts["target"]).filter(pick),
                      contacts["first_date"].to_numpy()[person],
                      np.full(int(person.sum()), ties.index("contact"))))
    if not parts:
        empty = np.zeros(0, np.int64)
        return DatedTies(empty, empty, empty, empty)
    # one hash lookup for every end of every tie
    ends = pa.concat_arrays([strings(column) for part in parts for column in part[:2]])
    position = positions_in(ends, strings(network.people["entity_id"]), runs=True)
    sizes = np.repeat([len(part[3]) for part in parts], 2)
    pieces = np.split(position, np.cumsum(sizes)[:-1])
    a = np.concatenate(pieces[0::2])
    b = np.concatenate(pieces[1::2])
    start = np.concatenate([seconds(part[2]) for part in parts])
    kind = np.concatenate([np.asarray(part[3], dtype=np.int64) for part in parts])
    keep = (a >= 0) & (b >= 0) & (a != b)
    return DatedTies(a[keep], b[keep], start[keep], kind[keep])


def _view_dated_ties(view: NetworkView, ties: tuple[str, ...]) -> DatedTies | None:
    """``_dated_ties`` from the ids the view has already looked up (the same rows, in the same order), or None
    when the view does not hold them all: a kind it does not keep, contacts it left out, or people in
    another order than ``network.people``."""
    network = view.network
    contacts = network.contacts
    from_contacts = _reads_contacts(contacts, ties)
    kinds = [t for t in ties if not (from_contacts and t == "contact")]
    if (any(kind not in view.edge_rows for kind in kinds) or (from_contacts and not view.all_person_contacts)
            or not strings(network.people["entity_id"]).equals(view.id_array)):
        return None
    rows = np.concatenate([view.edge_rows[kind] for kind in kinds] + [np.zeros(0, dtype=np.int64)])
    order = np.argsort(rows, kind="stable")   # table order, as a mask over the edge types would give
    a = np.concatenate([view.edges[kind][0] for kind in kinds] + [np.zeros(0, dtype=np.int64)])[order]
    b = np.concatenate([view.edges[kind][1] for kind in kinds] + [np.zeros(0, dtype=np.int64)])[order]
    kind = np.concatenate([np.full(len(view.edge_rows[k]), ties.index(k)) for k in kinds]
                          + [np.zeros(0, dtype=np.int64)])[order]
    start = seconds(network.edges["start"].iloc[rows[order]]) if len(rows) else np.zeros(0, dtype=np.int64)
    if from_contacts:
        ca, cb, _ = view.contacts
        a, b = np.r_[a, ca], np.r_[b, cb]
        start = np.r_[start, seconds(contacts["first_date"].to_numpy()[view.contact_rows])]
        kind = np.r_[kind, np.full(len(ca), ties.index("contact"))]
    a, b, kind = a.astype(np.int64), b.astype(np.int64), kind.astype(np.int64)
    keep = (a >= 0) & (b >= 0) & (a != b)
    return DatedTies(a[keep], b[keep], start.astype(np.int64)[keep], kind[keep])


def dated_ties(network: NetworkLike, ties: tuple[str, ...] = PERSON_TIES) -> DatedTies:
    """Every person-person tie edge of the kinds ``ties`` with its start date, as positions in ``network.people``.

    Contact ties are read from ``network.contacts`` (the rows the contact
    edges are made from, with typed dates) rather than from the edge table's
    untyped ``start``, which is slow to parse at scale. Given a view, the
    result is kept in its ``memo`` for the next analysis. Complexity: one Arrow
    hash lookup over every tie end, O(T).
    """
    if isinstance(network, NetworkView):
        key = ("dated_ties", tuple(ties))
        if key not in network.memo:
            network.memo[key] = _view_dated_ties(network, tuple(ties)) or _dated_ties(network.network, tuple(ties))
        return network.memo[key]
    return _dated_ties(network, tuple(ties))


def ties_for(function, network: NetworkLike, **options) -> tuple[dict, NetworkView, Ties] | None:
    """What ``function(network, **options)`` will tie people with: its options with its defaults filled in,
    the view it will use and its weighted ties (None when the network has no people).

    For an analysis's ``start_*`` function, which starts the analysis's long graph computation in a worker
    before the analysis itself runs, on exactly the ties the analysis will use (``linkage.graph.background``).
    """
    bound = inspect.signature(function).bind(network, **options)
    bound.apply_defaults()
    chosen = dict(bound.arguments)
    people = as_network(network).people
    if people is None or people.empty:
        return None
    view = as_view(network, min_contacts=chosen["min_contacts"])
    return chosen, view, weighted_ties(view, ties=chosen["ties"], min_weight=chosen["min_weight"])


def tied_people(found: Ties) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The people with at least one of ``found``'s ties (sorted positions), and the ties' ends renumbered over
    them (``0 .. len(people) - 1``): the graph the community search and the betweenness run on."""
    nodes = np.flatnonzero(np.bincount(np.r_[found.a, found.b], minlength=found.n) > 0)
    local = np.full(found.n, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    return nodes, local[found.a], local[found.b]
