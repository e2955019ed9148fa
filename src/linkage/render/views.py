"""Interactive, self-contained network views: the overview, a page per cluster,
per looked-after child and per top business target.

Why the views do not use pyvis's own HTML: pyvis's template loads Bootstrap
and vis-network from CDNs even in its "local" and "in_line" modes, sets
tooltips with ``innerHTML`` and writes headings unescaped, and its default
physics layout takes minutes on a few thousand nodes.  So pyvis stays the
library that ships vis-network (its packaged ``vis-network.min.js`` and
``.css`` are read and inlined, see ``_html.vis_assets``), and this module
emits vis-network's node and edge data itself: positions computed in Python
with the job's seed (``_layout.layout``), physics on only for small pages,
every string passed as JSON data (escaped for ``<script>``) and put into the
page with ``textContent``.  Beyond ``aggregate_above`` nodes the overview
opens on the risk clusters as super-nodes, which expand in place (``_overview``,
``overview.js``), and every overview can lay its nodes out in a box per BCU.  ``paths.js`` adds
the path picker: how two nodes are connected, computed in the page from its
links as ``linkage path`` computes it (``analyse.paths``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..build import Network
from ..config import ViewOptions
from ..files import write_text

from ._html import safe_name
from ._layout import layout
from ._overview import SPREAD, aggregate, bcu_regions
from ._nodes import EDGE_STYLES, NODE_STYLES, FactBook, ViewNetwork, edge_records, node_values, view_network
from ._scores import CHILD_RISK_WEIGHTS, business_score, child_score, cluster_score
from ._search import SpellingBook, page_search
from ._template import page_assets, render_page, render_part, view_data
from ._timeline import TimelineData, child_timeline
from .map import write_map

__all__ = ["ViewOptions", "ViewPages", "graph_view", "view_from_networkx", "write_views", "children_at_risk"]


#: above this many links a page draws them as one canvas layer (see ``graph_view``)
LIGHT_LINKS_ABOVE = 4000
#: above this many nodes the names are drawn by the page itself, and only once zoomed in
LIGHT_LABELS_ABOVE = 2000
#: the parts of an overview's data that wait in a block of their own until the first expand (``overview.js``)
_CARRIED = ("extra", "extraEdges", "stubs")
#: the business_targets.csv columns a business page shows beside its drawing ("Why this business")
_BUSINESS_FACTS = ("rank", "name", "category", "local_authority", "bcu", "score", "children_linked",
                   "perpetrators_linked", "evidence")


@dataclass
class ViewPages:
    """What ``write_views`` wrote: output name -> path, and the page of each cluster, child and business."""

    outputs: dict[str, Path] = field(default_factory=dict)
    clusters: dict[str, str] = field(default_factory=dict)
    children: dict[str, str] = field(default_factory=dict)
    businesses: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: the review page of the resolution's queue (``review.html``), when the job wrote one
    review: str | None = None
    #: the links of the views' network by type (``_nodes.links_by_type``: one per pair of nodes and kind of tie)
    links: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    #: the looked-after children ranked by risk (``children_at_risk``), which the report shows too
    children_ranked: pd.DataFrame | None = None


def graph_view(nodes: list[dict], edges: list[dict], *, title: str, seed: int = 0, subtitle: str = "",
               nav_prefix: str | None = None, aside: str = "", below: str = "", physics_below: int = 300,
               light_links_above: int = LIGHT_LINKS_ABOVE, search: list[list] | None = None,
               overview: dict | None = None, regions: dict | None = None) -> str:
    """A self-contained HTML page drawing ``nodes`` and ``edges`` (vis-network records).

    A node is ``{id, label, s (style key of NODE_STYLES), type, role, bcu, t0, t1, la, facts, link}``;
    nodes without ``x``/``y`` are laid out here, deterministically with ``seed``.
    An edge is ``{from, to, type (key of EDGE_STYLES), start, end, w, facts}``.
    Above ``light_links_above`` edges the links are drawn as one canvas layer
    instead of vis-network edge objects (no link tooltips; pages stay fast), and
    above ``LIGHT_LABELS_ABOVE`` nodes the names of the nodes on screen are drawn
    by the page once zoomed in.

    The search box finds a node by its label and id, and by the rows of
    ``search`` (``_search.page_search``: ``[node position, kind, text, who]``).

    ``overview``: what an aggregated overview expands from, and ``regions``: the BCU regions
    (``_overview.aggregate`` and ``_overview.bcu_regions``; ``overview.js`` draws them).

    ``nav_prefix``: the header links to the overview and the report, from a page
    in the job folder ("") or in a subfolder ("../"); None for no links.
    ``aside`` and ``below`` go beside and below the drawing: fragments rendered
    by ``_template.render_part`` (``Markup``); a plain string is shown as text.
    """
    if any("x" not in node for node in nodes):
        positions = layout([n["id"] for n in nodes], [(e["from"], e["to"]) for e in edges], seed=seed)
        for node in nodes:
            node.setdefault("x", positions[node["id"]][0])
            node.setdefault("y", positions[node["id"]][1])
    data = {
        "title": title, "seed": seed, "physics": len(nodes) <= physics_below,
        "lightEdges": len(edges) > light_links_above,
        "lightLabels": len(nodes) > LIGHT_LABELS_ABOVE,
        "styles": NODE_STYLES, "edgeStyles": EDGE_STYLES, "nodes": nodes, "edges": edges, "search": search or [],
    }
    scripts = ("fuzzy.js", "view.js", "paths.js")
    carried = None
    if overview or regions:
        if overview:  # the nodes an expand adds go in a block of their own, read on the first expand
            carried = {key: overview[key] for key in _CARRIED if key in overview}
            overview = {key: value for key, value in overview.items() if key not in _CARRIED}
        data.update({key: value for key, value in (("overview", overview), ("regions", regions)) if value})
        scripts += ("overview.js",)
    return render_page("view.html", title=title, subtitle=subtitle, nav_prefix=nav_prefix, aside=aside, below=below,
                       n_nodes=len(nodes), n_edges=len(edges), data=view_data(data), regions=bool(regions),
                       carried=view_data(carried) if carried else None,
                       **page_assets(styles=("page.css",), scripts=scripts, vis=True))


def view_from_networkx(graph, *, title: str, seed: int = 0, physics_below: int = 300,
                       light_links_above: int = LIGHT_LINKS_ABOVE) -> str:
    """A view of a networkx graph whose nodes carry ``node_type`` and optionally ``label``, ``role``, ``bcu``."""
    nodes = []
    for node_id, attrs in graph.nodes(data=True):
        node_type = attrs.get("node_type", "person")
        role = attrs.get("role") or ""
        style = f"person:{role}" if node_type == "person" and f"person:{role}" in NODE_STYLES else (
            "person:other" if node_type == "person" else (node_type if node_type in NODE_STYLES else "place:other"))
        facts = [[str(k), str(v)] for k, v in sorted(attrs.items())]
        nodes.append({"id": str(node_id), "label": str(attrs.get("label", node_id)), "s": style, "type": node_type,
                      "role": role, "bcu": attrs.get("bcu"), "facts": facts})
    edges = [{"from": str(a), "to": str(b), "type": attrs.get("edge_type", "associate"), "w": 1, "facts": []}
             for a, b, attrs in graph.edges(data=True)]
    return graph_view(nodes, edges, title=title, seed=seed, physics_below=physics_below, light_links_above=light_links_above)


def children_at_risk(network: Network, *, care_moves: pd.DataFrame | None = None) -> pd.DataFrame:
    """Looked-after children ranked by risk: ``entity_id, label, missing_episodes, missing_with_others,
    peers_in_care, perpetrators_within_two_steps, risk``.

    risk = missing episodes + 2 x children went missing with + peers met in care
    + perpetrators within two steps of the settings / 5 (from care_moves, when it ran);
    the weights are ``_scores.CHILD_RISK_WEIGHTS``, which the child pages show the parts with.
    """
    people = network.people
    children = people.loc[people["looked_after"].fillna(False).astype(bool), ["entity_id", "label"]].copy()
    edges = network.edges

    def count(edge_type: str, column: str = "source", distinct_other: bool = False) -> pd.Series:
        chosen = edges[edges["edge_type"] == edge_type]
        if distinct_other:
            both = pd.concat([chosen[["source", "target"]], chosen[["target", "source"]].set_axis(["source", "target"], axis=1)])
            return both.drop_duplicates().groupby("source").size()
        return chosen.groupby(column).size()

    ids = children["entity_id"]
    children["missing_episodes"] = ids.map(count("went_missing")).fillna(0).astype(int).to_numpy()
    children["missing_with_others"] = ids.map(count("co_missing", distinct_other=True)).fillna(0).astype(int).to_numpy()
    children["peers_in_care"] = ids.map(count("co_placed", distinct_other=True)).fillna(0).astype(int).to_numpy()
    perps = pd.Series(dtype=float)
    if care_moves is not None and len(care_moves) and "cumulative_perpetrators" in care_moves:
        perps = care_moves.groupby("entity_id")["cumulative_perpetrators"].max()
    children["perpetrators_within_two_steps"] = ids.map(perps).fillna(0).astype(int).to_numpy()
    children["risk"] = sum(weight * children[column] for column, weight in CHILD_RISK_WEIGHTS.items()).round(1)
    return children.sort_values(["risk", "entity_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _records(vn: ViewNetwork, book: FactBook, positions: np.ndarray, *, links: dict[str, str], prefix: str,
             focus: str | None = None) -> tuple[list[dict], list[dict]]:
    chosen = vn.nodes.iloc[positions]
    facts = book.facts(chosen)
    nodes = []
    columns = [node_values(chosen, c) for c in ("id", "label", "style", "type", "role", "bcu", "t0", "t1", "la")]
    for (node_id, label, style, node_type, role, bcu, t0, t1, la), node_facts_ in zip(zip(*columns), facts):
        record = {"id": node_id, "label": label, "s": style, "type": node_type, "role": role or "",
                  "bcu": bcu, "t0": t0, "t1": t1, "la": bool(la), "facts": node_facts_}
        if node_id in links:
            record["link"] = prefix + links[node_id]
        if focus is not None and node_id == focus:
            record["size"] = 22
        nodes.append(record)
    edges = edge_records(vn.edges_within(positions), vn.ids)
    return nodes, edges


def _cap(first: np.ndarray, rest: np.ndarray, vn: ViewNetwork, limit: int) -> np.ndarray:
    """``first`` then as many of ``rest`` (highest degree first) as fit under ``limit`` nodes."""
    rest = np.setdiff1d(rest, first)
    room = max(limit - len(first), 0)
    if len(rest) > room:
        degree = vn.degree()[rest]
        order = np.lexsort((rest, -degree))
        rest = rest[order[:room]]
    return np.concatenate([first, np.sort(rest)]).astype(np.int64)


def write_views(network: Network, folder: str | Path, *, tables: dict[str, pd.DataFrame] | None = None,
                seed: int = 0, options: ViewOptions | None = None, title: str = "linkage",
                review: str | None = None, records: pd.DataFrame | None = None) -> ViewPages:
    """Write ``network.html`` and the ``clusters/``, ``children/`` and ``businesses/`` pages into ``folder``.

    ``tables`` are the analyses' outputs by file name (``clusters.csv``, ...);
    a page kind whose table is absent is not written, with a note.
    ``review``: the review page written beside them (``review.html``), linked from the overview.
    ``records`` are the source person records: their names make the people findable by every spelling.
    """
    folder = Path(folder)
    tables = tables or {}
    options = options or ViewOptions()
    pages = ViewPages(review=review)
    vn = view_network(network)
    book = FactBook(network)
    spellings: list[SpellingBook] = []  # made when first asked for: after the overview's grouping, whose working memory is gone by then

    def search_rows(nodes: list[dict], members: pd.DataFrame | None = None) -> list[list]:
        if not spellings:
            spellings.append(SpellingBook(network, records=records))
        return page_search(spellings[0], [n["id"] for n in nodes], members=members)

    # which pages exist decides the drill-down links, so choose them first
    clusters = tables.get("clusters.csv")
    members = tables.get("cluster_members.csv")
    chosen_clusters: list[str] = []
    if clusters is not None and members is not None and len(clusters):
        ranked = clusters.sort_values(["risk_score", "cluster_id"], ascending=[False, True], kind="stable")
        chosen_clusters = ranked["cluster_id"].astype(str).head(options.max_clusters).tolist()
    elif clusters is None:
        pages.notes.append("views: no cluster pages (the clusters analysis did not run)")
    ranked_children = pages.children_ranked = children_at_risk(network, care_moves=tables.get("care_moves.csv"))
    chosen_children = ranked_children["entity_id"].astype(str).head(options.max_children).tolist()
    targets = tables.get("business_targets.csv")
    chosen_businesses: list[str] = []
    if targets is not None and len(targets):
        chosen_businesses = targets.sort_values("rank", kind="stable")["location_id"].astype(str).head(options.max_businesses).tolist()
    elif targets is None:
        pages.notes.append("views: no business pages (the business targets analysis did not run)")
    pages.clusters = {c: f"clusters/{safe_name(c)}.html" for c in chosen_clusters}
    pages.children = {c: f"children/{safe_name(c)}.html" for c in chosen_children}
    pages.businesses = {b: f"businesses/{safe_name(b)}.html" for b in chosen_businesses}
    node_links = {**pages.children, **pages.businesses}

    def write(name: str, text: str) -> None:
        pages.outputs[name] = write_text(text, folder / name)

    # the overview
    pages.links = vn.links_by_type()
    subtitle = f"{len(vn.nodes):,} nodes, {int(pages.links.sum()):,} links"
    if len(vn.nodes) > options.aggregate_above:
        overview_clusters = []
        if clusters is not None and members is not None and len(clusters):
            overview_clusters = clusters.sort_values(["risk_score", "cluster_id"], ascending=[False, True], kind="stable")[
                "cluster_id"].astype(str).head(options.overview_clusters).tolist()
        drawn = aggregate(vn, book, members, clusters, chosen_businesses, {**node_links, **pages.clusters},
                          clusters=overview_clusters, max_links=options.overview_links,
                          max_members=options.overview_members, seed=seed)
        nodes, edges, expand = drawn.nodes, drawn.edges, drawn.data
        overview_search = search_rows(nodes, drawn.holders)
        region_of = drawn.bcu_of
        subtitle += (f" -- shown as {len(nodes):,} clusters and groups (above {options.aggregate_above:,} nodes); "
                     "click a cluster to expand it in place")
    else:
        nodes, edges = _records(vn, book, np.arange(len(vn.nodes)), links=node_links, prefix="")
        overview_search, expand = search_rows(nodes), None
        region_of = vn.nodes.set_index("id")["bcu"]
    regions = bcu_regions(nodes, edges, region_of, vn, seed=seed, spread=1.0 if expand is None else SPREAD)
    write("network.html", graph_view(nodes, edges, title=f"{title}: network overview", seed=seed, subtitle=subtitle,
                                     # positions fixed: an expanded cluster's members are placed around its super-node
                                     nav_prefix="", physics_below=options.physics_below if expand is None else -1,
                                     search=overview_search,
                                     aside=_page_index(pages, vn.nodes.set_index("id")["label"]),
                                     overview=expand, regions=regions))

    # a page per cluster
    if chosen_clusters:
        # the members of the chosen clusters only (a county has a hundred thousand clusters, a page for a few)
        member_cluster = members["cluster_id"].astype(str)
        by_cluster = members[member_cluster.isin(chosen_clusters).to_numpy()]
        by_cluster = by_cluster.assign(cluster_id=by_cluster["cluster_id"].astype(str), node_id=by_cluster["node_id"].astype(str))
        by_cluster = by_cluster.groupby("cluster_id")["node_id"].agg(list)
        info = clusters.assign(cluster_id=clusters["cluster_id"].astype(str)).set_index("cluster_id")
        for cluster_id in chosen_clusters:
            inside = vn.positions(by_cluster.get(cluster_id, []))
            people = vn.of_type(inside, "person")
            around = vn.adjacent(people)
            around = vn.of_type(around, "place", "operation", "episode")
            positions = _cap(inside, around, vn, options.max_page_nodes)
            nodes, edges = _records(vn, book, positions, links=node_links, prefix="../")
            row = info.loc[cluster_id]
            sub = (f"{len(inside)} members, risk score {row.get('risk_score', '')}, BCUs {row.get('bcus', '')}; "
                   f"with the places, operations and missing episodes around them")
            write(pages.clusters[cluster_id], graph_view(nodes, edges, title=f"Cluster {cluster_id}", seed=seed,
                                                         subtitle=sub, nav_prefix="../", physics_below=options.physics_below,
                                                         aside=render_part("parts/view_score.html", score=cluster_score(row)),
                                                         search=search_rows(nodes)))

    # a page per looked-after child
    labels = vn.nodes.set_index("id")["label"]
    timelines = TimelineData(network, children=chosen_children)
    child_rows = ranked_children.assign(entity_id=ranked_children["entity_id"].astype(str)).set_index("entity_id")
    for entity_id in chosen_children:
        centre = vn.positions([entity_id])
        first = vn.adjacent(centre)
        episodes = vn.of_type(first, "episode")
        second = vn.adjacent(episodes)
        positions = _cap(np.concatenate([centre, first]), second, vn, options.max_page_nodes)
        nodes, edges = _records(vn, book, positions, links=node_links, prefix="../", focus=entity_id)
        label = str(labels.get(entity_id, entity_id))
        timeline = child_timeline(timelines, entity_id, labels=labels, links=node_links, prefix="../")
        timeline += render_part("parts/child_brief.html", child=entity_id, label=label, file=safe_name(entity_id))
        write(pages.children[entity_id], graph_view(
            nodes, edges, title=f"Looked-after child: {label}", seed=seed,
            subtitle=f"{entity_id}: ego network, placements and missing episodes", nav_prefix="../",
            physics_below=options.physics_below, below=timeline, search=search_rows(nodes),
            aside=render_part("parts/view_score.html", score=child_score(child_rows.loc[entity_id]))))

    # a page per top business target
    if chosen_businesses:
        evidence = targets.assign(location_id=targets["location_id"].astype(str)).set_index("location_id")
        for location_id in chosen_businesses:
            centre = vn.positions([location_id])
            first = vn.adjacent(centre)
            via = vn.of_type(first, "episode", "operation")
            second = vn.adjacent(via)
            second = vn.of_type(second, "person")
            positions = _cap(np.concatenate([centre, first]), second, vn, options.max_page_nodes)
            nodes, edges = _records(vn, book, positions, links=node_links, prefix="../", focus=location_id)
            row = evidence.loc[location_id]
            if isinstance(row, pd.DataFrame):
                row = row.iloc[0]
            aside = (render_part("parts/view_business.html", facts=[(k, row.get(k)) for k in _BUSINESS_FACTS if k in row.index])
                     + render_part("parts/view_score.html", score=business_score(row)))
            write(pages.businesses[location_id], graph_view(
                nodes, edges, title=f"Business: {row.get('name') if isinstance(row.get('name'), str) else location_id}",
                seed=seed, subtitle=f"{location_id}: the children, perpetrators, episodes and operations linked to it",
                nav_prefix="../", physics_below=options.physics_below, aside=aside, search=search_rows(nodes)))

    # the map: places at their coordinates, the children's care moves as arrows
    pages.outputs["map.html"] = write_map(network, folder, care_moves=tables.get("care_moves.csv"),
                                          children=pages.children, businesses=pages.businesses, labels=labels,
                                          title=title)
    return pages


def _page_index(pages: ViewPages, labels: pd.Series) -> Markup:
    """The overview's list of the cluster, child and business pages (the first 60 of each)."""
    groups = []
    for heading, links in (("Cluster pages", pages.clusters), ("Children", pages.children), ("Businesses", pages.businesses)):
        if links:
            groups.append({"heading": heading, "clusters": heading == "Cluster pages",
                           "pages": [(name, path, labels.get(name, name)) for name, path in list(links.items())[:60]],
                           "more": f" and {len(links) - 60} more" if len(links) > 60 else ""})
    return render_part("parts/view_page_index.html", groups=groups, review=pages.review)
