"""A looked-after child's placement timeline: which peers the child met at which
setting, and which missing episodes followed (and with whom)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from typing import NamedTuple

from ..build import Network
from ._html import esc


class Episode(NamedTuple):
    episode_id: str
    start: pd.Timestamp | None
    found_location_id: str | None
    found_with: tuple

__all__ = ["TimelineData", "child_timeline", "placement_rows"]


def _day(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


class TimelineData:
    """A network's placements, missing episodes and child-to-child ties, split by child once."""

    def __init__(self, network: Network, children=None) -> None:
        """``children``: only these children's timelines will be asked for (all when None)."""
        self.open_until = network.open_until if network.open_until is not None else pd.Timestamp("2100-01-01")
        wanted = None if children is None else set(children)
        placements = network.placements
        episodes = network.episodes
        ties = network.edges[network.edges["edge_type"].isin(["co_placed", "co_missing"])]
        if wanted is not None:
            placements = placements[placements["entity_id"].isin(wanted)]
            episodes = episodes[episodes["entity_id"].isin(wanted)]
            ties = ties[ties["source"].isin(wanted) | ties["target"].isin(wanted)]
        placements = placements.sort_values(["entity_id", "start_date", "placement_id"], kind="stable")
        self.placements = {k: g for k, g in placements.groupby("entity_id", sort=False)} if len(placements) else {}
        episodes = episodes.sort_values(["entity_id", "start", "episode_id"], kind="stable")
        self.episodes = {k: g for k, g in episodes.groupby("entity_id", sort=False)} if len(episodes) else {}
        both = pd.concat([
            ties.assign(me=ties["source"], other=ties["target"]),
            ties.assign(me=ties["target"], other=ties["source"]),
        ], ignore_index=True)
        if wanted is not None:
            both = both[both["me"].isin(wanted)]
        self.ties = {k: g for k, g in both.groupby("me", sort=False)} if len(both) else {}
        self.empty_placements = network.placements.iloc[0:0]
        self.empty_episodes = network.episodes.iloc[0:0]
        self.empty_ties = both.iloc[0:0]


def placement_rows(data: "TimelineData | Network", entity_id: str) -> list[dict]:
    """One row per placement of the child (in order), plus one for missing episodes outside any placement.

    Each row: ``location_id, start, end, peers`` (peer id -> (from, to)),
    ``episodes`` (episode rows that started during the stay) and
    ``missing_together`` (peers met there who later went missing with the child).
    """
    if isinstance(data, Network):
        data = TimelineData(data)
    placements = data.placements.get(entity_id, data.empty_placements)
    episodes = data.episodes.get(entity_id, data.empty_episodes)
    mine = data.ties.get(entity_id, data.empty_ties)
    ties = list(zip(mine["edge_type"], mine["other"], mine["via"], pd.to_datetime(mine["start"]), pd.to_datetime(mine["end"])))
    missing_with = {other for kind, other, *_ in ties if kind == "co_missing"}
    found_with = episodes["found_with_entities"] if "found_with_entities" in episodes else pd.Series([()] * len(episodes), index=episodes.index)
    found_at = episodes["found_location_id"] if "found_location_id" in episodes else pd.Series([None] * len(episodes), index=episodes.index)
    eps = [Episode(e, pd.Timestamp(s) if pd.notna(s) else None, f if isinstance(f, str) else None, tuple(w or ()))
           for e, s, f, w in zip(episodes["episode_id"], episodes["start"], found_at, found_with)]
    kinds = placements["placement_type"] if "placement_type" in placements else pd.Series([None] * len(placements), index=placements.index)
    stays = [(loc, pd.Timestamp(s), pd.Timestamp(e) if pd.notna(e) else None, k)
             for loc, s, e, k in zip(placements["location_id"], placements["start_date"], placements["end_date"], kinds)]
    open_until = data.open_until
    rows = []
    used = set()
    for i, (location, start, end_date, kind) in enumerate(stays):
        end = end_date if end_date is not None else open_until
        until = stays[i + 1][1] if i + 1 < len(stays) else max(end, open_until)
        peers = {}
        for edge_type, other, via, s, e in ties:
            if edge_type != "co_placed" or via != location:
                continue
            if pd.isna(s) or (s <= end and (pd.isna(e) or e >= start)):
                peers[other] = (max(s, start) if pd.notna(s) else start, min(e, end) if pd.notna(e) else end)
        during = [ep for ep in eps if ep.start is not None and start <= ep.start < until]
        used.update(ep.episode_id for ep in during)
        together = set()
        for ep in during:
            together.update(set(ep.found_with) & set(peers))
        together |= missing_with & set(peers)
        rows.append({"location_id": location, "start": start, "end": end_date, "placement_type": kind, "peers": peers,
                     "episodes": during, "missing_together": sorted(together)})
    rest = [ep for ep in eps if ep.episode_id not in used]
    if rest:
        rows.append({"location_id": None, "start": None, "end": None, "placement_type": None, "peers": {},
                     "episodes": rest, "missing_together": []})
    return rows


