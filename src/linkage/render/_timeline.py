"""A looked-after child's placement timeline: which peers the child met at which
setting, and which missing episodes followed (and with whom).

This module works out the rows and the strip's geometry; ``parts/timeline.html``
lays them out, and the template engine escapes every name and id."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..build import Network
from ._template import render_part


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


def _name(node_id, labels: pd.Series, links: dict[str, str], prefix: str) -> dict | None:
    """A node as the timeline names it: its label, its id when that differs, and its page when it has one."""
    if node_id is None or (isinstance(node_id, float) and np.isnan(node_id)):
        return None
    label = labels.get(node_id, node_id)
    return {"label": label, "id": None if str(label) == str(node_id) else node_id,
            "href": prefix + links[node_id] if node_id in links else None}


def _strip(rows: list[dict], labels: pd.Series) -> dict | None:
    """An inline SVG strip: placements as bars, missing episodes as red ticks (None when nothing is dated)."""
    stays = [r for r in rows if r["start"] is not None]
    spans = [(r["start"], pd.Timestamp(r["end"]) if pd.notna(r["end"]) else None) for r in stays]
    ticks = [ep.start for r in rows for ep in r["episodes"] if ep.start is not None]
    moments = [s for s, _ in spans] + [e for _, e in spans if e is not None] + ticks
    if not moments:
        return None
    low, high = min(moments), max(moments)
    width, margin = 900, 10
    span = max((high - low).total_seconds(), 86400.0)

    def x(t: pd.Timestamp) -> float:
        return margin + (t - low).total_seconds() / span * (width - 2 * margin)

    colours = ("#e377c2", "#f7b6d2")
    bars = []
    for i, ((start, end), row) in enumerate(zip(spans, stays)):
        x0, x1 = x(start), x(end if end is not None else high)
        bars.append({"x": f"{x0:.1f}", "width": f"{max(x1 - x0, 2):.1f}", "fill": colours[i % 2],
                     "title": f"{labels.get(row['location_id'], row['location_id'])}: {_day(start)} to {_day(end)}"})
    return {"bars": bars, "ticks": [{"x": f"{x(t):.1f}", "day": _day(t)} for t in ticks], "first": _day(low),
            "last": _day(high)}


def _episode(ep: Episode, name) -> dict:
    withs = [name(w) for w in ep.found_with]
    found = name(ep.found_location_id) if isinstance(ep.found_location_id, str) else None
    return {"day": _day(ep.start), "found": found, "with": withs,
            # as ", ".join of the names would be non-empty
            "show_with": len(withs) > 1 or any(w is not None for w in withs)}


def child_timeline(data: "TimelineData | Network", entity_id: str, *, labels: pd.Series, links: dict[str, str],
                   prefix: str = "") -> Markup:
    """The timeline section of a child's page (rendered by ``parts/timeline.html``)."""
    rows = placement_rows(data, entity_id)

    def name(node_id):
        return _name(node_id, labels, links, prefix)

    shown = []
    for row in rows:
        episodes = [_episode(ep, name) for ep in row["episodes"]]
        blank = len(episodes) == 1 and not (episodes[0]["day"] or isinstance(row["episodes"][0].found_location_id, str)
                                            or episodes[0]["show_with"])
        shown.append({
            "placed": row["location_id"] is not None,
            "where": name(row["location_id"]),
            "kind": row["placement_type"] if isinstance(row["placement_type"], str) else None,
            "start": _day(row["start"]), "end": _day(row["end"]),
            "peers": [(name(p), _day(s), _day(e)) for p, (s, e) in sorted(row["peers"].items())],
            "episodes": [] if blank else episodes,
            "together": [name(p) for p in row["missing_together"]],
        })
    return render_part("parts/timeline.html", rows=shown, strip=_strip(rows, labels) if rows else None)
