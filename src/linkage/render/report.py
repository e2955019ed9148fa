"""``report.html``: one self-contained page per job, with a section per audience.

- **Analyst**: data quality and rejects, resolution figures, the network,
  clusters, operation crossover, key people, candidate links.
- **Safeguarding lead**: children most at risk, care-move growth (charts),
  missing-episode patterns, the counterfactual of fewer moves, reach.
- **Genga co-ordinator**: business targets by district with their evidence.

This module prepares what each section shows (tables, charts, figures); the
templates ``report.html`` and ``parts/report_*.html`` lay it out, and the
template engine escapes every record-derived string. Charts are inline SVG
(``_charts``), tables sort by a click on their header, and names link into
the views. A section whose analysis was skipped says so instead of failing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .._arrow import positions_in
from ..build import Network
from ..files import write_text
from ._charts import bar_chart, line_chart
from ._nodes import links_by_type, view_network
from ._scores import business_rank_reason
from ._tables import cell_text, data_table
from ._template import page_assets, render_page
from .views import ViewPages, children_at_risk

__all__ = ["BANNER_REJECT_SHARE", "reject_banner", "report_html", "write_report"]

#: the analyses a section can say "did not run" for (the first word is looked up in the run's notes)
_ANALYSES = ("clusters", "operation crossover", "key people", "candidate links", "care-move", "missing episodes",
             "reach", "business targets")


def _skip_reasons(notes: list[str]) -> dict[str, str]:
    """What -> " (the note saying why it was skipped)", or "" when no note says."""
    reasons = {}
    for what in _ANALYSES:
        found = [n for n in notes if "skipped" in n and what.split()[0] in n]
        reasons[what] = f" ({found[0]})" if found else ""
    return reasons


def _figures(pairs: list[tuple[str, object]]) -> list[tuple[str, str]]:
    """(value text, label) of each figure that has a value."""
    return [(cell_text(v)[0], k) for k, v in pairs if v is not None]


#: a table that lost more than this share of its rows to rejects gets the red banner at the top of the report
BANNER_REJECT_SHARE = 0.01


def reject_banner(inputs: pd.DataFrame | None) -> list[dict]:
    """The input tables that lost more than ``BANNER_REJECT_SHARE`` of their rows to rejects (the red banner)."""
    if inputs is None or not len(inputs) or not {"read", "rejected", "file"} <= set(inputs.columns):
        return []
    read = inputs["read"].astype(float)
    share = (inputs["rejected"].astype(float) / read.where(read > 0)).fillna(0.0)
    mask = (share > BANNER_REJECT_SHARE).to_numpy()
    over = inputs[mask].assign(share=share.to_numpy()[mask])
    return [{"file": row.file, "percent": f"{100 * row.share:.1f}", "rejected": f"{int(row.rejected):,}",
             "read": f"{int(row.read):,}"} for row in over.itertuples(index=False)]


def _rejects(rejects: pd.DataFrame | None) -> dict | None:
    if rejects is None or not len(rejects):
        return None
    by_reason = rejects.assign(reason=rejects["reason"].astype(str).str.replace(r"'[^']*'", "'...'", regex=True)) \
        .groupby(["table", "column"], dropna=False).size().rename("rejected").reset_index() \
        .sort_values("rejected", ascending=False)
    # the counts the run summary and manifest.json give: rows, not reject lines
    action = rejects["action"] if "action" in rejects else pd.Series("rejected", index=rejects.index)
    rows = rejects.assign(action=action).drop_duplicates(["table", "row", "action"])
    return {"rejected": f"{int((rows['action'] == 'rejected').sum()):,}",
            "cleared": f"{int((rows['action'] == 'cleared').sum()):,}" if (rows["action"] == "cleared").any() else "",
            "by_reason": data_table(by_reason, limit=30),
            "rows": data_table(rejects, [c for c in ["table", "row", "column", "value", "reason", "action"] if c in rejects],
                               limit=50)}


def _analyst(network, tables, summary, notes, inputs, rejects, pages) -> dict:
    resolution = (summary or {}).get("resolution")
    # links as every page counts them (one per pair of nodes and kind of tie), among the nodes the views draw;
    # the ties of phones, vehicles and handles apart (the views show them in the facts)
    counts = pages.links if len(pages.links) else view_network(network).links_by_type()
    counts = counts.sort_values(ascending=False, kind="stable")
    edges = network.edges
    held = (edges["source_type"] == "identifier") | (edges["target_type"] == "identifier")
    identifier_links = int(links_by_type(edges.loc[held, "source"].astype(str), edges.loc[held, "target"].astype(str),
                                         edges.loc[held, "edge_type"]).sum())
    part = {
        "inputs": data_table(inputs, limit=None) if inputs is not None and len(inputs) else None,
        "rejects": _rejects(rejects),
        "resolution": _figures([
            ("person records", resolution.get("records")), ("people (entities)", resolution.get("entities")),
            ("candidate pairs", resolution.get("candidate_pairs")), ("record pairs linked", resolution.get("linked_pairs")),
            ("pairs to review", resolution.get("review_pairs")), ("record pairs refused by guards", resolution.get("refused_links"))])
        if resolution else None,
        "network": _figures([("people", len(network.people)), ("places", len(network.places)),
                             ("missing episodes", len(network.episodes)), ("operations", len(network.operations)),
                             ("identifiers", len(network.identifiers)), ("links", int(counts.sum())),
                             ("links of identifiers", identifier_links)]),
        "links_chart": bar_chart(counts.index.tolist(), counts.tolist(), title="links by type") if len(counts) else None,
        "notes": notes,
        "clusters": None, "crossover": None, "key_people": None, "candidates": None,
        "review": pages.review,
    }
    clusters = tables.get("clusters.csv")
    if clusters is not None:
        ranked = clusters.sort_values(["risk_score", "cluster_id"], ascending=[False, True], kind="stable")
        top = ranked.head(15)
        part["clusters"] = {
            "chart": bar_chart(top["cluster_id"].astype(str).tolist(), top["risk_score"].tolist(),
                               title="highest-risk clusters (risk score)", colour="#d62728") if len(top) else None,
            "table": data_table(ranked, ["cluster_id", "size", "n_victims", "n_perpetrators", "n_looked_after", "bcus",
                                         "cross_bcu", "out_of_force", "categories", "risk_score", "risk_parts"],
                                links={"cluster_id": (pages.clusters, "")})}
    crossover = tables.get("operation_crossover.csv")
    if crossover is not None:
        part["crossover"] = data_table(crossover, ["operation_a", "operation_b", "shared_victims", "shared_perpetrators",
                                                   "shared_locations", "categories_a", "categories_b", "bcus"], limit=30)
    key = tables.get("key_people.csv")
    if key is not None:
        part["key_people"] = data_table(key, ["entity_id", "label", "roles", "degree", "betweenness", "brokerage",
                                              "clusters_bridged", "bcus_bridged", "cluster_id", "key_score"],
                                        links={"entity_id": (pages.children, ""), "cluster_id": (pages.clusters, "")},
                                        limit=30)
    candidates = tables.get("candidate_links.csv")
    if candidates is not None:
        part["candidates"] = data_table(candidates, ["entity_id_a", "entity_id_b", "reason", "score", "evidence"],
                                        links={"entity_id_a": (pages.children, ""), "entity_id_b": (pages.children, "")},
                                        limit=30)
    return part


def _care_moves(tables) -> dict | None:
    moves = tables.get("care_moves.csv")
    if moves is None:
        return None
    if not len(moves):
        return {"rows": 0, "charts": [], "cohort": None}
    by_move = moves.groupby("move_number").agg(peers=("cumulative_peers", "mean"), children=("entity_id", "nunique"))
    series = {"mean peers met so far": by_move["peers"].round(2).tolist()}
    if "cumulative_perpetrators" in moves:
        series["mean perpetrators within two steps / 10"] = (
            moves.groupby("move_number")["cumulative_perpetrators"].mean() / 10).round(2).tolist()
    charts = [line_chart(by_move.index.astype(float).tolist(), series, title="network growth with each care move",
                         x_label="move number (0 = first placement)", y_label="people")]
    cohort = tables.get("care_move_cohort.csv")
    if cohort is not None and len(cohort):
        first = cohort[cohort["group_by"] == cohort["group_by"].iloc[0]]
        charts.append(bar_chart([f"{first['group_by'].iloc[0]} {b}" for b in first["band"].astype(str)],
                                first["mean_peers"].tolist(), title="mean peers met in care, by number of moves",
                                colour="#e377c2"))
    return {"rows": len(moves), "charts": [c for c in charts if c],
            "cohort": data_table(cohort, limit=None) if cohort is not None else None}


def _counterfactual(tables) -> dict | None:
    counterfactual = tables.get("care_move_counterfactual.csv")
    if counterfactual is None:
        return None
    if not len(counterfactual):
        return {"rows": 0}
    labels = ["actual"] + counterfactual["scenario"].astype(str).tolist()
    values = [float(counterfactual["peers_actual"].iloc[0])] + counterfactual["peers_scenario"].astype(float).tolist()
    return {"rows": len(counterfactual), "table": data_table(counterfactual, limit=None),
            "chart": bar_chart(labels, values, title="peers met in care: actual against capped moves", colour="#2ca02c")}


def _names(network: Network, wanted: list[str]) -> dict[str, str]:
    """Node id -> the name the views show, for the ``wanted`` ids: a person's label, a place's name (its category
    when it has none); an id held twice takes the person's, then the first row's. Each table is scanned once
    against the wanted ids (an Arrow hash of those few), not turned into a lookup of every node."""
    people = network.people
    places = network.places
    place_name = places["name"] if "name" in places else pd.Series(None, index=places.index, dtype=object)
    value_set = pa.array(wanted, type=pa.large_string())
    found: dict[str, str] = {}
    for ids, names in ((people["entity_id"], lambda rows: people["label"].iloc[rows].astype(str)),
                       (places["location_id"], lambda rows: place_name.iloc[rows].where(
                           place_name.iloc[rows].notna(), places["category"].iloc[rows].astype(str)).astype(str))):
        position = positions_in(ids.astype(str), value_set)
        rows = np.flatnonzero(position >= 0)
        for key, name in zip(np.asarray(wanted, dtype=object)[position[rows]], names(rows).tolist()):
            found.setdefault(key, name)
    return found


def _named(frame: pd.DataFrame, network: Network, columns: dict[str, str], *, shown: int) -> pd.DataFrame:
    """``frame`` with, for each id column, a column of "name (id)" (";"-joined ids become "; "-joined names).

    Only the first ``shown`` rows are named (the rows the report's table shows; the rest are left empty):
    a county's tables run to hundreds of thousands of rows, of which the report shows a few dozen."""
    out = frame.copy()
    for column, named in columns.items():
        if column not in out:
            continue
        values = out[column].head(shown).tolist()
        lookup = _names(network, sorted({i for value in values if isinstance(value, str) for i in value.split(";") if i}))
        out[named] = [
            "; ".join(f"{lookup[i]} ({i})" if i in lookup else i for i in str(value).split(";") if i)
            if isinstance(value, str) else value for value in values] + [None] * (len(out) - len(values))
    return out


#: the rows of missing_links.csv and missing_profile.csv the report's tables show
_MISSING_LINKS_SHOWN = 30
_MISSING_PROFILE_SHOWN = 20


def _missing(network, tables, pages) -> dict | None:
    episodes = network.episodes
    if not len(episodes):
        return None
    years = pd.to_datetime(episodes["start"], errors="coerce").dt.year.dropna().astype(int).value_counts().sort_index()
    charts = [bar_chart([str(y) for y in years.index], years.tolist(), title="missing episodes by year", colour="#ff9f1c")]
    links = tables.get("missing_links.csv")
    if links is not None and len(links):
        reasons = links["reason"].astype(str).value_counts()
        charts.append(bar_chart(reasons.index.tolist(), reasons.tolist(), title="children missing together: why linked",
                                colour="#d62728"))
        if "co_placed" in links:
            met = links["co_placed"].fillna(False).astype(bool)
            charts.append(bar_chart(["met in a care setting first", "no shared setting"], [int(met.sum()), int((~met).sum())],
                                    title="pairs who went missing together", colour="#9467bd"))
    profile = tables.get("missing_profile.csv")
    children = {"entity_id_a": (pages.children, ""), "entity_id_b": (pages.children, "")}
    if links is not None:
        links = _named(links, network, {"entity_id_a": "child_a", "entity_id_b": "child_b", "co_placed_setting": "setting"},
                       shown=_MISSING_LINKS_SHOWN)
        children.update({"child_a": (_by_name(links.head(_MISSING_LINKS_SHOWN), "child_a", "entity_id_a", pages), ""),
                         "child_b": (_by_name(links.head(_MISSING_LINKS_SHOWN), "child_b", "entity_id_b", pages), "")})
    if profile is not None:
        profile = _named(profile, network, {"entity_id": "child", "found_businesses": "found at businesses",
                                          "found_with": "found with"}, shown=_MISSING_PROFILE_SHOWN)
    return {
        "charts": charts,
        "links": None if links is None else {"rows": len(links), "table": data_table(
            links, ["child_a", "child_b", "reason", "n_episodes", "co_placed", "setting",
                    "met_before_missing", "found_location_categories", "first_together", "last_together"],
            links=children, limit=_MISSING_LINKS_SHOWN)},
        "profile": None if profile is None else data_table(
            profile, ["child", "n_episodes", "repeat_missing", "first_start", "last_start", "found at businesses",
                      "found with"], links={"child": (_by_name(profile.head(_MISSING_PROFILE_SHOWN), "child", "entity_id", pages), "")},
            limit=_MISSING_PROFILE_SHOWN),
    }


def _by_name(frame: pd.DataFrame, named: str, column: str, pages) -> dict[str, str]:
    """The page of each "name (id)" cell of ``named``, from the id in ``column``."""
    return {str(n): pages.children[str(i)] for n, i in zip(frame[named], frame[column]) if str(i) in pages.children}


def _safeguarding(network, tables, notes, pages) -> dict:
    children = pages.children_ranked
    if children is None:
        children = children_at_risk(network, care_moves=tables.get("care_moves.csv"))
    label_pages = dict(zip(children["label"].astype(str), children["entity_id"].map(pages.children).fillna("")))
    reach = tables.get("reach.csv")
    verdict = [n for n in notes if n.startswith("reach:")]
    return {
        "children": data_table(children, ["entity_id", "label", "missing_episodes", "missing_with_others", "peers_in_care",
                                          "perpetrators_within_two_steps", "risk"],
                               links={"entity_id": (pages.children, ""), "label": (label_pages, "")}, limit=30)
        if len(children) else None,
        "care_moves": _care_moves(tables),
        "counterfactual": _counterfactual(tables),
        "missing": _missing(network, tables, pages),
        "reach": None if reach is None else {
            "verdict": verdict[0][len("reach:"):].strip() if verdict else None,
            "table": data_table(reach, limit=None)},
    }


#: the business targets of each district the report's table shows
_DISTRICT_SHOWN = 25


def _genga(tables, pages) -> dict | None:
    targets = tables.get("business_targets.csv")
    if targets is None:
        return None
    areas = tables.get("business_targets_by_area.csv")
    part = {"areas": data_table(areas, limit=None, links={"top_location_id": (pages.businesses, "")})
            if areas is not None and len(areas) else None, "rows": len(targets), "chart": None, "districts": []}
    if len(targets):
        district = targets["local_authority"].fillna("(unknown)").astype(str)
        counts = district.value_counts()
        part["chart"] = bar_chart(counts.index.tolist()[:20], counts.tolist()[:20], title="business targets by district",
                                  colour="#2ca02c")
        order = targets.assign(_district=district).groupby("_district")["rank"].min().sort_values().index
        for name in order:
            rows = targets[district == name].sort_values("rank")
            shown = rows.head(_DISTRICT_SHOWN)  # the reasons of the rows the table shows only
            rows = rows.assign(**{"why this rank": [business_rank_reason(row) for _, row in shown.iterrows()]
                                  + [None] * (len(rows) - len(shown))})
            names = {str(n): pages.businesses.get(str(i), "") for n, i in zip(rows["name"], rows["location_id"])}
            part["districts"].append((name, data_table(
                rows, ["rank", "name", "category", "bcu", "why this rank", "score", "children_linked", "perpetrators_linked",
                       "evidence"],
                links={"name": (names, "")}, limit=_DISTRICT_SHOWN)))
    return part


def report_html(network: Network, *, tables: dict[str, pd.DataFrame] | None = None, summary: dict | None = None,
                notes: list[str] | None = None, inputs: pd.DataFrame | None = None, rejects: pd.DataFrame | None = None,
                pages: ViewPages | None = None, title: str = "linkage job") -> str:
    """The report page of a job (see the module docstring)."""
    tables = tables or {}
    notes = list(notes or [])
    pages = pages or ViewPages()
    return render_page(
        "report.html", title=f"{title}: report", subtitle="linkage job report",
        **page_assets(styles=("page.css",), scripts=("sortable.js",)),
        banner=reject_banner(inputs), skipped=_skip_reasons(notes),
        empty=((summary or {}).get("analyses") or {}).get("empty") or {},
        analyst=_analyst(network, tables, summary, notes, inputs, rejects, pages),
        safeguarding=_safeguarding(network, tables, notes, pages), genga=_genga(tables, pages))


def write_report(network: Network, folder: str | Path, **options) -> Path:
    """Write ``report.html`` into ``folder``; ``options`` as for ``report_html``."""
    return write_text(report_html(network, **options), Path(folder) / "report.html")
