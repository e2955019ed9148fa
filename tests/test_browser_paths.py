"""The views' path picker (paths.js) in a real headless Chromium: "how is A connected to B" computed in the page
finds the same paths as ``linkage path`` (``analyse.paths.connection_paths`` on the job's graph.graphml), and the
controls show them with every tie's evidence."""

from __future__ import annotations

import random
import time
from pathlib import Path

import networkx as nx
import pytest
from conftest import CHROMEDRIVER, CHROMIUM, NO_CHROMIUM

from linkage.analyse.paths import connection_paths
from linkage.checks.job_data import load_job
from linkage.config import ViewOptions
from linkage.render import graph_view, write_views

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=NO_CHROMIUM)


def _load(driver, page: Path) -> None:
    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while not driver.execute_script("return document.readyState === 'complete' && !!window.linkageReady && !!window.linkagePaths"):
        assert time.monotonic() < deadline, f"{page.name} did not finish drawing"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def full_overview(small_world_job, tmp_path_factory) -> Path:
    """The small world's overview with every node drawn (the job's own overview opens on its clusters, as any
    network above ``views.aggregate_above`` nodes does)."""
    folder = tmp_path_factory.mktemp("full_overview")
    network = load_job(small_world_job / "job").network
    write_views(network, folder, options=ViewOptions(aggregate_above=10**9, max_children=0))
    return folder / "network.html"


@pytest.fixture(scope="module")
def graph(small_world_job) -> nx.MultiGraph:
    return nx.read_graphml(small_world_job / "job" / "graph.graphml")


def _cli_paths(graph, a: str, b: str) -> list[tuple[list[str], float]]:
    found = connection_paths(graph, a, b, k=3)
    return [(steps["from_id"].tolist() + [steps["to_id"].iloc[-1]], float(steps["length"].iloc[0]))
            for _, steps in found.groupby("path", sort=True)]


def test_the_page_finds_the_paths_linkage_path_finds(browser, full_overview, graph):
    _load(browser, full_overview)
    assert browser.execute_script("return linkageView.data.nodes.length") == sum(
        1 for _, t in graph.nodes(data="node_type") if t != "identifier")  # the overview holds every node paths use
    people = sorted(n for n, t in graph.nodes(data="node_type") if t == "person")
    compared = 0
    for a, b in (random.Random(seed).sample(people, 2) for seed in range(12)):
        expected = _cli_paths(graph, a, b)
        shown = browser.execute_script("return linkagePaths.find(arguments[0], arguments[1], 3)", a, b)
        assert [p["nodes"] for p in shown] == [nodes for nodes, _ in expected], (a, b)
        assert [p["length"] for p in shown] == pytest.approx([length for _, length in expected], abs=1e-6)
        compared += len(expected)
    assert compared >= 12  # most pairs of the small world are joined, by up to 3 paths


def test_picking_two_people_shows_each_tie_of_the_shortest_path_with_its_evidence(browser, full_overview, graph):
    _load(browser, full_overview)
    people = sorted(n for n, t in graph.nodes(data="node_type") if t == "person")
    a, b = random.Random(1).sample(people, 2)
    (nodes, length), *_ = _cli_paths(graph, a, b)
    labels = browser.execute_script(
        "var out = {}; linkageView.data.nodes.forEach(function (n) { out[n.id] = n.label; }); return out")
    browser.find_element("css selector", "#path-picker summary").click()
    # A: the node selected in the drawing, taken with the "selected" button; B: typed by its name
    browser.execute_script("var id = arguments[0]; linkageView.network.selectNodes("
                           "[linkageView.data.nodes.findIndex(function (n) { return n.id === id; })])", a)
    browser.find_element("id", "path-from-selected").click()
    assert browser.find_element("id", "path-from").get_attribute("value") == a
    if sum(label == labels[b] for label in labels.values()) == 1:
        browser.find_element("id", "path-to").send_keys(labels[b])
    else:
        browser.find_element("id", "path-to").send_keys(b)
    browser.find_element("id", "path-go").click()
    result = browser.find_element("id", "path-result")
    assert result.find_element("css selector", "h2").text == f"From {labels[a]} to {labels[b]}"
    first = result.find_elements("css selector", "h3")[0].text
    assert first.startswith(f"Path 1: {len(nodes) - 1} tie(s), length ") and float(first.rsplit(" ", 1)[1]) == pytest.approx(length, rel=1e-3)
    steps = result.find_elements("css selector", "ol.path-steps")[0].find_elements("xpath", "./li")
    assert [s.find_element("css selector", "b").text for s in steps] == [
        f"{labels[x]} \u2014 {labels[y]}" for x, y in zip(nodes, nodes[1:])]
    for step, (x, y) in zip(steps, zip(nodes, nodes[1:])):  # every link of the page between the two is listed
        links = browser.execute_script(
            "var x = arguments[0], y = arguments[1]; return linkageView.data.edges.filter(function (e) {"
            " return (e.from === x && e.to === y) || (e.from === y && e.to === x); }).length", x, y)
        assert len(step.find_elements("css selector", "ul li")) == links >= 1
    # the shortest path's people are selected in the drawing
    assert set(browser.execute_script("return linkageView.selected()")) == set(nodes)


def test_a_name_that_names_several_nodes_or_none_says_so(browser, tmp_path):
    nodes = [{"id": i, "label": label, "s": "person:victim", "type": "person", "role": "victim", "facts": []}
             for i, label in (("p1", "Amy Smith"), ("p2", "Amy Smith"), ("p3", "Ben Jones"))]
    page = tmp_path / "view.html"
    page.write_text(graph_view(nodes, [{"from": "p1", "to": "p3", "type": "associate", "w": 2.0, "facts": [["link", "associate"]]}],
                               title="names"), encoding="utf-8")
    _load(browser, page)
    assert "names 2 nodes" in browser.execute_script("return linkagePaths.resolve('amy smith').error")
    assert "names no node" in browser.execute_script("return linkagePaths.resolve('Zed').error")
    assert browser.execute_script("return linkagePaths.find('p1', 'p2', 3)") == []  # no tie joins them
    shown = browser.execute_script("return linkagePaths.find('p1', 'p3', 3)")
    assert shown == [{"nodes": ["p1", "p3"], "length": 0.5, "steps": [
        {"from": "p1", "to": "p3", "weight": 2, "evidence": ["associate"]}]}]


def test_an_aggregated_overview_points_to_the_cluster_pages_and_linkage_path(browser, tmp_path):
    nodes = [{"id": "cluster C1", "label": "C1 (40)", "s": "cluster", "type": "cluster", "role": "", "facts": []},
             {"id": "cluster C2", "label": "C2 (12)", "s": "cluster", "type": "cluster", "role": "", "facts": []}]
    page = tmp_path / "overview.html"
    page.write_text(graph_view(nodes, [{"from": "cluster C1", "to": "cluster C2", "type": "aggregate", "w": 1.0, "facts": []}],
                               title="aggregated"), encoding="utf-8")
    _load(browser, page)
    browser.execute_script("linkagePaths.show('C1', 'C2')")
    assert "linkage path JOBDIR A B" in browser.find_element("id", "path-result").text
