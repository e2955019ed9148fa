"""``report.html``: one self-contained page per job, with a section per audience.

- **Analyst**: data quality and rejects, resolution figures, the network,
  clusters, operation crossover, key people, candidate links.
- **Safeguarding lead**: children most at risk, care-move growth (charts),
  missing-episode patterns, the counterfactual of fewer moves, reach.
- **Genga co-ordinator**: business targets by district with their evidence.

Charts are inline SVG (``_charts``), tables sort by a click on their header,
and names link into the views.  A section whose analysis was skipped says so
instead of failing.  Every record-derived string is escaped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..build import Network
from ._charts import bar_chart, line_chart
from ._html import esc
from ._io import write_text_atomic
from ._template import report_page
from .views import ViewPages, children_at_risk

__all__ = ["report_html", "write_report", "html_table"]


def _cell(value) -> tuple[str, str | None, bool]:
    """(text, sort key, numeric) of a table cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "", "", False
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), None, False
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}", str(int(value)), True
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "", "", True
        text = f"{value:,.0f}" if float(value).is_integer() else (f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}")
        return text, repr(float(value)), True
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d"), None, False
    return str(value), None, False


def html_table(frame: pd.DataFrame | None, columns: list[str] | None = None, *, links: dict[str, tuple[dict[str, str], str]] | None = None,
               limit: int | None = 50, caption: str = "") -> str:
    """A sortable HTML table of ``frame`` (every cell escaped).

    ``links`` maps a column to (id -> page path, prefix): cells whose value has
    a page become links to it.
    """
    if frame is None:
        return ""
    columns = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    links = links or {}
    shown = frame if limit is None else frame.head(limit)
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    rows = []
    values = [shown[c].tolist() for c in columns]
    for i in range(len(shown)):
        cells = []
        for c, column in zip(columns, values):
            text, key, numeric = _cell(column[i])
            body = esc(text)
            if c in links:
                pages, prefix = links[c]
                target = pages.get(str(column[i]))
                if target:
                    body = f'<a href="{esc(prefix + target)}">{body}</a>'
            attrs = (' class="num"' if numeric else "") + (f' data-sort="{esc(key)}"' if key is not None else "")
            cells.append(f"<td{attrs}>{body}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if limit is not None and len(frame) > limit:
        more = f'<p class="note">Showing {limit:,} of {len(frame):,} rows; the CSV has them all.</p>'
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<table class="data sortable">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}')


def _skip(what: str, notes: list[str]) -> str:
    reasons = [n for n in notes if "skipped" in n and what.split()[0] in n]
    why = f" ({reasons[0]})" if reasons else ""
    return f'<p class="skip">Not available: the {esc(what)} analysis did not run{esc(why)}.</p>'


def _empty(name: str, summary: dict | None) -> str:
    """Why the analysis output ``name`` has no rows, as the analysis said (empty when it has rows)."""
    entry = (((summary or {}).get("analyses") or {}).get("empty") or {}).get(name)
    if not entry:
        return ""
    return (f'<p class="skip"><code>{esc(name)}</code> has no rows: {esc(entry.get("why", ""))}. '
            f'What would change that: {esc(entry.get("fix", ""))}.</p>')


def _figures(pairs: list[tuple[str, object]]) -> str:
    boxes = "".join(f'<div class="figure-box"><b>{esc(_cell(v)[0])}</b>{esc(k)}</div>' for k, v in pairs if v is not None)
    return f'<div class="figures">{boxes}</div>'


#: a table that lost more than this share of its rows to rejects gets the red banner at the top of the report
BANNER_REJECT_SHARE = 0.01


def reject_banner(inputs: pd.DataFrame | None) -> str:
    """A red banner naming every input table that lost more than ``BANNER_REJECT_SHARE`` of its rows to rejects."""
    if inputs is None or not len(inputs) or not {"read", "rejected", "file"} <= set(inputs.columns):
        return ""
    read = inputs["read"].astype(float)
    share = (inputs["rejected"].astype(float) / read.where(read > 0)).fillna(0.0)
    mask = (share > BANNER_REJECT_SHARE).to_numpy()
    if not mask.any():
        return ""
    over = inputs[mask].assign(share=share.to_numpy()[mask])
    items = "".join(
        f"<li><b>{esc(row.file)}</b>: {100 * row.share:.1f} % of its rows rejected ({int(row.rejected):,} of "
        f"{int(row.read):,})</li>" for row in over.itertuples(index=False)
    )
    return ('<div class="alert" role="alert"><b>Rows were rejected: the results below are missing them.</b>'
            f"<ul>{items}</ul>See <a href=\"#analyst\">Data quality</a> and <code>rejects.csv</code> for every row, "
            "its reason and the fix.</div>")


