"""The network as the views see it: one node table and an adjacency, with styles and facts.

Built once per job from the ``Network`` tables with pandas; pages then pick
their nodes and edges from it by integer positions (no networkx graph of the
whole network is needed, so this stays cheap on large jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from .._arrow import positions_in, positions_in_each, strings
from ..build import Network

__all__ = ["ViewNetwork", "view_network", "node_values", "NODE_STYLES", "EDGE_STYLES", "FactBook", "edge_records", "links_by_type", "distinct_links"]

#: legend key -> shape, colour and label; shapes are vis-network's
NODE_STYLES: dict[str, dict] = {
    "person:victim": {"shape": "dot", "color": "#d62728", "label": "victim", "size": 11},
    "person:perpetrator": {"shape": "dot", "color": "#1f3b73", "label": "perpetrator", "size": 11},
    "person:both": {"shape": "dot", "color": "#9467bd", "label": "victim and perpetrator", "size": 12},
    "person:looked_after": {"shape": "dot", "color": "#ffbf80", "label": "looked-after child", "size": 10},
    "person:other": {"shape": "dot", "color": "#9aa3b2", "label": "other person", "size": 8},
    "place:business": {"shape": "diamond", "color": "#2ca02c", "label": "business", "size": 12},
    "place:care_setting": {"shape": "triangle", "color": "#e377c2", "label": "care setting", "size": 11},
    "place:other": {"shape": "square", "color": "#bcbd22", "label": "other place", "size": 8},
    "episode": {"shape": "star", "color": "#ff9f1c", "label": "missing episode", "size": 9},
    "operation": {"shape": "hexagon", "color": "#17becf", "label": "operation or event", "size": 11},
    "identifier": {"shape": "triangleDown", "color": "#8c564b", "label": "phone, vehicle or handle", "size": 7},
    "cluster": {"shape": "dot", "color": "#aec7e8", "label": "cluster (click to expand it; colour: risk)", "size": 20, "font": 14},
    "group": {"shape": "box", "color": "#e7e9ee", "label": "group of nodes outside clusters", "size": 16, "font": 14},
}

EDGE_STYLES: dict[str, dict] = {
    "placed_at": {"color": "#e377c2", "label": "placed at"},
    "went_missing": {"color": "#ff9f1c", "label": "went missing"},
    "missing_from": {"color": "#ffc46b", "label": "missing from"},
    "found_at": {"color": "#e07b00", "label": "found at"},
    "found_with": {"color": "#b35900", "label": "found with"},
    "party_to": {"color": "#17becf", "label": "party to"},
    "event_at": {"color": "#7fd6e0", "label": "event at"},
    "holds": {"color": "#8c564b", "label": "holds"},
    "contact": {"color": "#b0b7c3", "label": "phone contact"},
    "associate": {"color": "#6b7a99", "label": "recorded association"},
    "co_placed": {"color": "#c2185b", "label": "placed together", "dashes": True},
    "co_missing": {"color": "#d62728", "label": "missing together", "dashes": True},
    "shared_identifier": {"color": "#5d4037", "label": "shared phone or vehicle", "dashes": True},
    "aggregate": {"color": "#7f8ba3", "label": "links between groups"},
}


def _text(series: pd.Series) -> pd.Series:
    return series.astype("object").where(series.notna(), None)


def _str(series: pd.Series) -> pd.Series:
    """``series`` as pandas' Arrow-backed ``str`` (missing values missing): no Python object per row."""
    return series.astype("str")


