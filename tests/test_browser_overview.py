"""The overview of a network above ``views.aggregate_above`` nodes in a real headless Chromium: it opens on the
risk clusters, a click on a cluster puts its members in its place (and collapsing puts it back), "expand
neighbours" adds a node's neighbours, and the BCU regions show each BCU's box and the links between BCUs."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import CHROMEDRIVER, CHROMIUM, NO_CHROMIUM, pointer_on_node

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=NO_CHROMIUM)


def _load(driver, page: Path) -> None:
    driver.get_log("browser")
    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while not driver.execute_script("return document.readyState === 'complete' && !!window.linkageReady && !!window.linkageOverview"):
        assert time.monotonic() < deadline, f"{page.name} did not finish drawing"
        time.sleep(0.05)


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def _click(driver, node_id: str) -> None:
    """A real mouse click on ``node_id``'s drawing (centred in the view first)."""
    pointer_on_node(driver, node_id, scale=1.2).click().perform()


def _clickable(driver) -> dict:
    """The highest-risk cluster that a click on its centre reaches (no other node drawn over it)."""
    return driver.execute_script(
        "var v = linkageView, found = null;"
        "v.data.nodes.map(function (n, i) { return [n, i]; }).filter(function (p) { return p[0].type === 'cluster'; })"
        ".sort(function (a, b) { return b[0].risk - a[0].risk; }).some(function (p) {"
        "  v.network.focus(p[1], {scale: 1.2, animation: false});"
        "  var d = v.network.canvasToDOM(v.network.getPositions([p[1]])[p[1]]);"
        "  if (v.network.getNodeAt(d) === p[1]) { found = p[0]; return true; } return false; });"
        "return found;")


def _on_screen(driver) -> set[str]:
    """The ids of the nodes drawn (not hidden) right now."""
    return set(driver.execute_script(
        "var v = linkageView; return v.nodes.get({filter: function (n) { return !n.hidden; }})"
        ".map(function (n) { return v.data.nodes[n.id].id; })"))


def _drawn_links(driver) -> list[list[str]]:
    """``[from, to, type]`` of each link drawn right now: not hidden, and both its ends drawn."""
    return driver.execute_script(
        "var v = linkageView, shown = {};"
        "v.nodes.get({filter: function (n) { return !n.hidden; }}).forEach(function (n) { shown[n.id] = true; });"
        "return v.edges.get({filter: function (e) { return !e.hidden && shown[e.from] && shown[e.to]; }}).map(function (e) {"
        " var r = v.data.edges[e.id]; return [r.from, r.to, r.type]; })")


@pytest.fixture(scope="module")
def job(small_world_job) -> Path:
    return small_world_job / "job"


def test_the_overview_opens_on_the_risk_clusters_coloured_and_labelled_from_clusters_csv(browser, job):
    _load(browser, job / "network.html")
    assert _errors(browser) == []
    nodes = browser.execute_script("return linkageView.data.nodes")
    clusters = pd.read_csv(job / "clusters.csv", dtype={"cluster_id": str}).set_index("cluster_id")
    drawn = [n for n in nodes if n["type"] == "cluster"]
    assert len(drawn) == min(len(clusters), 300) > 0
    for node in drawn:
        row = clusters.loc[node["id"].removeprefix("cluster ")]
        assert node["risk"] == pytest.approx(row["risk_score"])
        for bcu in (row["bcus"].split(";") if isinstance(row["bcus"], str) else ["no BCU"]):
            assert bcu in node["label"].split("\n")[1]
        parts = [p.rsplit(" ", 1) for p in row["risk_parts"].split("; ")] if isinstance(row["risk_parts"], str) else []
        points = {name: float(n) * float(w) for name, (n, w) in ((name, x.split("x")) for name, x in parts)}
        if points:  # the part giving the most points (the first on a tie)
            best = max(points, key=lambda name: (points[name], -list(points).index(name)))
            assert f"top: {best.replace('_', ' ')} ({points[best]:g} of {row['risk_score']:g} points)" in node["label"]
        else:
            assert "top: " not in node["label"]
    # colour follows risk: never a paler colour for a higher score
    scale = browser.execute_script("return linkageView.data.overview.risk.colours")
    ranked = sorted(drawn, key=lambda n: n["risk"])
    shades = [scale.index(n["color"]) for n in ranked]
    assert shades == sorted(shades) and shades[-1] == len(scale) - 1
    # each super-node's strongest lines are drawn; "all lines" adds the rest
    edges = browser.execute_script("return linkageView.data.edges")
    assert len(_drawn_links(browser)) == sum(not e.get("minor") for e in edges) < len(edges)
    browser.find_element("id", "all-lines").click()
    assert len(_drawn_links(browser)) == len(edges)
    browser.find_element("id", "all-lines").click()
    # the vis nodes carry that colour
    top = ranked[-1]
    colour = browser.execute_script("var v = linkageView; return v.nodes.get(v.indexOf(arguments[0])).color.background", top["id"])
    assert colour == top["color"]


