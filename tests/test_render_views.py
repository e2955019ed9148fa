"""Views and report: self-contained, escaped, deterministic, and written by `linkage run` even when analyses are skipped."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import LANCASHIRE_YAML

from linkage.config import config_from_dict
from linkage.errors import ConfigError
from linkage.job import run_job
from linkage.render import ViewOptions, graph_view
from linkage.render._html import esc, safe_name, script_json, vis_assets
from linkage.render._layout import layout

XSS = '<a href="#"><img src=x onerror=alert(1)></a>'
XSS_CSV = '"<a href=""#""><img src=x onerror=alert(1)></a>"'
#: a request a page would make: src/href/url() to anything but a data: URI or a page of the job
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//|ftp:)|url\(\s*["']?\s*(?:https?:|//)|@import""", re.I)


def xss_dataset(write_dataset):
    """The conftest dataset with hostile text in a business name, a person's name and an operation."""
    tables = write_dataset.tables
    tables["locations"] = [line.replace("Kebab King", XSS_CSV) for line in tables["locations"]]
    tables["people"] = [line.replace("Amy,Smith", "<script>alert(2)</script>,Smith") for line in tables["people"]]
    tables["events"] = [line.replace("Op Alpha", "</script><script>alert(3)</script>") for line in tables["events"]]
    return write_dataset("xss")


def run(folder, out, **settings):
    config = config_from_dict({"job": {"name": "t"}, "geography": str(LANCASHIRE_YAML), "seed": 5, **settings})
    return run_job(config, data=folder, out=out)


@pytest.fixture
def xss_job(write_dataset, tmp_path):
    out = tmp_path / "job"
    run(xss_dataset(write_dataset), out)
    return out


def test_script_json_cannot_close_the_script_element():
    text = script_json({"name": "</script><script>alert(1)</script>", "sep": "a\u2028b\u2029c", "amp": "&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_esc_escapes_markup_and_quotes():
    assert esc(XSS) == "&lt;a href=&quot;#&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/a&gt;"
    assert esc(None) == "" and esc(float("nan")) == ""


def test_safe_name_keeps_plain_ids_and_hashes_the_rest():
    assert safe_name("E123abc") == "E123abc"
    odd = safe_name("../../etc/passwd")
    assert re.fullmatch(r"n[0-9a-f]{16}", odd) and odd == safe_name("../../etc/passwd")


def test_vis_assets_come_from_pyvis_and_fetch_nothing():
    script, style = vis_assets()
    assert "vis-network" in script[:2000] or "vis" in script[:200]
    assert not re.search(r"</script", script, re.I)
    assert not EXTERNAL.search(style)


def test_layout_is_deterministic_with_the_seed():
    nodes = [str(i) for i in range(60)]
    edges = [(str(i), str((i * 7) % 60)) for i in range(60)]
    assert layout(nodes, edges, seed=3) == layout(nodes, edges, seed=3)
    assert layout(nodes, edges, seed=3) != layout(nodes, edges, seed=4)


def test_graph_view_is_self_contained_and_turns_physics_off_for_big_graphs():
    nodes = [{"id": str(i), "label": f"n{i}", "s": "person:other", "type": "person", "role": "", "bcu": "West", "facts": []}
             for i in range(400)]
    edges = [{"from": str(i), "to": str(i + 1), "type": "associate", "w": 1, "facts": []} for i in range(399)]
    page = graph_view(nodes, edges, title=XSS, seed=1, physics_below=300)
    assert not EXTERNAL.search(page)
    assert XSS not in page
    data = json.loads(re.search(r'<script type="application/json" id="view-data">(.*?)</script>', page, re.S).group(1))
    assert data["physics"] is False and len(data["nodes"]) == 400
    assert all("x" in n and "y" in n for n in data["nodes"])


def test_view_options_report_every_problem():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"views": {"max_clusterz": 3, "max_children": -1}})
    assert info.value.problems == [
        "views: unknown setting 'max_clusterz' (did you mean 'max_clusters'?); the settings are max_clusters, "
        "max_children, max_businesses, physics_below, aggregate_above, max_page_nodes, overview_clusters, overview_links, overview_members, max_review_pairs",
        "views.max_children -1 must be a whole number >= 0",
    ]
    assert config_from_dict({"views": {"max_children": 2}}).views == ViewOptions(max_children=2)


