"""Candidate links: pairs of people tied by the data but never recorded as associated.

Intelligence development starts from the ties nobody has written down: two
people holding the same burner phone, a child found with an adult on a
missing episode, children placed in one home, people who call the same
circle of numbers. Each pair gets a score so that an analyst reads the
strongest first, and a vulnerable person tied to a perpetrator ranks up.

Score (``WEIGHTS``), a sum over the reasons a pair has:

- ``shared_identifier``: 3 (the same phone, vehicle or handle; identifiers
  held by more than the network's ``max_identifier_holders`` people are
  infrastructure and were never turned into ties);
- ``found_with``: 3 (one person's missing episode names the other in found_with);
- ``co_placed``: 1 + overlap days / 90, the days part capped at 2;
- ``common_contacts``: 0.5 per contact in common, capped at 3 (six
  contacts); counted over each person's ``max_contacts`` (10) strongest
  contacts, which keeps hubs from tying everyone to everyone;
- plus ``risk_bonus`` (default 2) when one of the two is vulnerable (a
  victim, looked after, or flagged ``cse_risk`` / ``cce_risk``) and the
  other a perpetrator (a suspect or offender): ``risk_pair`` is then true.
  Someone recorded as both (an older victim drawn into exploiting others)
  counts on either side. A child tied to a perpetrator by one identifier
  (3 + 2) outranks two adults sharing a car (3), and a child-perpetrator
  pair with contacts in common as well reaches the top.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import positions_in, positions_in_each, strings
from ..build import Network
from ..graph.kernels import distinct, member, rank_in_runs
from .core import NetworkLike, NetworkView, as_network, empty_table, no_rows, plural

__all__ = ["REQUIRES", "COLUMNS", "REASONS", "WEIGHTS", "candidate_links", "common_contacts"]

#: input tables the analysis needs; identifiers, contacts, missing_episodes and placements each add a reason
REQUIRES: tuple[str, ...] = ("people",)

#: output columns of ``candidate_links.csv``; the first four are the data contract's
COLUMNS = ["entity_id_a", "entity_id_b", "reason", "score", "evidence", "role_a", "role_b", "risk_pair",
           "n_common_contacts"]
#: the reasons, in the order ``reason`` lists them
REASONS = ("shared_identifier", "found_with", "co_placed", "common_contacts")
#: the score of each piece of evidence (see the module docstring)
WEIGHTS = {
    "shared_identifier": 3.0,
    "found_with": 3.0,
    "co_placed": 1.0,
    "co_placed_per_90_days": 1.0,
    "co_placed_days_cap": 2.0,
    "common_contact": 0.5,
    "common_contacts_cap": 3.0,
}
_TYPES = {"score": "float64", "risk_pair": "bool", "n_common_contacts": "int64"}
#: bits of the contact strength in the packed (person, strength, contact) sort key of ``common_contacts``
_COUNT_BITS = 15


def _empty() -> pd.DataFrame:
    return empty_table({c: _TYPES.get(c, "str") for c in COLUMNS})


def _more(extra: np.ndarray) -> pd.Series:
    """The text ' and 2 more' where ``extra`` is 2, and so on; '' where it is 0."""
    text = pd.Series(extra, dtype="int64").astype("str")
    return pd.Series(np.where(extra > 0, " and " + text + " more", ""), dtype="str")


def common_contacts(source: np.ndarray, target: np.ndarray, count: np.ndarray, *, n_people: int,
                    min_common: int = 3, max_contacts: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of people (integer codes ``a < b``) with at least ``min_common`` contacts in common.

    ``source``/``target`` are the person-person contact edges, one row per
    pair of people (as ``Network.contacts`` holds them), coded below
    ``n_people``; ``count`` their strength. Each person passes on only their
    ``max_contacts`` strongest contacts (ties broken by code): a person with
    hundreds of contacts (a hub, a shared work phone) would otherwise make
    every pair of them "share a contact", and the work would grow with the
    square of the degree. The self-join of the capped edges on the contact
    in the middle yields at most ``n_people * max_contacts**2 / 2`` pairs,
    counted by one sort. Returns ``(a, b, n_common)``.
    """
    empty = np.empty(0, dtype=np.int64)
    keep = source != target
    if not keep.any() or max_contacts < 2:
        return empty, empty, empty
    source, target, count = source[keep], target[keep], count[keep]
    bits = max(int(n_people - 1).bit_length(), 1)
    mask = (1 << bits) - 1
    middle = np.concatenate([source, target]).astype(np.int64)
    other = np.concatenate([target, source]).astype(np.int64)
    top = (1 << _COUNT_BITS) - 1
    weakness = top - np.clip(np.concatenate([count, count]).astype(np.int64), 0, top)
    # each person's contacts, strongest first (ties by code): one packed int64 sort when the codes fit
    if 2 * bits + _COUNT_BITS <= 63:
        key = np.sort((middle << (_COUNT_BITS + bits)) | (weakness << bits) | other)
        middle, other = key >> (_COUNT_BITS + bits), key & mask
    else:
        order = np.lexsort((other, weakness, middle))
        middle, other = middle[order], other[order]
    kept = rank_in_runs(middle) < max_contacts
    # the kept contacts of each person in code order, so that every pair comes out as (low, high)
    key = np.sort((middle[kept] << bits) | other[kept])
    middle, other = key >> bits, key & mask
    rank = rank_in_runs(middle)
    lengths = np.diff(np.r_[np.flatnonzero(rank == 0), len(rank)])
    after = np.repeat(lengths, lengths) - 1 - rank  # how many later contacts share the list
    chunks = []
    for step in range(1, max_contacts):  # pairs (i, i + step) within a list: a loop over steps, never rows
        at = np.flatnonzero(after >= step)
        chunks.append((other[at] << bits) | other[at + step])
    pairs = np.sort(np.concatenate(chunks))
    if len(pairs) == 0:
        return empty, empty, empty
    boundary = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1], True])
    runs = np.diff(boundary)
    hit = runs >= min_common
    found = pairs[boundary[:-1][hit]]
    return found >> bits, found & mask, runs[hit].astype(np.int64)


