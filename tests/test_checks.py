"""linkage placement-check and linkage brief: planted cases on the synthetic world, and hostile pseudonymised jobs.

The planted cases use the small synthetic world (``synthetic_world``: built
once per session) and its truth: the exploitation groups, their care settings,
businesses and victims. The CLI cases run real jobs on the small contract
dataset of ``conftest`` with hostile strings in names, clear and pseudonymised.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import assert_one_error
from linkage.analyse.care_moves import care_moves
from linkage.build import NETWORK_TABLES, network_from_tables, network_tables
from linkage.checks import JobData, load_job, missing_brief, placement_check
from linkage.cli import cli
from linkage.files import write_parquet
from linkage.job import verify_job
from linkage.render import safe_name


def _job(world) -> JobData:
    """The world's built network as a job the checks read (the geography as the job would store it)."""
    authorities = {a.name: {"force": a.force, "bcu": a.bcu, "latitude": a.latitude, "longitude": a.longitude}
                   for a in world.config.geography.authorities}
    return JobData(folder=world.folder, job="world", network=world.network, entities=world.resolution.entities,
                   authorities=authorities)


def _truth(world, name: str) -> pd.DataFrame:
    return pd.read_csv(world.folder / "truth" / name, dtype=str, keep_default_na=False)


def _entity_of_person(world) -> pd.Series:
    """truth person_id -> entity id (the entity holding most of the person's records)."""
    records = _truth(world, "records.csv").merge(world.resolution.entities, on="record_id")
    return records.groupby("person_id")["entity_id"].agg(lambda v: v.value_counts().index[0])


# --- the network tables a job keeps --------------------------------------------------------------------------------


def test_the_network_read_back_from_its_tables_gives_the_same_care_moves(synthetic_world, tmp_path):
    world = synthetic_world(0)
    tables = network_tables(world.network)
    assert set(tables) == set(NETWORK_TABLES)
    paths = {name: write_parquet(table, tmp_path / name) for name, table in tables.items()}
    again = {name: write_parquet(table, tmp_path / "again" / name) for name, table in network_tables(world.network).items()}
    for name in paths:  # same network, same bytes
        assert hashlib.sha256(paths[name].read_bytes()).digest() == hashlib.sha256(again[name].read_bytes()).digest()
    back = network_from_tables({name: pq.read_table(path) for name, path in paths.items()},
                               entities=world.resolution.entities, settings=world.network.settings,
                               open_until=str(world.network.open_until.date()))
    assert len(back.edges) == len(world.network.edges) and len(back.people) == len(world.network.people)
    assert len(back.placements) == len(world.network.placements) > 0
    pd.testing.assert_frame_equal(care_moves(back).reset_index(drop=True),
                                  care_moves(world.network).reset_index(drop=True), check_dtype=False)


# --- placement check: the planted case -----------------------------------------------------------------------------


