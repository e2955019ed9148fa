"""Clusters: groups of people tied together, ranked by risk.

People are tied through co-placement, going missing together, phone contact,
shared phones or vehicles, recorded associations and taking part in the same
operation. The connected components of that network are one giant component
(family calls and friends join almost everyone), so clusters are communities.

How they are found, at any scale (a million records, millions of ties):

1. **Typed, weighted ties, none cut** (``core.weighted_ties``,
   ``core.TIE_WEIGHTS``; see ``core.ties``). Going missing together, shared
   identifiers and shared exploitation operations are strong; a contact tie
   weighs its contacts over the median pair's; an operation shares its weight
   out over its size. ``min_contacts`` and ``min_weight`` cut light ties only
   when a job sets them, and the run summary then says what they removed.
2. **Everyone with a tie takes part.** Roles refine, never gate: a network
   with no victims, perpetrators or flags still gives its clusters, ranked by
   structure (size), with a note that roles would sharpen the ranking.
3. **Communities** by ``linkage.graph.leiden_labels``: the Leiden method
   (Traag, Waltman and van Eck 2019, igraph's implementation), whose
   communities are always connected. It replaced the numpy Louvain method
   (``louvain_labels``, still the tests' cross-check): on the tie graphs
   clusters are found on, Leiden is faster, reaches a higher quality, and never
   leaves a community in disconnected parts, where Louvain did
   (``bench/community.py``; docs/performance.md). The quality optimised is the
   Constant Potts Model (CPM, Traag et al. 2011) rather than modularity:
   modularity's resolution limit merges small groups once the network is big
   (on the large synthetic world, modularity clusters hold several planted
   groups and hundreds of background people), and CPM's clusters do not depend
   on the size of the rest of the data, so a group looks the same in a
   county-wide run as in a one-BCU run. ``resolution`` is the least average tie
   weight per pair of members that holds a cluster together (a typical contact
   pair weighs 1). ``quality="modularity"`` is available.
4. Communities smaller than ``min_size`` are dropped.

Clusters are ranked by ``risk_score``, a weighted sum whose parts and weights
(``RISK_WEIGHTS``) are written out in ``risk_parts``, so every score can be
explained, then by size. The clusters are kept in the view's memo, so that
``key_people`` and ``business_targets`` on the same view reuse them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import str_series, strings
from ..graph import LEIDEN_ITERATIONS, leiden_labels
from ..graph.background import Background
from ..graph.kernels import dense
from .core import (
    NO_PEOPLE,
    ROLE_FIX,
    TIE_BITS,
    TIE_TYPES,
    NetworkLike,
    NetworkView,
    Ties,
    as_network,
    as_view,
    attached,
    contact_threshold_note,
    cut_notes,
    empty_table,
    flag,
    joined,
    no_rows,
    person_detail,
    person_flags,
    person_places,
    plural,
    text_at,
    ties_for,
    tied_people,
    typed_table,
    weighted_ties,
    with_note,
)

__all__ = ["REQUIRES", "CLUSTER_COLUMNS", "MEMBER_COLUMNS", "RISK_WEIGHTS", "SINGLE_PASS_TIES", "clusters", "leiden_passes",
           "start_clusters"]

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


#: the least value of an option above 0 (``analyses.clusters`` in the config is checked against it)
OPTION_LOWEST = {"passes": 1}

#: tie graphs with more ties than this get one Leiden pass, whatever ``passes`` asks (``single_pass_ties``):
#: a second pass costs about 2 s CPU per million ties (15 s on the large synthetic world's 7.3M) for about
#: 0.25 % more quality and, measured there, the same planted groups found (docs/performance.md)
SINGLE_PASS_TIES = 2_000_000


def leiden_passes(passes: int, ties: int, single_pass_ties: int) -> int:
    """The Leiden passes run on a tie graph of ``ties`` ties: ``passes``, or 1 above ``single_pass_ties``
    (0: no limit)."""
    return 1 if 0 < single_pass_ties < ties else int(passes)


def _passes_note(passes: int, ties: int, single_pass_ties: int) -> str | None:
    """What the one-pass limit changed, for the clusters table's notes (None when it changed nothing)."""
    if leiden_passes(passes, ties, single_pass_ties) == passes:
        return None
    return (f"one Leiden pass instead of {passes}: the tie graph has {ties:,} ties, more than "
            f"analyses.clusters.single_pass_ties ({single_pass_ties:,}); a second pass would add about "
            f"{2 * ties / 1e6:.0f} s CPU for a slightly better partition (set single_pass_ties: 0 to run every pass)")