def _analyst(network, tables, summary, notes, inputs, rejects, pages) -> str:
    out = ['<section id="analyst"><h2>Analyst</h2>']
    out.append("<h3>Data quality</h3>")
    if inputs is not None and len(inputs):
        out.append(html_table(inputs, limit=None))
    if rejects is not None and len(rejects):
        by_reason = rejects.assign(reason=rejects["reason"].astype(str).str.replace(r"'[^']*'", "'...'", regex=True)) \
            .groupby(["table", "column"], dropna=False).size().rename("rejected").reset_index() \
            .sort_values("rejected", ascending=False)
        # the counts the run summary and manifest.json give: rows, not reject lines
        action = rejects["action"] if "action" in rejects else pd.Series("rejected", index=rejects.index)
        rows = rejects.assign(action=action).drop_duplicates(["table", "row", "action"])
        n_rejected, n_cleared = int((rows["action"] == "rejected").sum()), int((rows["action"] == "cleared").sum())
        cleared = f", {n_cleared:,} kept with a value cleared" if n_cleared else ""
        out.append(f"<p>{n_rejected:,} row(s) rejected{cleared}; every problem is in <code>rejects.csv</code> "
                   "with its line, reason and action.</p>")
        out.append(html_table(by_reason, limit=30))
        out.append(html_table(rejects, [c for c in ["table", "row", "column", "value", "reason", "action"] if c in rejects],
                              limit=50))
    else:
        out.append("<p>No rows rejected.</p>")
    resolution = (summary or {}).get("resolution")
    out.append("<h3>Resolution</h3>")
    if resolution:
        out.append(_figures([("person records", resolution.get("records")), ("people (entities)", resolution.get("entities")),
                             ("candidate pairs", resolution.get("candidate_pairs")), ("links made", resolution.get("linked_pairs")),
                             ("pairs to review", resolution.get("review_pairs")), ("links refused by guards", resolution.get("refused_links"))]))
        out.append('<p class="note">Pairs to review are in <code>review_queue.csv</code>; every link\'s evidence is in <code>match_pairs.csv</code>.</p>')
    else:
        out.append('<p class="skip">Not available: no resolution figures in this job.</p>')
    out.append("<h3>The network</h3>")
    out.append(_figures([("people", len(network.people)), ("places", len(network.places)),
                         ("missing episodes", len(network.episodes)), ("operations", len(network.operations)),
                         ("identifiers", len(network.identifiers)), ("links", len(network.edges))]))
    counts = network.edges["edge_type"].value_counts().sort_values(ascending=False)
    if len(counts):
        out.append(bar_chart(counts.index.tolist(), counts.tolist(), title="links by type"))
    out.append('<p><a href="network.html">Open the network overview</a>. Exports for other tools: '
               '<code>graph.anx</code> (i2 Analyst\'s Notebook), <code>graph.graphml</code> and <code>graph.gexf</code> (Gephi).</p>')
    if notes:
        out.append("<h3>Notes from the run</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")

    out.append("<h3>Clusters</h3>")
    clusters = tables.get("clusters.csv")
    if clusters is None:
        out.append(_skip("clusters", notes))
    else:
        ranked = clusters.sort_values(["risk_score", "cluster_id"], ascending=[False, True], kind="stable")
        top = ranked.head(15)
        if len(top):
            out.append(bar_chart(top["cluster_id"].astype(str).tolist(), top["risk_score"].tolist(), title="highest-risk clusters (risk score)", colour="#d62728"))
        out.append(_empty("clusters.csv", summary) or html_table(
            ranked, ["cluster_id", "size", "n_victims", "n_perpetrators", "n_looked_after", "bcus", "cross_bcu",
                     "out_of_force", "categories", "risk_score"], links={"cluster_id": (pages.clusters, "")}))
    out.append("<h3>Operation crossover</h3>")
    crossover = tables.get("operation_crossover.csv")
    if crossover is None:
        out.append(_skip("operation crossover", notes))
    elif not len(crossover):
        out.append(_empty("operation_crossover.csv", summary) or "<p>No two operations share a victim, perpetrator or location.</p>")
    else:
        out.append(html_table(crossover, ["operation_a", "operation_b", "shared_victims", "shared_perpetrators",
                                          "shared_locations", "categories_a", "categories_b", "bcus"], limit=30))
    out.append("<h3>Key people</h3>")
    key = tables.get("key_people.csv")
    if key is None:
        out.append(_skip("key people", notes))
    else:
        out.append(_empty("key_people.csv", summary) or html_table(key, ["entity_id", "label", "roles", "degree", "betweenness", "brokerage", "clusters_bridged",
                                    "bcus_bridged", "cluster_id", "key_score"], links={"entity_id": (pages.children, ""),
                                                                                    "cluster_id": (pages.clusters, "")}, limit=30))
    out.append("<h3>Candidate links</h3>")
    candidates = tables.get("candidate_links.csv")
    if candidates is None:
        out.append(_skip("candidate links", notes))
    else:
        out.append('<p class="note">Pairs of people not recorded as linked whose data suggests they know each other.</p>')
        out.append(_empty("candidate_links.csv", summary) or html_table(candidates, ["entity_id_a", "entity_id_b", "reason", "score", "evidence"],
                              links={"entity_id_a": (pages.children, ""), "entity_id_b": (pages.children, "")}, limit=30))
    out.append("</section>")
    return "".join(out)