def _name(node_id, labels: pd.Series, links: dict[str, str], prefix: str) -> str:
    if node_id is None or (isinstance(node_id, float) and np.isnan(node_id)):
        return ""
    label = labels.get(node_id, node_id)
    text = esc(label) if str(label) == str(node_id) else f"{esc(label)} <small>({esc(node_id)})</small>"
    if node_id in links:
        return f'<a href="{esc(prefix + links[node_id])}">{text}</a>'
    return text


def _strip(rows: list[dict], labels: pd.Series) -> str:
    """An inline SVG strip: placements as bars, missing episodes as red ticks."""
    spans = [(r["start"], pd.Timestamp(r["end"]) if pd.notna(r["end"]) else None) for r in rows if r["start"] is not None]
    ticks = [ep.start for r in rows for ep in r["episodes"] if ep.start is not None]
    moments = [s for s, _ in spans] + [e for _, e in spans if e is not None] + ticks
    if not moments:
        return ""
    low, high = min(moments), max(moments)
    width, height, margin = 900, 70, 10
    span = max((high - low).total_seconds(), 86400.0)

    def x(t: pd.Timestamp) -> float:
        return margin + (t - low).total_seconds() / span * (width - 2 * margin)

    parts = [f'<svg role="img" aria-label="placement timeline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    colours = ("#e377c2", "#f7b6d2")
    for i, (start, end) in enumerate(spans):
        x0, x1 = x(start), x(end if end is not None else high)
        row = [r for r in rows if r["start"] is not None][i]
        parts.append(f'<rect x="{x0:.1f}" y="12" width="{max(x1 - x0, 2):.1f}" height="22" fill="{colours[i % 2]}" stroke="#8a2b6b">'
                     f'<title>{esc(labels.get(row["location_id"], row["location_id"]))}: {esc(_day(start))} to {esc(_day(end))}</title></rect>')
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="38" y2="56" stroke="#d62728" stroke-width="2"><title>missing {esc(_day(t))}</title></line>')
    parts.append(f'<text x="{margin}" y="68" font-size="11">{esc(_day(low))}</text>')
    parts.append(f'<text x="{width - margin}" y="68" font-size="11" text-anchor="end">{esc(_day(high))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def child_timeline(data: "TimelineData | Network", entity_id: str, *, labels: pd.Series, links: dict[str, str], prefix: str = "") -> str:
    """The timeline section of a child's page (HTML, every record string escaped)."""
    rows = placement_rows(data, entity_id)
    if not rows:
        return '<section class="below"><h2>Placements</h2><p class="note">No placements or missing episodes recorded.</p></section>'
    body = []
    for row in rows:
        if row["location_id"] is None:
            where = "<i>not during a recorded placement</i>"
            when = ""
        else:
            where = _name(row["location_id"], labels, links, prefix)
            kind = f" <small>{esc(row['placement_type'])}</small>" if isinstance(row["placement_type"], str) else ""
            where += kind
            when = f"{esc(_day(row['start']))} to {esc(_day(row['end'])) or 'now'}"
        peers = "<br>".join(
            f"{_name(p, labels, links, prefix)} <small>{esc(_day(s))} to {esc(_day(e))}</small>"
            for p, (s, e) in sorted(row["peers"].items())) or "&mdash;"
        missing = []
        for ep in row["episodes"]:
            found = f" found at {_name(ep.found_location_id, labels, links, prefix)}" if isinstance(ep.found_location_id, str) else ""
            withs = ", ".join(_name(w, labels, links, prefix) for w in ep.found_with)
            missing.append(f"{esc(_day(ep.start))}{found}" + (f" with {withs}" if withs else ""))
        together = ", ".join(_name(p, labels, links, prefix) for p in row["missing_together"]) or "&mdash;"
        body.append(f"<tr><td>{where}</td><td>{when}</td><td>{peers}</td><td>{'<br>'.join(missing) or '&mdash;'}</td><td>{together}</td></tr>")
    return ('<section class="below"><h2>Placement timeline</h2>' + _strip(rows, labels) +
            '<table class="data"><thead><tr><th>setting</th><th>dates</th><th>peers met there</th>'
            '<th>missing episodes that followed</th><th>met here, then missing together</th></tr></thead><tbody>'
            + "".join(body) + "</tbody></table></section>")