def _pairs_of(codes_a: np.ndarray, codes_b: np.ndarray, n: int) -> np.ndarray:
    """Unordered pair keys (self-pairs become -1)."""
    lo, hi = np.minimum(codes_a, codes_b), np.maximum(codes_a, codes_b)
    return np.where(lo == hi, -1, lo * n + hi)


def _code_space(columns: list) -> tuple[pa.Array, list[np.ndarray]]:
    """One integer code per distinct id across ``columns``, numbered in id order (so code order is id order).

    One Arrow dictionary encoding over all the columns as chunks (no copy
    into one array); the hashing of the contacts' ids is most of the cost.
    """
    arrays = [strings(c) for c in columns]
    present = [a for a in arrays if len(a)]
    if not present:
        return strings([]), [np.empty(0, dtype=np.int64) for _ in arrays]
    encoded = pc.dictionary_encode(pa.chunked_array(present, type=pa.large_string()))
    dictionary = encoded.chunks[-1].dictionary  # every chunk carries the whole dictionary
    order = pc.sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    chunks = iter(encoded.chunks)
    codes = [rank[next(chunks).indices.to_numpy(zero_copy_only=False)] if len(a) else np.empty(0, dtype=np.int64)
             for a in arrays]
    return dictionary.take(pa.array(order)), codes


