"""review.html without a browser: record text escaped, no request possible, the queue's order and cap, and an
empty queue that says why (tests/test_browser_review.py clicks through it in Chromium)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import LANCASHIRE_YAML, DatasetWriter
from test_render_escaping import _Page, _strings

from linkage.config import config_from_dict
from linkage.job import resolve_dataset
from linkage.render import review_html

HOSTILE = '</script><img src=x onerror=alert("pwned-r")>'


def _queue(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """A review_queue.csv table of ``pairs`` with first_name and dob compared, in queue order."""
    n = len(pairs)
    return pd.DataFrame({
        "record_id_a": [a for a, _ in pairs], "record_id_b": [b for _, b in pairs],
        "match_probability": [0.9 - 0.01 * i for i in range(n)], "review_group": list(range(1, n + 1)),
        "decision_value": [2.0 - 0.1 * i for i in range(n)], "records_in_group": [2] * n,
        "match_weight": [3.1] * n, "decision": ["review_disagrees"] * n, "blocking_rule": ["postcode"] * n,
        "first_name_level": ["exact"] * n, "first_name_weight": [6.5] * n,
        "dob_level": ["different"] * n, "dob_weight": [-7.6] * n,
        "names_swapped": [False] * n, "uncertainty": [0.2] * n,
    })


def _people(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "_row": range(2, len(ids) + 2), "record_id": ids, "source": ["police"] * len(ids),
        "first_name": [f"Amy{HOSTILE}"] * len(ids), "last_name": ["Smith"] * len(ids),
        "dob": pd.to_datetime(["2008-03-01"] * len(ids)), "dob_precision": ["month"] * len(ids),
        "flags": [("looked_after", "cse_risk")] * len(ids),
    })


def _data(page: _Page) -> dict:
    bodies = [body for attrs, body in page.scripts if attrs.get("type") == "application/json"]
    assert len(bodies) == 1 and "<" not in bodies[0]  # the data cannot close its element
    return json.loads(bodies[0])


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def test_record_text_is_data_shown_as_text_and_the_page_can_make_no_request():
    ids = ["r1", "r2", "r3"]
    entities = pd.DataFrame({"record_id": ids, "entity_id": ["E1", "E1", "E2"]})
    html = review_html(_queue([("r1", "r3")]), entities, _people(ids), title=f"job {HOSTILE}")
    page = _parse(html)
    assert [tag for tag, _ in page.tags if tag in ("img", "iframe", "object", "embed", "link")] == []
    assert [key for _, attrs in page.tags for key, _ in attrs if key.startswith("on")] == []
    assert len(page.scripts) == 2  # the data and review.js
    assert "pwned-r" not in "".join(body for attrs, body in page.scripts if attrs.get("type") != "application/json")
    # no request of any kind: the policy forbids it, and nothing refers to another origin
    assert "default-src 'none'" in html
    assert re.findall(r"\b(?:src|href|action)\s*=\s*[\"']?(?:https?:)?//", html) == []
    assert "http://" not in html and "https://" not in html
    # the title is escaped by the template; the records travel as data, shown as they are
    assert HOSTILE in "".join(page.text)
    data = _data(page)
    assert f"Amy{HOSTILE}" in _strings(data)
    fields = data["fields"]
    assert fields[:2] == ["first_name", "dob"]  # the compared fields first
    record = dict(zip(fields, data["records"]["r1"]))
    assert record["dob"] == "2008-03" and record["flags"] == "looked_after; cse_risk"  # dob to its precision
    assert data["entities"]["E1"] == {"records": ["r1", "r2"], "size": 2}  # the other record of r1's entity
    assert data["pairs"][0]["levels"] == [["exact", 6.5], ["different", -7.6]]


def test_a_long_queue_shows_its_first_pairs_in_queue_order_and_counts_the_rest():
    ids = [f"r{i:02d}" for i in range(10)]
    pairs = [(ids[i], ids[i + 5]) for i in range(5)]
    entities = pd.DataFrame({"record_id": ids, "entity_id": [f"E{i}" for i in range(10)]})
    html = review_html(_queue(pairs), entities, _people(ids), title="job", max_pairs=2)
    data = _data(_parse(html))
    assert [(p["a"], p["b"]) for p in data["pairs"]] == pairs[:2]
    assert data["total"] == 5
    assert 'data-pairs="2" data-total="5"' in html
    assert "the first 2 of 5 pairs" in html and "views.max_review_pairs" in html
    assert set(data["records"]) == {"r00", "r01", "r05", "r06"}  # only the records the page shows


@pytest.mark.parametrize("resolve, reason", [
    ({}, "No pair needs a decision: no compared pair has a match probability from review_from (0.5) up to the threshold"),
    ("none", "resolve: none -- the person records were not compared"),
])
def test_an_empty_queue_says_why(tmp_path, resolve, reason):
    config = {"job": {"name": "empty"}, "geography": str(LANCASHIRE_YAML)} | ({"resolve": resolve} if resolve else {})
    run = resolve_dataset(DatasetWriter(tmp_path)("data"), tmp_path / "out", config_from_dict(config))
    assert len(run.resolution.review_queue) == 0
    html = (tmp_path / "out" / "review.html").read_text(encoding="utf-8")
    assert reason in html and 'data-total="0"' in html
