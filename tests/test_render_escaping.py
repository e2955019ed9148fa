"""Hostile record text in every name and label field reaches report.html and every view as text, never as markup.

Each page is parsed as a browser would tokenise it: an escaping slip anywhere
(a heading, a table cell, a title attribute, a timeline, a chart label, the
view data) shows up as an injected element, an event-handler attribute or a
script holding the payload. Each page must also show some payload (decoded),
so a page that dropped the hostile rows could not pass.
"""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from conftest import LANCASHIRE_YAML

from linkage.config import config_from_dict
from linkage.job import run_job

#: (table, column) -> text appended to every value of that column
PAYLOADS = {
    ("people", "first_name"): '<script>alert("pwned-1")</script>',
    ("people", "last_name"): '"><img src=x onerror=alert("pwned-2")>',
    ("locations", "name"): "'><svg onload=alert('pwned-3')>",
    ("locations", "local_authority"): '</td></tr></table><script>alert("pwned-4")</script>',
    ("events", "operation"): '</script><script>alert("pwned-5")</script>',
    ("placements", "placement_type"): '<b onmouseover=alert("pwned-6")>x</b>',
}
#: a location id (it names pages, links and facts): replaced in every table that refers to it
HOSTILE_ID = 'L2"><img src=x onerror=alert("pwned-7")>'
MARKER = "pwned-"
#: a second record of the dataset's Amy Smith (record 007) with no date of birth: the model leaves the pair for review
REVIEW_PAIR_RECORD = "P9,health,Amy,Smith,,F,PR1 4AB,Preston,"
#: the script elements a page may hold: report.html sortable.js; review.html its data and review.js;
#: map.html its script; a view its data, vis-network, fuzzy.js, view.js and paths.js
#: the overview adds overview.js (expanding clusters, the BCU regions) to a view's five
SCRIPTS = {"report.html": 1, "review.html": 2, "map.html": 1, "network.html": 6}
VIEW_SCRIPTS = 5


def _hostile(lines: list[str], table: str) -> list[str]:
    rows = list(csv.reader(lines))
    header = rows[0]
    for row in rows[1:]:
        for i, column in enumerate(header):
            if (table, column) in PAYLOADS and row[i]:
                row[i] += PAYLOADS[(table, column)]
            if row[i] == "L2":
                row[i] = HOSTILE_ID
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().splitlines()


class _Page(HTMLParser):
    """Every element, attribute, script body and text of a page, as a browser's tokeniser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.text: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def _strings(value) -> list[str]:
    """Every string in decoded JSON data, as the page's script will show it (json.dumps would escape quotes)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    return [s for item in value for s in _strings(item)] if isinstance(value, list) else []


@pytest.fixture(scope="module")
def hostile_job(tmp_path_factory):
    from conftest import DatasetWriter

    root = tmp_path_factory.mktemp("hostile")
    writer = DatasetWriter(root)
    # Amy Smith again, without a date of birth: a pair for review.html to show
    writer.tables["people"] += [REVIEW_PAIR_RECORD]
    writer.tables = {table: _hostile(lines, table) for table, lines in writer.tables.items()}
    config = config_from_dict({"job": {"name": "hostile"}, "geography": str(LANCASHIRE_YAML), "seed": 5})
    run_job(config, data=writer("data"), out=root / "job")
    return root / "job"


def _pages(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))


def test_the_hostile_job_has_a_report_and_every_kind_of_view(hostile_job):
    pages = _pages(hostile_job)
    assert {"report.html", "network.html", "review.html"} <= set(pages)
    assert 'data-pairs="1"' in (hostile_job / "review.html").read_text(encoding="utf-8")
    for kind in ("children/", "businesses/", "clusters/"):
        assert any(p.startswith(kind) for p in pages), kind


def test_hostile_text_is_shown_as_text_on_every_page_and_never_runs(hostile_job):
    payloads = list(PAYLOADS.values()) + [HOSTILE_ID]
    for name in _pages(hostile_job):
        page = _Page()
        page.feed((hostile_job / name).read_text(encoding="utf-8"))
        page.close()
        tags = [tag for tag, _ in page.tags]
        assert "img" not in tags, name
        handlers = [(tag, key) for tag, attrs in page.tags for key, _ in attrs if key.startswith("on")]
        assert handlers == [], name
        assert len(page.scripts) == SCRIPTS.get(name, VIEW_SCRIPTS), name
        shown = "".join(page.text) + "".join(v or "" for _, attrs in page.tags for _, v in attrs)
        for attrs, body in page.scripts:
            if attrs.get("type") == "application/json":
                assert "<" not in body, name  # it cannot close its element
                data = json.loads(body)
                shown += json.dumps(data, ensure_ascii=False) + "\n".join(_strings(data))
            else:
                assert MARKER not in body, name
        found = [p for p in payloads if p in shown]
        assert found, f"{name} shows none of the hostile values, so it proves nothing"
    report = _Page()
    report.feed((hostile_job / "report.html").read_text(encoding="utf-8"))
    text = "".join(report.text)
    for payload in (PAYLOADS[("people", "first_name")], PAYLOADS[("locations", "name")], PAYLOADS[("events", "operation")]):
        assert payload in text


def test_compact_templates_drop_their_own_line_breaks_but_never_a_values():
    from linkage.render._template import render_part

    html = render_part("parts/view_business.html", facts=[("name", "Oak\n    House <b>")])
    assert html.startswith("<h2>Why this business</h2><table")  # the template's own line breaks are gone
    assert "<td>Oak\n    House &lt;b&gt;</td>" in html          # the value keeps its line break and is escaped