def _view_code_space(view: NetworkView | None, holders: list) -> tuple[pa.Array, list[np.ndarray]] | None:
    """``_code_space`` over every person of the view (codes in id order, as there), with the contacts' codes
    the view has already looked up; None when the view has left contacts out or an id is not one of its
    people (a record the resolution did not see). The pairs, and so the table, are the same either way."""
    if view is None or not view.all_person_contacts:
        return None
    *others, contacts = holders
    codes = positions_in_each([frame[side] for frame in others for side in ("a", "b")], view.id_array)
    codes += [view.contacts[0], view.contacts[1]]
    if any((c < 0).any() for c in codes) or len(codes[-1]) != len(contacts["a"]):
        return None
    return view.id_array, codes


def _evidence(network: Network) -> tuple[dict[str, pd.DataFrame], dict[str, pd.Series], dict[str, object]]:
    """The tied pairs of each reason (a, b and details), the associate pairs and the person-person contacts.

    Ids stay Arrow strings throughout: turning millions of them into Python
    objects would cost more than the analysis.
    """
    edges = network.edges
    kinds = strings(edges["edge_type"]) if len(edges) else strings([])
    rows = {t: np.flatnonzero(pc.equal(kinds, t).to_numpy(zero_copy_only=False)) if len(edges) else np.empty(0, np.int64)
            for t in ("shared_identifier", "co_placed", "found_with", "associate")}

    def take(edge_type: str, column: str) -> pd.Series:
        return edges[column].take(rows[edge_type]).reset_index(drop=True)

    parts = {
        "shared_identifier": pd.DataFrame({"a": take("shared_identifier", "source"), "b": take("shared_identifier", "target"),
                                           "n": take("shared_identifier", "weight"), "via": take("shared_identifier", "via"),
                                           "kind": take("shared_identifier", "kind")}),
        "found_with": pd.DataFrame({"a": [], "b": [], "via": []}, dtype="str"),
        "co_placed": pd.DataFrame({"a": take("co_placed", "source"), "b": take("co_placed", "target"),
                                   "days": take("co_placed", "weight"), "via": take("co_placed", "via")}),
    }
    episodes = network.episodes
    if len(rows["found_with"]) and len(episodes):
        episode = take("found_with", "source")
        at = positions_in(episode, episodes["episode_id"])
        known = at >= 0
        parts["found_with"] = pd.DataFrame({"a": episodes["entity_id"].take(at[known]).reset_index(drop=True),
                                            "b": take("found_with", "target")[known].reset_index(drop=True),
                                            "via": episode[known].reset_index(drop=True)})
    associates = {"a": take("associate", "source"), "b": take("associate", "target")}
    contacts = network.contacts
    if len(contacts):
        person = pc.and_(pc.equal(strings(contacts["source_type"]), "person"),
                         pc.equal(strings(contacts["target_type"]), "person"))
        count = pd.to_numeric(contacts["count"]).to_numpy(dtype="float64", na_value=1.0)
        tied = {"a": pc.filter(strings(contacts["source"]), person), "b": pc.filter(strings(contacts["target"]), person),
                "count": count[person.to_numpy(zero_copy_only=False)]}
    else:
        tied = {"a": strings([]), "b": strings([]), "count": np.zeros(0)}
    return parts, associates, tied