def test_clicking_a_cluster_puts_its_members_in_its_place_and_collapsing_puts_it_back(browser, job):
    _load(browser, job / "network.html")
    members = pd.read_csv(job / "cluster_members.csv", dtype=str)
    overview = browser.execute_script("return linkageOverview.carried()")
    cluster = _clickable(browser)
    nodes = browser.execute_script("return linkageView.data.nodes")
    drawn = {n["id"].removeprefix("cluster ") for n in nodes if n["type"] == "cluster"}
    # a node in several clusters is drawn in the first by id; the top business targets are drawn as themselves
    first = members[members["cluster_id"].isin(drawn)].sort_values(["cluster_id", "node_id"]).drop_duplicates("node_id")
    expected = set(first.loc[first["cluster_id"] == cluster["id"].removeprefix("cluster "), "node_id"]) - {n["id"] for n in nodes}
    assert expected
    carried = {n["id"] for n in overview["extra"] if n["in"] == cluster["id"]}
    assert carried == expected  # the top cluster is carried whole
    before = _on_screen(browser)
    assert cluster["id"] in before and not expected & before
    _click(browser, cluster["id"])
    after = _on_screen(browser)
    assert expected <= after and cluster["id"] not in after
    assert before - {cluster["id"]} <= after  # everything else stays
    assert browser.execute_script("return linkageOverview.expanded()") == [cluster["id"]]
    # the members' ties to each other are drawn, and to what else is on screen
    drawn = _drawn_links(browser)
    inner = [e for e in drawn if e[0] in expected and e[1] in expected]
    outward = [e for e in drawn if (e[0] in expected) != (e[1] in expected)]
    assert inner and outward
    assert all((e[1] if e[0] in expected else e[0]) in after for e in outward)
    assert all(e[2] != "aggregate" or cluster["id"] not in e[:2] for e in drawn)
    # the panel collapses it again
    assert "open its page" in browser.find_element("id", "selected").text
    browser.find_element("id", "collapse").click()
    assert _on_screen(browser) == before
    assert browser.execute_script("return linkageOverview.expanded()") == []
    assert _errors(browser) == []


def test_expand_neighbours_adds_a_nodes_neighbours_and_their_ties(browser, job):
    _load(browser, job / "network.html")
    overview = browser.execute_script("return linkageOverview.carried()")
    cluster = _clickable(browser)
    _click(browser, cluster["id"])
    inside = {n["id"] for n in overview["extra"] if n["in"] == cluster["id"]}
    ties = {}
    for e in overview["extraEdges"]:
        ties.setdefault(e["from"], set()).add(e["to"])
        ties.setdefault(e["to"], set()).add(e["from"])
    on_screen = _on_screen(browser)
    person = max(sorted(inside), key=lambda m: len(ties.get(m, set()) - on_screen))
    expected = ties[person] - on_screen
    assert expected
    browser.execute_script("linkageView.select(arguments[0])", person)
    browser.find_element("id", "expand-neighbours").click()
    now = _on_screen(browser)
    assert now - on_screen == expected
    drawn = [e[:2] for e in _drawn_links(browser)]
    for other in expected:
        assert [person, other] in drawn or [other, person] in drawn
    assert _errors(browser) == []


def test_the_bcu_regions_show_a_labelled_box_per_bcu_and_the_links_between_bcus(browser, job):
    _load(browser, job / "network.html")
    browser.find_element("id", "bcu-regions").click()
    regions = browser.execute_script("return linkageView.data.regions")
    labels = browser.execute_script("return linkageOverview.regionLabels()")
    assert labels == [f"{r['name']} ({r['nodes']})" for r in regions["regions"]]
    bcus = {r["name"] for r in regions["regions"]}
    people = pd.read_csv(job / "people.csv", dtype=str) if (job / "people.csv").is_file() else None
    if people is not None and "bcu" in people:
        assert set(people["bcu"].dropna()) <= bcus
    cross = browser.execute_script("return linkageOverview.crossLabels()")
    assert cross and all(n.endswith(" cross-BCU links") and int(n.split()[0]) > 0 for _, _, n in cross)
    # every node sits inside its BCU's box
    boxes = {r["name"]: r for r in regions["regions"]}
    placed = browser.execute_script(
        "var v = linkageView, p = v.network.getPositions(); return v.data.nodes.map(function (n, i) { return [n.region, p[i].x, p[i].y]; })")
    for name, x, y in placed:
        box = boxes[name]
        assert box["x"] <= x <= box["x"] + box["w"] and box["y"] <= y <= box["y"] + box["h"], (name, x, y, box)
    # the counts are listed as text too, and no drawn line crosses from one region to another
    table = browser.find_element("id", "bcu-cross").text
    for a, b, n in cross:
        assert f"{a} \u2014 {b} {n.split()[0]} links" in table
    region = {n["id"]: n["region"] for n in browser.execute_script("return linkageView.data.nodes")}
    assert not [e for e in _drawn_links(browser) if region[e[0]] != region[e[1]]]
    browser.find_element("id", "bcu-regions").click()
    assert browser.execute_script("return linkageOverview.regionLabels()") == []
    assert _errors(browser) == []