def test_a_setting_whose_residents_go_missing_with_victims_ranks_below_a_quiet_one_at_the_same_distance(synthetic_world):
    world = synthetic_world(0)
    job = _job(world)
    network = world.network
    entity = _entity_of_person(world)
    # the group's care setting while its victims were placed there together (the truth says when)
    met = _truth(world, "co_placed_missing.csv")
    busiest = met.groupby("location_id").size().idxmax()
    when = pd.Timestamp(met.loc[met["location_id"] == busiest, "overlap_start"].max())
    victims = set(entity.reindex(_truth(world, "group_members.csv").query("member_type == 'victim'")["member_id"]))
    # a looked-after child in no group, placed somewhere else at that date
    placed = network.placements
    ongoing = placed[(placed["start_date"] <= when) & (placed["end_date"].isna() | (placed["end_date"] >= when))]
    child = sorted(set(ongoing.loc[ongoing["location_id"] != busiest, "entity_id"]) - victims)[0]
    # plant a quiet setting at the very same place as the busy one: same distance from anywhere, nobody placed there
    busy = network.places[network.places["location_id"] == busiest].iloc[0]
    quiet = busy.copy()
    quiet["location_id"], quiet["name"] = "Lquiet", "Quiet House"
    job.network = type(network)(**{**network.__dict__, "places": pd.concat([network.places, quiet.to_frame().T],
                                                                           ignore_index=True)})

    result = placement_check(job, child, settings=[busiest, "Lquiet"], move_date=when)

    table = result.settings.set_index("location_id")
    assert table.loc["Lquiet", "distance_km"] == table.loc[busiest, "distance_km"]
    assert table.loc["Lquiet", "rank"] == 1 and table.loc[busiest, "rank"] == 2
    assert table.loc[busiest, "victims_they_go_missing_with"] > 0
    assert table.loc[busiest, "residents_who_go_missing"] > 0
    assert table.loc["Lquiet", "exposure_score"] == 0 and table.loc["Lquiet", "residents_now"] == 0
    # the score is the sum of its parts, written out
    parts = table.loc[busiest, ["new_peers", "residents_who_go_missing", "victims_they_go_missing_with",
                                "flagged_residents", "new_perpetrators_within_two_steps"]]
    assert table.loc[busiest, "exposure_score"] == parts.sum()
    assert table.loc[busiest, "score_parts"].startswith(f"{parts['new_peers']} new peers + ")
    # who the child would meet there: the group's victims among them, with whom they went missing
    there = result.people[result.people["location_id"] == busiest]
    assert set(there["entity_id"]) & victims
    assert (there["went_missing_with"] != "").any()


def test_new_peers_are_the_care_moves_measure_of_the_move(synthetic_world):
    """A move that really happened, checked the day it happened, adds the peers care_moves.csv counts for it."""
    world = synthetic_world(0)
    job = _job(world)
    moves = care_moves(world.network)
    # a stay that ended with a next move: the check is told when the stay ended
    moves["until"] = moves.groupby("entity_id")["move_date"].shift(-1)
    moves = moves[(moves["move_number"] > 0) & (moves["new_peers"] > 0) & moves["until"].notna()]
    moves = moves.sort_values(["new_peers", "entity_id"])
    assert len(moves) >= 5
    for move in moves.tail(5).itertuples(index=False):
        result = placement_check(job, move.entity_id, settings=[move.to_location_id], move_date=move.move_date,
                                 until=move.until)
        assert result.settings["new_peers"].iloc[0] == move.new_peers


def test_near_ranks_every_setting_of_the_type_within_the_radius(synthetic_world):
    world = synthetic_world(0)
    job = _job(world)
    child = world.network.placements["entity_id"].iloc[0]
    homes = world.network.places[world.network.places["category"] == "children_home"]
    centre = homes.iloc[0]
    result = placement_check(job, child, near=centre["location_id"], within_km=25, setting_type="children_home")
    assert set(result.settings["category"]) == {"children_home"}
    assert list(result.settings["rank"]) == list(range(1, len(result.settings) + 1))
    scores = result.settings["exposure_score"].to_numpy()
    assert (np.diff(scores) >= 0).all()


# --- brief: the planted case ---------------------------------------------------------------------------------------


def test_the_brief_lists_the_planted_hub_business_and_the_usual_companions_first(synthetic_world):
    world = synthetic_world(0)
    job = _job(world)
    entity = _entity_of_person(world)
    members = _truth(world, "group_members.csv")
    victims = members[members["member_type"] == "victim"]
    victims = victims.assign(entity_id=entity.reindex(victims["member_id"]).to_numpy())
    episodes = world.network.episodes.groupby("entity_id").size()
    victims = victims.assign(episodes=episodes.reindex(victims["entity_id"]).fillna(0).to_numpy())
    child = victims.sort_values(["episodes", "entity_id"], ascending=[False, True]).iloc[0]
    group = set(members.loc[members["group_id"] == child["group_id"], "member_id"])
    group_victims = set(victims.loc[victims["group_id"] == child["group_id"], "entity_id"])

    brief = missing_brief(job, child["entity_id"])

    businesses = brief.places[brief.places["business"]]
    assert businesses["location_id"].iloc[0] in group  # the group's hub business first
    assert brief.companions["entity_id"].iloc[0] in group_victims  # the usual companion first
    top = brief.companions.head(3)
    assert set(top["entity_id"]) <= group_victims
    # each line says where it comes from
    assert (brief.found_places["source"].str.startswith(tuple(brief.episodes["episode_id"].str[:2]))).all()
    assert brief.questions and all(source for _, source in brief.questions)