def _safeguarding(network, tables, notes, pages, summary=None) -> str:
    out = ['<section id="safeguarding"><h2>Safeguarding lead</h2>']
    out.append("<h3>Children most at risk</h3>")
    children = children_at_risk(network, care_moves=tables.get("care_moves.csv"))
    if not len(children):
        out.append("<p>No looked-after children in this data.</p>")
    else:
        out.append('<p class="note">Looked-after children ranked by risk = missing episodes + 2 &times; children they went missing with '
                   '+ peers met in care + perpetrators within two steps of their settings / 5. Each name opens the child\'s page: '
                   'ego network and placement timeline.</p>')
        out.append(html_table(children, ["entity_id", "label", "missing_episodes", "missing_with_others", "peers_in_care",
                                         "perpetrators_within_two_steps", "risk"],
                              links={"entity_id": (pages.children, ""), "label": ({k: v for k, v in zip(children["label"].astype(str), children["entity_id"].map(pages.children).fillna(""))}, "")}, limit=30))

    out.append("<h3>Care moves widen a child's network</h3>")
    moves = tables.get("care_moves.csv")
    if moves is None:
        out.append(_skip("care-move", notes))
    elif not len(moves):
        out.append(_empty("care_moves.csv", summary) or "<p>No care moves in this data.</p>")
    else:
        by_move = moves.groupby("move_number").agg(peers=("cumulative_peers", "mean"), children=("entity_id", "nunique"))
        series = {"mean peers met so far": by_move["peers"].round(2).tolist()}
        if "cumulative_perpetrators" in moves:
            series["mean perpetrators within two steps / 10"] = (moves.groupby("move_number")["cumulative_perpetrators"].mean() / 10).round(2).tolist()
        charts = [line_chart(by_move.index.astype(float).tolist(), series, title="network growth with each care move",
                             x_label="move number (0 = first placement)", y_label="people")]
        cohort = tables.get("care_move_cohort.csv")
        if cohort is not None and len(cohort):
            first = cohort[cohort["group_by"] == cohort["group_by"].iloc[0]]
            charts.append(bar_chart([f"{first['group_by'].iloc[0]} {b}" for b in first["band"].astype(str)], first["mean_peers"].tolist(),
                                    title="mean peers met in care, by number of moves", colour="#e377c2"))
        out.append('<div class="charts">' + "".join(f"<figure>{c}</figure>" for c in charts if c) + "</div>")
        if cohort is not None:
            out.append(html_table(cohort, limit=None))
    out.append("<h3>What fewer moves would have meant (the counterfactual)</h3>")
    counterfactual = tables.get("care_move_counterfactual.csv")
    if counterfactual is None:
        out.append(_skip("care-move", notes))
    elif not len(counterfactual):
        out.append(_empty("care_move_counterfactual.csv", summary))
    else:
        labels = ["actual"] + counterfactual["scenario"].astype(str).tolist()
        values = [float(counterfactual["peers_actual"].iloc[0])] + counterfactual["peers_scenario"].astype(float).tolist()
        out.append(f"<figure>{bar_chart(labels, values, title='peers met in care: actual against capped moves', colour='#2ca02c')}"
                   "<figcaption>Had no child moved more than the scenario's number of times, they would have met this many peers in care.</figcaption></figure>")
        out.append(html_table(counterfactual, limit=None))

    out.append("<h3>Missing-episode patterns</h3>")
    episodes = network.episodes
    if not len(episodes):
        out.append(_skip("missing episodes", notes))
    else:
        years = pd.to_datetime(episodes["start"], errors="coerce").dt.year.dropna().astype(int).value_counts().sort_index()
        charts = [bar_chart([str(y) for y in years.index], years.tolist(), title="missing episodes by year", colour="#ff9f1c")]
        links = tables.get("missing_links.csv")
        if links is not None and len(links):
            reasons = links["reason"].astype(str).value_counts()
            charts.append(bar_chart(reasons.index.tolist(), reasons.tolist(), title="children missing together: why linked", colour="#d62728"))
            if "co_placed" in links:
                met = links["co_placed"].fillna(False).astype(bool)
                charts.append(bar_chart(["met in a care setting first", "no shared setting"], [int(met.sum()), int((~met).sum())],
                                        title="pairs who went missing together", colour="#9467bd"))
        out.append('<div class="charts">' + "".join(f"<figure>{c}</figure>" for c in charts) + "</div>")
        if links is None:
            out.append(_skip("missing episodes", notes))
        elif not len(links):
            out.append(_empty("missing_links.csv", summary))
        else:
            out.append(html_table(links, ["entity_id_a", "entity_id_b", "reason", "n_episodes", "co_placed", "co_placed_setting",
                                          "met_before_missing", "found_location_categories", "first_together", "last_together"],
                                  links={"entity_id_a": (pages.children, ""), "entity_id_b": (pages.children, "")}, limit=30))
        profile = tables.get("missing_profile.csv")
        if profile is not None:
            out.append("<p>Children who go missing most often, where they are found and with whom:</p>")
            out.append(html_table(profile, ["entity_id", "n_episodes", "repeat_missing", "first_start", "last_start",
                                            "found_businesses", "found_with"], links={"entity_id": (pages.children, "")}, limit=20))
    out.append("<h3>Reach across BCU and force boundaries</h3>")
    reach = tables.get("reach.csv")
    if reach is None:
        out.append(_skip("reach", notes))
    else:
        verdict = [n for n in notes if n.startswith("reach:")]
        if verdict:
            out.append(f"<p>{esc(verdict[0][len('reach:'):].strip())}</p>")
        out.append(_empty("reach.csv", summary) or html_table(reach, limit=None))
    out.append("</section>")
    return "".join(out)


