"""Shared fixtures: a small valid dataset of every contract table, and the Lancashire geography.

The dataset is written as CSV text so that tests know the exact line of every
row: line 1 is the header, the first data row is line 2, and a row appended
with ``write_dataset(append=...)`` lands on ``write_dataset.next_line(table)``
onwards.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import random
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from linkage.config import JobConfig, load_geography

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from job_large import without_timings

# fast and repeatable by default (the same examples on every run, so CI never goes red on a new random draw);
# ``pytest --hypothesis-profile=thorough`` searches much harder with fresh random examples: run it when you
# change a reader, a parser or a writer, and turn what it finds into a fixed test
settings.register_profile("linkage", deadline=None, max_examples=50, database=None, derandomize=True)
settings.register_profile("thorough", deadline=None, max_examples=2000, database=None)
settings.load_profile("linkage")

REPO_ROOT = Path(__file__).resolve().parents[1]
LANCASHIRE_YAML = REPO_ROOT / "configs" / "lancashire.yaml"
DEMO_YAML = REPO_ROOT / "configs" / "demo.yaml"

#: Every contract table, a few rows each, all references resolving.  Record
#: "007" checks that ids stay strings; identifiers look like phone numbers.
VALID_TABLES: dict[str, list[str]] = {
    "people": [
        "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags",
        "007,police,Amy,Smith,2008-03-04,F,PR1 4AB,Preston,looked_after;cse_risk",
        "P2,social_care,Ben,Jones,2007-11,M,BB1 1AA,Blackburn with Darwen,",
        "P3,health,Cara,Lee,2006,F,FY1 1AA,Blackpool,cce_risk",
        "P4,police,Dan,Kay,1990-01-01,M,M1 1AA,Manchester,",
    ],
    "locations": [
        "location_id,category,name,night_time_economy,postcode,local_authority,latitude,longitude",
        "L1,children_home,Oak House,,PR1 5AA,Preston,53.76,-2.70",
        "L2,takeaway,Kebab King,,FY1 2BB,Blackpool,53.81,-3.05",
        "L3,hotel,Bay Hotel,false,LA1 1AA,Lancaster,54.04,-2.80",
    ],
    "placements": [
        "placement_id,record_id,location_id,start_date,end_date,placement_type,placing_authority,reason_for_change",
        "PL1,007,L1,2020-01-01,2021-06-30,children_home,Preston,moved",
        "PL2,P2,L1,2020-06-01,,foster,Blackburn with Darwen,",
    ],
    "missing_episodes": [
        "episode_id,record_id,start,end,kind,from_location_id,found_location_id,found_with",
        "M1,007,2021-02-03T22:15:00,2021-02-04T08:00:00,missing,L1,L2,P2;P4",
        "M2,P2,2021-02-03T23:00:00,,absent,L1,,",
    ],
    "events": [
        "event_id,event_type,category,operation,date,location_id,local_authority,status",
        "E1,crime,CSE,Op Alpha,2021-03-01,L2,Blackpool,live",
        "E2,intelligence,CCE,Op Beta,2021-04-01,L3,Lancaster,closed",
    ],
    "event_people": [
        "event_id,record_id,role",
        "E1,007,victim",
        "E1,P4,suspect",
        "E2,P4,offender",
    ],
    "identifiers": [
        "identifier,kind,owner_id,owner_type,first_seen,last_seen",
        "07700900001,phone,007,person,2021-01-01,2021-06-01",
        "07700900002,phone,P4,person,,",
        "AB12CDE,vehicle,L2,location,,",
    ],
    "contacts": [
        "from_identifier,to_identifier,count,first_date,last_date,kind",
        "07700900001,07700900002,12,2021-01-05,2021-03-01,call",
        "07700900002,AB12CDE,,,,sighting",
    ],
    "associations": [
        "record_id_a,record_id_b,kind,date",
        "007,P4,associate,2021-02-01",
        "P2,P3,family,",
    ],
}


#: One bad row of each kind the contract rejects, appended to the valid dataset
#: (plus an unknown local authority, which is a warning and is kept).
PLANTED: dict[str, list[str]] = {
    "people": [
        "P5,,Eve,Ray,2009-01-01,F,,Preston,",  # required value missing
        "P2,police,Dup,Licate,,,,,",  # duplicate id
        "P6,police,Fay,Oh,31/02/2008,F,,Preston,",  # unparseable date
        "P7,police,Gus,Ay,,X,,Wigan,",  # value outside the enum
        "P8,police,Hal,Ee,,M,,Narnia,",  # unknown authority: a warning, kept
    ],
    "placements": [
        "PL3,P3,L1,2021-05-01,2021-01-01,foster,,",  # end before start
        "PL4,P99,L1,2021-01-01,,,,",  # unknown record
        "PL5,P3,L99,2021-01-01,,,,",  # unknown location
    ],
    "event_people": ["E99,P3,victim"],  # unknown event
    "contacts": ["07999,07700900001,1,,,call"],  # unknown identifier
}
#: (table, line, column, value, reason fragment, action) of every reject line PLANTED gives, in rejects.csv order:
#: a broken required value, a duplicate id or an unknown required reference rejects the row; a bad optional
#: value is cleared and the row kept.
PLANTED_REJECTS: list[tuple[str, int, str, str, str, str]] = [
    ("people", 6, "source", "", "source is required but empty", "rejected"),
    ("people", 7, "record_id", "P2", "duplicate record_id 'P2': already used on row 3", "rejected"),
    ("people", 8, "dob", "31/02/2008", "is not a valid date (February 2008 has no day 31)", "cleared"),
    ("people", 9, "sex", "X", "is not one of M, F, U", "cleared"),
    ("placements", 4, "end_date", "2021-01-01", "end_date 2021-01-01 is before start_date 2021-05-01", "cleared"),
    ("placements", 5, "record_id", "P99", "'P99' is not a known record_id among the kept rows of people", "rejected"),
    ("placements", 6, "location_id", "L99", "'L99' is not a known location_id among the kept rows of locations", "rejected"),
    ("event_people", 5, "event_id", "E99", "'E99' is not a known event_id among the kept rows of events", "rejected"),
    ("contacts", 4, "from_identifier", "07999", "'07999' is not a known identifier among the kept rows of identifiers", "rejected"),
]
#: rows PLANTED has rejected, and kept with a value cleared
PLANTED_REJECTED = sum(r[5] == "rejected" for r in PLANTED_REJECTS)
PLANTED_CLEARED = sum(r[5] == "cleared" for r in PLANTED_REJECTS)


def assert_one_error(result, *fragments: str) -> str:
    """A CLI result that failed as a user mistake should: exit 1, one ``Error:`` line, no traceback.

    Every fragment must be in stderr; returns the error line.
    """
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return errors[0]


class DatasetWriter:
    """Writes ``VALID_TABLES`` (with changes) as a dataset folder of CSV files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tables = {name: list(lines) for name, lines in VALID_TABLES.items()}

    def rows(self, table: str) -> int:
        """Data rows of ``table`` in the valid dataset."""
        return len(self.tables[table]) - 1

    def next_line(self, table: str) -> int:
        """The line an appended row of ``table`` starts on (header = line 1)."""
        return len(self.tables[table]) + 1

    def __call__(
        self,
        name: str = "data",
        *,
        append: dict[str, list[str]] | None = None,
        replace: dict[str, str] | None = None,
        omit: tuple[str, ...] = (),
        only: tuple[str, ...] | None = None,
    ) -> Path:
        """Write the dataset to ``root/name`` and return the folder.

        ``append`` adds lines after a table's valid rows; ``replace`` gives a
        table's whole file text; ``omit`` leaves tables out; ``only`` writes
        just people and the tables named (fewer files, faster tests).
        """
        if only is not None:
            omit = tuple(t for t in self.tables if t != "people" and t not in only) + tuple(omit)
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        append = append or {}
        replace = replace or {}
        for table, lines in self.tables.items():
            if table in omit:
                continue
            if table in replace:
                text = replace[table]
            else:
                text = "\n".join(lines + list(append.get(table, []))) + "\n"
            (folder / f"{table}.csv").write_text(text, encoding="utf-8", newline="")
        return folder