def test_a_job_writes_views_report_and_anx_with_hostile_text_escaped(xss_job):
    pages = sorted(xss_job.rglob("*.html"))
    names = {p.relative_to(xss_job).as_posix() for p in pages}
    assert {"network.html", "report.html"} <= names
    assert any(n.startswith("children/") for n in names) and any(n.startswith("businesses/") for n in names)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL.search(text), page
        assert "<img" not in text, page
        assert "alert(2)</script>" not in text and "<script>alert(3)" not in text, page
    report = (xss_job / "report.html").read_text(encoding="utf-8")
    assert esc(XSS) in report
    manifest = json.loads((xss_job / "manifest.json").read_text())
    assert "report.html" in manifest["outputs"] and "network.html" in manifest["outputs"]
    assert "graph.anx" in manifest["outputs"]


def test_view_page_caps_follow_the_config(write_dataset, tmp_path):
    out = tmp_path / "job"
    run(write_dataset(), out, views={"max_children": 1, "max_businesses": 0})
    assert len(list((out / "children").glob("*.html"))) == 1
    assert not (out / "businesses").exists()


def test_views_and_report_survive_skipped_analyses(write_dataset, tmp_path):
    out = tmp_path / "job"
    result = run(write_dataset(only=()), out)
    assert (out / "network.html").is_file() and (out / "report.html").is_file()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Not available: the care-move analysis did not run" in report
    assert "Not available: the business targets analysis did not run" in report
    assert any("no business pages" in note for note in result.notes)


def test_views_are_byte_identical_across_runs(write_dataset, tmp_path):
    folder = write_dataset()
    run(folder, tmp_path / "a")
    run(folder, tmp_path / "b")
    for page in (tmp_path / "a").rglob("*.html"):
        twin = tmp_path / "b" / page.relative_to(tmp_path / "a")
        assert page.read_bytes() == twin.read_bytes(), page


def _view_data(page):
    text = page.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="view-data">(.*?)</script>', text, re.S).group(1))


def test_big_overviews_aggregate_into_clusters_and_groups(write_dataset, tmp_path):
    out = tmp_path / "job"
    run(write_dataset(), out, views={"aggregate_above": 5})
    data = _view_data(out / "network.html")
    types = {n["type"] for n in data["nodes"]}
    assert types <= {"cluster", "group", "place"} and "group" in types
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    for node in data["nodes"]:
        if "link" in node:
            assert (out / node["link"]).is_file()


def test_a_childs_page_shows_who_they_met_in_care_and_went_missing_with(write_dataset, tmp_path):
    import pandas as pd

    out = tmp_path / "job"
    run(write_dataset(), out)
    entities = pd.read_csv(out / "entities.csv", dtype=str).set_index("record_id")["entity_id"]
    amy, ben = entities["007"], entities["P2"]
    page = (out / "children" / f"{safe_name(amy)}.html").read_text(encoding="utf-8")
    timeline = page.split("Placement timeline", 1)[1]
    row = timeline.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert "Oak House" in cells[0] and cells[1].startswith("2020-01-01 to 2021-06-30")
    assert ben in cells[2]                      # peers met there
    assert "2021-02-03" in cells[3] and "Kebab King" in cells[3]  # the missing episode that followed, found at L2
    assert ben in cells[4]                      # met there, then missing together
    data = _view_data(out / "children" / f"{safe_name(amy)}.html")
    assert {amy, ben, "L1"} <= {n["id"] for n in data["nodes"]}


def test_the_report_lists_rejects_and_has_a_section_per_audience(write_dataset, tmp_path):
    from conftest import PLANTED

    out = tmp_path / "job"
    run(write_dataset(append=PLANTED), out, max_reject_share=1)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'class="alert"' in report  # the planted rows are a large share of these small tables
    for section in ('id="analyst"', 'id="safeguarding"', 'id="genga"'):
        assert section in report
    assert "row(s) rejected" in report
    assert esc("end_date 2021-01-01 is before start_date 2021-05-01") in report
    assert "<svg" in report and 'class="data sortable"' in report


def test_edges_within_a_page_are_the_edges_with_both_ends_on_it_in_table_order(synthetic_world):
    from linkage.render._nodes import view_network

    vn = view_network(synthetic_world(5).network)
    a, b = vn.edges["a"].to_numpy(), vn.edges["b"].to_numpy()
    assert (a <= b).all()
    rng = np.random.default_rng(1)
    found = 0
    for trial in range(60):
        centre = rng.integers(0, len(vn.nodes), size=1)
        # a neighbourhood two steps out (as the pages pick), with repeats and random strangers mixed in
        positions = np.concatenate([centre, vn.adjacent(centre), vn.adjacent(vn.adjacent(centre))[:200],
                                    centre, rng.integers(0, len(vn.nodes), size=trial)])
        inside = np.zeros(len(vn.nodes), dtype=bool)
        inside[positions] = True
        expected = np.flatnonzero(inside[a] & inside[b])
        assert np.array_equal(vn.edge_rows_within(positions), expected)
        found += len(expected)
    assert found > 100
    assert len(vn.edge_rows_within(np.array([], dtype=np.int64))) == 0


