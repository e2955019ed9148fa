"""Screenshots of every kind of page, for the user docs (headless Chromium + selenium).

    linkage demo
    python docs/make_screenshots.py reports/demo

Writes docs/images/*.png from the demo job: the overview (network.html), a
child's page, a cluster's page, a business's page, the map, the review page,
the report, and a placement check and a briefing of the child with the most
missing episodes (the placement check against every children's home within
20 km of their last setting). Each page is shot once it has drawn
(``window.linkageReady`` on the network views). The user pages show them:
docs/safeguarding-lead.md, docs/analyst.md, docs/genga-coordinator.md. The overview is shot twice: as it opens,
and with *BCU regions* ticked.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from linkage.checks import load_job, run_briefs, run_placement_check

IMAGES = Path(__file__).resolve().parent / "images"


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = next(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n))
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900",
                     "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def _shot(driver, page: Path, image: Path, width: int, max_height: int, prepare: str = "") -> None:
    driver.set_window_size(width, 900)
    driver.get(page.resolve().as_uri())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not driver.execute_script(
            "return document.readyState === 'complete' && (!window.vis || !!window.linkageReady)"):
        time.sleep(0.1)
    height = min(max_height, driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, height)
    if prepare:
        driver.execute_script(prepare)
    time.sleep(0.3)
    driver.save_screenshot(str(image))
    print(f"wrote {image}")


def _first(folder: Path, pattern: str) -> Path:
    pages = sorted(folder.glob(pattern))
    if not pages:
        raise SystemExit(f"{folder} has no {pattern}: run linkage demo first")
    return pages[0]


def main(folder: str) -> None:
    root = Path(folder)
    job = load_job(folder)
    episodes = job.network.episodes.groupby("entity_id").size().sort_values(kind="stable")
    child = episodes.index[-1]
    placements = job.network.placements[job.network.placements["entity_id"] == child].sort_values("start_date")
    out = Path(tempfile.mkdtemp(prefix="linkage-shots-"))
    _, written = run_placement_check(folder, child, near=placements["location_id"].iloc[-1], within_km=20,
                                     setting_type="children_home", out=out)
    brief = run_briefs(folder, [child], out=out)[0]
    IMAGES.mkdir(exist_ok=True)
    # the child page shot is the child with the most missing episodes, when the job wrote a page for them
    child_pages = {p.stem: p for p in (root / "children").glob("*.html")}
    from linkage.render import safe_name

    child_page = child_pages.get(safe_name(child)) or _first(root, "children/*.html")
    shots = [
        (root / "network.html", "overview.png", 1400, 1000),
        (root / "network.html", "overview-bcu.png", 1400, 1000, "document.getElementById('bcu-regions').click()"),
        (child_page, "child-page.png", 1400, 1600),
        (_first(root, "clusters/*.html"), "cluster-page.png", 1400, 1000),
        (_first(root, "businesses/*.html"), "business-page.png", 1400, 1000),
        (root / "map.html", "map.png", 1200, 1400),
        (root / "review.html", "review.png", 1200, 1200),
        (root / "report.html", "report.png", 1200, 1600),
        (written["html"], "placement-check.png", 1200, 1400),
        (brief, "brief.png", 1000, 1500),
    ]
    driver = _browser()
    try:
        for page, image, width, height, *prepare in shots:
            _shot(driver, page, IMAGES / image, width, height, *prepare)
    finally:
        driver.quit()
    shutil.rmtree(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "reports/demo")
