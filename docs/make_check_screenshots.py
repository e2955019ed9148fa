"""Screenshots of a placement check and a briefing for docs/safeguarding-lead.md (headless Chromium + selenium).

    linkage demo
    python docs/make_check_screenshots.py reports/demo

Writes docs/images/placement-check.png and docs/images/brief.png from the demo
job: the briefing of the child with the most missing episodes, and the
placement check of the same child for every children's home within 20 km of
their last setting.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
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


def _shot(driver, page: Path, image: Path, width: int, max_height: int) -> None:
    driver.set_window_size(width, 900)
    driver.get(page.resolve().as_uri())
    height = min(max_height, driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, height)
    driver.save_screenshot(str(image))
    print(f"wrote {image}")


def main(folder: str) -> None:
    job = load_job(folder)
    episodes = job.network.episodes.groupby("entity_id").size().sort_values(kind="stable")
    child = episodes.index[-1]
    placements = job.network.placements[job.network.placements["entity_id"] == child].sort_values("start_date")
    out = Path(tempfile.mkdtemp(prefix="linkage-shots-"))
    _, written = run_placement_check(folder, child, near=placements["location_id"].iloc[-1], within_km=20,
                                     setting_type="children_home", out=out)
    brief = run_briefs(folder, [child], out=out)[0]
    IMAGES.mkdir(exist_ok=True)
    driver = _browser()
    try:
        _shot(driver, written["html"], IMAGES / "placement-check.png", 1200, 1400)
        _shot(driver, brief, IMAGES / "brief.png", 1000, 1500)
    finally:
        driver.quit()
    shutil.rmtree(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "reports/demo")