def test_the_views_links_on_integers_are_the_rows_distinct_links_gives(synthetic_world):
    from linkage.render._nodes import distinct_links, view_network

    vn = view_network(synthetic_world(5).network)
    types = vn.source_edges["edge_type"].to_numpy(dtype=object)[vn.edges["row"].to_numpy()]
    by_strings = distinct_links(vn.edges["a"].to_numpy(), vn.edges["b"].to_numpy(), types)
    links = vn.links
    assert len(links) > 1000 and (links["lo"] < links["hi"]).all()
    assert links["type"].nunique() >= 5 and len(links) < len(vn.edges)  # repeated ties are one link
    # the same links in the same order; distinct_links orders each pair's ends as text, the views as numbers
    ends = by_strings[["lo", "hi"]].to_numpy().astype(np.int64)
    by_strings = by_strings.assign(lo=ends.min(axis=1), hi=ends.max(axis=1))
    pd.testing.assert_frame_equal(links, by_strings)
    assert vn.links_by_type().sum() == len(links)


def test_parallel_links_merged_in_numpy_are_the_rows_the_pandas_group_by_gives():
    """A page's parallel edges merged on codes (whole-number weights) against the pandas group-by they replace:
    the same pairs in the same order, the first kind/via/role present, the date span, the sums and counts."""
    from linkage.render._nodes import _merge_parallel, _merge_parallel_pandas

    rng = np.random.default_rng(7)

    def pick(values, n):
        return np.array([values[i] for i in rng.integers(0, len(values), n)], dtype=object)

    def rows(frame):
        columns = ["a", "b", "edge_type", "kind", "via", "role", "start", "end", "weight", "n"]
        return [[None if not isinstance(v, str) and pd.isna(v) else v for v in row]
                for row in frame[columns].itertuples(index=False)]

    dates = [None, "2020-01-02", "2019-05-01", "2021-12-31"]
    merged = 0
    for trial in range(200):
        n = int(rng.integers(1, 80))
        table = pd.DataFrame({
            "a": rng.integers(0, 4, n), "b": rng.integers(4, 7, n),
            "edge_type": pick(["contact", "placed_at", "associate"] + ([None] if trial % 4 == 0 else []), n),
            "start": pick(dates, n), "end": pick(dates, n), "weight": rng.choice([1.0, 2.0, 7.0, 30.0], n),
            "role": pick([None, "x", "y"], n), "kind": pick([None, "k", "j"], n), "via": pick([None, "v", "w", ""], n)})
        fast = _merge_parallel(table)
        assert rows(fast) == rows(_merge_parallel_pandas(table))
        merged += int((fast["n"] > 1).sum())
    assert merged > 500  # parallel edges were merged, not only single ones passed through
    # weights that are not whole numbers go the pandas way (their sum depends on the order of adding)
    odd = pd.DataFrame({"a": [0, 0, 0], "b": [1, 1, 1], "edge_type": ["contact"] * 3, "start": dates[1:],
                        "end": dates[1:], "weight": [1.0, 0.1, 1e16], "role": None, "kind": None, "via": None})
    assert rows(_merge_parallel(odd)) == rows(_merge_parallel_pandas(odd))


def test_links_by_type_counts_the_rows_distinct_links_gives_on_every_tie(synthetic_world):
    from linkage.render._nodes import distinct_links, links_by_type

    edges = synthetic_world(5).network.edges  # the phones' and vehicles' ties too, as the report counts them
    edges = pd.concat([edges, edges.head(50).rename(columns={"source": "target", "target": "source"}),  # reversed repeats
                       edges.head(3).assign(target=edges["source"].head(3))], ignore_index=True)  # ties to themselves
    counts = links_by_type(edges["source"], edges["target"], edges["edge_type"])
    expected = distinct_links(edges["source"], edges["target"], edges["edge_type"])["type"].value_counts().sort_index()
    assert len(counts) >= 8 and counts.sum() > 1000
    assert counts.to_dict() == expected.to_dict() and counts.index.tolist() == expected.index.tolist()