def _str_date(series: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text in an Arrow-backed ``str`` column (missing dates missing)."""
    return pd.to_datetime(series, errors="coerce").dt.strftime("%Y-%m-%d").astype("str")


def _missing(table: pd.DataFrame) -> pd.Series:
    """A ``str`` column of missing values on ``table``'s index (the columns of a part are aligned on it)."""
    return pd.Series([None] * len(table), index=table.index, dtype="str")


def _date(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series, errors="coerce")
    return values.dt.strftime("%Y-%m-%d").astype("object").where(values.notna(), None)


@dataclass
class ViewNetwork:
    """Every node of the network with its view fields, and its adjacency (CSR over integer positions)."""

    nodes: pd.DataFrame  # id, type, label, style, role, bcu, t0, t1, la, plus the type's own columns
    edges: pd.DataFrame  # a, b (positions), edge_type, start, end, weight, role, kind, via
    indptr: np.ndarray
    neighbours: np.ndarray
    index: pd.Index
    source_edges: pd.DataFrame  # the network's edge rows that ``edges.row`` points into

    @cached_property
    def types(self) -> np.ndarray:
        """Each node's type as a NumPy array (converted once: pages index it many times)."""
        return self.nodes["type"].to_numpy(dtype=object)

    @cached_property
    def ids(self) -> np.ndarray:
        return self.nodes["id"].to_numpy(dtype=object)

    def of_type(self, positions: np.ndarray, *types: str) -> np.ndarray:
        """The ``positions`` whose node type is one of ``types``."""
        positions = np.asarray(positions, dtype=np.int64)
        return positions[pd.Series(self.types[positions], dtype=object).isin(types).to_numpy()]

    def positions(self, ids) -> np.ndarray:
        found = self.index.get_indexer(pd.Index(list(ids), dtype=object))
        return found[found >= 0]

    def adjacent(self, positions: np.ndarray) -> np.ndarray:
        positions = np.asarray(positions, dtype=np.int64)
        if not len(positions):
            return positions
        starts, ends = self.indptr[positions], self.indptr[positions + 1]
        if not (ends - starts).sum():
            return np.array([], dtype=np.int64)
        return np.unique(np.concatenate([self.neighbours[s:e] for s, e in zip(starts, ends)]))

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def links_by_type(self) -> pd.Series:
        """How many links of each type the views draw: see ``links_by_type``."""
        links = self.links
        return links["type"].value_counts().sort_index().astype("int64") if len(links) else pd.Series(dtype="int64")

    @cached_property
    def links(self) -> pd.DataFrame:
        """The views' links (``distinct_links`` over node positions): ``lo, hi`` (int64 positions, ``lo < hi``) and
        ``type``, the first edge of each pair of nodes and type kept, in table order.

        Worked on integers: every edge already has ``a <= b`` (``view_network``), so one int64 key per
        (ends, type) finds the repeats, with no string per edge end."""
        lo = self.edges["a"].to_numpy().astype(np.int64, copy=False)
        hi = self.edges["b"].to_numpy().astype(np.int64, copy=False)
        # the types of the edges drawn only (``source_edges`` is the whole network's table)
        drawn_types = self.source_edges["edge_type"].take(self.edges["row"].to_numpy())
        codes, names = pd.factorize(drawn_types, sort=True, use_na_sentinel=False)
        codes = np.asarray(codes, dtype=np.int64)
        rows = np.flatnonzero(lo != hi)
        n, kinds = np.int64(max(len(self.nodes), 1)), np.int64(max(len(names), 1))
        key = (lo[rows] * n + hi[rows]) * kinds + codes[rows]
        order = np.argsort(key, kind="stable")
        first = np.r_[True, key[order][1:] != key[order][:-1]] if len(key) else np.zeros(0, dtype=bool)
        rows = rows[np.sort(order[first])]
        types = np.asarray(names, dtype=object)[codes[rows]]
        return pd.DataFrame({"lo": lo[rows], "hi": hi[rows], "type": types})

    @cached_property
    def _edge_fields(self) -> pd.DataFrame:
        """The network's edge table, the columns a page's links show only (its ends' ids and types left out)."""
        return self.source_edges[list(_EDGE_FIELDS)]

    @cached_property
    def _edges_by_end(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The edges' rows grouped by their lower end ``a`` (CSR: rows, pointers), and their upper ends ``b``."""
        a = self.edges["a"].to_numpy().astype(np.int64, copy=False)
        rows = np.argsort(a, kind="stable")
        indptr = np.r_[0, np.cumsum(np.bincount(a, minlength=len(self.nodes)))].astype(np.int64)
        return rows, indptr, self.edges["b"].to_numpy()

    def edge_rows_within(self, positions: np.ndarray) -> np.ndarray:
        """The rows of ``edges`` with both ends among ``positions``, in table order.

        Complexity: O(edges at the positions) from the CSR by lower end, not a
        pass over every edge of the network for each page."""
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        if not len(positions):
            return np.array([], dtype=np.int64)
        rows, indptr, b = self._edges_by_end
        starts, counts = indptr[positions], indptr[positions + 1] - indptr[positions]
        total = int(counts.sum())
        offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total, dtype=np.int64)
        candidates = rows[offsets]
        inside = np.zeros(len(self.nodes), dtype=bool)
        inside[positions] = True
        return np.sort(candidates[inside[b[candidates]]])

    def edges_within(self, positions: np.ndarray) -> pd.DataFrame:
        # every edge has a <= b (``view_network``), so an edge within the positions is found from its lower end
        chosen = self.edges.iloc[self.edge_rows_within(positions)]
        # only the columns shown: the network's edge table has more (its ends' ids and types)
        source = self._edge_fields.iloc[chosen["row"].to_numpy()]
        table = pd.DataFrame({
            "a": chosen["a"].to_numpy(), "b": chosen["b"].to_numpy(), "edge_type": source["edge_type"].to_numpy(),
            "start": _date(source["start"]).to_numpy(), "end": _date(source["end"]).to_numpy(),
            "weight": pd.to_numeric(source["weight"], errors="coerce").fillna(1.0).to_numpy(),
            "role": _text(source["role"]).to_numpy(), "kind": _text(source["kind"]).to_numpy(),
            "via": _text(source["via"]).to_numpy(),
        })
        return _merge_parallel(table)


#: the columns of the network's edge table a page's links are drawn from
_EDGE_FIELDS = ("edge_type", "start", "end", "weight", "role", "kind", "via")


def links_by_type(a, b, types) -> pd.Series:
    """Links by type, the one way every page counts them: a link is a pair of nodes joined by one kind of
    tie, however many records show it (three placements at one home, forty calls between two phones are
    one link each; its facts say how many records). ``a``, ``b``: the ends; ``types``: the edge types.
    The rows ``distinct_links`` gives, counted on integer codes of the ends and types (no Python string per
    end: the report counts the millions of phone contacts this way). Complexity: one sort of the
    (pair, type) keys."""
    if not len(a):
        return pd.Series(dtype="int64")
    a, b = pd.Series(a).reset_index(drop=True), pd.Series(b).reset_index(drop=True)
    ends, _ = pd.factorize(pd.concat([a, b], ignore_index=True), use_na_sentinel=False)
    ends = np.asarray(ends, dtype=np.int64)
    first, second = ends[:len(a)], ends[len(a):]
    kinds, names = pd.factorize(pd.Series(types).reset_index(drop=True), sort=True)
    kinds = np.asarray(kinds, dtype=np.int64)
    keep = (first != second) & (kinds >= 0)  # a tie of a node to itself is no link; an edge without a type is not counted
    lo, hi = np.minimum(first, second)[keep], np.maximum(first, second)[keep]
    n, k = np.int64(max(int(ends.max(initial=0)) + 1, 1)), np.int64(max(len(names), 1))
    key = np.unique((lo * n + hi) * k + kinds[keep])
    counts = np.bincount(key % k, minlength=len(names))
    found = counts > 0
    return pd.Series(counts[found].astype("int64"), index=pd.Index(np.asarray(names)[found], name="type"), name="count")


def distinct_links(a, b, types) -> pd.DataFrame:
    """The links of ``links_by_type``, one row each: ``lo, hi`` (the ends, ordered as text) and ``type``.
    Every count of links a page shows (by type, between two groups, between two BCUs) counts these rows."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if not len(a):
        return pd.DataFrame({"lo": pd.Series(dtype=object), "hi": pd.Series(dtype=object), "type": pd.Series(dtype=object)})
    swap = b.astype(str) < a.astype(str)
    frame = pd.DataFrame({"lo": np.where(swap, b, a), "hi": np.where(swap, a, b), "type": np.asarray(types, dtype=object)})
    return frame[frame["lo"] != frame["hi"]].drop_duplicates().reset_index(drop=True)


def view_network(network: Network, *, include_identifiers: bool = False) -> ViewNetwork:
    """The view tables of ``network``; identifiers (and ``holds`` edges) only with ``include_identifiers``."""
    # every text column in Arrow (pandas' ``str``; a county's view holds a million nodes): missing values are
    # NaN there, not None, so the records a page is drawn from are read with ``node_values``
    parts = []
    p = network.people
    if len(p):
        role = p["role"].fillna("").astype(str)
        looked_after = p["looked_after"].fillna(False).astype(bool)
        style = np.where(role != "", "person:" + role, np.where(looked_after, "person:looked_after", "person:other"))
        parts.append(pd.DataFrame({
            "id": p["entity_id"].astype(str), "type": "person", "label": _str(p["label"]).fillna(p["entity_id"].astype(str)),
            "style": style, "role": np.where(role != "", role, np.where(looked_after, "looked-after", "other person")),
            "bcu": _str(p["bcu"]), "t0": _missing(p), "t1": _missing(p), "la": looked_after.to_numpy(),
            "local_authority": _str(p["local_authority"]),
            "detail": _str(p["exploitation"]) if "exploitation" in p else _missing(p),
        }))
    pl = network.places
    if len(pl):
        business = pl["is_business"].fillna(False).astype(bool)
        care = pl["is_care_setting"].fillna(False).astype(bool)
        name = _str(pl["name"]) if "name" in pl else _missing(pl)
        label = name.fillna(pl["category"].astype(str) + " " + pl["location_id"].astype(str))
        parts.append(pd.DataFrame({
            "id": pl["location_id"].astype(str), "type": "place", "label": label,
            "style": np.where(business, "place:business", np.where(care, "place:care_setting", "place:other")),
            "role": "", "bcu": _str(pl["bcu"]), "t0": _missing(pl), "t1": _missing(pl), "la": False,
            "local_authority": _str(pl["local_authority"]), "detail": _str(pl["category"]),
        }))
    ep = network.episodes
    if len(ep):
        start = _str_date(ep["start"])
        parts.append(pd.DataFrame({
            "id": ep["episode_id"].astype(str), "type": "episode", "label": "missing " + start.fillna("?"),
            "style": "episode", "role": "", "bcu": _missing(ep), "t0": start, "t1": _str_date(ep["end"]), "la": False,
            "local_authority": _missing(ep), "detail": _str(ep["kind"]) if "kind" in ep else _missing(ep),
        }))
    op = network.operations
    if len(op):
        parts.append(pd.DataFrame({
            "id": op["operation"].astype(str), "type": "operation", "label": op["operation"].astype(str),
            "style": "operation", "role": "", "bcu": _missing(op), "t0": _str_date(op["first_date"]),
            "t1": _str_date(op["last_date"]), "la": False, "local_authority": _missing(op), "detail": _text(op["categories"]),
        }))
    idf = network.identifiers
    if include_identifiers and len(idf):
        parts.append(pd.DataFrame({
            "id": idf["identifier"].astype(str), "type": "identifier", "label": _str(idf["kind"]).fillna("id") + " " + idf["identifier"].astype(str),
            "style": "identifier", "role": "", "bcu": _missing(idf), "t0": _missing(idf), "t1": _missing(idf),
            "la": False, "local_authority": _missing(idf), "detail": _str(idf["kind"]),
        }))
    columns = ["id", "type", "label", "style", "role", "bcu", "t0", "t1", "la", "local_authority", "detail"]
    nodes = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    node_ids = strings(nodes["id"].astype(str))

    # the network's own edge table, not a copy of the part drawn: ``row`` points into it
    edges = network.edges
    rows = np.arange(len(edges), dtype=np.int64)
    if not include_identifiers:
        rows = np.flatnonzero(((edges["source_type"] != "identifier") & (edges["target_type"] != "identifier")).to_numpy())
    chosen = pa.array(rows)
    # one Arrow hash of the node ids, looked up by the ids themselves (an id found at another row than its own is
    # held by two tables: its first row only) and by both ends; the sources come in runs (the build writes each
    # node's ties together), each run looked up once
    own, b = positions_in_each([node_ids, strings(edges["target"]).take(chosen)], node_ids)
    if (own != np.arange(len(own))).any():
        nodes = nodes.drop_duplicates("id").reset_index(drop=True)
        node_ids = strings(nodes["id"].astype(str))
        b = positions_in(strings(edges["target"]).take(chosen), node_ids)
    a = positions_in(strings(edges["source"]).take(chosen), node_ids, runs=True)
    index = pd.Index(nodes["id"], dtype=object)
    keep = (a >= 0) & (b >= 0) & (a != b)
    # only the ends and the row of each edge: dates and details are read for the edges a page shows
    table = pd.DataFrame({"a": np.minimum(a, b)[keep], "b": np.maximum(a, b)[keep], "row": rows[keep]})
    n = len(nodes)
    del a, b, keep, own
    # distinct (end, other) pairs in order, as one int64 key each (a row-wise np.unique sorts far slower),
    # made and sorted in place (a county's 16M keys: no second copy of them while they sort)
    lower, upper = table["a"].to_numpy().astype(np.int64), table["b"].to_numpy().astype(np.int64)
    width = np.int64(max(n, 1))
    key = np.empty(2 * len(lower), dtype=np.int64)
    np.multiply(lower, width, out=key[:len(lower)])
    key[:len(lower)] += upper
    np.multiply(upper, width, out=key[len(lower):])
    key[len(lower):] += lower
    del lower, upper
    key.sort()  # sort + drop repeats: numpy's hashing unique is slower here
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    indptr = np.r_[0, np.cumsum(np.bincount(key // width, minlength=n))].astype(np.int64)
    neighbours = key % width
    del key
    return ViewNetwork(nodes=nodes, edges=table, indptr=indptr, neighbours=neighbours, index=index,
                       source_edges=edges)


_FACT_NAMES = {"person": "person", "place": "place", "episode": "missing episode", "operation": "operation",
               "identifier": "identifier"}

_FACT_FIELDS = {
    "person": ("people", "entity_id", [
        ("id", "entity_id"), ("role", "role"), ("looked after", "looked_after"), ("exploitation", "exploitation"),
        ("local authority", "local_authority"), ("BCU", "bcu"), ("force", "force"), ("records", "n_records"),
        ("sources", "sources"), ("flags", "flags"), ("sex", "sex"), ("date of birth", "dob")]),
    "place": ("places", "location_id", [
        ("id", "location_id"), ("name", "name"), ("category", "category"), ("night-time economy", "night_time_economy"),
        ("postcode", "postcode"), ("local authority", "local_authority"), ("BCU", "bcu"), ("force", "force")]),
    "episode": ("episodes", "episode_id", [
        ("id", "episode_id"), ("child", "entity_id"), ("start", "start"), ("end", "end"), ("kind", "kind"),
        ("missing from", "from_location_id"), ("found at", "found_location_id"), ("found with", "found_with_entities")]),
    "operation": ("operations", "operation", [
        ("name", "operation"), ("events", "n_events"), ("categories", "categories"), ("first", "first_date"),
        ("last", "last_date"), ("status", "status")]),
    "identifier": ("identifiers", "identifier", [("value", "identifier"), ("kind", "kind"), ("holders", "n_holders")]),
}


class FactBook:
    """The facts of any node of a network, looked up by id (tables indexed once, answers cached)."""

    def __init__(self, network: Network) -> None:
        self.tables = {}
        for node_type, (attribute, key, fields) in _FACT_FIELDS.items():
            table = getattr(network, attribute)
            present = [(name, column) for name, column in fields if column in table.columns]
            indexed = table[[c for _, c in present]].drop_duplicates(key)
            indexed.index = pd.Index(indexed[key].astype(str), dtype=object)
            self.tables[node_type] = (indexed, [name for name, _ in present])
        self.cache: dict[str, list[list[str]]] = {}

    def facts(self, nodes: pd.DataFrame) -> list[list[list[str]]]:
        """For each row of ``nodes`` (a slice of ``ViewNetwork.nodes``): its facts as [name, value] pairs."""
        ids = nodes["id"].tolist()
        types = nodes["type"].tolist()
        missing: dict[str, list[str]] = {}
        for node_id, node_type in zip(ids, types):
            if node_id not in self.cache:
                missing.setdefault(node_type, []).append(node_id)
        for node_type, wanted in missing.items():
            table, names = self.tables[node_type]
            rows = table.reindex(pd.Index(wanted, dtype=object))
            for node_id, record in zip(wanted, rows.itertuples(index=False, name=None)):
                facts = [["type", _FACT_NAMES[node_type]]]
                for name, value in zip(names, record):
                    text = _fact_text(value)
                    if text:
                        facts.append([name, text])
                self.cache[node_id] = facts
        return [self.cache[node_id] for node_id in ids]


def node_values(nodes: pd.DataFrame, column: str) -> list:
    """A column of ``ViewNetwork.nodes`` rows as Python values, a missing value as None (as a page's JSON has it)."""
    return nodes[column].to_numpy(dtype=object, na_value=None).tolist()


def _fact_text(value) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, (tuple, list, set)):
        return "; ".join(map(str, value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


def _merge_parallel(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (pair, edge type): dates spanned, weights summed, records counted, first kind/via/role.

    Worked on codes in NumPy (a page's few thousand edges; a pandas group-by per page cost more than the rest
    of the page's links): rows in the order of ``sort_values(["a", "b", "edge_type", "start"])`` (stable,
    missing last), pairs in that order, the first non-missing kind, via and role of each, its earliest start
    and latest end, and its weights summed (whole numbers, as the build's counts and days are; other weights go the pandas way,
    ``_merge_parallel_pandas``, whose rounding depends on its order of adding)."""
    if not len(table):
        return table.assign(n=pd.Series(dtype="int64"))
    weights = table["weight"].to_numpy(dtype=np.float64)
    if not (np.all(weights == np.round(weights)) and np.abs(weights).sum() < 2.0 ** 52):
        return _merge_parallel_pandas(table)
    table = table[table["edge_type"].notna().to_numpy()]  # a link without a type is no group (pandas drops it)
    a, b = table["a"].to_numpy(), table["b"].to_numpy()
    types, type_names = _sorted_codes(table["edge_type"])
    starts, start_names = _sorted_codes(table["start"])
    order = np.lexsort((starts, types, b, a))
    a, b, types, starts = a[order], b[order], types[order], starts[order]
    new_group = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (types[1:] != types[:-1])] if len(a) \
        else np.zeros(0, dtype=bool)
    head, group = np.flatnonzero(new_group), np.cumsum(new_group) - 1
    out = {"a": a[head], "b": b[head], "edge_type": type_names[types[head]]}
    for column in ("kind", "via", "role"):
        out[column] = _first_present(table[column].to_numpy(dtype=object)[order], group, head)
    out["start"] = np.where(starts[head] < len(start_names), start_names[np.minimum(starts[head], len(start_names) - 1)], None) \
        if len(start_names) else np.full(len(head), None, dtype=object)
    ends, end_names = _sorted_codes(table["end"])
    last_end = np.full(len(head), -1, dtype=np.int64)
    np.maximum.at(last_end, group, np.where(ends[order] < len(end_names), ends[order], -1))
    out["end"] = np.where(last_end >= 0, end_names[np.maximum(last_end, 0)], None) if len(end_names) \
        else np.full(len(head), None, dtype=object)
    # whole numbers (counts, days) with an exact total in float64: the same sum in any order of adding
    out["weight"] = np.bincount(group, weights=table["weight"].to_numpy(dtype=np.float64)[order], minlength=len(head))
    out["n"] = np.diff(np.r_[head, len(a)]).astype(np.int64)
    return pd.DataFrame(out)


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``values`` in their sorted order, missing values after every other (``len(names)``), and the names."""
    codes, names = pd.factorize(values.to_numpy(dtype=object), sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    codes[codes < 0] = len(names)
    return codes, np.asarray(names, dtype=object)


def _first_present(values: np.ndarray, group: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Each group's first value that is not missing (None when it has none), as ``groupby(...).first()``."""
    present = ~pd.isna(values)
    first = np.full(len(head), len(values), dtype=np.int64)
    np.minimum.at(first, group[present], np.flatnonzero(present))
    found = first < len(values)
    out = np.full(len(head), None, dtype=object)
    out[found] = values[first[found]]
    return out


def _merge_parallel_pandas(table: pd.DataFrame) -> pd.DataFrame:
    """``_merge_parallel`` by a pandas group-by: for weights that are not whole numbers, whose sum depends on
    the order and method of adding (pandas' own is kept, so the pages do not change)."""
    table = table.sort_values(["a", "b", "edge_type", "start"], kind="stable", na_position="last")
    grouped = table.groupby(["a", "b", "edge_type"], sort=False)
    out = grouped[["kind", "via", "role"]].first()
    out["start"] = grouped["start"].min()
    out["end"] = grouped["end"].max()
    out["weight"] = grouped["weight"].sum()
    out["n"] = grouped.size()
    return out.reset_index()


def edge_records(edges: pd.DataFrame, ids: np.ndarray) -> list[dict]:
    """vis edge records for ``edges`` (rows of ``ViewNetwork.edges``), with their facts."""
    out = []
    columns = [edges[c].to_numpy() for c in ("a", "b", "edge_type", "start", "end", "weight", "n", "role", "kind", "via")]
    for a, b, edge_type, start, end, weight, n, role, kind, via in zip(*columns):
        facts = [["link", EDGE_STYLES.get(edge_type, {}).get("label", edge_type)]]
        if n > 1:
            facts.append(["records", str(int(n))])
        for name, value in (("from", start), ("to", end), ("role", role), ("kind", kind), ("via", via)):
            if isinstance(value, str) and value:
                facts.append([name, value])
        if edge_type == "contact":
            facts.append(["contacts", f"{weight:g}"])
        out.append({"from": ids[a], "to": ids[b], "type": edge_type, "start": start if isinstance(start, str) else None,
                    "end": end if isinstance(end, str) else None, "w": float(weight), "facts": facts})
    return out
