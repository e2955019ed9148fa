"""The views and the report in a real headless Chromium (system chromium + chromedriver, driven by selenium).

Each page: renders with the expected node count (read from the vis DataSet),
search finds a node, no request leaves the file, no console errors, and
hostile record text is shown as text, never run.  Skipped only when Chromium
or chromedriver cannot be found (``.ci/run`` installs them).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import CHROMEDRIVER, CHROMIUM, LANCASHIRE_YAML, NO_CHROMIUM, DatasetWriter, pointer_on_node

from linkage.config import config_from_dict
from linkage.job import run_job
from linkage.render import view_from_networkx

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=NO_CHROMIUM)

XSS = '<a href="#"><img src=x onerror=alert(1)></a>'
XSS_CSV = '"<a href=""#""><img src=x onerror=alert(1)></a>"'


@pytest.fixture(scope="module")
def xss_job(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    writer = DatasetWriter(root)
    writer.tables["locations"] = [line.replace("Kebab King", XSS_CSV) for line in writer.tables["locations"]]
    writer.tables["people"] = [line.replace("Amy,Smith", "<script>alert(2)</script>,Smith") for line in writer.tables["people"]]
    folder = writer("data")
    config = config_from_dict({"job": {"name": "browser"}, "geography": str(LANCASHIRE_YAML), "seed": 5})
    result = run_job(config, data=folder, out=root / "job")
    return root / "job", result


def _open(driver, path: Path, *, view: bool = True, timeout: float = 30.0) -> dict:
    driver.get_log("browser")
    driver.get_log("performance")  # drop earlier pages' entries
    driver.get(path.as_uri())
    deadline = time.monotonic() + timeout
    ready = None
    while time.monotonic() < deadline:
        ready = driver.execute_script("return document.readyState === 'complete' && (!window.vis || window.linkageReady) ? (window.linkageReady || -1) : null")
        if ready:
            break
        time.sleep(0.05)
    if not ready:
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        raise AssertionError(f"{path.name} did not finish drawing in {timeout} s; console errors: {errors}")
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(function (r) { return r.name; })")
    console = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    return {"ready_ms": ready, "requests": requests, "resources": resources, "console": console}


def _assert_clean(driver, page: Path, seen: dict) -> None:
    local = ("file:", "data:", "about:", "blob:")
    assert all(url.startswith(local) for url in seen["requests"]), (page, seen["requests"])
    assert all(url.startswith(local) for url in seen["resources"]), (page, seen["resources"])
    assert seen["console"] == [], (page, seen["console"])
    # injected markup never became elements, and nothing ran
    assert driver.execute_script("return document.querySelectorAll('img, [onerror], a[href=\"#\"]').length") == 0, page
    # a view: its data, vis-network, fuzzy.js, view.js and paths.js (and the overview: overview.js); the review page:
    # its data and review.js; the report: sortable.js
    scripts = (6 if driver.execute_script("return !!window.linkageOverview") else 5) if driver.execute_script("return !!window.linkageView") else (
        2 if driver.execute_script("return !!window.linkageReview") else 1)
    assert driver.execute_script("return document.querySelectorAll('script').length") == scripts, page


def test_every_page_renders_its_nodes_makes_no_request_and_runs_no_injected_markup(browser, xss_job):
    folder, _ = xss_job
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        seen = _open(browser, page)
        _assert_clean(browser, page, seen)
        if page.name == "report.html":
            assert XSS in browser.execute_script("return document.body.textContent")
            continue
        if page.name == "review.html":  # tests/test_browser_review.py works through it
            continue
        if page.name == "map.html":  # tests/test_render_map.py works it
            assert browser.execute_script("return window.linkageMap.markers") > 0
            continue
        expected = int(browser.execute_script("return document.body.getAttribute('data-nodes')"))
        shown = browser.execute_script("return linkageView.nodes.length")
        in_json = browser.execute_script("return JSON.parse(document.getElementById('view-data').textContent).nodes.length")
        assert shown == expected == in_json and shown > 0, page


def test_overview_shows_every_node_of_the_network_and_search_finds_them(browser, xss_job):
    folder, result = xss_job
    summary = result.manifest["summary"]["network"]
    _open(browser, folder / "network.html")
    expected = summary["people"] + summary["places"] + summary["episodes"] + summary["operations"]
    assert browser.execute_script("return linkageView.nodes.length") == expected
    assert browser.execute_script("return linkageView.search('Oak House')")[0] == "L1"  # best first; other houses after
    assert browser.execute_script("return linkageView.selected()") == ["L1"]
    assert " found for " in browser.execute_script("return document.getElementById('status').textContent")
    # the hostile business name is found as text, and its tooltip and facts panel hold text only
    assert browser.execute_script("return linkageView.search(arguments[0])", "onerror=alert")[0] == "L2"
    results = browser.execute_script("var r = document.getElementById('search-results'); return [r.querySelectorAll('img').length, r.textContent]")
    assert results[0] == 0 and XSS in results[1]
    tip = browser.execute_script("var t = linkageView.tooltip('L2'); return [t.querySelectorAll('img, a').length, t.textContent]")
    assert tip[0] == 0 and XSS in tip[1]
    panel = browser.execute_script("return [document.getElementById('selected').querySelectorAll('img').length, document.getElementById('selected').textContent]")
    assert panel[0] == 0 and XSS in panel[1]


def _corner(driver) -> None:
    """Move the mouse to the drawing's top-left corner (offsets are from the element's centre)."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("css selector", "#graph canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, 3 - canvas.size["width"] // 2, 3 - canvas.size["height"] // 2).perform()


