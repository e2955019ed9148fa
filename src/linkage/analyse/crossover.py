"""Operation crossover: pairs of operations that share victims, perpetrators or locations.

Separate investigations that keep meeting the same children, the same
suspects or the same premises are often one network seen in pieces (the
pattern Project Empra was set up to find). Only real operations count; an
event outside any operation is not an investigation to join up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import isin
from ..build import Network
from ..contract import PERPETRATOR_ROLES
from .core import NetworkLike, as_network, empty_table, join_groups, no_rows, plural

__all__ = ["REQUIRES", "COLUMNS", "operation_crossover"]

#: input tables the analysis needs (``event_people`` adds the shared people; without it only locations are compared)
REQUIRES: tuple[str, ...] = ("events",)

#: output columns of ``operation_crossover.csv``; the first five are the data contract's
COLUMNS = [
    "operation_a", "operation_b", "shared_victims", "shared_perpetrators", "shared_locations",
    "victims", "perpetrators", "locations", "categories_a", "categories_b", "bcus",
]
_KINDS = (("victim", "shared_victims", "victims"), ("perpetrator", "shared_perpetrators", "perpetrators"),
          ("location", "shared_locations", "locations"))


def _empty() -> pd.DataFrame:
    counts = {c for _, c, _ in _KINDS}
    return empty_table({c: "int64" if c in counts else "str" for c in COLUMNS})


def _items(network: Network) -> pd.DataFrame:
    """One row per (operation, kind, id): the victims, perpetrators and event locations of each real operation."""
    operations = network.operations
    if operations.empty:
        return pd.DataFrame({"operation": [], "kind": [], "id": []}, dtype="str")
    real = operations.loc[~operations["is_event_only"].astype(bool), "operation"]
    parts = []
    people = network.participation
    if len(people):
        people = people[isin(people["operation"], real) & people["entity_id"].notna().to_numpy()]
        kind = np.select([people["role"].eq("victim").to_numpy(dtype=bool, na_value=False),
                          people["role"].isin(PERPETRATOR_ROLES).to_numpy(dtype=bool)],
                         ["victim", "perpetrator"], default="")
        parts.append(pd.DataFrame({"operation": people["operation"].to_numpy(), "kind": kind,
                                   "id": people["entity_id"].to_numpy()})[kind != ""])
    places = network.edges_of("event_at")
    if len(places):
        places = places[isin(places["source"], real)]
        parts.append(pd.DataFrame({"operation": places["source"].to_numpy(), "kind": "location",
                                   "id": places["target"].to_numpy()}))
    if not parts:
        return pd.DataFrame({"operation": [], "kind": [], "id": []}, dtype="str")
    return pd.concat(parts, ignore_index=True).astype("str").drop_duplicates()


def operation_crossover(network: NetworkLike) -> pd.DataFrame:
    """Pairs of real operations (``operation_a < operation_b``) that share a victim, a perpetrator or a location.

    Victims and perpetrators (suspects and offenders) are matched by entity and
    role: a child who is a victim in both operations is shared, a victim in one
    and a suspect in the other is not. Locations are the places of the
    operations' events. ``bcus`` are the BCUs of the shared people.

    Returns one row per pair with the counts, the shared ids (``;``-joined,
    sorted) and both operations' categories, sorted by the total shared
    (most first), then by the operation names. Empty, with the same columns,
    when the network has no operations.

    Complexity: a self-join of the (operation, kind, id) table on (kind, id),
    so proportional to the sum over ids of (operations per id)^2.
    """
    network = as_network(network)
    items = _items(network)
    pairs = items.merge(items, on=["kind", "id"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["operation_a"] < pairs["operation_b"]]
    if pairs.empty:
        return no_rows(_empty(), *_why_no_crossover(network, items))
    keys = ["operation_a", "operation_b"]
    per_kind = join_groups(pairs, keys + ["kind"], "id")
    out = pairs[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    for kind, count_column, ids_column in _KINDS:
        part = per_kind[per_kind["kind"] == kind]
        out = out.merge(part[keys + ["n", "id"]].rename(columns={"n": count_column, "id": ids_column}), on=keys, how="left")
        out[count_column] = out[count_column].fillna(0).astype("int64")
        out[ids_column] = out[ids_column].fillna("")
    categories = network.operations.set_index("operation")["categories"].astype("str")
    out["categories_a"] = categories.reindex(out["operation_a"]).fillna("").to_numpy()
    out["categories_b"] = categories.reindex(out["operation_b"]).fillna("").to_numpy()
    shared_people = pairs[pairs["kind"] != "location"]
    bcu = network.people.set_index("entity_id")["bcu"]
    bcus = shared_people[keys].assign(bcu=bcu.reindex(shared_people["id"]).to_numpy())
    bcus = join_groups(bcus, keys, "bcu")[keys + ["bcu"]].rename(columns={"bcu": "bcus"})
    out = out.merge(bcus, on=keys, how="left")
    out["bcus"] = out["bcus"].fillna("")
    total = out["shared_victims"] + out["shared_perpetrators"] + out["shared_locations"]
    out = out.assign(_total=total).sort_values(["_total", "operation_a", "operation_b"], ascending=[False, True, True],
                                                kind="stable")
    out = out[COLUMNS].reset_index(drop=True)
    return out.astype({c: "str" for c in COLUMNS if c not in {k for _, k, _ in _KINDS}})


def _why_no_crossover(network: Network, items: pd.DataFrame) -> tuple[str, str]:
    operations = network.operations
    if operations.empty:
        return "the events table has no kept rows", "correct the events rows listed in rejects.csv"
    real = int((~operations["is_event_only"].astype(bool)).sum())
    if real == 0:
        return (f"none of the {plural(len(operations), 'event')} names an operation (events.operation is empty), and "
                "crossover compares operations",
                "fill events.operation with the operation or investigation of each event, or map the column that holds "
                "it (columns: {events: {YourColumn: operation}})")
    compared = int(items["operation"].nunique()) if len(items) else 0
    if compared < 2:
        return (f"{plural(real, 'operation')}, of which {compared} {'has' if compared == 1 else 'have'} a victim, a "
                "suspect or offender (event_people roles) or an event location, and crossover needs two",
                "add event_people rows with roles and events.location_id for the operations' events")
    return (f"{compared:,} operations have victims, perpetrators or event locations, but no two share one (a person "
            "counts as shared in the same role only)",
            "nothing to change if the data is complete; event_people roles or event locations left out of the extract "
            "would hide a crossover")
