"""Every empty output says why: the analysis gives the reason, and the run summary, manifest and report show it.

The main fixture is the shape many forces hold: people, their phones and the
calls between them, and no victim or perpetrator roles at all (no events, no
event_people, no placements).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import LANCASHIRE_YAML, DatasetWriter
from linkage.analyse.core import empty_reason
from linkage.build import build_network
from linkage.cli import cli
from linkage.config import config_from_dict
from linkage.errors import ConfigError
from linkage.job import run_job
from linkage.read import load_dataset

#: a ring of six people who call each other heavily, and six who call now and then
RING = ["R01", "R02", "R03", "R04", "R05", "R06"]
OTHERS = ["R07", "R08", "R09", "R10", "R11", "R12"]
FIRST = ["Aisha", "Bilal", "Chloe", "Declan", "Erin", "Farah", "Grace", "Harvey", "Imran", "Jade", "Kyle", "Leah"]
LAST = ["Ahmed", "Brennan", "Cooper", "Doyle", "Evans", "Fletcher", "Garner", "Hussain", "Iqbal", "Jennings", "Kowalski", "Lowe"]


def phones_only(folder: Path, *, flags: dict[str, str] | None = None) -> Path:
    """people, identifiers and contacts only: no roles, no care, no missing episodes."""
    folder.mkdir(parents=True)
    flags = flags or {}
    people = ["record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags"]
    for i, record in enumerate(RING + OTHERS):
        dob = f"{1990 + i}-0{1 + i % 9}-1{i % 9}" if i % 4 else ""  # some sources hold no date of birth
        people.append(f"{record},police,{FIRST[i]},{LAST[i]},{dob},{'MF'[i % 2]},PR{1 + i} 4AB,Preston,{flags.get(record, '')}")
    identifiers = ["identifier,kind,owner_id,owner_type,first_seen,last_seen"]
    for i, record in enumerate(RING + OTHERS[:4]):  # sparse: two people have no phone on record
        identifiers.append(f"07700{900100 + i},phone,{record},person,2023-01-01,")
    contacts = ["from_identifier,to_identifier,count,first_date,last_date,kind"]
    for i in range(len(RING)):
        for j in range(i + 1, len(RING)):
            contacts.append(f"07700{900100 + i},07700{900100 + j},{15 + i + j},2023-02-01,2023-06-30,call")
    for i in range(len(RING), len(RING) + 4):
        contacts.append(f"07700{900100 + i},07700{900100 + i - 6},2,2023-03-01,2023-03-02,call")
    for name, lines in (("people", people), ("identifiers", identifiers), ("contacts", contacts)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _config(**sections) -> object:
    return config_from_dict({"job": {"name": "phones"}, "geography": str(LANCASHIRE_YAML), "seed": 3, **sections})


@pytest.fixture(scope="module")
def phones_job(tmp_path_factory):
    root = tmp_path_factory.mktemp("phones")
    data = phones_only(root / "data")
    result = CliRunner().invoke(cli, ["run", str(_write_config(root, data)), "--out", str(root / "job")])
    assert result.exit_code == 0, result.output
    return root / "job", result.output


def _write_config(root: Path, data: Path, extra: str = "") -> Path:
    path = root / "job.yaml"
    path.write_text(f"job: {{name: phones}}\ndata: {data}\ngeography: {LANCASHIRE_YAML}\nseed: 3\n{extra}")
    return path


def _records(job: Path) -> dict[str, str]:
    """entity id -> record id (each record is its own person here)."""
    entities = pd.read_csv(job / "entities.csv", dtype=str)
    return dict(zip(entities["entity_id"], entities["record_id"]))


def test_phones_without_roles_give_clusters_and_key_people_ranked_by_structure(phones_job):
    """Roles refine, never gate (issue 13): with no roles at all, clusters and key people come from the ties."""
    folder, output = phones_job
    record = _records(folder)
    clusters = pd.read_csv(folder / "clusters.csv")
    members = pd.read_csv(folder / "cluster_members.csv")
    # the ring that calls heavily is one cluster; the four light callers are tied to it too weakly to join
    assert len(clusters) == 1 and clusters.loc[0, "size"] == 6
    assert set(members["node_id"].map(record)) == set(RING)
    key = pd.read_csv(folder / "key_people.csv")
    # everyone with a phone tie is listed, none cut for calling only twice (the two without a phone have no tie)
    assert set(key["entity_id"].map(record)) == set(RING + OTHERS[:4])
    assert (key["roles"].fillna("") == "").all()
    assert key["key_score"].is_monotonic_decreasing
    # the ring's members, who carry the light callers' paths, rank above the light callers
    assert set(key["entity_id"].head(4).map(record)) <= set(RING)
    manifest = json.loads((folder / "manifest.json").read_text())
    empty = manifest["summary"]["analyses"]["empty"]
    assert not {"clusters.csv", "cluster_members.csv", "key_people.csv"} & set(empty)
    # a note says the ranking is structural, and how roles would sharpen it
    for name in ("clusters.csv", "key_people.csv"):
        note = next(n for n in manifest["notes"] if n.startswith(f"{name}: nobody has a victim or perpetrator role"))
        assert "ranked by structure alone" in note and "event_people" in note and "cse_risk" in note
        assert f"note: {note}" in output
    # outputs with rows carry no empty note
    assert len(pd.read_csv(folder / "entities.csv")) == 12 and "entities.csv" not in empty


def test_following_the_fix_ranks_clusters_and_key_people_by_risk(tmp_path):
    data = phones_only(tmp_path / "data", flags={r: "cse_risk" for r in RING[:4]})
    result = run_job(_config(), data=data, out=tmp_path / "job")
    clusters = pd.read_csv(tmp_path / "job" / "clusters.csv")
    # the whole ring, the four flagged and the two they call, scored for the four at risk
    assert len(clusters) == 1 and clusters.loc[0, "size"] == 6
    assert clusters.loc[0, "risk_parts"].startswith("exploited 4x")
    key = pd.read_csv(tmp_path / "job" / "key_people.csv")
    assert len(key) == 10
    flagged = key["entity_id"].map(_records(tmp_path / "job")).isin(RING[:4])
    assert flagged.sum() == 4 and key.loc[flagged, "key_parts"].str.contains("at_risk 1x").all()
    assert "clusters.csv" not in result.manifest["summary"]["analyses"]["empty"]
    assert not any("ranked by structure alone" in n for n in result.manifest["notes"])


def test_a_threshold_that_removes_everything_is_named_with_its_setting(tmp_path):
    data = phones_only(tmp_path / "data", flags={r: "cse_risk" for r in RING[:4]})
    result = run_job(_config(analyses={"clusters": {"min_size": 7}}), data=data, out=tmp_path / "job")
    why = result.manifest["summary"]["analyses"]["empty"]["clusters.csv"]
    assert "no community of 7 or more of the 12 people holds together" in why["why"]
    assert "analyses.clusters.min_size (now 7)" in why["fix"]
    result = run_job(_config(analyses={"clusters": {"min_contacts": 40}}), data=data, out=tmp_path / "job2")
    why = result.manifest["summary"]["analyses"]["empty"]["clusters.csv"]
    assert "fewer than 40 contacts" in why["why"] and "min_contacts (now 40" in why["fix"]


def test_a_threshold_a_job_sets_says_what_it_removed(tmp_path):
    data = phones_only(tmp_path / "data")
    result = run_job(_config(analyses={"key_people": {"min_contacts": 3}}), data=data, out=tmp_path / "job")
    note = next(n for n in result.manifest["notes"] if n.startswith("key_people.csv: analyses.key_people.min_contacts"))
    assert "left out 4 of the 19 person-to-person contact pairs" in note
    key = pd.read_csv(tmp_path / "job" / "key_people.csv")
    assert set(key["entity_id"].map(_records(tmp_path / "job"))) == set(RING)   # the light callers' ties were cut


def test_analyses_settings_are_checked_before_any_work(tmp_path):
    data = phones_only(tmp_path / "data")
    with pytest.raises(ConfigError) as caught:
        run_job(_config(analyses={"cluster": {"min_size": 2}, "key_people": {"vulnerable": 2, "limit": "ten"},
                                  "candidate_links": {"min_common_contacts": 1.5}}), data=data, out=tmp_path / "job")
    message = str(caught.value)
    assert "unknown analysis 'cluster' (did you mean 'clusters'?)" in message
    assert "key_people: unknown setting 'vulnerable' (did you mean 'vulnerable_min'?)" in message
    assert "key_people.limit 'ten' must be a whole number >= 0" in message
    assert "candidate_links.min_common_contacts 1.5 must be a whole number >= 0" in message
    assert not (tmp_path / "job").exists()


def _network(writer: DatasetWriter, config, **changes):
    """The small dataset with whole tables replaced by ``changes`` (the writer's own tables stay as they are)."""
    replace = {table: "\n".join(lines) + "\n" for table, lines in changes.items()}
    folder = writer(f"data{len(list(writer.root.iterdir()))}", replace=replace)
    return build_network(load_dataset(folder, config), None, config)


def test_each_analysis_gives_its_own_reason(write_dataset, lancashire_config):
    from linkage.analyse.businesses import business_targets
    from linkage.analyse.candidates import candidate_links
    from linkage.analyse.crossover import operation_crossover
    from linkage.analyse.key_people import key_people
    from linkage.analyse.missing import missing_links

    base = write_dataset.tables
    events = [base["events"][0]] + [line.replace("Op Alpha", "").replace("Op Beta", "") for line in base["events"][1:]]
    network = _network(write_dataset, lancashire_config, events=events)
    reason = empty_reason(operation_crossover(network))
    assert reason and "names an operation (events.operation is empty)" in reason.why and "columns:" in reason.fix

    network = _network(write_dataset, lancashire_config)  # Op Alpha and Op Beta share P4, a suspect in one, an offender in the other
    assert len(operation_crossover(network)) == 1

    episodes = [base["missing_episodes"][0], "M1,007,2021-02-03T22:15:00,2021-02-04T08:00:00,missing,L1,,",
                "M2,P2,2021-03-03T23:00:00,,absent,L1,L2,"]
    reason = empty_reason(missing_links(_network(write_dataset, lancashire_config, missing_episodes=episodes)))
    assert reason and "no two of the 2 children with 2 episodes were missing together" in reason.why
    assert "found_with" in reason.fix

    locations = [line.replace("takeaway", "address").replace("hotel", "school") for line in base["locations"]]
    reason = empty_reason(business_targets(_network(write_dataset, lancashire_config, locations=locations)))
    assert reason and "none of the 3 locations is a business" in reason.why and "values:" in reason.fix

    reason = empty_reason(key_people(_network(write_dataset, lancashire_config), limit=0))
    assert reason and "limit is 0" in reason.why

    lonely = ["record_id,source,first_name", "A1,police,Ann", "A2,police,Bob"]
    network = _network(write_dataset, lancashire_config, people=lonely, placements=["placement_id,record_id,location_id,start_date"],
                       missing_episodes=["episode_id,record_id,start"], event_people=["event_id,record_id,role"],
                       identifiers=["identifier,kind,owner_id,owner_type"], contacts=["from_identifier,to_identifier"],
                       associations=["record_id_a,record_id_b,kind"])
    reason = empty_reason(candidate_links(network))
    assert reason and "0 pairs share an identifier" in reason.why and "0 pairs were placed together" in reason.why


def test_every_empty_output_of_a_sparse_job_has_the_analysis_reason(write_dataset, tmp_path, lancashire_config):
    """A job on the small dataset with empty optional tables: whatever comes out empty, the analysis said why."""
    for table in ("placements", "missing_episodes", "event_people", "contacts"):
        write_dataset.tables[table] = write_dataset.tables[table][:1]
    result = run_job(lancashire_config, data=write_dataset("sparse"), out=tmp_path / "job")
    empty = result.manifest["summary"]["analyses"]["empty"]
    assert {"care_moves.csv", "missing_links.csv", "clusters.csv"} <= set(empty)
    for name, entry in empty.items():
        assert "did not say why" not in entry["why"], name
        assert entry["why"] and entry["fix"], name
    assert "placements table has no kept rows" in empty["care_moves.csv"]["why"]
    assert "missing_episodes table has no kept rows" in empty["missing_links.csv"]["why"]