def _hover(driver, node_id: str) -> dict:
    """Move the real mouse over ``node_id``'s drawing (centred in the view first) and read the tooltip."""
    moves = pointer_on_node(driver, node_id)
    _corner(driver)  # away from it first
    moves.perform()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        tip = driver.execute_script(
            "var t = document.getElementById('tooltip'), r = t.getBoundingClientRect();"
            "return {hidden: t.hidden, text: t.textContent, elements: t.querySelectorAll('img, a, script').length,"
            "        inside: r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight}")
        if not tip["hidden"]:
            return tip
        time.sleep(0.05)
    return tip


def test_hovering_a_node_shows_its_facts_on_every_kind_of_view_page(browser, xss_job):
    folder, _ = xss_job
    pages = sorted(p for p in folder.rglob("*.html") if p.name not in ("report.html", "review.html", "map.html"))
    kinds = {p.parent.name for p in pages}
    assert {"children", "businesses", "clusters", folder.name} <= kinds, kinds
    for page in pages:
        _open(browser, page)
        node = browser.execute_script(
            "var ns = linkageView.data.nodes; return (ns.filter(function (n) { return n.size; })[0] || ns[0]);")
        tip = _hover(browser, node["id"])
        assert not tip["hidden"] and tip["inside"], (page, tip)
        assert tip["text"].startswith(node["label"]), (page, tip["text"], node["label"])
        for name, value in node["facts"]:
            assert f"{name}: {value}" in tip["text"], (page, name, value)
    # the hostile business name is shown as text in its tooltip, never as markup
    _open(browser, folder / "network.html")
    tip = _hover(browser, "L2")
    assert not tip["hidden"] and tip["elements"] == 0 and XSS in tip["text"]
    # moving off the node hides it
    _corner(browser)
    assert browser.execute_script("return document.getElementById('tooltip').hidden") is True


#: one person on two records: the label comes from the first record id, typo and all
SPELLINGS = ["HX7731,health,Peter,Browk,1990-05-05,M,M1 1AA,Manchester,",
             "PB-2024-0042,police,Peter,Brown,1990-05-05,M,M1 1AA,Manchester,",
             "PX9,police,Petra,Brownlow,1971-09-09,F,LA1 1AA,Lancaster,"]


