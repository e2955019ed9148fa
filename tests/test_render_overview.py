"""The data an aggregated overview page gets (render/_overview.py): clusters labelled with their BCUs and top
risk part and coloured by risk, the members carried for expanding in place (capped, and the page says so),
lines that count links as every other count does, and the BCU regions."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from linkage.checks.job_data import load_job
from linkage.config import ViewOptions
from linkage.render import write_views
from linkage.render._nodes import view_network
from linkage.render._overview import RISK_COLOURS, risk_colour
from linkage.render._scores import top_risk_part


def _view_data(page):
    """The page's data, with the carried nodes (their block of their own) back in ``overview``."""
    text = page.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="view-data">(.*?)</script>', text, re.S).group(1))
    carried = re.search(r'<script type="application/json" id="overview-data">(.*?)</script>', text, re.S)
    if carried:
        data["overview"].update(json.loads(carried.group(1)))
    return data


@pytest.fixture(scope="module")
def world(small_world_job):
    job = small_world_job / "job"
    tables = {name: pd.read_csv(job / name, dtype={"cluster_id": str, "node_id": str}, keep_default_na=False, na_values=[""])
              for name in ("clusters.csv", "cluster_members.csv")}
    return job, load_job(job).network, tables


def test_the_top_risk_part_is_the_part_giving_most_points():
    assert top_risk_part("victims 3x1; missing_together 10x0.5; extra_bcus 2x2") == ("missing_together", 5.0)
    assert top_risk_part("victims 4x1; extra_bcus 2x2") == ("victims", 4.0)  # a tie: the first
    assert top_risk_part(None) is None and top_risk_part("") is None and top_risk_part("<5 suppressed") is None


def test_risk_colours_darken_with_risk_up_to_the_highest_drawn():
    scores = np.linspace(0, 80, 41)
    shades = [RISK_COLOURS.index(risk_colour(s, 80.0)) for s in scores]
    assert shades == sorted(shades) and shades[0] == 0 and shades[-1] == len(RISK_COLOURS) - 1
    assert risk_colour(5.0, 0.0) == RISK_COLOURS[0] and risk_colour(float("nan"), 10.0) == RISK_COLOURS[0]


def test_the_clusters_drawn_carry_their_bcus_top_risk_part_and_risk_colour(world):
    job, _, tables = world
    data = _view_data(job / "network.html")
    clusters = tables["clusters.csv"].set_index("cluster_id")
    drawn = [n for n in data["nodes"] if n["type"] == "cluster"]
    assert len(drawn) == min(len(clusters), ViewOptions().overview_clusters) > 0
    highest = max(n["risk"] for n in drawn)
    assert highest == clusters["risk_score"].max()
    for node in drawn:
        row = clusters.loc[node["id"].removeprefix("cluster ")]
        assert node["risk"] == row["risk_score"] and node["color"] == risk_colour(row["risk_score"], highest)
        label = node["label"].split("\n")
        assert label[1] == (", ".join(row["bcus"].split(";")) if isinstance(row["bcus"], str) else "no BCU")
        top = top_risk_part(row["risk_parts"])
        if top:
            assert label[2].startswith(f"top: {top[0].replace('_', ' ')} ({top[1]:g} of")
        assert re.fullmatch(rf"{node['id'].removeprefix('cluster ')}: [0-9]+ people, risk {row['risk_score']:g}", label[0])
    # size follows people
    by_people = sorted(drawn, key=lambda n: int(n["label"].split(": ")[1].split()[0]))
    assert [n["size"] for n in by_people] == sorted(n["size"] for n in by_people)


def test_the_page_opens_on_each_super_nodes_strongest_lines(world):
    job, _, _ = world
    data = _view_data(job / "network.html")
    strongest = data["overview"]["strongest"]
    lines: dict[str, list[tuple[int, bool]]] = {}
    for e in data["edges"]:
        for end in (e["from"], e["to"]):
            lines.setdefault(end, []).append((int(dict(e["facts"])["links"]), not e.get("minor")))
    assert any(e.get("minor") for e in data["edges"])
    for node, mine in lines.items():
        shown = [n for n, major in mine if major]
        # each keeps its strongest few: every line stronger than its few-th strongest is shown
        assert len(shown) >= min(strongest, len(mine)), node
        kth = sorted((n for n, _ in mine), reverse=True)[min(strongest, len(mine)) - 1]
        assert all(major for n, major in mine if n > kth), node


