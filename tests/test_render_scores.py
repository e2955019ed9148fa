"""Every score on a page explains itself: the child, cluster and business pages show the parts that add up
to the score the CSVs and the report give, and the report's long tables show names beside ids."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from conftest import LANCASHIRE_YAML

from linkage.analyse.businesses import BUSINESS_WEIGHTS
from linkage.analyse.clusters import RISK_WEIGHTS
from linkage.config import config_from_dict
from linkage.job import run_job
from linkage.render._scores import CHILD_RISK_WEIGHTS


class _Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts (th and td), with the table's class."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs).get("class", ""), []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1][1]:
            self.tables[-1][1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(path) -> list[tuple[str, list[list[str]]]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def score_parts(path) -> tuple[list[list[str]], float]:
    """The score table of a view page: its part rows (counted, count, weight, points) and its total."""
    found = [rows for cls, rows in tables(path) if "score-parts" in cls]
    assert len(found) == 1, path
    rows = found[0]
    assert rows[0] == ["counted", "count", "weight", "points"]
    assert rows[-1][0] == "total"
    return rows[1:-1], float(rows[-1][-1].replace(",", ""))


def number(text: str) -> float:
    return float(text.replace(",", "").lstrip("\u00d7"))


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    from conftest import DatasetWriter

    root = tmp_path_factory.mktemp("scores")
    config = config_from_dict({"job": {"name": "scores"}, "geography": str(LANCASHIRE_YAML), "seed": 5})
    run_job(config, data=DatasetWriter(root)("data"), out=root / "job")
    return root / "job"


def _report_children(job) -> dict[str, float]:
    """entity id -> risk, from the report's 'children most at risk' table."""
    for _, rows in tables(job / "report.html"):
        if rows and rows[0][:2] == ["entity_id", "label"] and rows[0][-1] == "risk":
            return {row[0]: number(row[-1]) for row in rows[1:]}
    raise AssertionError("no children table in the report")


def test_a_child_page_shows_the_risk_score_of_the_report_and_the_parts_that_add_up_to_it(job):
    risks = _report_children(job)
    pages = sorted((job / "children").glob("*.html"))
    assert pages and len(pages) == len(risks)
    for page in pages:
        parts, total = score_parts(page)
        assert total == risks[page.stem]
        assert [number(weight) for _, _, weight, _ in parts] == list(CHILD_RISK_WEIGHTS.values())
        for _, count, weight, points in parts:
            assert number(points) == pytest.approx(number(count) * number(weight))
        assert sum(number(points) for *_, points in parts) == pytest.approx(total, abs=0.05)


def test_a_cluster_page_shows_the_risk_parts_of_clusters_csv(job):
    clusters = pd.read_csv(job / "clusters.csv", dtype={"cluster_id": str}).set_index("cluster_id")
    pages = sorted((job / "clusters").glob("*.html"))
    assert pages
    for page in pages:
        row = clusters.loc[page.stem]
        parts, total = score_parts(page)
        assert total == pytest.approx(row["risk_score"])
        expected = [re.fullmatch(r"(\w+) (\d+)x([0-9.]+)", p.strip()).groups() for p in row["risk_parts"].split(";")]
        assert [(number(c), number(w)) for _, c, w, _ in parts] == [(float(c), float(w)) for _, c, w in expected]
        assert [float(w) for name, _, w in expected] == [RISK_WEIGHTS[name] for name, _, _ in expected]
        assert sum(number(points) for *_, points in parts) == pytest.approx(total)


def test_a_business_page_says_why_it_ranks_where_it_does(job):
    targets = pd.read_csv(job / "business_targets.csv", dtype={"location_id": str}).set_index("location_id")
    pages = sorted((job / "businesses").glob("*.html"))
    assert pages
    for page in pages:
        row = targets.loc[page.stem]
        parts, total = score_parts(page)
        assert total == pytest.approx(row["score"])
        assert len(parts) == len(BUSINESS_WEIGHTS)
        assert sum(number(points) for *_, points in parts) == pytest.approx(total, abs=0.002)
        text = page.read_text(encoding="utf-8")
        group = "linked to a child" if row["linked_to"] == "child" else "exploitation evidence, no child linked"
        nte = "night-time economy" if row["night_time_economy"] else "not night-time economy"
        assert f"Rank {row['rank']}: {group}; {nte}; score {row['score']:g}" in text
    # and the report's list says it for every business, in rank order
    report = [rows for _, rows in tables(job / "report.html") if rows and "why this rank" in rows[0]]
    assert report
    listed = [r for rows in report for r in rows[1:]]
    column = report[0][0].index("why this rank")
    assert len(listed) == len(targets)
    for row in listed:
        target = targets[targets["rank"] == int(row[0])].iloc[0]
        assert row[column].startswith("linked to a child" if target["linked_to"] == "child" else "exploitation evidence")


def test_the_report_shows_names_beside_ids_and_long_tables_scroll_in_their_box(job):
    profile = pd.read_csv(job / "missing_profile.csv", dtype=str)
    assert len(profile)
    shown = [rows for _, rows in tables(job / "report.html") if rows and rows[0][:1] == ["child"] and "found with" in rows[0]]
    assert len(shown) == 1
    header, *rows = shown[0]
    named = re.compile(r"[^;()]+ \((?P<id>[^()]+)\)")
    for row, (_, expected) in zip(rows, profile.iterrows()):
        child = named.fullmatch(row[0])
        assert child and child["id"] == expected["entity_id"]
        cell = row[header.index("found with")]
        ids = [m["id"] for m in named.finditer(cell)]
        assert ids == [i for i in str(expected["found_with"]).split(";") if i and i != "nan"]
    css = (job / "report.html").read_text(encoding="utf-8")
    assert re.search(r"table\.data \{[^}]*max-height: 70vh; overflow: auto;", css)
