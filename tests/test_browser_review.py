"""review.html in a real headless Chromium: the reviewer's decisions become the overrides file, and a rerun with it
joins and separates the pairs as decided (the round trip of issue 15 item 6).

A small synthetic world has a review queue; the test clicks the page's own buttons, reads the CSV the page saved
(the Blob behind its download link), resolves again with it as ``--overrides`` and checks the entities.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import CHROMEDRIVER, CHROMIUM, NO_CHROMIUM, small_world_config

from linkage.job import resolve_dataset

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=NO_CHROMIUM)


def _load(driver, page: Path, *, forget: bool = False) -> None:
    driver.get(page.as_uri())
    deadline = time.monotonic() + 30
    while not driver.execute_script("return document.readyState === 'complete' && !!window.linkageReady"):
        assert time.monotonic() < deadline, f"{page.name} did not finish drawing"
        time.sleep(0.05)
    if forget:
        driver.find_element("id", "forget").click()


def _card(driver, index: int):
    """The card of pair ``index``, paging forward with the page's own Next button until it is shown."""
    for _ in range(1000):
        found = driver.find_elements("css selector", f'section.pair[data-index="{index}"]')
        if found:
            return found[0]
        driver.find_element("id", "next").click()
    raise AssertionError(f"pair {index} is on no page")


def _first_of_groups(queue: pd.DataFrame, count: int) -> list[int]:
    """Positions in the queue of the first pair of each of the first ``count`` review groups that touch no record of
    another chosen group (so each decision is tested alone)."""
    seen: set[str] = set()
    chosen = []
    for position, row in queue.drop_duplicates("review_group").iterrows():
        touched = {row["record_id_a"], row["record_id_b"]}
        group = queue[queue["review_group"] == row["review_group"]]
        touched |= set(group["record_id_a"]) | set(group["record_id_b"])
        if touched & seen:
            continue
        seen |= touched
        chosen.append(int(position))
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"the queue has fewer than {count} separate review groups")


def test_decisions_made_on_the_page_are_applied_by_the_next_run(browser, small_world_job, tmp_path):
    job = small_world_job / "job"
    queue = pd.read_csv(job / "review_queue.csv", dtype={"record_id_a": str, "record_id_b": str})
    people = pd.read_csv(small_world_job / "world" / "people.csv", dtype=str, keep_default_na=False).set_index("record_id")
    _load(browser, job / "review.html", forget=True)
    assert int(browser.execute_script("return document.body.getAttribute('data-pairs')")) == len(queue) > 0
    same, different, unsure = _first_of_groups(queue, 3)

    # the card shows both records field by field and every comparison's level and weight, as the queue has them
    card = _card(browser, same)
    rows = {r.find_element("css selector", "th").text: [c.text for c in r.find_elements("css selector", "td")]
            for r in card.find_elements("css selector", "table.compare tbody tr")}
    a, b = queue.at[same, "record_id_a"], queue.at[same, "record_id_b"]
    assert rows["record_id"][:2] == [a, b]
    assert rows["last_name"][:2] == [people.at[a, "last_name"], people.at[b, "last_name"]]
    for comparison in ("first_name", "last_name", "dob", "postcode", "sex"):
        assert rows[comparison][2] == queue.at[same, f"{comparison}_level"]
        assert float(rows[comparison][3]) == pytest.approx(queue.at[same, f"{comparison}_weight"], abs=0.006)

    for index, label in ((same, "Same person"), (different, "Different people"), (unsure, "Unsure")):
        _card(browser, index).find_element("xpath", f".//button[normalize-space()='{label}']").click()
    # the decisions are kept in the browser: a reload shows them again
    _load(browser, job / "review.html")
    for index, choice in ((same, "same"), (different, "different"), (unsure, "unsure")):
        assert _card(browser, index).get_attribute("data-decision") == choice
    assert "1 same, 1 different, 1 unsure" in browser.find_element("id", "counts").text

    browser.find_element("id", "save").click()
    saved = browser.execute_script("return linkageReview.lastCsv()")
    href = browser.find_element("id", "download").get_attribute("href")
    assert href.startswith("blob:")
    # the file behind the link (the page's Content-Security-Policy forbids fetching even its own blob: URL)
    in_blob = browser.execute_async_script(
        "var done = arguments[arguments.length - 1]; linkageReview.lastBlob().text().then(done)")
    assert in_blob == saved
    rows = list(csv.reader(io.StringIO(saved)))
    assert rows[0] == ["record_id_a", "record_id_b", "decision"]
    pair = lambda i: [queue.at[i, "record_id_a"], queue.at[i, "record_id_b"]]  # noqa: E731
    assert sorted(rows[1:]) == sorted([pair(same) + ["must_link"], pair(different) + ["cannot_link"]])

    # the next run, with the saved file as its overrides
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(saved, encoding="utf-8")
    rerun = resolve_dataset(small_world_job / "world", tmp_path / "rerun", small_world_config(), overrides=overrides)
    entity = rerun.resolution.entities.set_index("record_id")["entity_id"]
    assert entity[pair(same)[0]] == entity[pair(same)[1]]
    assert entity[pair(different)[0]] != entity[pair(different)[1]]
    decided = rerun.resolution.match_pairs.set_index(["record_id_a", "record_id_b"])["decision"]
    assert decided[tuple(pair(same))] == "must_link" and decided[tuple(pair(different))] == "cannot_link"
    still = set(zip(rerun.resolution.review_queue["record_id_a"], rerun.resolution.review_queue["record_id_b"]))
    assert tuple(pair(same)) not in still and tuple(pair(different)) not in still
    assert tuple(pair(unsure)) in still  # unsure: still for a person to decide

    # the rerun's page starts from those decisions, so its file keeps them with the next round's
    _load(browser, tmp_path / "rerun" / "review.html", forget=True)
    data = browser.execute_script("return linkageReview.data")
    assert sorted(data["previous"]) == sorted(rows[1:])
    assert browser.find_elements("css selector", "header a") == []  # linkage resolve writes no overview or report
    kept = list(csv.reader(io.StringIO(browser.execute_script("return linkageReview.csv()"))))
    assert sorted(kept[1:]) == sorted(rows[1:])
    assert [p["a"] for p in data["pairs"]] == rerun.resolution.review_queue["record_id_a"].tolist()


def test_the_review_page_is_linked_from_the_overview_and_the_report(browser, small_world_job):
    job = small_world_job / "job"
    for page, selector in (("network.html", "#review-link"), ("report.html", "#analyst a[href='review.html']")):
        browser.get((job / page).as_uri())
        link = browser.find_element("css selector", selector)
        assert link.get_attribute("href").endswith("/review.html"), page