@pytest.fixture
def write_dataset(tmp_path: Path) -> DatasetWriter:
    """Call it to write the valid nine-table dataset (optionally with planted rows)."""
    return DatasetWriter(tmp_path)


@pytest.fixture
def dataset_folder(write_dataset: DatasetWriter) -> Path:
    """The valid nine-table dataset, unchanged."""
    return write_dataset()


@pytest.fixture(scope="session")
def lancashire_geography():
    return load_geography(LANCASHIRE_YAML)


@pytest.fixture(scope="session")
def lancashire_config(lancashire_geography) -> JobConfig:
    """Defaults everywhere, with the Lancashire geography."""
    return dataclasses.replace(JobConfig(), geography=lancashire_geography)


@dataclasses.dataclass(frozen=True)
class SyntheticWorld:
    """A small synthetic world, resolved and built as a network (shared: tests must not change it)."""

    folder: Path
    config: JobConfig
    dataset: object
    resolution: object
    network: object


@pytest.fixture(scope="session")
def synthetic_world(tmp_path_factory):
    """``synthetic_world(seed)``: the small world of that seed, generated, resolved and built once per session."""
    from linkage.build import build_network
    from linkage.config import load_config
    from linkage.read import load_dataset
    from linkage.resolve import resolve_people
    from linkage.synth import generate_world

    built: dict[int, SyntheticWorld] = {}

    def make(seed: int) -> SyntheticWorld:
        if seed not in built:
            folder = tmp_path_factory.mktemp(f"world-seed{seed}")
            generate_world(folder, scale="small", seed=seed)
            config = load_config(Path(__file__).resolve().parents[1] / "configs" / "demo.yaml")
            dataset = load_dataset(folder, config)
            resolution = resolve_people(dataset["people"])
            built[seed] = SyntheticWorld(folder, config, dataset, resolution,
                                         build_network(dataset, resolution.entities, config))
        return built[seed]

    return make