@pytest.fixture(scope="module")
def spelling_job(tmp_path_factory):
    root = tmp_path_factory.mktemp("spellings")
    writer = DatasetWriter(root)
    writer.tables["people"] += SPELLINGS
    writer.tables["event_people"] += ["E1,HX7731,suspect", "E1,PX9,witness"]
    overrides = root / "overrides.csv"
    overrides.write_text("record_id_a,record_id_b,decision\nHX7731,PB-2024-0042,must_link\n", encoding="utf-8")
    config = config_from_dict({"job": {"name": "spellings"}, "geography": str(LANCASHIRE_YAML), "seed": 5,
                               "resolve": {"overrides": str(overrides)}})
    run_job(config, data=writer("data"), out=root / "job")
    return root / "job", writer


def _type_search(driver, text: str) -> dict:
    box = driver.find_element("id", "search")
    box.clear()
    box.send_keys(text + "\n")
    return driver.execute_script(
        "var r = document.getElementById('search-results');"
        "return {selected: linkageView.selected(), results: Array.prototype.map.call(r.querySelectorAll('li'),"
        "        function (li) { return li.textContent; }), panel: document.getElementById('selected').textContent,"
        "        status: document.getElementById('status').textContent}")


def test_search_finds_a_person_by_every_spelling_and_record_id_and_a_place_by_its_postcode(browser, spelling_job):
    folder, writer = spelling_job
    entities = pd.read_csv(folder / "entities.csv", dtype=str)
    entity = entities.set_index("record_id")["entity_id"]
    assert entity["HX7731"] == entity["PB-2024-0042"] != entity["PX9"]  # one person, the other apart
    _open(browser, folder / "network.html")
    label = browser.execute_script("var id = arguments[0]; return linkageView.data.nodes.filter(function (n) { return n.id === id; })[0].label",
                                   entity["HX7731"])
    assert label == "Peter Browk"
    # the spelling on the other record, typed into the box: that person first, shown, selected
    found = _type_search(browser, "Peter Brown")
    assert found["selected"] == [entity["HX7731"]]
    assert found["results"][0].startswith("Peter Browk") and "name \u201cPeter Brown\u201d" in found["results"][0]
    assert any(r.startswith("Petra Brownlow") for r in found["results"][1:])  # a weaker match ranks below
    assert "Peter Browk" in found["panel"]
    # a source record id, and a typo of it
    for query in ("PB-2024-0042", "pb 2024 0024"):
        found = _type_search(browser, query)
        assert found["selected"] == [entity["HX7731"]], (query, found)
        assert "record id \u201cPB-2024-0042\u201d" in found["results"][0]
    # a place by its postcode (from the locations file)
    postcode = next(line.split(",")[4] for line in writer.tables["locations"] if line.startswith("L3,"))
    found = _type_search(browser, postcode.lower().replace(" ", ""))
    assert found["selected"] == ["L3"] and "postcode" in found["results"][0]
    # nothing like it: no result, nothing selected
    found = _type_search(browser, "zzqxj")
    assert found["selected"] == [] and found["status"].startswith("0 found")
    # the child page of a person holds its own spellings too
    pages = sorted((folder / "children").glob("*.html"))
    _open(browser, pages[0])
    centre = browser.execute_script("return linkageView.data.nodes.filter(function (n) { return n.size; })[0]")
    record = entities[entities["entity_id"] == centre["id"]]["record_id"].iloc[0]
    assert _type_search(browser, record)["selected"] == [centre["id"]]