# --- the CLI on real jobs with hostile names, clear and pseudonymised -----------------------------------------------

HOSTILE = '<script>alert("x")</script>'
HOSTILE_PLACE = '"><img src=x onerror=alert(1)>'


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _hostile_dataset(write_dataset) -> Path:
    return write_dataset(append={
        "people": [f"P7,police,{_quoted(HOSTILE)},=HYPERLINK(1),2008-05-05,M,PR1 4AB,Preston,looked_after"],
        "locations": [f"L4,children_home,{_quoted(HOSTILE_PLACE)},,PR1 5AA,Preston,53.77,-2.71"],
        "placements": ["PL7,P7,L4,2020-03-01,,children_home,Preston,"],
        "missing_episodes": ["M7,P7,2021-02-03T22:30:00,,missing,L4,,007"],
    })


@pytest.fixture(scope="module")
def hostile_jobs(tmp_path_factory):
    """The hostile dataset as a job, and pseudonymised (with its key) as another job."""
    from conftest import DatasetWriter

    root = tmp_path_factory.mktemp("hostile")
    data = _hostile_dataset(DatasetWriter(root))
    config = root / "job.yaml"
    config.write_text("job: {name: hostile}\ngeography: " + str(Path(__file__).resolve().parents[1] / "configs"
                                                                  / "lancashire.yaml") + "\n", encoding="utf-8")
    runner = CliRunner()
    clear = root / "clear"
    assert runner.invoke(cli, ["run", str(config), "--data", str(data), "--out", str(clear)]).exit_code == 0
    key = root / "key.txt"
    key.write_text(hashlib.sha256(b"test key").hexdigest() + "\n", encoding="utf-8")
    pseudo_data = root / "pseudo-data"
    made = runner.invoke(cli, ["pseudonymise", str(data), str(pseudo_data), "--key-file", str(key)])
    assert made.exit_code == 0, made.output
    pseudo = root / "pseudo"
    assert runner.invoke(cli, ["run", str(config), "--data", str(pseudo_data), "--out", str(pseudo)]).exit_code == 0
    return {"clear": clear, "pseudo": pseudo}


@pytest.mark.parametrize("which", ["clear", "pseudo"])
def test_both_tools_write_escaped_pages_from_a_hostile_job(hostile_jobs, which):
    folder = hostile_jobs[which]
    job = load_job(folder)
    child = job.network.placements.sort_values("placement_id")["entity_id"].iloc[-1]  # the hostile child's
    homes = job.network.places.loc[job.network.places["category"] == "children_home", "location_id"]
    assert len(homes) == 2
    runner = CliRunner()
    checked = runner.invoke(cli, ["placement-check", str(folder), "--child", child, "--settings", ",".join(homes)])
    assert checked.exit_code == 0, checked.output
    briefed = runner.invoke(cli, ["brief", str(folder), "--child", child])
    assert briefed.exit_code == 0, briefed.output
    pages = sorted((folder / "checks").glob("*.html")) + sorted((folder / "briefs").glob("*.html"))
    assert len(pages) == 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "<img" not in text and "http" not in text.replace("http-equiv", "")
        labels = set(job.network.people["label"].dropna()) | set(job.network.places["name"].dropna())
        shown = [label for label in labels if html.escape(label) in text]
        assert shown  # record text is on the page, escaped
    table = pd.read_csv(next((folder / "checks").glob("*.csv")), dtype=str, keep_default_na=False)
    assert list(table.columns[:6]) == ["rank", "location_id", "name", "distance_km", "new_peers", "exposure_score"]
    assert not table["name"].str.startswith(("=", "+", "@")).any()
    # the job's own outputs are untouched; what the tools wrote is listed apart
    verified = verify_job(folder)
    assert verified.ok and len(verified.later) == 3