def shuffled_copy(source: Path, target: Path, seed: int) -> Path:
    """Every CSV table of ``source`` with its data rows in a random order (header first)."""
    target.mkdir(parents=True)
    rng = random.Random(seed)
    for path in sorted(source.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        rng.shuffle(body)
        with (target / path.name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *body])
    return target


def manifest_results(manifest: dict) -> dict:
    """The manifest without wall-clock times (``job_large.TIMING_KEYS``, as bench/job_large.py compares job
    folders) and without what names the input files (their paths and sha256)."""
    results = without_timings(manifest)
    results["config"] = {k: v for k, v in results["config"].items() if k != "data"}
    results["inputs"] = {
        table: {k: v for k, v in entry.items() if k not in ("file", "sha256")} for table, entry in results["inputs"].items()
    }
    return results


def assert_same_job(first: Path, second: Path) -> None:
    """Two job folders hold byte-identical outputs, and manifests that differ only in times and input files."""
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    assert {"entities.csv", "match_pairs.csv", "clusters.csv", "graph.graphml", "report.html"} <= set(names)
    different = [n for n in names if n != "manifest.json" and (first / n).read_bytes() != (second / n).read_bytes()]
    assert different == []
    one, two = (json.loads((folder / "manifest.json").read_text()) for folder in (first, second))
    assert one["started"] and one["seconds_per_stage"]
    assert manifest_results(one) == manifest_results(two)
    assert {name: e["sha256"] for name, e in one["outputs"].items()} == {name: e["sha256"] for name, e in two["outputs"].items()}


#: the system Chromium and chromedriver the browser tests drive (tests/test_browser_*.py skip without them)
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
CHROMEDRIVER = shutil.which("chromedriver") or (Path("/usr/bin/chromedriver") if Path("/usr/bin/chromedriver").exists() else None)
NO_CHROMIUM = "Chromium and chromedriver not found (apt-get install chromium chromium-driver; .ci/run does this)"


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (selenium) that may make no request beyond the machine, with its console and network logs."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,900", "--host-resolver-rules=MAP * ~NOTFOUND", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def pointer_on_node(driver, node_id: str, *, scale: float = 1.5):
    """Centre the view on ``node_id`` at ``scale`` and return selenium actions with the real mouse moved onto its
    drawing (``.click().perform()`` clicks it, ``.perform()`` hovers it)."""
    from selenium.webdriver.common.action_chains import ActionChains

    x, y = driver.execute_script(
        "var v = linkageView, id = arguments[0], i = v.data.nodes.findIndex(function (n) { return n.id === id; });"
        "v.network.stopSimulation(); v.network.focus(i, {scale: arguments[1], animation: false});"
        "var d = v.network.canvasToDOM(v.network.getPositions([i])[i]); return [d.x, d.y];", node_id, scale)
    canvas = driver.find_element("css selector", "#graph canvas")
    size = canvas.size
    return ActionChains(driver).move_to_element_with_offset(canvas, int(x - size["width"] / 2), int(y - size["height"] / 2))


@pytest.fixture(scope="session")
def small_world_job(tmp_path_factory) -> Path:
    """A folder with ``world/`` (``generate_world(scale="small", seed=5)``) and ``job/``, the job run on it: a
    network of a few thousand nodes with a review queue, for the browser tests of review.html and the path picker."""
    from linkage.job import run_job
    from linkage.synth import generate_world

    root = tmp_path_factory.mktemp("small_world")
    generate_world(root / "world", scale="small", seed=5)
    run_job(small_world_config(), data=root / "world", out=root / "job")
    return root


def small_world_config() -> JobConfig:
    from linkage.config import config_from_dict

    return config_from_dict({"job": {"name": "small world"}, "geography": str(LANCASHIRE_YAML), "seed": 5})