def _rapidfuzz_samples() -> tuple[list[str], list[str]]:
    """Choices and queries from the demo data: names, record ids, postcodes, place names, and typed variants."""
    import random

    from conftest import REPO_ROOT

    demo = REPO_ROOT / "synthetic_data" / "demo"
    people = pd.read_csv(demo / "people.csv", dtype=str, nrows=150)
    places = pd.read_csv(demo / "locations.csv", dtype=str, nrows=60)
    choices = ((people["first_name"].fillna("") + " " + people["last_name"].fillna("")).tolist() + people["record_id"].tolist()
               + places["postcode"].dropna().tolist() + places["name"].dropna().tolist())
    rng = random.Random(15)
    queries = []
    for text in rng.sample(choices, 40):
        chars = list(text)
        i = rng.randrange(len(chars))
        queries += [text, "".join(chars[:i] + chars[i + 1:]), text.split()[-1], text.upper()[: max(3, len(text) // 2)]]
    return choices, queries


def test_the_page_scores_spellings_as_rapidfuzz_wratio_does(browser, xss_job):
    from rapidfuzz import fuzz, process, utils

    folder, _ = xss_job
    _open(browser, folder / "network.html")
    choices, queries = _rapidfuzz_samples()
    ours = browser.execute_script(
        "var cs = arguments[1]; return arguments[0].map(function (q) { return cs.map(function (c) { return linkageFuzzy.wratio(q, c); }); })",
        queries, choices)
    theirs = process.cdist(queries, choices, scorer=fuzz.WRatio, processor=utils.default_process, dtype="float64")
    assert abs(theirs - ours).max() < 1e-6
    # the shortcut a search takes never skips a spelling that scores 60 or more (and does skip some)
    reach = browser.execute_script(
        "var cs = arguments[1], F = linkageFuzzy; return arguments[0].map(function (q) { var a = F.queryOf(F.process(q));"
        " return cs.map(function (c) { var p = F.process(c); return F.couldReach(a, p, F.wordsLength(p), 60); }); })",
        queries, choices)
    reach = np.array(reach, dtype=bool)
    assert reach[theirs >= 60].all() and not reach.all()
    # so the ranking is rapidfuzz's: the same best choices, in the same order
    for row, query in zip(ours, queries):
        best = process.extract(query, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=5)
        assert sorted(row, reverse=True)[:5] == pytest.approx([score for _, score, _ in best])


def test_the_overview_the_page_status_and_the_report_give_one_link_count(browser, xss_job):
    """A link is a pair of nodes and one kind of tie, however many records show it (docs/safeguarding-lead.md)."""
    import re

    folder, result = xss_job
    _open(browser, folder / "network.html")
    subtitle = browser.execute_script("return document.querySelector('header .sub').textContent")
    status = browser.execute_script("return document.getElementById('status').textContent")
    drawn = browser.execute_script("return linkageView.data.edges.length")
    in_subtitle = int(re.search(r"([0-9,]+) links", subtitle).group(1).replace(",", ""))
    in_status = int(re.search(r"([0-9,]+) links", status).group(1).replace(",", ""))
    pairs = browser.execute_script(
        "return linkageView.data.edges.map(function (e) { return [e.from, e.to, e.type].join('|'); })")
    assert in_subtitle == in_status == drawn == len(set(pairs)) > 0
    # more records than links: parallel records of one tie are one link
    assert sum(result.manifest["summary"]["network"]["edges"].values()) > drawn
    _open(browser, folder / "report.html", view=False)
    figures = browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#analyst .figure-box'), function (b) { return b.textContent; })")
    assert f"{drawn:,}links" in figures


def test_filters_hide_and_show_nodes(browser, xss_job):
    folder, _ = xss_job
    _open(browser, folder / "network.html")
    total = browser.execute_script("return linkageView.nodes.length")
    browser.execute_script("document.getElementById('filter-type').closest('details').open = true")
    boxes = browser.find_elements("css selector", "#filter-type input")
    labels = [b.find_element("xpath", "..").text.strip() for b in boxes]
    boxes[labels.index("person")].click()
    people = browser.execute_script("return linkageView.data.nodes.filter(function (n) { return n.type === 'person'; }).length")
    hidden = browser.execute_script("return linkageView.nodes.get({filter: function (n) { return n.hidden; }}).length")
    assert hidden == people > 0
    browser.execute_script("document.getElementById('time-to').value = '2020-12-31'; document.getElementById('time-to').dispatchEvent(new Event('change'))")
    after = browser.execute_script("return linkageView.nodes.get({filter: function (n) { return n.hidden; }}).length")
    assert after > hidden  # the 2021 episodes and operations leave the window
    browser.find_element("id", "reset").click()
    assert browser.execute_script("return linkageView.nodes.get({filter: function (n) { return n.hidden; }}).length") == 0
    assert browser.execute_script("return linkageView.nodes.length") == total


def test_report_tables_sort_and_link_into_the_views(browser, xss_job):
    folder, _ = xss_job
    _open(browser, folder / "report.html")
    hrefs = browser.execute_script("return Array.prototype.map.call(document.querySelectorAll('a[href$=\".html\"]'), function (a) { return a.getAttribute('href'); })")
    assert "network.html" in hrefs and any(h.startswith("children/") for h in hrefs)
    for href in set(hrefs):
        assert (folder / href).is_file(), href
    table = browser.find_element("css selector", "#safeguarding table.sortable")
    header = table.find_elements("css selector", "th")[-1]
    header.click()
    header.click()
    values = [float(c.get_attribute("data-sort")) for c in table.find_elements("css selector", "tbody tr td:last-child")]
    assert values == sorted(values, reverse=True)


#: ids that name built-in members of every JavaScript object (vis-network keeps its nodes in plain
#: objects keyed by id: these once made its physics recurse until "Maximum call stack size exceeded")
PROTOTYPE_IDS = {"location": "constructor", "home": "toString", "episode": "__proto__", "phone": "valueOf",
                 "operation": "hasOwnProperty", "record": "isPrototypeOf"}
HUB_CONTACTS = 400


def hub_dataset(writer: DatasetWriter) -> Path:
    """The small dataset plus a looked-after child whose phone calls 400 people, 60 missing episodes found at
    one takeaway, and an id named after a built-in JavaScript member in every node type."""
    ids = PROTOTYPE_IDS
    writer.tables["locations"] += [
        f"{ids['location']},takeaway,Hub Takeaway,,PR1 1AA,Preston,53.76,-2.70",
        f"{ids['home']},children_home,Proto House,,PR1 5AB,Preston,53.77,-2.71",
    ]
    writer.tables["people"] += ["HUB,social_care,Hana,Hubb,2008-02-02,F,PR1 4AB,Preston,looked_after;cse_risk",
                                f"{ids['record']},police,Vic,Proto,1985-01-01,M,,Preston,"]
    writer.tables["people"] += [f"C{i:03d},police,Caller{i},Number{i},,M,,Preston," for i in range(HUB_CONTACTS)]
    writer.tables["placements"] += [f"PLH,HUB,{ids['home']},2020-01-01,,children_home,Preston,",
                                    f"PLP,P2,{ids['home']},2020-02-01,2021-01-01,children_home,Preston,"]
    writer.tables["missing_episodes"] += [
        f"{ids['episode']},HUB,2021-03-01T22:00:00,2021-03-02T08:00:00,missing,{ids['home']},{ids['location']},P2"]
    writer.tables["missing_episodes"] += [
        f"MH{i:02d},HUB,2021-{1 + i % 12:02d}-{1 + i // 12:02d}T21:00:00,,missing,{ids['home']},{ids['location']},"
        for i in range(60)]
    writer.tables["events"] += [f"E3,crime,CSE,{ids['operation']},2021-05-01,{ids['location']},Preston,live"]
    writer.tables["event_people"] += ["E3,HUB,victim", f"E3,{ids['record']},suspect"]
    writer.tables["identifiers"] += [f"{ids['phone']},phone,HUB,person,,"]
    writer.tables["identifiers"] += [f"07800{i:06d},phone,C{i:03d},person,," for i in range(HUB_CONTACTS)]
    writer.tables["contacts"] += [f"{ids['phone']},07800{i:06d},{1 + i % 5},,,call" for i in range(HUB_CONTACTS)]
    return writer("hub")


def _assert_every_page_draws_without_errors(driver, folder: Path) -> int:
    """Open every page of a job: no console error, and every node drawn at a finite position."""
    pages = sorted(folder.rglob("*.html"))
    for page in pages:
        seen = _open(driver, page)
        assert seen["console"] == [], (page, seen["console"])
        if page.name in ("report.html", "review.html", "map.html"):
            continue
        drawn = driver.execute_script(
            "var p = linkageView.network.getPositions(), ids = Object.keys(p);"
            "return [ids.length, ids.every(function (k) { return isFinite(p[k].x) && isFinite(p[k].y); })]")
        assert drawn == [len(driver.execute_script("return linkageView.data.nodes")), True], page
    return len(pages)


@pytest.fixture(scope="module")
def hub_job(tmp_path_factory):
    root = tmp_path_factory.mktemp("hub")
    config = config_from_dict({"job": {"name": "hub"}, "geography": str(LANCASHIRE_YAML), "seed": 5})
    result = run_job(config, data=hub_dataset(DatasetWriter(root)), out=root / "job")
    return root / "job", result


def test_every_page_of_a_job_with_a_big_hub_and_built_in_names_as_ids_draws_without_errors(browser, hub_job):
    folder, result = hub_job
    pages = {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}
    # the pages that once overflowed the stack: small enough for physics, holding the hostile ids
    assert any(p.startswith("children/") for p in pages) and "businesses/constructor.html" in pages
    assert _assert_every_page_draws_without_errors(browser, folder) == len(pages) >= 5
    _open(browser, folder / "businesses" / "constructor.html")
    assert browser.execute_script("return linkageView.data.physics") is True
    ids = set(browser.execute_script("return linkageView.data.nodes.map(function (n) { return n.id; })"))
    assert {PROTOTYPE_IDS["location"], PROTOTYPE_IDS["episode"], PROTOTYPE_IDS["operation"]} <= ids
    assert browser.execute_script("return linkageView.search('__proto__')")[0] == "__proto__"
    assert browser.execute_script("return linkageView.selected()") == ["__proto__"]
    hub = result.manifest["summary"]["network"]
    assert hub["people"] > HUB_CONTACTS


@pytest.mark.slow
def test_every_page_of_the_demo_job_draws_without_errors(browser, tmp_path):
    from conftest import DEMO_YAML

    from linkage.config import load_config

    run_job(load_config(DEMO_YAML), out=tmp_path / "demo")
    assert _assert_every_page_draws_without_errors(browser, tmp_path / "demo") > 100


def _bench_graph(n: int) -> nx.Graph:
    import random

    graph = nx.powerlaw_cluster_graph(n, 2, 0.1, seed=7)
    rng = random.Random(7)
    for node in graph.nodes:
        node_type = rng.choices(["person", "place", "episode", "operation"], [0.7, 0.15, 0.1, 0.05])[0]
        graph.nodes[node].update(node_type=node_type, bcu=rng.choice(["West", "South", "East"]), label=f"{node_type} {node}",
                                 role=rng.choice(["victim", "perpetrator", ""]) if node_type == "person" else "")
    return graph


def test_a_5000_node_view_opens_with_positions_fixed_and_physics_off(browser, tmp_path):
    """What makes the big view fast (its speed is measured in bench/views.py, not here): every node is drawn,
    physics is off (positions come from Python), and search still works."""
    page = tmp_path / "big.html"
    page.write_text(view_from_networkx(_bench_graph(5000), title="5000 nodes", seed=7), encoding="utf-8")
    _open(browser, page)
    assert browser.execute_script("return linkageView.nodes.length") == 5000
    assert browser.execute_script("return linkageView.network.physics.physicsEnabled") is False
    label = browser.execute_script("return linkageView.data.nodes.filter(function (n) { return n.id === '17'; })[0].label")
    assert "17" in browser.execute_script("return linkageView.search(arguments[0])", label)
