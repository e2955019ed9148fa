"""The overview of a big network (``network.html`` above ``views.aggregate_above`` nodes), and its BCU regions.

The page opens on super-nodes: the highest-risk clusters (size = people,
colour = ``risk_score``, label = the cluster's BCUs and the part of its risk
that gives the most points, both from ``clusters.csv``), every other node
grouped by type and BCU, and the top business targets as themselves.  A line
between two super-nodes counts the links between them (``_nodes.distinct_links``,
the one definition of a link).

To expand a cluster in place the page also carries, as data, the cluster
members and their neighbours (at most ``views.overview_members`` nodes; the
page says when that cap cut any out), each placed here, in Python, around
the super-node that stands for it, with:

- the links among the carried nodes (``extraEdges``);
- "stubs": for each carried node, the links to the nodes held by another
  super-node, counted, so that an expanded member is tied to whatever is on
  screen (``overview.js`` draws a stub while its super-node is shown, less the
  links it draws to the carried nodes already shown).

``bcu_regions`` gives every node of a page a second position inside a box for
its BCU, and counts the links between nodes of different BCUs for each pair of
BCUs (the "group by BCU" layout: cross-BCU ties drawn between the regions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..graph import spring_layout
from ._nodes import FactBook, ViewNetwork, edge_records, node_values
from ._scores import top_risk_part

__all__ = ["Overview", "aggregate", "bcu_regions", "risk_colour", "RISK_COLOURS", "NO_BCU", "SPREAD"]

#: a cluster's colour by its risk score as a share of the highest risk score drawn (ColorBrewer "Reds", 5 classes)
RISK_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
#: the region of the nodes with no BCU on record
NO_BCU = "no BCU"
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
#: the overview opens on each super-node's this many strongest lines (the most links); the rest on request
STRONGEST = 3
#: how much further apart super-nodes are drawn than ``spring_layout`` places nodes
SPREAD = 3.0


@dataclass
class Overview:
    """What the aggregated overview draws, and the data it expands from."""

    nodes: list[dict]
    edges: list[dict]
    #: the members of the clusters drawn (``id, label, node``: the super-node holding each), for search
    holders: pd.DataFrame
    #: ``data.overview`` of the page: ``extra``, ``extraEdges``, ``stubs``, ``members``, ``note``, ``risk``
    data: dict = field(default_factory=dict)
    #: super-node id -> the most common BCU of its nodes (its BCU region; ties: the first by name)
    bcu_of: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))


def risk_colour(score: float, highest: float) -> str:
    """The colour of ``score`` on the scale up to ``highest``: five equal steps of ``RISK_COLOURS``."""
    if not highest or not np.isfinite(score) or highest <= 0:
        return RISK_COLOURS[0]
    step = int(min(max(score / highest, 0.0), 1.0) * len(RISK_COLOURS))
    return RISK_COLOURS[min(step, len(RISK_COLOURS) - 1)]


def _bcus(value) -> str:
    return ", ".join(p.strip() for p in str(value).split(";") if p.strip()) if isinstance(value, str) else ""


def _cluster_record(name: str, info: pd.DataFrame, nodes: int, people: int, highest: float) -> dict:
    row = info.loc[name] if name in info.index else pd.Series(dtype=object)
    score = pd.to_numeric(pd.Series([row.get("risk_score")]), errors="coerce").iloc[0]
    bcus = _bcus(row.get("bcus"))
    top = top_risk_part(row.get("risk_parts"))
    top_text = f"{top[0].replace('_', ' ')} ({top[1]:g} of {score:g} points)" if top and pd.notna(score) else ""
    label = f"{name}: {people} people" + (f", risk {score:g}" if pd.notna(score) else "")
    label += f"\n{bcus or NO_BCU}" + (f"\ntop: {top_text}" if top_text else "")
    facts = [["cluster", name], ["people", str(people)], ["nodes", str(nodes)]]
    facts += [["risk score", f"{score:g}"]] if pd.notna(score) else []
    facts += [["BCUs", bcus]] if bcus else []
    facts += [["top risk part", top_text]] if top_text else []
    return {"id": f"cluster {name}", "label": label, "s": "cluster", "type": "cluster", "role": "", "bcu": None,
            "size": round(float(10 + 3 * np.sqrt(max(people, 1))), 1),
            "color": risk_colour(float(score), highest) if pd.notna(score) else None, "risk": None if pd.isna(score) else float(score),
            "bcus": bcus, "top": top_text, "facts": facts}


def aggregate(vn: ViewNetwork, book: FactBook, members: pd.DataFrame | None, info: pd.DataFrame | None,
              keep: list[str], links: dict[str, str], *, clusters: list[str], max_links: int, max_members: int,
              seed: int = 0) -> Overview:
    """``clusters`` as super-nodes; every other node grouped by type and BCU; ``keep`` ids stay themselves;
    the ``max_links`` heaviest lines between them; and up to ``max_members`` cluster members and neighbours
    carried for expanding in place.  ``info``: ``clusters.csv``; ``links``: node or cluster id -> its page."""
    nodes = vn.nodes
    n = len(nodes)
    # where each node goes: its type-and-BCU group, its cluster (the top ones), or itself (``keep``); worked on
    # codes, with a name made once per distinct group rather than a string per node
    kind_code = np.zeros(n, dtype=np.int64)  # 0 group, 1 cluster, 2 itself
    cluster_of = np.full(n, None, dtype=object)
    if members is not None and len(members) and clusters:
        chosen = members[members["cluster_id"].astype(str).isin(set(clusters))]
        first = chosen.sort_values(["cluster_id", "node_id"]).drop_duplicates("node_id")
        cluster_of = nodes["id"].map(first.set_index("node_id")["cluster_id"].astype(str)).to_numpy(dtype=object)
        kind_code[pd.notna(cluster_of)] = 1
    kept = nodes["id"].isin(set(keep)).to_numpy()
    kind_code[kept] = 2
    pre = np.zeros(n, dtype=np.int64)
    grouped = kind_code == 0
    type_codes, type_names = pd.factorize(nodes["type"].to_numpy(dtype=object)[grouped])
    bcu_codes, bcu_names = pd.factorize(nodes["bcu"].fillna(NO_BCU).to_numpy(dtype=object)[grouped])
    combos, pre[grouped] = np.unique(type_codes * max(len(bcu_names), 1) + bcu_codes, return_inverse=True)
    labels = [f"{type_names[c // max(len(bcu_names), 1)]} in {bcu_names[c % max(len(bcu_names), 1)]}, outside the top clusters"
              for c in combos]
    in_cluster = kind_code == 1
    cluster_codes, cluster_names = pd.factorize(cluster_of[in_cluster])
    pre[in_cluster] = len(labels) + cluster_codes
    pre[kept] = len(labels) + len(cluster_names) + np.arange(int(kept.sum()))
    every_name = np.array([*labels, *map(str, cluster_names), *nodes["id"].to_numpy(dtype=object)[kept]], dtype=object)
    names, of_name = np.unique(every_name, return_inverse=True)  # sorted as text, as factorize(sort=True) sorts
    codes = np.asarray(of_name, dtype=np.int64)[pre]
    sizes = np.bincount(codes, minlength=len(names))
    # each super-node's kind: that of its first node (a name shared by two kinds takes the first node's)
    first_node = np.full(len(names), n, dtype=np.int64)
    np.minimum.at(first_node, codes, np.arange(n, dtype=np.int64))
    kind_names = np.array(["group", "cluster", "self"], dtype=object)
    kind_of = pd.Series(kind_names[kind_code[first_node]], index=np.arange(len(names)))
    kind = kind_names[kind_code]
    is_person = (nodes["type"] == "person").to_numpy()
    people_of = np.bincount(codes, weights=is_person.astype(float), minlength=len(names)).astype(int)
    info = (info.assign(cluster_id=info["cluster_id"].astype(str)).drop_duplicates("cluster_id").set_index("cluster_id")
            if info is not None and len(info) else pd.DataFrame(columns=["risk_score", "bcus", "risk_parts"]))
    drawn = [str(names[c]) for c in range(len(names)) if kind_of[c] == "cluster"]
    scores = pd.to_numeric(info["risk_score"].reindex(drawn), errors="coerce") if "risk_score" in info else pd.Series(dtype=float)
    highest = float(scores.max()) if scores.notna().any() else 0.0
    self_rows = nodes[kept].set_index("id")
    # each kept node's first row (ids are distinct): its facts from that row, not a scan of every node per name
    self_position = {}
    for node_id, position in zip(nodes["id"].to_numpy(dtype=object)[kept], np.flatnonzero(kept)):
        self_position.setdefault(node_id, position)
    records = []
    for code, name in enumerate(names):
        if kind_of[code] == "self":
            row = self_rows.loc[name].astype(object).where(self_rows.loc[name].notna(), None)
            record = {"id": name, "label": row["label"], "s": row["style"], "type": row["type"], "role": row["role"] or "",
                      "bcu": row["bcu"], "facts": book.facts(nodes.iloc[[self_position[name]]])[0]}
        elif kind_of[code] == "cluster":
            record = _cluster_record(str(name), info, int(sizes[code]), int(people_of[code]), highest)
        else:
            node_type, _, rest = str(name).partition(" in ")
            short = f"{node_type}s, {rest.split(', outside')[0]} ({int(sizes[code])})"
            record = {"id": f"group {name}", "label": short, "s": "group", "type": "group",
                      "role": "", "bcu": None, "facts": [["group", name], ["nodes", str(int(sizes[code]))]]}
        page = links.get(str(name))
        if page and kind_of[code] != "group":
            record["link"] = page
        records.append(record)
    ids = np.array([r["id"] for r in records], dtype=object)
    # the lines between super-nodes: the links between their nodes, counted once each (as the subtitle counts them)
    every = vn.links
    # (one int64 key per pair of super-nodes, counted by a sort: a county's 8M links through no pandas group-by)
    lo, hi = codes[every["lo"].to_numpy()], codes[every["hi"].to_numpy()]
    between = lo != hi
    lo, hi = lo[between], hi[between]
    width = np.int64(max(len(names), 1))
    pairs, n_links = np.unique(np.minimum(lo, hi) * width + np.maximum(lo, hi), return_counts=True)
    del lo, hi, between
    counts = pd.Series(n_links.astype(np.int64), index=pd.MultiIndex.from_arrays([pairs // width, pairs % width], names=["lo", "hi"]))
    dropped = 0
    if len(counts) > max_links:
        order = np.lexsort((np.arange(len(counts)), -counts.to_numpy()))[:max_links]
        dropped = len(counts) - max_links
        counts = counts.iloc[np.sort(order)]
    # the page opens on each super-node's strongest lines; the others ("minor") are a tick away
    lines = pd.DataFrame({"lo": counts.index.get_level_values(0), "hi": counts.index.get_level_values(1),
                          "n": counts.to_numpy(), "i": np.arange(len(counts))})
    ends = pd.concat([lines.assign(node=lines["lo"]), lines.assign(node=lines["hi"])])
    ends = ends.sort_values(["node", "n", "i"], ascending=[True, False, True], kind="stable")
    strong = np.zeros(len(counts), dtype=bool)
    strong[ends.groupby("node", sort=False).head(STRONGEST)["i"].to_numpy()] = True
    edges = []
    for ((x, y), k), major in zip(counts.items(), strong):
        edge = {"from": ids[x], "to": ids[y], "type": "aggregate", "w": float(np.log1p(k)), "facts": [["links", str(int(k))]]}
        if not major:
            edge["minor"] = True
        edges.append(edge)
    positions = spring_layout(len(records), counts.index.get_level_values(0).to_numpy(),
                              counts.index.get_level_values(1).to_numpy(), seed=seed) if records else np.zeros((0, 2))
    # spread out: a super-node is bigger than a node, has a three-line label, and its members expand around it
    positions = positions * SPREAD
    for record, (x, y) in zip(records, positions):
        record["x"], record["y"] = round(float(x), 1), round(float(y), 1)
    # search finds the members of the clusters drawn; the groups' members are too many to carry (a medium
    # world's overview would hold 350,000 spellings, 18 MB, and a search would take seconds) and have no page
    in_cluster = kind == "cluster"
    holders = pd.DataFrame({"id": nodes["id"].to_numpy()[in_cluster], "label": nodes["label"].to_numpy()[in_cluster],
                            "node": ids[codes][in_cluster]})
    data = _expansions(vn, book, codes, ids, records, kind_of, sizes, links, max_members=max_members, seed=seed)
    data["risk"] = {"highest": highest, "colours": list(RISK_COLOURS)}
    data["strongest"] = STRONGEST
    if dropped:
        data["note"] = (data.get("note", "") + f" The {max_links:,} heaviest lines between groups are drawn; "
                        f"{dropped:,} lighter ones are not (views.overview_links).").strip()
    # each super-node's BCU by its nodes' votes, counted on codes (a county has a million nodes)
    known = nodes["bcu"].notna().to_numpy()
    id_codes, id_names = pd.factorize(ids)
    bcu_codes, bcu_names = pd.factorize(nodes["bcu"].to_numpy(dtype=object)[known])
    k = np.int64(max(len(bcu_names), 1))
    pairs, n_votes = np.unique(np.asarray(id_codes, dtype=np.int64)[codes[known]] * k + bcu_codes, return_counts=True)
    votes = pd.DataFrame({"node": np.asarray(id_names, dtype=object)[pairs // k],
                          "bcu": np.asarray(bcu_names, dtype=object)[pairs % k], "n": n_votes.astype(np.int64)})
    votes = votes.sort_values(["node", "n", "bcu"], ascending=[True, False, True], kind="stable").drop_duplicates("node")
    return Overview(records, edges, holders, data, votes.set_index("node")["bcu"])


def _expansions(vn: ViewNetwork, book: FactBook, codes: np.ndarray, ids: np.ndarray, records: list[dict],
                kind_of: pd.Series, sizes: np.ndarray, links: dict[str, str], *, max_members: int, seed: int) -> dict:
    """The carried nodes (cluster members, most linked first, highest-risk cluster first; then their neighbours),
    placed around their super-nodes, with their links and stubs."""
    degree = vn.degree()
    order = np.lexsort((np.arange(len(codes)), -degree, codes))
    starts = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(ids)))]
    cluster_codes = [c for c in range(len(ids)) if kind_of[c] == "cluster"]
    cluster_codes.sort(key=lambda c: (-(records[c].get("risk") or 0.0), ids[c]))
    budget = max(int(max_members), 0)
    chosen: list[np.ndarray] = []
    members = {}
    for c in cluster_codes:
        inside = order[starts[c]:starts[c + 1]]
        take = inside[:budget]
        budget -= len(take)
        chosen.append(take)
        members[ids[c]] = {"n": int(sizes[c]), "carried": int(len(take))}
    carried = np.sort(np.concatenate(chosen)) if chosen else np.array([], dtype=np.int64)
    is_self = np.array([kind_of[c] == "self" for c in range(len(ids))], dtype=bool)
    around = np.setdiff1d(vn.adjacent(carried), carried)
    around = around[~is_self[codes[around]]]
    n_around = len(around)
    around = around[np.lexsort((around, -degree[around]))][:budget]
    notes = []
    short = {k: v for k, v in members.items() if v["carried"] < v["n"]}
    if short:
        notes.append(f"{len(short):,} of the {len(members):,} clusters drawn expand to part of their members only: the page "
                     f"carries at most {max_members:,} members and neighbours (views.overview_members); their pages have the rest.")
    if len(around) < n_around:
        notes.append(f"{len(around):,} of the {n_around:,} neighbours of the carried members are carried "
                     f"(views.overview_members): expanding a member's neighbours shows only the carried ones.")
    carried = np.sort(np.concatenate([carried, around])).astype(np.int64)
    xy = np.zeros((len(carried), 2))
    where = np.full(len(codes), -1, dtype=np.int64)
    where[carried] = np.arange(len(carried))
    holder = codes[carried]
    every = vn.links
    lo, hi = every["lo"].to_numpy(), every["hi"].to_numpy()
    both = (where[lo] >= 0) & (where[hi] >= 0) & (codes[lo] == codes[hi])
    inner = pd.DataFrame({"c": codes[lo][both], "a": where[lo][both], "b": where[hi][both]}).drop_duplicates()
    by_code = dict(tuple(inner.groupby("c", sort=True))) if len(inner) else {}
    for c in np.unique(holder):
        mine = np.flatnonzero(holder == c)
        centre = np.array([records[c]["x"], records[c]["y"]])
        if kind_of[c] == "cluster":
            local = np.full(len(carried), -1, dtype=np.int64)
            local[mine] = np.arange(len(mine))
            pairs = by_code.get(c)
            a = local[pairs["a"].to_numpy()] if pairs is not None else np.array([], dtype=np.int64)
            b = local[pairs["b"].to_numpy()] if pairs is not None else np.array([], dtype=np.int64)
            xy[mine] = spring_layout(len(mine), a, b, seed=seed) + centre
        else:  # a neighbour held by a group or a cluster whose members are not carried: a spiral around it
            turn = np.arange(len(mine))
            radius = float(records[c].get("size") or 16) + 30 + 16 * np.sqrt(turn)
            xy[mine] = centre + np.column_stack([radius * np.cos(turn * _GOLDEN_ANGLE), radius * np.sin(turn * _GOLDEN_ANGLE)])
    chosen_nodes = vn.nodes.iloc[carried]
    facts = book.facts(chosen_nodes)
    extra = []
    columns = [node_values(chosen_nodes, c) for c in ("id", "label", "style", "type", "role", "bcu", "t0", "t1", "la")]
    for k, ((node_id, label, style, node_type, role, bcu, t0, t1, la), node_facts) in enumerate(zip(zip(*columns), facts)):
        record = {"id": node_id, "label": label, "s": style, "type": node_type, "role": role or "", "bcu": bcu, "t0": t0,
                  "t1": t1, "la": bool(la), "facts": node_facts, "in": ids[holder[k]], "deg": int(degree[carried[k]]),
                  "x": round(float(xy[k, 0]), 1), "y": round(float(xy[k, 1]), 1)}
        if node_id in links:
            record["link"] = links[node_id]
        extra.append(record)
    return {"extra": extra, "extraEdges": edge_records(vn.edges_within(carried), vn.ids),
            "stubs": _stubs(vn, codes, ids, where), "members": members, "note": " ".join(notes)}


def _stubs(vn: ViewNetwork, codes: np.ndarray, ids: np.ndarray, where: np.ndarray) -> list[list]:
    """For each carried node and each other super-node: ``[carried node id, super-node id, links between them,
    the carried nodes at the other end of those links (one entry per link)]``; a link to a carried node is
    drawn as itself once that node is shown."""
    every = vn.links
    lo, hi = every["lo"].to_numpy(), every["hi"].to_numpy()
    # both directions of every link, only those from a carried node to another super-node's (picked before the
    # two directions are joined: a county has 8M links and a few thousand carried nodes)
    apart = codes[lo] != codes[hi]
    forward, backward = apart & (where[lo] >= 0), apart & (where[hi] >= 0)
    mine, other = np.r_[lo[forward], hi[backward]], np.r_[hi[forward], lo[backward]]
    del apart, forward, backward
    if not len(mine):
        return []
    holder = codes[other]
    order = np.lexsort((other, holder, mine))
    mine, holder, other = mine[order], holder[order], other[order]
    # one stub per (carried node, other super-node): its links, and the carried nodes among their other ends
    first = np.flatnonzero(np.r_[True, (mine[1:] != mine[:-1]) | (holder[1:] != holder[:-1])])
    counts = np.diff(np.r_[first, len(mine)])
    carried = where[other] >= 0
    shown_per_stub = np.add.reduceat(carried.astype(np.int64), first)
    shown = np.split(np.asarray(vn.ids, dtype=object)[other[carried]], np.cumsum(shown_per_stub)[:-1])
    node_ids = np.asarray(vn.ids, dtype=object)
    return [[m, h, int(n), list(s)] for m, h, n, s in zip(node_ids[mine[first]], ids[holder[first]], counts, shown)]


def bcu_regions(nodes: list[dict], edges: list[dict], bcu_of: pd.Series, vn: ViewNetwork, *, seed: int = 0,
                spread: float = 1.0) -> dict:
    """A box per BCU holding its nodes (``rx``, ``ry`` set on each of ``nodes``) and, for each pair of BCUs, the
    links between a node of one and a node of the other (``distinct_links``, over the whole network).

    ``spread``: how much further apart than ``spring_layout`` places them (super-nodes are bigger than nodes).
    ``bcu_of``: node id -> the BCU its region is (a cluster's: its members' most common BCU); a node missing
    from it, or with none, goes in the ``NO_BCU`` region.  Returns ``{"regions": [{name, x, y, w, h, nodes}],
    "cross": [{a, b, n}]}``."""
    region = [str(bcu_of.get(n["id"])) if isinstance(bcu_of.get(n["id"]), str) and bcu_of.get(n["id"]) else NO_BCU
              for n in nodes]
    names = sorted(set(region) - {NO_BCU}) + ([NO_BCU] if NO_BCU in region else [])
    index = {node["id"]: i for i, node in enumerate(nodes)}
    pairs = np.array([(index[e["from"]], index[e["to"]]) for e in edges if e["from"] in index and e["to"] in index],
                     dtype=np.int64).reshape(-1, 2)
    laid, boxes = {}, {}
    for name in names:
        mine = np.array([i for i, r in enumerate(region) if r == name], dtype=np.int64)
        local = np.full(len(nodes), -1, dtype=np.int64)
        local[mine] = np.arange(len(mine))
        inside = pairs[(local[pairs[:, 0]] >= 0) & (local[pairs[:, 1]] >= 0)] if len(pairs) else pairs
        xy = spring_layout(len(mine), local[inside[:, 0]], local[inside[:, 1]], seed=seed) * spread
        xy -= xy.min(axis=0)
        laid[name] = (mine, xy)
        boxes[name] = xy.max(axis=0) + 80  # room for the node sizes and the label
    columns = max(1, math.ceil(math.sqrt(len(names))))
    cell = np.max(np.array(list(boxes.values())), axis=0) + 160 if boxes else np.zeros(2)
    regions = []
    for k, name in enumerate(names):
        mine, xy = laid[name]
        corner = np.array([k % columns, k // columns]) * cell + (cell - boxes[name]) / 2
        for i, (x, y) in zip(mine, xy + corner + 40):
            nodes[i]["rx"], nodes[i]["ry"] = round(float(x), 1), round(float(y), 1)
            nodes[i]["region"] = name
        regions.append({"name": name, "x": round(float(corner[0]), 1), "y": round(float(corner[1]), 1),
                        "w": round(float(boxes[name][0]), 1), "h": round(float(boxes[name][1]), 1), "nodes": int(len(mine))})
    # the links between BCUs: a node's own BCU on record, both ends known and different
    # (on codes in the BCUs' text order: no string per link, and the lower code is the name first as text)
    codes, bcus = pd.factorize(vn.nodes["bcu"].to_numpy(dtype=object), sort=True)
    every = vn.links
    a, b = codes[every["lo"].to_numpy()], codes[every["hi"].to_numpy()]
    known = (a >= 0) & (b >= 0) & (a != b)
    k = max(len(bcus), 1)
    pair_counts = np.bincount(np.minimum(a, b)[known] * k + np.maximum(a, b)[known], minlength=k * k)
    cross = [{"a": str(bcus[key // k]), "b": str(bcus[key % k]), "n": int(pair_counts[key])}
             for key in np.flatnonzero(pair_counts)]
    return {"regions": regions, "cross": cross}
