"""Key people: the people the network runs through, brokers between clusters, BCUs and forms of exploitation,
and vulnerable people.

Research on child-exploitation networks (Cockbain et al. 2011) warns that a
single measure misleads, so every row carries several:

- ``degree``: people tied to the person (the ties of ``core.person_ties``);
- ``strength``: the summed weight of those ties;
- ``betweenness``: share of shortest paths through the person over everyone
  tied to anyone, a tie's length being 1 / its weight (a strong tie is a
  short step, a weak one a long step; no tie is dropped), normalised as
  networkx does (``networkx.betweenness_centrality(G, weight=1/weight)``).
  Covert-network research (Morselli 2009) finds the coordinator high on
  betweenness rather than degree. Exact (Brandes 2001) up to
  ``EXACT_BETWEENNESS`` people; above that estimated from seeded random
  sources (Brandes and Pich 2007): ``betweenness_sample`` of them, or by
  default as many as keep the searches to about ``SAMPLE_BUDGET`` tie visits;
- ``brokerage``: distinct clusters among the person's ties, minus one (a
  perpetrator tied into three groups scores 2), with the clusters named in
  ``clusters_bridged``; a cluster counts when the person is tied to at least
  ``BRIDGE_MEMBERS`` of its members and those ties weigh at least
  ``STRONG_TIE``; ``bcus_bridged`` names the BCUs the person and their ties
  span when more than one; ``cse_cce_bridge`` is true when the person is tied
  both to people flagged for CSE and to people flagged for CCE (the two travel
  together);
- ``contacts_out``, ``contacts_in``, ``reciprocity``: from the direction of
  communications data (contract v1.1 keeps it): the people the person
  contacted, the people who contacted them, and the share of their contact
  ties that go both ways (empty with no contact of known direction; a
  ``sighting`` has none). A controller who is called but seldom calls back
  shows a low reciprocity;
- ``vulnerable_pattern``: the Neo4j POLE "vulnerable person" query: not a
  suspect or offender in any crime themselves, yet tied to at least
  ``vulnerable_min`` people who are (``n_crime_ties``).

``key_score`` is a blend led by betweenness (``KEY_WEIGHTS``, parts written
out in ``key_parts``): betweenness over the network's highest, times 6, plus
at most 5.5 for brokerage, BCUs spanned, the CSE/CCE bridge, a role, being at
risk and ties to suspects (each capped, ``KEY_CAPS``), so no broker on the
edge of the network outranks its most central person. Roles refine the
ranking, never gate it: a network with no roles at all still lists everyone
tied to anyone, ranked by structure.

Rows: everyone tied to anyone, and everyone with a role, in care or flagged;
ranked by ``key_score``, then betweenness, degree and id, and cut at ``limit``
rows (default ``DEFAULT_LIMIT``: a list a person can read; pass ``limit=None``
for all).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import str_series
from ..graph import betweenness_centrality, degree as node_degree
from ..graph.background import Background
from ..graph.kernels import pairs, sum_by_key
from .clusters import clusters
from .core import (
    NO_PEOPLE,
    ROLE_FIX,
    STRONG_TIE,
    TIE_TYPES,
    NetworkLike,
    as_network,
    as_view,
    contact_threshold_note,
    cut_notes,
    empty_table,
    joined,
    no_rows,
    person_clusters,
    person_detail,
    person_flags,
    plural,
    text_at,
    ties_for,
    tied_people,
    typed_table,
    weighted_ties,
    with_note,
)

__all__ = [
    "REQUIRES",
    "KEY_PEOPLE_COLUMNS",
    "KEY_WEIGHTS",
    "KEY_CAPS",
    "EXACT_BETWEENNESS",
    "SAMPLE_BUDGET",
    "SAMPLE_RANGE",
    "DEFAULT_LIMIT",
    "BRIDGE_MEMBERS",
    "key_people",
    "start_key_people",
]

#: input tables the analysis needs
REQUIRES: tuple[str, ...] = ("people",)

#: ``key_people.csv``: the contract's columns first, then the detail
KEY_PEOPLE_COLUMNS: dict[str, str] = {
    "entity_id": "str",
    "roles": "str",
    "degree": "int64",
    "betweenness": "float64",
    "brokerage": "int64",
    "clusters_bridged": "str",
    "bcus_bridged": "str",
    "cse_cce_bridge": "bool",
    "vulnerable_pattern": "bool",
    "n_crime_ties": "int64",
    "label": "str",
    "cluster_id": "str",
    "key_score": "float64",
    "strength": "float64",
    "key_parts": "str",
    "contacts_out": "int64",
    "contacts_in": "int64",
    "reciprocity": "float64",
}
#: ``key_score`` = sum of these weights times the person's measures (each capped at ``KEY_CAPS``)
KEY_WEIGHTS: dict[str, float] = {
    "betweenness": 6.0,        # x betweenness / the highest betweenness in the network (0 to 1): the largest part
    "brokerage": 1.0,          # per extra cluster bridged
    "bcus_bridged": 0.5,       # per extra BCU spanned
    "cse_cce_bridge": 0.5,
    "perpetrator": 0.5,        # a suspect or offender
    "at_risk": 0.5,            # a victim, looked after, or flagged for CSE or CCE
    "crime_ties": 0.1,         # per tie to a suspect or offender
}
#: the most of each measure counted in ``key_score``: all the parts but betweenness add up to at most 5.5,
#: below betweenness's 6, so a broker with no betweenness never outranks the most central person
KEY_CAPS: dict[str, float] = {"betweenness": 1.0, "brokerage": 2, "bcus_bridged": 2, "cse_cce_bridge": 1,
                              "perpetrator": 1, "at_risk": 1, "crime_ties": 10}
#: exact betweenness up to this many people in the risk subgraph, sampled above
EXACT_BETWEENNESS = 3000
#: sources sampled on bigger graphs: enough for about this many tie visits, within SAMPLE_RANGE sources
#: (a search visits every tie of its component twice: 16 sources on the large synthetic world's 1.4M ties)
SAMPLE_BUDGET = 40_000_000
SAMPLE_RANGE = (16, 256)
#: a cluster counts as bridged when the person is tied to at least this many of its members
BRIDGE_MEMBERS = 2
#: rows kept (the highest ranked)
DEFAULT_LIMIT = 10000


def key_people(network: NetworkLike, *, seed: int = 0, betweenness_sample: int | None = None,
               clusters_members: pd.DataFrame | None = None, vulnerable_min: int = 3,
               limit: int | None = DEFAULT_LIMIT, ties: tuple[str, ...] = TIE_TYPES, min_contacts: float = 0,
               min_weight: float = 0.0) -> pd.DataFrame:
    """Brokers, central people and vulnerable people, ranked (``key_people.csv``).

    Parameters
    ----------
    network : the built ``Network``, or its ``core.NetworkView``.
    seed : seed of the betweenness sample (and of the clusters, when they are worked out here).
    betweenness_sample : sources sampled for betweenness; by default exact up to
        ``EXACT_BETWEENNESS`` people with a tie, and above that enough sources for about
        ``SAMPLE_BUDGET`` tie visits (within ``SAMPLE_RANGE``).
    clusters_members : ``cluster_members.csv`` from ``clusters``; worked out when not given.
    vulnerable_min : ties to suspects or offenders that make the vulnerable pattern.
    limit : rows kept, highest ranked first (None: all).
    ties, min_contacts, min_weight : the ties used, as in ``clusters``.

    Returns
    -------
    One row per person (``KEY_PEOPLE_COLUMNS``), highest ``key_score`` first.

    Examples
    --------
    >>> table, members = clusters(network)                          # doctest: +SKIP
    >>> key_people(network, clusters_members=members).head()        # doctest: +SKIP
    """
    people = as_network(network).people
    if people is None or people.empty:
        return no_rows(empty_table(KEY_PEOPLE_COLUMNS), *NO_PEOPLE)
    view = as_view(network, min_contacts=min_contacts)
    found = weighted_ties(view, ties=ties, min_weight=min_weight)
    n = view.n
    if clusters_members is None:
        _, clusters_members = clusters(view, seed=seed, ties=ties, min_contacts=min_contacts, min_weight=min_weight)
    cluster_of, cluster_ids = person_clusters(view, clusters_members)

    flags = person_flags(view)

    # each tie counted at both its ends, without doubling the tie arrays (a county's millions of ties)
    a, b, w = found.a, found.b, found.weight

    def at_both_ends(at_b: np.ndarray, at_a: np.ndarray) -> np.ndarray:
        """Per person, the sum over their ties of the value at the other end."""
        return np.bincount(a, weights=at_b, minlength=n) + np.bincount(b, weights=at_a, minlength=n)

    degree = node_degree(n, a, b)

    # the POLE vulnerable-person pattern: suspects and offenders of crimes (any event when types are not recorded)
    part = view.participation
    criminal = np.zeros(n, dtype=bool)
    criminal[part.loc[part["perpetrator"].to_numpy() & part["crime"].to_numpy(), "person"].to_numpy()] = True
    n_crime_ties = at_both_ends(criminal[b].astype(np.float64), criminal[a].astype(np.float64)).astype(np.int64)
    vulnerable = ~criminal & (n_crime_ties >= vulnerable_min)

    # brokerage: distinct clusters the person's ties reach, counting a cluster when the person is tied to
    # BRIDGE_MEMBERS or more of its members with ties weighing STRONG_TIE or more in all
    n_c = max(len(cluster_ids), 1)
    cluster_a, cluster_b = cluster_of[a], cluster_of[b]
    into_b, into_a = cluster_b >= 0, cluster_a >= 0
    key, total, members = sum_by_key(np.concatenate([a[into_b] * n_c + cluster_b[into_b], b[into_a] * n_c + cluster_a[into_a]]),
                                     np.concatenate([w[into_b], w[into_a]]),
                                     np.ones(int(into_b.sum() + into_a.sum()), dtype=np.int64))
    strong = (total >= STRONG_TIE) & (members >= BRIDGE_MEMBERS)
    owner, bridged = key[strong] // n_c, key[strong] % n_c
    n_bridged = np.bincount(owner, minlength=n)
    brokerage = np.maximum(n_bridged - 1, 0)

    # BCUs spanned by the person and their ties
    bcu_code, bcu_names = pd.factorize(view.people["bcu"] if "bcu" in view.people else pd.Series([None] * n),
                                       sort=True)
    span_owner, span_bcu = _bcus_spanned(a, b, bcu_code, len(bcu_names))
    n_bcus = np.bincount(span_owner, minlength=n)

    cse, cce = flags["cse"].astype(np.float64), flags["cce"].astype(np.float64)
    cse_cce = (at_both_ends(cse[b], cse[a]) > 0) & (at_both_ends(cce[b], cce[a]) > 0)

    # betweenness over everyone tied to anyone, a tie's length 1 / its weight
    betweenness = np.zeros(n)
    nodes, arguments = _betweenness_inputs(found, seed=seed, betweenness_sample=betweenness_sample)
    if len(nodes) > 2:
        started = view.memo.pop(_betweenness_key(ties, min_weight, seed, betweenness_sample), None)
        found_betweenness = started.result() if started is not None else \
            betweenness_centrality(*arguments[0], **arguments[1])
        betweenness[nodes] = found_betweenness
    betweenness = np.round(betweenness, 12)
    strength = at_both_ends(w, w)
    contacts_out, contacts_in, reciprocity = _contact_direction(view)

    # which rows, and their order
    risk = flags["risk"]
    candidates = np.flatnonzero(risk | (degree > 0) | vulnerable)
    top = betweenness.max() if n else 0.0
    measures = {
        "betweenness": betweenness / top if top > 0 else np.zeros(n),
        "brokerage": brokerage,
        "bcus_bridged": np.maximum(n_bcus - 1, 0),
        "cse_cce_bridge": cse_cce,
        "perpetrator": flags["perpetrator"],
        "at_risk": flags["victim"] | flags["looked_after"] | flags["exploited"],
        "crime_ties": n_crime_ties,
    }
    score = np.zeros(n)
    counted = {}
    for name, value in measures.items():
        counted[name] = np.minimum(np.asarray(value, dtype=np.float64), KEY_CAPS[name])
        score += KEY_WEIGHTS[name] * counted[name]
    score = np.round(score, 9)
    # ids are sorted, so a person's code orders them by id
    order = candidates[np.lexsort((candidates, -degree[candidates], -betweenness[candidates], -score[candidates]))]
    if limit is not None:
        order = order[:limit]
    if not len(order):
        if len(candidates):
            return no_rows(empty_table(KEY_PEOPLE_COLUMNS), f"analyses.key_people.limit is {limit}",
                           "raise analyses.key_people.limit to list the key people")
        return no_rows(
            empty_table(KEY_PEOPLE_COLUMNS),
            f"no two of the {plural(n, 'person', 'people')} are tied, and nobody has a victim or perpetrator role, "
            f"is looked after or is flagged for CSE or CCE"
            + contact_threshold_note(view.network, min_contacts, "analyses.key_people"),
            "add contacts between people's identifiers, associations, events with the people in them, placements "
            "or missing episodes; " + ROLE_FIX + " to list people with no ties",
        )

    # text, for the rows shown only
    shown = np.full(n, -1, dtype=np.int64)
    shown[order] = np.arange(len(order))
    pick = shown[owner] >= 0
    bridged_text, _ = joined(shown[owner[pick]], cluster_ids[bridged[pick]] if len(cluster_ids)
                              else bridged[pick].astype(object), len(order))
    pick = shown[span_owner] >= 0
    bcus_text, _ = joined(shown[span_owner[pick]], np.asarray(bcu_names, dtype=object)[span_bcu[pick]]
                           if len(bcu_names) else span_bcu[pick].astype(object), len(order))
    own = cluster_of[order]
    table = pd.DataFrame({
        "entity_id": view.ids[order],
        "roles": str_series(person_detail(view.people, order)),
        "degree": degree[order],
        "betweenness": betweenness[order],
        "brokerage": brokerage[order],
        "clusters_bridged": np.where(n_bridged[order] > 1, bridged_text, ""),
        "bcus_bridged": np.where(n_bcus[order] > 1, bcus_text, ""),
        "cse_cce_bridge": cse_cce[order],
        "vulnerable_pattern": vulnerable[order],
        "n_crime_ties": n_crime_ties[order],
        "label": text_at(view.people, "label", order) if "label" in view.people else view.ids[order],
        "cluster_id": np.where(own >= 0, cluster_ids[np.maximum(own, 0)] if len(cluster_ids) else "", ""),
        "key_score": score[order],
        "strength": np.round(strength[order], 9),
        "key_parts": _parts(counted, order),
        "contacts_out": contacts_out[order],
        "contacts_in": contacts_in[order],
        "reciprocity": reciprocity[order],
    })
    table = typed_table(table, KEY_PEOPLE_COLUMNS)
    for note in cut_notes(view, found, min_contacts=min_contacts, min_weight=min_weight,
                          setting="analyses.key_people", ties=ties):
        table = with_note(table, note)
    if not flags["risk"].any():
        table = with_note(table, "nobody has a victim or perpetrator role, is looked after or is flagged for CSE or "
                                 "CCE, so key people are ranked by structure alone (betweenness, brokerage); roles would "
                                 "sharpen the ranking: " + ROLE_FIX)
    return table


def _betweenness_inputs(found, *, seed: int, betweenness_sample: int | None) -> tuple[np.ndarray, tuple]:
    """The people with a tie, and the arguments of ``betweenness_centrality`` over them: (args, kwargs)."""
    nodes, a, b = tied_people(found)
    k = betweenness_sample
    if k is None and len(nodes) > EXACT_BETWEENNESS:
        k = int(np.clip(SAMPLE_BUDGET // max(2 * len(found.a), 1), *SAMPLE_RANGE))
    return nodes, ((len(nodes), a, b), {"distance": 1.0 / found.weight, "k": k, "seed": seed})


#: people x BCUs held as a table of flags (no sort) up to this many cells; above it, distinct pairs by sorting
SPAN_TABLE_CELLS = 50_000_000


def _bcus_spanned(a: np.ndarray, b: np.ndarray, bcu: np.ndarray, n_bcus: int) -> tuple[np.ndarray, np.ndarray]:
    """(person, BCU) for each BCU a person or one of their ties is in, sorted by person then BCU."""
    n = len(bcu)
    if n * max(n_bcus, 1) > SPAN_TABLE_CELLS:
        return pairs(np.concatenate([a, b, np.arange(n)]), np.concatenate([bcu[b], bcu[a], bcu]), n_bcus)
    table = np.zeros((n, max(n_bcus, 1)), dtype=bool)
    for owner, other in ((a, b), (b, a), (np.arange(n), np.arange(n))):
        known = bcu[other] >= 0
        table[owner[known], bcu[other][known]] = True
    return np.nonzero(table)


def _betweenness_key(ties, min_weight, seed, betweenness_sample) -> tuple:
    return ("key people betweenness", tuple(ties), float(min_weight), seed, betweenness_sample)


def start_key_people(network: NetworkLike, background: Background, **options) -> None:
    """Start the betweenness of ``key_people(network, **options)`` in ``background``, so that ``key_people``
    with the same options waits for it instead of working it out itself (``linkage.graph.background``)."""
    started = ties_for(key_people, network, **options)
    if started is None:
        return
    o, view, found = started
    nodes, (args, kwargs) = _betweenness_inputs(found, seed=o["seed"], betweenness_sample=o["betweenness_sample"])
    if len(nodes) > 2:
        view.memo[_betweenness_key(o["ties"], o["min_weight"], o["seed"], o["betweenness_sample"])] = \
            background.submit(betweenness_centrality, *args, **kwargs)


def _contact_direction(view) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per person: people they contacted, people who contacted them, and the share of their contact ties that
    go both ways (NaN with no contact tie of known direction). Complexity O(contact ties)."""
    n = view.n
    a, b, _ = view.contacts
    from_a, from_b = view.contact_direction
    known = (a >= 0) & (b >= 0) & (from_a + from_b > 0)
    a, b, out_a, out_b = a[known], b[known], from_a[known] > 0, from_b[known] > 0

    def per_person(of_a: np.ndarray, of_b: np.ndarray) -> np.ndarray:
        return (np.bincount(a, weights=of_a.astype(np.float64), minlength=n)
                + np.bincount(b, weights=of_b.astype(np.float64), minlength=n)).astype(np.int64)

    made, received = per_person(out_a, out_b), per_person(out_b, out_a)
    both = out_a & out_b
    ties = per_person(np.ones(len(a), dtype=bool), np.ones(len(b), dtype=bool))
    mutual = per_person(both, both)
    with np.errstate(invalid="ignore", divide="ignore"):
        reciprocity = np.where(ties > 0, np.round(mutual / np.maximum(ties, 1), 6), np.nan)
    return made, received, reciprocity


def _parts(counted: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """``key_parts`` of ``rows``: each part of the score above 0 as ``name amountxweight``, in ``KEY_WEIGHTS`` order."""
    out = np.full(len(rows), "", dtype=object)
    for name, value in counted.items():
        amount = value[rows]
        text = np.array([f"{v:.4g}" for v in amount], dtype=object) if name == "betweenness" else \
            amount.astype(np.int64).astype(str).astype(object)
        out = out + np.where(amount > 0, "; " + name + " " + text + f"x{KEY_WEIGHTS[name]:g}", "")
    return np.array([t[2:] for t in out], dtype=object)