def _leiden_inputs(found: Ties) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The people with a tie, and the ties numbered over them: (people, a, b, cohesion weight)."""
    return *tied_people(found), found.cohesion


def _membership_key(ties, min_weight, seed, resolution, quality, passes) -> tuple:
    return ("cluster labels", tuple(ties), float(min_weight), seed, float(resolution), quality, int(passes))


def start_clusters(network: NetworkLike, background: Background, **options) -> None:
    """Start the community search of ``clusters(network, **options)`` in ``background``, so that ``clusters``
    with the same options waits for it instead of searching itself (``linkage.graph.background``)."""
    started = ties_for(clusters, network, **options)
    if started is None:
        return
    o, view, found = started
    nodes, la, lb, w = _leiden_inputs(found)
    passes = leiden_passes(o["passes"], len(la), o["single_pass_ties"])
    view.memo[_membership_key(o["ties"], o["min_weight"], o["seed"], o["resolution"], o["quality"], passes)] = \
        background.submit(leiden_labels, len(nodes), la, lb, w, seed=o["seed"], resolution=o["resolution"],
                          quality=o["quality"], passes=passes)


def _membership(view: NetworkView, found: Ties, *, ties, min_weight: float, seed: int, min_size: int,
                resolution: float, quality: str, passes: int) -> np.ndarray:
    """Cluster number of every person (-1: in no cluster of ``min_size`` or more), numbered by smallest person."""
    nodes, la, lb, w = _leiden_inputs(found)
    started = view.memo.pop(_membership_key(ties, min_weight, seed, resolution, quality, passes), None)
    if started is not None:
        labels = started.result()
    else:
        labels = leiden_labels(len(nodes), la, lb, w, seed=seed, resolution=resolution, quality=quality,
                               passes=passes)
    big = np.bincount(labels, minlength=len(nodes))[labels] >= min_size
    out = np.full(found.n, -1, dtype=np.int64)
    if big.any():
        out[nodes[big]] = dense(labels[big])
    return out


def clusters(network: NetworkLike, *, seed: int = 0, ties: tuple[str, ...] = TIE_TYPES, min_size: int = 3,
             min_contacts: float = 0, min_weight: float = 0.0, resolution: float = 0.3,
             quality: str = "cpm", passes: int = LEIDEN_ITERATIONS,
             single_pass_ties: int = SINGLE_PASS_TIES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Groups of people tied together, ranked by risk: (``clusters.csv``, ``cluster_members.csv``).

    Parameters
    ----------
    network : the built ``Network``, or its ``core.NetworkView`` (the clusters are then kept in its memo).
    seed : seed of the community search; the same network and seed give the same clusters.
    ties : the kinds of tie used (``TIE_TYPES``).
    min_size : the fewest people a cluster holds.
    min_contacts : contact counts below this are not used (none by default; what it removes is noted).
    min_weight : pairs tied more lightly than this in total are dropped before the search (none by default).
    resolution : with ``quality="cpm"`` the least average tie weight per pair of members that
        holds a cluster together (higher: smaller, tighter clusters); with ``"modularity"`` the usual
        modularity resolution.
    quality : ``"cpm"`` (Constant Potts Model, the default) or ``"modularity"``; see the module notes.
    passes : runs of the Leiden method, each from the last one's clusters (``leiden_labels``): 1 is
        faster, 2 (the default, igraph's) a little better; docs/performance.md has the trade on 1M people.
    single_pass_ties : tie graphs with more ties than this get one pass (``SINGLE_PASS_TIES``; 0: no limit),
        said in the clusters table's notes.

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
    people = as_network(network).people
    if people is None or people.empty:
        why, fix = NO_PEOPLE
        return no_rows(empty_table(CLUSTER_COLUMNS), why, fix), no_rows(empty_table(MEMBER_COLUMNS), why, fix)
    view = as_view(network, min_contacts=min_contacts)
    found = weighted_ties(view, ties=ties, min_weight=min_weight)
    run_passes = leiden_passes(passes, len(found.a), single_pass_ties)
    key = ("clusters", tuple(ties), float(min_weight), seed, min_size, float(resolution), quality, run_passes)
    if key not in view.memo:
        cluster_of = _membership(view, found, ties=ties, min_weight=min_weight, seed=seed, min_size=min_size,
                                 resolution=resolution, quality=quality, passes=run_passes)
        table, members = _cluster_tables(view, found, cluster_of, view.network.operations)
        if table.empty:
            why, fix = _why_no_clusters(view, found, min_size=min_size, min_contacts=min_contacts,
                                        min_weight=min_weight, resolution=resolution)
            table, members = no_rows(table, why, fix), no_rows(members, why, fix)
        else:
            for note in cut_notes(view, found, min_contacts=min_contacts, min_weight=min_weight,
                                  setting="analyses.clusters"):
                table = with_note(table, note)
            passes_note = _passes_note(passes, len(found.a), single_pass_ties)
            if passes_note:
                table = with_note(table, passes_note)
            if not person_flags(view)["risk"].any():
                table = with_note(table, "nobody has a victim or perpetrator role, is looked after or is flagged for "
                                         "CSE or CCE, so clusters are ranked by structure alone (size); roles would rank them by risk: "
                                         + ROLE_FIX)
        view.memo[key] = table, members
    table, members = view.memo[key]
    return table.copy(), members.copy()


def _why_no_clusters(view: NetworkView, found: Ties, *, min_size: int, min_contacts: float,
                     min_weight: float, resolution: float) -> tuple[str, str]:
    """Why no cluster came out: no ties at all, or no community big enough to hold together."""
    setting = "analyses.clusters"
    contact_note = contact_threshold_note(view.network, min_contacts, setting)
    if not len(found.a):
        why = (f"no two of the {plural(view.n, 'person', 'people')} are tied: there are no co-placements, missing "
               f"episodes together, shared identifiers, contacts between people, associations or shared operations"
               + contact_note)
        fix = (f"lower {setting}.min_contacts (now {min_contacts:g}) or {setting}.min_weight (now {min_weight:g})"
               if contact_note or min_weight > 0 else
               "add placements, missing episodes, identifiers with contacts, associations or events")
        return why, fix
    return (f"no community of {min_size} or more of the {plural(view.n, 'person', 'people')} holds together "
            f"({plural(len(found.a), 'tie')} between people)" + contact_note,
            f"lower {setting}.min_size (now {min_size}) or {setting}.resolution (now {resolution:g}: the least "
            f"average tie weight per pair of members, a typical contact pair weighing 1)")


def _cluster_tables(view: NetworkView, found: Ties, cluster_of: np.ndarray,
                    operations: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    person = np.flatnonzero(cluster_of >= 0)
    if not len(person):
        return empty_table(CLUSTER_COLUMNS), empty_table(MEMBER_COLUMNS)
    people = view.people
    cluster = cluster_of[person]
    n_clusters = int(cluster.max()) + 1

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cluster, weights=mask[person].astype(np.float64), minlength=n_clusters).astype(np.int64)

    flags = person_flags(view)
    size = np.bincount(cluster, minlength=n_clusters)
    victims = count(flags["victim"])
    perpetrators = count(flags["perpetrator"])
    looked_after = count(flags["looked_after"])
    exploited = count(flags["exploited"])
    has_cse = count(flags["cse"]) > 0
    has_cce = count(flags["cce"]) > 0
    out_of_force = count(flags["out_of_force"]) > 0
    bcus, n_bcus = joined(cluster, text_at(people, "bcu", person), n_clusters)
    forces, _ = joined(cluster, text_at(people, "force", person), n_clusters)
    categories = np.where(has_cse & has_cce, "CCE;CSE", np.where(has_cse, "CSE", np.where(has_cce, "CCE", "")))

    # pairs of members who went missing together
    ca = cluster_of[found.a]
    together = (ca >= 0) & (ca == cluster_of[found.b]) & ((found.bits & TIE_BITS["co_missing"]) > 0)
    missing_pairs = np.bincount(ca[together], minlength=n_clusters)

    # places and operations linked to two or more members
    places = view.places
    n_places = len(view.place_ids)
    link_person, link_place = person_places(view)
    place_cluster, place = attached(cluster_of, link_person, link_place, n_places)
    care = flag(places, "is_care_setting")[place] if n_places else np.zeros(0, dtype=bool)
    business = flag(places, "is_business")[place] if n_places else np.zeros(0, dtype=bool)
    nte = business & (flag(places, "night_time_economy")[place] if n_places else business)
    care_settings = np.bincount(place_cluster[care], minlength=n_clusters)
    businesses = np.bincount(place_cluster[business], minlength=n_clusters)
    nte_businesses = np.bincount(place_cluster[nte], minlength=n_clusters)
    part = view.participation
    op_cluster, op = attached(cluster_of, part["person"].to_numpy(), part["operation"].to_numpy(),
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
    category = strings(places["category"]) if n_places else pa.array([], type=pa.large_string())
    parts = [  # (cluster rank, node code, node ids, details)
        (rank[cluster], person, view.id_array, person_detail(people, person)),
        (rank[place_cluster[shown]], place[shown], view.place_array, category.take(pa.array(place[shown]))),
        (rank[op_cluster], op, view.operation_array, strings(operation_detail[op])),
    ]
    ranks = np.concatenate([p[0] for p in parts]).astype(np.int64)
    kinds = np.concatenate([np.full(len(p[1]), i, dtype=np.int64) for i, p in enumerate(parts)])
    codes = np.concatenate([p[1] for p in parts]).astype(np.int64)
    order = pa.array(np.lexsort((codes, kinds, ranks)))
    node_ids = pa.concat_arrays([ids.take(pa.array(c, type=pa.int64())) for _, c, ids, _ in parts])
    details = pa.concat_arrays([d.cast(pa.large_string()) for *_, d in parts])
    member_table = pd.DataFrame({
        "cluster_id": str_series(strings(cluster_ids).take(pa.array(ranks)).take(order)),
        "node_id": str_series(node_ids.take(order)),
        "node_type": str_series(pa.array(["person", "place", "operation"], type=pa.large_string())
                                 .take(pa.array(kinds)).take(order)),
        "detail": str_series(pc.fill_null(details.take(order), "")),
    })
    return typed_table(table, CLUSTER_COLUMNS), typed_table(member_table, MEMBER_COLUMNS)