def test_the_childs_page_links_to_the_brief_that_linkage_brief_writes(hostile_jobs):
    """Issue 16: the briefing is linked from the child's page in the views, and the link finds the file."""
    folder = hostile_jobs["clear"]
    job = load_job(folder)
    child = job.network.placements.sort_values("placement_id")["entity_id"].iloc[-1]
    page = folder / "children" / f"{safe_name(child)}.html"
    text = page.read_text(encoding="utf-8")
    link = re.search(r'<a href="(\.\./briefs/brief-[^"]+\.html)">', text)
    assert link and f"linkage brief JOBDIR --child {html.escape(child)}" in text
    assert CliRunner().invoke(cli, ["brief", str(folder), "--child", child]).exit_code == 0
    assert (page.parent / link.group(1)).resolve().is_file()


def test_a_pseudonymised_job_shows_no_clear_name(hostile_jobs):
    folder = hostile_jobs["pseudo"]
    job = load_job(folder)
    child = job.network.placements.sort_values("placement_id")["entity_id"].iloc[-1]
    CliRunner().invoke(cli, ["brief", str(folder), "--child", child, "--out", str(folder.parent / "pseudo-briefs")])
    text = next((folder.parent / "pseudo-briefs").glob("*.html")).read_text(encoding="utf-8")
    for clear in ("Amy", "Smith", "Dan", "Kay", "alert"):
        assert clear not in text


def test_user_mistakes_are_one_error_line_with_the_fix(hostile_jobs, tmp_path):
    folder = hostile_jobs["clear"]
    runner = CliRunner()
    assert_one_error(runner.invoke(cli, ["brief", str(folder), "--child", "nobody"]), "no person 'nobody'",
                     "entities.csv")
    assert_one_error(runner.invoke(cli, ["placement-check", str(folder), "--child", "007", "--settings", "L9"]),
                     "setting 'L9' is not a location_id")
    assert_one_error(runner.invoke(cli, ["placement-check", str(folder), "--child", "007"]), "--settings", "--near")
    assert_one_error(runner.invoke(cli, ["brief", str(tmp_path), "--child", "007"]), "not a linkage job folder")
    assert_one_error(runner.invoke(cli, ["brief", str(folder)]), "--child", "--all-missing-now")
    old = tmp_path / "old"
    old.mkdir()
    for name in ("manifest.json", "entities.csv"):
        (old / name).write_bytes((folder / name).read_bytes())
    assert_one_error(runner.invoke(cli, ["brief", str(old), "--child", "007"]), "before jobs kept their network",
                     "--overwrite")


def test_all_missing_now_briefs_each_child_whose_latest_episode_is_open(hostile_jobs, tmp_path):
    folder = hostile_jobs["clear"]
    result = CliRunner().invoke(cli, ["brief", str(folder), "--all-missing-now", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    job = load_job(folder)
    latest = job.network.episodes.sort_values("start").drop_duplicates("entity_id", keep="last")
    open_now = latest[latest["end"].isna()]["entity_id"]
    assert len(open_now) == len(list(tmp_path.glob("brief-*.html"))) >= 1
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "network/edges.parquet" in manifest["outputs"]


def test_the_brief_prints_on_one_a4_page(synthetic_world, tmp_path):
    import re
    import shutil
    import subprocess

    from linkage.checks import write_brief

    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if chromium is None:
        pytest.skip("Chromium not found (apt-get install chromium; .ci/run does this)")
    world = synthetic_world(0)
    job = _job(world)
    # the child with the most episodes: the fullest briefing
    child = world.network.episodes.groupby("entity_id").size().sort_values(kind="stable").index[-1]
    page = write_brief(missing_brief(job, child), tmp_path)
    pdf = tmp_path / "brief.pdf"
    subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    "--host-resolver-rules=MAP * ~NOTFOUND", f"--print-to-pdf={pdf}", page.resolve().as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) == 1