def _genga(tables, notes, pages, summary=None) -> str:
    out = ['<section id="genga"><h2>Genga co-ordinator</h2>']
    targets = tables.get("business_targets.csv")
    if targets is None:
        out.append(_skip("business targets", notes))
        out.append("</section>")
        return "".join(out)
    out.append('<p class="note">Night-time-economy and other businesses ranked by how many children and perpetrators are tied to them '
               '(children found there, events there, heavy phone contact). The evidence column says why; each name opens the '
               'business\'s page.</p>')
    areas = tables.get("business_targets_by_area.csv")
    if areas is not None and len(areas):
        out.append(html_table(areas, limit=None, links={"top_location_id": (pages.businesses, "")}))
    if not len(targets):
        out.append(_empty("business_targets.csv", summary))
    else:
        district = targets["local_authority"].fillna("(unknown)").astype(str)
        counts = district.value_counts()
        out.append(f"<figure>{bar_chart(counts.index.tolist()[:20], counts.tolist()[:20], title='business targets by district', colour='#2ca02c')}</figure>")
        order = targets.assign(_district=district).groupby("_district")["rank"].min().sort_values().index
        for name in order:
            rows = targets[district == name].sort_values("rank")
            out.append(f"<h3>{esc(name)}</h3>")
            out.append(html_table(rows, ["rank", "name", "category", "bcu", "score", "children_linked", "perpetrators_linked", "evidence"],
                                  links={"name": ({str(n): pages.businesses.get(str(i), "") for n, i in zip(rows["name"], rows["location_id"])}, "")},
                                  limit=25))
    out.append("</section>")
    return "".join(out)


def report_html(network: Network, *, tables: dict[str, pd.DataFrame] | None = None, summary: dict | None = None,
                notes: list[str] | None = None, inputs: pd.DataFrame | None = None, rejects: pd.DataFrame | None = None,
                pages: ViewPages | None = None, title: str = "linkage job") -> str:
    """The report page of a job (see the module docstring)."""
    tables = tables or {}
    notes = list(notes or [])
    pages = pages or ViewPages()
    body = (reject_banner(inputs) + _analyst(network, tables, summary, notes, inputs, rejects, pages)
            + _safeguarding(network, tables, notes, pages, summary) + _genga(tables, notes, pages, summary))
    nav = ('<a href="#analyst">Analyst</a><a href="#safeguarding">Safeguarding lead</a>'
           '<a href="#genga">Genga co-ordinator</a><a href="network.html">Network overview</a>')
    return report_page(body, title=f"{title}: report", subtitle="linkage job report", nav=nav)


def write_report(network: Network, folder: str | Path, **options) -> Path:
    """Write ``report.html`` into ``folder``; ``options`` as for ``report_html``."""
    return write_text_atomic(report_html(network, **options), Path(folder) / "report.html")