def test_members_are_capped_and_the_page_says_so(world, tmp_path):
    job, network, tables = world
    write_views(network, tmp_path, tables=tables, options=ViewOptions(aggregate_above=10, overview_members=40, max_children=0))
    data = _view_data(tmp_path / "network.html")["overview"]
    assert len(data["extra"]) == 40
    assert "views.overview_members" in data["note"]
    members = data["members"]
    assert sum(m["carried"] for m in members.values()) == 40 and any(m["carried"] < m["n"] for m in members.values())
    # the highest-risk clusters are carried first, whole
    ranked = sorted(members, key=lambda c: -next(n["risk"] for n in _view_data(tmp_path / "network.html")["nodes"] if n["id"] == c))
    assert members[ranked[0]]["carried"] == members[ranked[0]]["n"] or members[ranked[0]]["carried"] == 40
    assert "views.overview_members" in (tmp_path / "network.html").read_text(encoding="utf-8")
    # every carried node is placed, and links among carried nodes only
    ids = {n["id"] for n in data["extra"]}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["extra"])
    assert all(e["from"] in ids and e["to"] in ids for e in data["extraEdges"])


def test_the_lines_between_super_nodes_count_links_as_the_subtitle_does(world, tmp_path):
    job, network, tables = world
    write_views(network, tmp_path, tables=tables, options=ViewOptions(aggregate_above=10, overview_links=10**6, max_children=0))
    page = _view_data(tmp_path / "network.html")
    subtitle = re.search(r"([0-9,]+) links", (tmp_path / "network.html").read_text(encoding="utf-8")).group(1)
    between = sum(int(dict(e["facts"])["links"]) for e in page["edges"])
    # the links inside each super-node: both ends held by it
    vn = view_network(network)
    links, ids = vn.links, vn.ids
    node_group = vn.nodes["type"] + " in " + vn.nodes["bcu"].fillna("no BCU") + ", outside the top clusters"
    of = {}
    members = tables["cluster_members.csv"]
    drawn = {n["id"].removeprefix("cluster ") for n in page["nodes"] if n["type"] == "cluster"}
    first = members[members["cluster_id"].isin(drawn)].sort_values(["cluster_id", "node_id"]).drop_duplicates("node_id")
    cluster_of = dict(zip(first["node_id"], first["cluster_id"]))
    kept = {n["id"] for n in page["nodes"] if n["type"] not in ("cluster", "group")}
    for i, node_id in enumerate(ids):
        of[i] = node_id if node_id in kept else (f"cluster {cluster_of[node_id]}" if node_id in cluster_of else f"group {node_group.iloc[i]}")
    inside = int(sum(of[a] == of[b] for a, b in zip(links["lo"], links["hi"])))
    assert between + inside == int(subtitle.replace(",", "")) == len(links)


def test_bcu_regions_place_every_node_in_its_box_and_count_the_links_between_bcus(world):
    job, network, _ = world
    data = _view_data(job / "network.html")
    boxes = {r["name"]: r for r in data["regions"]["regions"]}
    for node in data["nodes"]:
        box = boxes[node["region"]]
        assert box["x"] <= node["rx"] <= box["x"] + box["w"] and box["y"] <= node["ry"] <= box["y"] + box["h"]
    assert sum(r["nodes"] for r in boxes.values()) == len(data["nodes"])
    # cross-BCU links, counted independently from the network's edges (a pair of nodes and a kind of tie once)
    vn = view_network(network)
    bcu = dict(zip(vn.nodes["id"], vn.nodes["bcu"]))
    edges = network.edges
    seen = set()
    counts: dict[tuple[str, str], int] = {}
    for a, b, kind in zip(edges["source"].astype(str), edges["target"].astype(str), edges["edge_type"]):
        x, y = bcu.get(a), bcu.get(b)
        if a == b or not isinstance(x, str) or not isinstance(y, str) or x == y or (a not in bcu or b not in bcu):
            continue
        key = (min(a, b), max(a, b), kind)
        if key in seen:
            continue
        seen.add(key)
        pair = (min(x, y), max(x, y))
        counts[pair] = counts.get(pair, 0) + 1
    assert {(c["a"], c["b"]): c["n"] for c in data["regions"]["cross"]} == counts and counts
