"""map.html: places at their coordinates, care moves as arrows, authorities outlined; escaped and offline."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CHROMEDRIVER, CHROMIUM, LANCASHIRE_YAML, NO_CHROMIUM, DatasetWriter

from linkage.config import config_from_dict
from linkage.geography import authority_outlines, postcode_authority_codes, postcode_points
from linkage.job import run_job

REPO = Path(__file__).resolve().parents[1]
XSS = '<img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def mapped_job(tmp_path_factory):
    """The valid dataset, a second children's home the child 007 moves to, and a hostile business name."""
    root = tmp_path_factory.mktemp("map")
    writer = DatasetWriter(root)
    writer.tables["locations"] = [line.replace("Kebab King", XSS) for line in writer.tables["locations"]]
    writer.tables["locations"].append("L4,children_home,Elm Lodge,,LA1 1AB,Lancaster,54.05,-2.79")
    writer.tables["placements"].append("PL3,007,L4,2021-07-01,,children_home,Preston,")
    config = config_from_dict({"job": {"name": "map"}, "geography": str(LANCASHIRE_YAML), "seed": 3})
    run_job(config, data=writer("data"), out=root / "job")
    return root / "job"


def test_every_care_setting_and_business_is_a_marker_and_each_move_an_arrow(mapped_job):
    text = (mapped_job / "map.html").read_text(encoding="utf-8")
    kinds = re.findall(r'class="marker ([a-z-]+)"', text)
    assert sorted(kinds) == ["business", "business", "care-setting", "care-setting"]
    moves = pd.read_csv(mapped_job / "care_moves.csv", dtype=str)
    moves = moves[moves["from_location_id"].notna()]      # move 0 is the first placement: no arrow
    assert len(moves) == 1
    arrows = re.findall(r'<a class="move" href="([^"]+)" data-child="([^"]+)">', text)
    assert [child for _, child in arrows] == moves["entity_id"].tolist()
    assert (mapped_job / arrows[0][0]).is_file()            # the arrow opens the child's page
    assert "marker-end=" in text                              # an arrowhead
    distance = float(moves["distance_km"].iloc[0])
    assert f"{moves['move_number'].iloc[0]}: {distance:.0f} km" in text   # numbered in time order, with its distance
    # record text escaped, nothing fetched, the overview links the map
    assert XSS not in text and html.escape(XSS) in text
    assert "http" not in text.replace("http-equiv", "")
    assert 'href="map.html"' in (mapped_job / "network.html").read_text(encoding="utf-8")


def _inside(point: np.ndarray, hull: np.ndarray) -> bool:
    """Ray casting: is (y, x) inside the polygon of (y, x) rows?"""
    y, x = point
    inside = False
    for (y1, x1), (y2, x2) in zip(hull, np.roll(hull, -1, axis=0)):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_each_authority_is_outlined_by_the_hull_of_its_postcodes():
    places = pd.read_csv(REPO / "synthetic_data" / "demo" / "locations.csv", dtype=str)
    places["bcu"] = places["local_authority"].map({"Preston": "South", "Burnley": "East", "Blackpool": "West"})
    outlines = authority_outlines(places)
    assert set(outlines) == {"Preston", "Burnley", "Blackpool"}   # the force's own authorities only
    for authority, hull in outlines.items():
        assert len(hull) >= 3
        # convex: every turn the same way round
        turns = [np.cross(b - a, c - b) for a, b, c in zip(hull, np.roll(hull, -1, 0), np.roll(hull, -2, 0))]
        assert all(t > 0 for t in turns) or all(t < 0 for t in turns)
        # the places whose postcode the ONS directory puts in the authority's commonest code lie inside its
        # outline (to the 1 km grid the outline is drawn on); synthetic places elsewhere need not
        own = places[places["local_authority"] == authority].dropna(subset=["postcode"])
        codes = postcode_authority_codes(own["postcode"])
        mine = own[codes == codes.mode().iloc[0]]
        points = postcode_points(mine["postcode"]).dropna()[["latitude", "longitude"]].to_numpy()
        shifts = np.array([[0, 0], [0.01, 0.015], [0.01, -0.015], [-0.01, 0.015], [-0.01, -0.015]])
        assert len(points) >= 5, authority
        assert all(any(_inside(p + shift, hull) for shift in shifts) for p in points), authority


def test_without_postcodes_an_authority_is_the_hull_of_its_places():
    places = pd.DataFrame({"location_id": ["A", "B", "C", "D", "E"], "local_authority": ["X"] * 4 + ["Y"],
                           "bcu": ["North"] * 5, "latitude": [0.0, 0.0, 1.0, 0.4, 5.0],
                           "longitude": [0.0, 1.0, 0.0, 0.3, 5.0]})
    outlines = authority_outlines(places)
    assert list(outlines) == ["X"]          # Y has one place: no outline
    assert sorted(map(tuple, outlines["X"])) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]   # D is inside


@pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=NO_CHROMIUM)
def test_in_a_browser_a_child_can_be_chosen_and_a_marker_opens_its_page(browser, mapped_job):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get((mapped_job / "map.html").as_uri())
    assert browser.execute_script("return window.linkageMap") == {"markers": 4, "moves": 1}
    label = browser.find_element(By.CSS_SELECTOR, ".move .move-label")
    assert not label.is_displayed()                       # numbers and distances only for a chosen child
    choice = Select(browser.find_element(By.ID, "child"))
    choice.select_by_index(1)
    assert label.is_displayed() and label.text.endswith("km")
    assert browser.find_element(By.CSS_SELECTOR, ".move title").get_attribute("textContent").startswith("Amy")
    # the hostile business name is text in its marker's title, and the marker opens the business's page
    link = browser.find_element(By.CSS_SELECTOR, "a.marker-link")
    assert XSS in link.find_element(By.CSS_SELECTOR, "title").get_attribute("textContent")
    assert browser.execute_script("return document.querySelectorAll('img, [onerror]').length") == 0
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", link)
    assert "/businesses/" in browser.current_url