def _people_flags(network: Network, ids: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code: role (text), vulnerable (victim, looked after, or flagged cse_risk / cce_risk), perpetrator."""
    people = network.people
    at = positions_in(ids, people["entity_id"]) if len(people) else np.full(len(ids), -1)
    known = at >= 0

    def column(name: str, fill):
        values = people[name].fillna(fill).to_numpy(dtype=object if isinstance(fill, str) else bool) \
            if name in people else np.full(len(people), fill)
        out = np.full(len(ids), fill, dtype=object if isinstance(fill, str) else bool)
        out[known] = values[at[known]]
        return out

    # not the ``exploitation`` column: it also marks the perpetrators of CSE/CCE events
    flags = pd.Series(column("flags", ""), dtype="str")
    at_risk = (flags.str.contains("cse_risk", regex=False) | flags.str.contains("cce_risk", regex=False)).to_numpy(dtype=bool)
    vulnerable = column("is_victim", False) | column("looked_after", False) | at_risk
    return column("role", ""), vulnerable, column("is_perpetrator", False)


def _why_no_candidates(found: dict[str, int], associated: int, contact_ties: int, min_common: int,
                       max_contacts: int) -> tuple[str, str]:
    """Why no pair came out: each kind of evidence, how many pairs it tied, and the recorded associations."""
    shown = {"shared_identifier": "share an identifier", "found_with": "were found together",
             "co_placed": "were placed together",
             "common_contacts": f"have {min_common} or more contacts in common"}
    counts = ", ".join(f"{plural(found.get(reason, 0), 'pair')} {text}" for reason, text in shown.items())
    recorded = f"; all {plural(associated, 'pair')} tied are already recorded in associations" if any(found.values()) else ""
    return (f"nothing ties two people who are not already recorded as associates: {counts} "
            f"(over {plural(contact_ties, 'person-to-person contact tie')}){recorded}",
            "add identifiers with contacts, placements or missing_episodes.found_with; "
            f"analyses.candidate_links.min_common_contacts (now {min_common}) and max_contacts (now {max_contacts}, "
            "the strongest contacts of each person compared) set when contacts in common count")


def candidate_links(network: NetworkLike, *, min_common_contacts: int = 3, max_contacts: int = 10,
                    risk_bonus: float = 2.0) -> pd.DataFrame:
    """Pairs of people with no ``associate`` edge who share an identifier, a found-with, a placement or contacts.

    ``reason`` lists the reasons (``REASONS`` order, ``;``-joined); ``score``
    is their weighted sum plus ``risk_bonus`` for a vulnerable person tied
    to a perpetrator (``risk_pair``; see the module docstring); ``evidence``
    names the identifier, the episode and the setting, and how many contacts.
    Contacts in common are counted in the person-person contact graph over
    each person's ``max_contacts`` strongest contacts (``common_contacts``),
    and count from ``min_common_contacts`` up. Sorted by score (highest
    first), then by the ids. Empty, with the same columns, when nothing ties
    two people.

    Complexity: O(E log E) for E person-person contacts, plus
    O(P * max_contacts**2) contact pairs for P people with contacts.
    """
    view = network if isinstance(network, NetworkView) else None
    network = as_network(network)
    parts, associates, contacts = _evidence(network)
    holders = [*parts.values(), associates, contacts]
    ids, codes = _view_code_space(view, holders) or _code_space([frame[side] for frame in holders for side in ("a", "b")])
    n = len(ids)
    if n < 2:
        return no_rows(_empty(), *_why_no_candidates({}, 0, 0, min_common_contacts, max_contacts))
    codes = iter(codes)
    pair_keys = [_pairs_of(next(codes), next(codes), n) for _ in holders]
    for frame, key in zip(parts.values(), pair_keys):
        frame["key"] = key
    associated = distinct(pair_keys[-2])
    tied = pair_keys[-1] >= 0
    a, b, n_common = common_contacts(pair_keys[-1][tied] // n, pair_keys[-1][tied] % n,
                                     np.rint(contacts["count"][tied]).astype(np.int64), n_people=n,
                                     min_common=min_common_contacts, max_contacts=max_contacts)
    parts["common_contacts"] = pd.DataFrame({"key": a * n + b, "n": n_common})
    found = {}
    for reason, frame in parts.items():
        key = frame["key"].to_numpy(dtype=np.int64)
        found[reason] = len(distinct(key[key >= 0]))
        parts[reason] = frame[(key >= 0) & ~member(key, associated)]
    keys = distinct(np.concatenate([f["key"].to_numpy(dtype=np.int64) for f in parts.values()]))
    if len(keys) == 0:
        return no_rows(_empty(), *_why_no_candidates(found, len(associated), int(tied.sum()), min_common_contacts,
                                                     max_contacts))

    # one row per pair: each reason adds its points and a piece of evidence
    score = np.zeros(len(keys))
    n_contacts = np.zeros(len(keys), dtype=np.int64)
    reasons: list[pa.Array] = []
    evidence: list[pa.Array] = []

    def add(frame: pd.DataFrame, reason: str, points, text: pd.Series) -> np.ndarray:
        at = np.searchsorted(keys, frame["key"].to_numpy(dtype=np.int64))
        score[at] += points
        full = np.full(len(keys), None, dtype=object)
        full[at] = text.to_numpy(dtype=object)
        hit = np.zeros(len(keys), dtype=bool)
        hit[at] = True
        reasons.append(strings(np.where(hit, reason, None)))
        evidence.append(strings(full))
        return at

    frame = parts["shared_identifier"]
    if len(frame):
        frame = frame.sort_values(["key", "via"]).groupby("key", as_index=False, sort=True).agg(
            n=("n", "sum"), via=("via", "first"), kind=("kind", "first"))
        kind = frame["kind"].fillna("identifier").astype("str").str.replace(";", "/", regex=False)
        text = "shared " + kind + " " + frame["via"].astype("str") + _more(frame["n"].to_numpy(dtype=np.int64) - 1).to_numpy()
        add(frame, "shared_identifier", WEIGHTS["shared_identifier"], text)
    frame = parts["found_with"]
    if len(frame):
        frame = frame.sort_values(["key", "via"]).groupby("key", as_index=False, sort=True).agg(
            n=("via", "nunique"), via=("via", "first"))
        text = "found together on episode " + frame["via"].astype("str") + _more(frame["n"].to_numpy() - 1).to_numpy()
        add(frame, "found_with", WEIGHTS["found_with"], text)
    frame = parts["co_placed"]
    if len(frame):
        frame = frame.sort_values(["key", "via"]).groupby("key", as_index=False, sort=True).agg(
            days=("days", "sum"), via=("via", "first"), n=("via", "nunique"))
        days = frame["days"].to_numpy(dtype=float)
        points = WEIGHTS["co_placed"] + np.minimum(days / 90.0 * WEIGHTS["co_placed_per_90_days"],
                                                   WEIGHTS["co_placed_days_cap"])
        text = ("placed together at " + frame["via"].astype("str") + _more(frame["n"].to_numpy() - 1).to_numpy()
                + " for " + pd.Series(np.rint(days).astype(np.int64)).astype("str").to_numpy() + " days")
        add(frame, "co_placed", points, text)
    frame = parts["common_contacts"]
    if len(frame):
        common = frame["n"].to_numpy(dtype=np.int64)
        points = np.minimum(common * WEIGHTS["common_contact"], WEIGHTS["common_contacts_cap"])
        at = add(frame, "common_contacts", points, pd.Series(common).astype("str") + " contacts in common")
        n_contacts[at] = common

    low, high = keys // n, keys % n
    role, vulnerable, perpetrator = _people_flags(network, ids)
    risk = (vulnerable[low] & perpetrator[high]) | (perpetrator[low] & vulnerable[high])
    score = np.round(score + np.where(risk, risk_bonus, 0.0), 6)
    order = np.lexsort((high, low, -score))
    take = pa.array(order)
    return pd.DataFrame({
        "entity_id_a": pd.array(ids.take(pa.array(low[order])), dtype="str"),
        "entity_id_b": pd.array(ids.take(pa.array(high[order])), dtype="str"),
        "reason": pd.array(pc.binary_join_element_wise(*reasons, strings([";"])[0], null_handling="skip").take(take), dtype="str"),
        "score": score[order],
        "evidence": pd.array(pc.binary_join_element_wise(*evidence, strings(["; "])[0], null_handling="skip").take(take), dtype="str"),
        "role_a": pd.array(role[low[order]], dtype="str"),
        "role_b": pd.array(role[high[order]], dtype="str"),
        "risk_pair": risk[order],
        "n_common_contacts": n_contacts[order],
    })
