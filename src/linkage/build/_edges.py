"""Edge rows of the network: one typed table for every kind of edge, and the derived person-person edges.

The derived edges are computed vectorised (sort-and-sweep interval joins,
group-bys on integer codes), never by looking at all pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._arrow import id_set, isin, positions_in, take_strings
from ..graph.kernels import runs_of
from ._intervals import interval_days, overlapping_pairs
from ._sets import joined_values

__all__ = [
    "EDGE_COLUMNS",
    "edge_rows",
    "empty_edges",
    "pair_frame",
    "co_placed_edges",
    "co_missing_edges",
    "shared_identifier_edges",
    "owner_contacts",
]

EDGE_COLUMNS = [
    "source", "source_type", "target", "target_type", "edge_type",
    "start", "end", "weight", "role", "kind", "via",
]


#: edge columns whose string arguments are labels, never column names
_LABELS = ("source_type", "target_type", "edge_type")
_DATES = ("start", "end")


def empty_edges() -> pd.DataFrame:
    """No edges: the edge table's columns and dtypes."""
    return edge_rows(pd.DataFrame())


def edge_rows(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    """Edge rows from ``frame``: a string names one of its columns, except for the type labels in ``_LABELS``
    (pass a Series to take a type from a column).

    Every part gets the same dtypes (dates as ``datetime64[s]``, weight as
    float), so that joining the parts never falls back to Python objects.
    """
    out = {}
    n = len(frame)
    for name in EDGE_COLUMNS:
        value = columns.get(name)
        if isinstance(value, str) and value in frame.columns and name not in _LABELS:
            value = frame[value]
        if isinstance(value, pd.Series):
            value = value.reset_index(drop=True)  # strings stay Arrow strings, not Python objects
        if name in _DATES:
            out[name] = _datetimes(value, n)
        elif name == "weight":
            out[name] = np.ones(n) if value is None else pd.to_numeric(pd.Series(value), errors="coerce").fillna(1.0).to_numpy(dtype=float)
        elif isinstance(value, str):
            out[name] = pd.Series(value, index=pd.RangeIndex(n), dtype="str")
        elif value is None:
            out[name] = pd.Series(np.nan, index=pd.RangeIndex(n), dtype="str")
        else:
            value = pd.Series(value) if not isinstance(value, pd.Series) else value
            # text columns as Arrow strings: millions of Python string objects cost gigabytes
            out[name] = value.astype("str") if value.dtype == object else value
    return pd.DataFrame(out)


def _datetimes(value, n: int) -> np.ndarray:
    if value is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    return pd.to_datetime(pd.Series(value)).to_numpy(dtype="datetime64[s]")


def pair_frame(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order each pair so that source < target (undirected person-person edges)."""
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    swap = a > b
    return np.where(swap, b, a), np.where(swap, a, b)


def co_placed_edges(placements: pd.DataFrame, *, open_until: pd.Timestamp, min_overlap_days: float) -> pd.DataFrame:
    """Children placed at one setting with overlapping dates: the setting and the overlap window.

    A sort-and-sweep interval join per setting (``overlapping_pairs``); pairs
    are aggregated on integer codes and named once at the end.
    """
    if placements.empty:
        return empty_edges()
    start, end = interval_days(placements["start_date"], placements["end_date"], open_until)
    setting, settings = pd.factorize(placements["location_id"])
    child, children = pd.factorize(placements["entity_id"])
    i, j = overlapping_pairs(setting.astype(np.int64), start, end)
    a, b = child[i], child[j]
    overlap_start = np.maximum(start[i], start[j])
    overlap_end = np.minimum(end[i], end[j])
    days = overlap_end - overlap_start
    keep = (a != b) & (days >= min_overlap_days)
    names = np.asarray(children, dtype=object)
    # order each pair by entity id (not by code) so that source < target as text
    a, b = a[keep], b[keep]
    swap = names[a] > names[b]
    low, high = np.where(swap, b, a), np.where(swap, a, b)
    frame = pd.DataFrame({"low": low, "high": high, "setting": setting[i][keep],
                          "start": overlap_start[keep], "end": overlap_end[keep], "weight": days[keep]})
    frame = frame.groupby(["low", "high", "setting"], as_index=False, sort=False).agg(
        start=("start", "min"), end=("end", "max"), weight=("weight", "sum"))
    frame["source"] = names[frame["low"].to_numpy()]
    frame["target"] = names[frame["high"].to_numpy()]
    frame["via"] = np.asarray(settings, dtype=object)[frame["setting"].to_numpy()]
    frame["start"] = pd.to_datetime(frame["start"] * 86400, unit="s")
    frame["end"] = pd.to_datetime(frame["end"] * 86400, unit="s")
    frame = frame.sort_values(["source", "target", "via"], kind="stable").reset_index(drop=True)
    return edge_rows(frame, source="source", source_type="person", target="target", target_type="person",
                  edge_type="co_placed", start="start", end="end", weight="weight", via="via", kind="care_setting")


def co_missing_edges(episodes: pd.DataFrame, *, open_hours: float) -> pd.DataFrame:
    """Children missing in overlapping windows who were found at one place, or found together."""
    if episodes.empty:
        return empty_edges()
    parts = []
    # found together: the episode names the other child
    together = episodes[["episode_id", "entity_id", "start", "end", "found_with_entities"]].explode("found_with_entities")
    together = together.dropna(subset=["found_with_entities"])
    together = together[together["entity_id"] != together["found_with_entities"]]
    if len(together):
        source, target = pair_frame(together["entity_id"].to_numpy(), together["found_with_entities"].to_numpy())
        parts.append(pd.DataFrame({"source": source, "target": target, "start": together["start"].to_numpy(),
                                   "end": together["end"].to_numpy(), "kind": "found_together",
                                   "via": together["episode_id"].to_numpy()}))
    # overlapping windows, found at the same place
    found = episodes.dropna(subset=["found_location_id"])
    if len(found) > 1:
        start = found["start"].to_numpy(dtype="datetime64[s]").astype("int64") / 3600.0
        end_filled = found["end"].fillna(found["start"] + pd.Timedelta(hours=open_hours))
        end = end_filled.to_numpy(dtype="datetime64[s]").astype("int64") / 3600.0
        group, _ = pd.factorize(found["found_location_id"])
        i, j = overlapping_pairs(group.astype(np.int64), start, np.maximum(end, start + 1e-6))
        a = found["entity_id"].to_numpy(dtype=object)
        keep = a[i] != a[j]
        i, j = i[keep], j[keep]
        if len(i):
            ids = found["episode_id"].to_numpy(dtype=object)
            source, target = pair_frame(a[i], a[j])
            parts.append(pd.DataFrame({
                "source": source, "target": target,
                "start": np.minimum(found["start"].to_numpy()[i], found["start"].to_numpy()[j]),
                "end": np.maximum(end_filled.to_numpy()[i], end_filled.to_numpy()[j]),
                "kind": "found_at_same_place",
                "via": np.where(ids[i] < ids[j], ids[i] + ";" + ids[j], ids[j] + ";" + ids[i]),
                "location_id": found["found_location_id"].to_numpy(dtype=object)[i],
            }))
    if not parts:
        return empty_edges()
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["source", "target", "via"], kind="stable")
    pair_key = frame["source"] + "|" + frame["target"]
    kinds = joined_values(pair_key, frame["kind"])
    frame = frame.groupby(["source", "target"], as_index=False, sort=True).agg(
        start=("start", "min"), end=("end", "max"), weight=("via", "size"), via=("via", "first"),
    )
    frame["kind"] = kinds.reindex(frame["source"] + "|" + frame["target"]).to_numpy()
    return edge_rows(frame, source="source", source_type="person", target="target", target_type="person",
                  edge_type="co_missing", start="start", end="end", weight="weight", kind="kind", via="via")


def shared_identifier_edges(holdings: pd.DataFrame, *, max_holders: int) -> pd.DataFrame:
    """People who hold the same phone, vehicle or handle."""
    people = holdings[holdings["owner_type"] == "person"][["identifier", "kind", "owner"]].drop_duplicates()
    sizes = people.groupby("identifier")["owner"].transform("size")
    people = people[(sizes > 1) & (sizes <= max_holders)]
    if people.empty:
        return empty_edges()
    pairs = people.merge(people, on=["identifier", "kind"])
    pairs = pairs[pairs["owner_x"] < pairs["owner_y"]]
    pairs = pairs.sort_values(["owner_x", "owner_y", "identifier"], kind="stable")
    pair_key = pairs["owner_x"] + "|" + pairs["owner_y"]
    kinds = joined_values(pair_key, pairs["kind"])
    frame = pairs.groupby(["owner_x", "owner_y"], as_index=False, sort=True).agg(
        weight=("identifier", "size"), via=("identifier", "first"),
    )
    frame["kind"] = kinds.reindex(frame["owner_x"] + "|" + frame["owner_y"]).to_numpy()
    return edge_rows(frame, source="owner_x", source_type="person", target="owner_y", target_type="person",
                  edge_type="shared_identifier", weight="weight", via="via", kind="kind")


def owner_contacts(contacts: pd.DataFrame, holdings: pd.DataFrame) -> pd.DataFrame:
    """Contacts between identifiers, lifted to their holders: one row per (holder, holder) with totals.

    ``n_contact_records`` counts the identifier-to-identifier contact rows
    behind a tie. ``count_from_source`` and ``count_from_target`` keep the
    direction: the contacts made from the source's identifiers to the
    target's, and back (a ``sighting`` has no direction and counts in
    neither). Worked on integer codes: holders are coded in (type, id)
    order, so a pair is put in order by comparing codes.
    """
    columns = ["source", "source_type", "target", "target_type", "count", "first_date", "last_date", "n_contact_records",
               "count_from_source", "count_from_target"]
    if contacts.empty or holdings.empty:
        return pd.DataFrame(columns=columns)
    owners = holdings[["identifier", "owner", "owner_type"]].drop_duplicates(["identifier", "owner"])
    owner_key = owners["owner_type"].astype(str) + "\x1f" + owners["owner"].astype(str)
    owner_code, owner_names = pd.factorize(owner_key, sort=True)
    held = id_set(owners["identifier"])
    holder = pd.DataFrame({"identifier": positions_in(owners["identifier"], held), "owner": owner_code})
    lifted = pd.DataFrame({
        "from": positions_in(contacts["from_identifier"], held), "to": positions_in(contacts["to_identifier"], held),
        "count": pd.to_numeric(contacts["count"]).fillna(1).to_numpy(dtype=np.int64),
        "first_date": contacts["first_date"].to_numpy(dtype="datetime64[s]"),
        "last_date": contacts["last_date"].to_numpy(dtype="datetime64[s]"),
        "directed": _directed(contacts),
    })
    lifted = lifted[(lifted["from"] >= 0) & (lifted["to"] >= 0)]
    # each contact once per (holder of its from identifier, holder of its to identifier): the holders of an
    # identifier are a run of the holdings sorted by identifier code, found through an offsets array
    identifier, owner = holder["identifier"].to_numpy(np.int64), holder["owner"].to_numpy(np.int64)
    identifier, owner = identifier[identifier >= 0], owner[identifier >= 0]   # a missing identifier holds nothing
    by_identifier = np.argsort(identifier, kind="stable")
    identifier, owner = identifier[by_identifier], owner[by_identifier]
    rows, at = runs_of(identifier, lifted["from"].to_numpy(np.int64), len(held))
    second, at_b = runs_of(identifier, lifted["to"].to_numpy(np.int64)[rows], len(held))
    lifted, a, b = lifted.iloc[rows[second]], owner[at][second], owner[at_b]
    keep = a != b
    pair = np.minimum(a, b)[keep] * np.int64(len(owner_names)) + np.maximum(a, b)[keep]
    order = np.argsort(pair, kind="stable")
    pair = pair[order]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.zeros(0, dtype=np.int64)
    first_seen = lifted["first_date"].to_numpy()[keep][order].astype(np.int64)
    last_seen = lifted["last_date"].to_numpy()[keep][order].astype(np.int64)
    nat = np.iinfo(np.int64).min  # NaT as an integer: left out of the minimum and maximum
    first_seen = np.minimum.reduceat(np.where(first_seen == nat, np.iinfo(np.int64).max, first_seen), starts) if len(starts) else first_seen
    last_seen = np.maximum.reduceat(last_seen, starts) if len(starts) else last_seen
    first_seen[first_seen == np.iinfo(np.int64).max] = nat
    # each owner code's type and id, from its first holding row
    first_row = np.empty(len(owner_names), dtype=np.int64)
    first_row[owner_code[::-1]] = np.arange(len(owner_code))[::-1]
    low, high = pair[starts] // len(owner_names), pair[starts] % len(owner_names)
    owner, owner_type = owners["owner"].reset_index(drop=True), owners["owner_type"].reset_index(drop=True)
    out = pd.DataFrame({
        "source": take_strings(owner, first_row[low]), "source_type": take_strings(owner_type, first_row[low]),
        "target": take_strings(owner, first_row[high]), "target_type": take_strings(owner_type, first_row[high]),
        "count": np.add.reduceat(lifted["count"].to_numpy()[keep][order], starts) if len(starts) else np.zeros(0, np.int64),
        "first_date": first_seen.astype("datetime64[s]"), "last_date": last_seen.astype("datetime64[s]"),
        "n_contact_records": np.diff(np.r_[starts, len(pair)]),
    })
    counts = lifted["count"].to_numpy()[keep][order]
    directed = lifted["directed"].to_numpy()[keep][order]
    from_low = (a < b)[keep][order]
    for column, mask in (("count_from_source", directed & from_low), ("count_from_target", directed & ~from_low)):
        out[column] = np.add.reduceat(np.where(mask, counts, 0), starts) if len(starts) else np.zeros(0, np.int64)
    return out[columns]


def _directed(contacts: pd.DataFrame) -> np.ndarray:
    """Contacts whose from/to order means something: all but sightings (two phones seen together)."""
    if "kind" not in contacts:
        return np.ones(len(contacts), dtype=bool)
    return ~isin(contacts["kind"], pd.Series(["sighting"], dtype=object))
