"""The synthetic world: contract-valid tables, deterministic output, realistic duplicates, and
planted structures that are really in the data.

Checks read the written CSV files with pandas and compare them with the
contract's declared columns and values; they never call the generator's own
helpers to judge its output.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkage.config import geography_from_dict, load_geography
from linkage.contract import LOCATION_CATEGORIES, PLACEMENT_TYPES, SSDA903_PLACE_CODES, TABLES
from linkage.synth import generate_world

REPO = Path(__file__).resolve().parents[1]
GEOGRAPHY = load_geography(REPO / "configs" / "lancashire.yaml")
AUTHORITIES = {a.name for a in GEOGRAPHY.authorities}
#: the seed of the small world under test (other seeds must pass too: LINKAGE_SYNTH_SEED=7)
SEED = int(os.environ.get("LINKAGE_SYNTH_SEED", "0"))
TABLE_NAMES = ["people", "locations", "placements", "missing_episodes", "events", "event_people", "identifiers", "contacts", "associations"]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
TRUTH_COLUMNS = {
    "records": ["record_id", "person_id"],
    "persons": ["person_id", "kind", "roles", "looked_after", "home_local_authority", "bcu", "force", "group_ids"],
    "groups": ["group_id", "categories", "operations", "bcus", "cross_bcu", "out_of_force", "n_victims", "n_perpetrators"],
    "group_members": ["group_id", "member_id", "member_type"],
    "co_placed_missing": ["person_id_a", "person_id_b", "location_id", "overlap_start", "overlap_end", "episode_id_a", "episode_id_b"],
    "operation_crossover": ["operation_a", "operation_b", "shared_kind", "shared_id"],
    "shared_identifiers": ["person_id_a", "person_id_b", "identifier", "kind"],
    "cross_bcu_links": ["person_id_a", "person_id_b", "bcu_a", "bcu_b", "force_a", "force_b", "via"],
    "out_of_force_links": ["person_id_a", "person_id_b", "bcu_a", "bcu_b", "force_a", "force_b", "via"],
    "business_targets": ["location_id", "group_id", "children_linked", "perpetrators_linked"],
    "care_moves": ["person_id", "n_placements", "n_moves", "peers_met"],
}
NICKNAMES = {
    ("Thomas", "Tom"), ("Thomas", "Tommy"), ("William", "Will"), ("William", "Billy"), ("James", "Jim"),
    ("James", "Jimmy"), ("James", "Jamie"), ("Daniel", "Dan"), ("Daniel", "Danny"), ("Joshua", "Josh"),
    ("Samuel", "Sam"), ("Michael", "Mike"), ("Michael", "Mikey"), ("David", "Dave"), ("Joseph", "Joe"),
    ("Matthew", "Matt"), ("Christopher", "Chris"), ("Benjamin", "Ben"), ("Alexander", "Alex"),
    ("Jessica", "Jess"), ("Olivia", "Liv"), ("Charlotte", "Lottie"), ("Elizabeth", "Liz"), ("Elizabeth", "Beth"),
    ("Rebecca", "Becky"), ("Oliver", "Ollie"), ("Mohammed", "Mo"), ("Muhammad", "Mo"), ("Amelia", "Millie"),
    ("Eleanor", "Ellie"), ("Abigail", "Abi"), ("Katherine", "Kate"), ("Victoria", "Vicky"), ("Jacob", "Jake"),
    ("Robert", "Rob"), ("Anthony", "Tony"), ("Andrew", "Andy"), ("Richard", "Rich"), ("Stephen", "Steve"),
    ("Henry", "Harry"), ("Charles", "Charlie"), ("Frederick", "Freddie"), ("Isabella", "Bella"),
}


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("world") / "small"
    summary = generate_world(out, scale="small", seed=SEED)
    return out, summary


@pytest.fixture(scope="module")
def tables(world: tuple[Path, dict]) -> dict[str, pd.DataFrame]:
    folder, _ = world
    data = {name: read(folder, name) for name in TABLE_NAMES}
    for name in TRUTH_COLUMNS:
        data[f"truth/{name}"] = read(folder / "truth", name)
    return data


@pytest.fixture(scope="module")
def person_of(tables: dict[str, pd.DataFrame]) -> pd.Series:
    return tables["truth/records"].set_index("record_id")["person_id"]


# --- shape and contract -------------------------------------------------------------------


def test_small_world_has_every_table_and_about_2000_records(world: tuple[Path, dict], tables: dict[str, pd.DataFrame]) -> None:
    folder, summary = world
    assert summary["scale"] == "small" and summary["seed"] == SEED
    for name in TABLE_NAMES:
        assert len(tables[name]) == summary["rows"][name] > 0, name
    assert 1700 <= len(tables["people"]) <= 2300
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 5 * 1024 * 1024


def test_headers_are_the_contract_columns_in_order(world: tuple[Path, dict]) -> None:
    folder, _ = world
    for name in TABLE_NAMES:
        header = (folder / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == TABLES[name].column_names, name


def test_ids_are_unique_and_every_reference_resolves(tables: dict[str, pd.DataFrame]) -> None:
    for name, key in (("people", "record_id"), ("locations", "location_id"), ("placements", "placement_id"), ("missing_episodes", "episode_id"), ("events", "event_id")):
        col = tables[name][key]
        assert (col != "").all() and col.is_unique, name
    records = set(tables["people"]["record_id"])
    locations = set(tables["locations"]["location_id"])
    events = set(tables["events"]["event_id"])
    identifiers = set(tables["identifiers"]["identifier"])

    def within(values: pd.Series, allowed: set[str], what: str) -> None:
        values = values[values != ""]
        bad = set(values) - allowed
        assert not bad, f"{what}: {sorted(bad)[:5]}"

    within(tables["placements"]["record_id"], records, "placements.record_id")
    within(tables["placements"]["location_id"], locations, "placements.location_id")
    ep = tables["missing_episodes"]
    within(ep["record_id"], records, "missing_episodes.record_id")
    within(ep["from_location_id"], locations, "from_location_id")
    within(ep["found_location_id"], locations, "found_location_id")
    within(ep["found_with"].str.split(";").explode(), records, "found_with")
    within(tables["events"]["location_id"], locations, "events.location_id")
    within(tables["event_people"]["event_id"], events, "event_people.event_id")
    within(tables["event_people"]["record_id"], records, "event_people.record_id")
    idf = tables["identifiers"]
    within(idf.loc[idf["owner_type"] == "person", "owner_id"], records, "identifiers person owners")
    within(idf.loc[idf["owner_type"] == "location", "owner_id"], locations, "identifiers location owners")
    within(tables["contacts"]["from_identifier"], identifiers, "contacts.from")
    within(tables["contacts"]["to_identifier"], identifiers, "contacts.to")
    within(tables["associations"]["record_id_a"], records, "associations.a")
    within(tables["associations"]["record_id_b"], records, "associations.b")


def test_values_follow_the_contract(tables: dict[str, pd.DataFrame]) -> None:
    for name in TABLE_NAMES:
        df = tables[name]
        for col in TABLES[name].columns:
            values = df[col.name]
            if col.required:
                assert (values != "").all(), f"{name}.{col.name} has empty required cells"
            filled = values[values != ""]
            if col.kind == "enum":
                assert set(filled) <= set(col.values), f"{name}.{col.name}: {set(filled) - set(col.values)}"
            elif col.kind == "datetime":
                assert filled.str.match(DATETIME).all(), f"{name}.{col.name}"
            elif col.kind == "date" and col.name != "dob":
                assert filled.str.match(DATE).all(), f"{name}.{col.name}"
            elif col.kind == "bool":
                assert set(filled) <= {"true", "false"}, f"{name}.{col.name}"
            elif col.kind in ("int", "float"):
                num = pd.to_numeric(filled)
                if col.minimum is not None:
                    assert (num >= col.minimum).all()
                if col.maximum is not None:
                    assert (num <= col.maximum).all()
        for start, end in TABLES[name].intervals:
            both = df[(df[start] != "") & (df[end] != "")]
            assert (pd.to_datetime(both[end]) >= pd.to_datetime(both[start])).all(), f"{name}: {end} before {start}"
        for col in TABLES[name].authority_columns:
            filled = df.loc[df[col] != "", col]
            assert set(filled) <= AUTHORITIES, f"{name}.{col}: {set(filled) - AUTHORITIES}"
    dob = tables["people"]["dob"]
    assert dob[dob != ""].str.match(r"^\d{4}(-\d{2}(-\d{2})?)?$").all()
    pd.to_datetime(dob[dob.str.len() == 10])  # every full date is a real date
    assert set(tables["people"]["sex"]) <= {"M", "F", "U", ""}
    assert set(tables["people"]["source"]) == {"police", "social_care", "health"}
    assert set(tables["placements"]["placement_type"]) <= set(PLACEMENT_TYPES + SSDA903_PLACE_CODES)
    assert set(tables["locations"]["category"]) <= set(LOCATION_CATEGORIES)
    pc = tables["people"]["postcode"]
    assert pc[pc != ""].str.match(r"^[A-Z]{1,2}\d{1,2} \d([A-Z]{2})?$").all()
    flags = tables["people"]["flags"].str.split(";").explode()
    assert set(flags[flags != ""]) <= {"looked_after", "cse_risk", "cce_risk", "missing_risk"}


def test_locations_have_businesses_care_settings_and_some_out_of_force(tables: dict[str, pd.DataFrame]) -> None:
    loc = tables["locations"]
    cats = set(loc["category"])
    assert {"children_home", "foster_home", "takeaway", "hotel", "taxi_firm", "public_space", "address"} <= cats
    neighbours = {a.name for a in GEOGRAPHY.neighbour_authorities}
    assert loc["local_authority"].isin(neighbours).any()
    business = loc[loc["category"].isin(["takeaway", "hotel", "taxi_firm", "licensed_premises", "off_licence", "shisha_bar", "car_wash"])]
    assert (business["name"] != "").all()
    assert (business["night_time_economy"] == "true").mean() > 0.6 and (business["night_time_economy"] == "").any()
    no_coords = loc[loc["latitude"] == ""]
    assert len(no_coords) and (no_coords["postcode"] != "").all()


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(world: tuple[Path, dict], tmp_path: Path) -> None:
    folder, _ = world
    generate_world(tmp_path / "again", scale="small", seed=SEED)
    generate_world(tmp_path / "other", scale="small", seed=SEED + 1)
    first, again, other = digest(folder), digest(tmp_path / "again"), digest(tmp_path / "other")
    assert first == again
    assert "truth/co_placed_missing.csv" in first and "people.csv" in first
    assert first["people.csv"] != other["people.csv"] and first["contacts.csv"] != other["contacts.csv"]


# --- the dirt: duplicate records of one person ------------------------------------------------


def _one_edit_apart(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def test_people_appear_in_several_sources_with_realistic_differences(tables: dict[str, pd.DataFrame], person_of: pd.Series) -> None:
    people = tables["people"].assign(person_id=lambda d: d["record_id"].map(person_of))
    assert people["person_id"].notna().all()
    sources = people.groupby("person_id")["source"].nunique()
    assert (sources >= 2).sum() > 300 and (sources == 3).sum() > 50
    assert people["record_id"].str.match(r"^[0-9a-f]{12}$").all()
    pairs = people.merge(people, on="person_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["record_id_a"] < pairs["record_id_b"]]
    fa, fb, la, lb = pairs["first_name_a"], pairs["first_name_b"], pairs["last_name_a"], pairs["last_name_b"]
    da, db = pairs["dob_a"], pairs["dob_b"]
    full = (da.str.len() == 10) & (db.str.len() == 10)
    ta, tb = pd.to_datetime(da.where(full)), pd.to_datetime(db.where(full))
    seen = {
        "upper_case": ((la != lb) & (la.str.upper() == lb.str.upper()) & ((la == la.str.upper()) | (lb == lb.str.upper()))).any(),
        "nickname": any((a, b) in NICKNAMES or (b, a) in NICKNAMES for a, b in zip(fa, fb)),
        "typo": any(_one_edit_apart(a.lower(), b.lower()) for a, b in zip(list(fa) + list(la), list(fb) + list(lb)) if a and b),
        "swapped_names": ((fa != "") & (fa != fb) & (fa == lb) & (la == fb)).any(),
        "dob_day_month_swap": (full & (da.str[5:7] == db.str[8:10]) & (da.str[8:10] == db.str[5:7]) & (da.str[:4] == db.str[:4]) & (da != db)).any(),
        "dob_off_by_one": ((ta - tb).abs() == pd.Timedelta(days=1)).any(),
        "missing_dob": ((da == "") != (db == "")).any(),
        "missing_postcode": ((pairs["postcode_a"] == "") != (pairs["postcode_b"] == "")).any(),
        "missing_sex": ((pairs["sex_a"] == "") != (pairs["sex_b"] == "")).any(),
        "missing_first_name": ((fa == "") != (fb == "")).any(),
        "partial_postcode": any(a != b and a and b and (b.startswith(a) or a.startswith(b)) for a, b in zip(pairs["postcode_a"], pairs["postcode_b"])),
    }
    assert all(seen.values()), {k: v for k, v in seen.items() if not v}


def test_looked_after_children_are_in_social_care_and_have_placements(tables: dict[str, pd.DataFrame], person_of: pd.Series) -> None:
    persons = tables["truth/persons"]
    lac = set(persons.loc[persons["looked_after"] == "true", "person_id"])
    people = tables["people"].assign(person_id=lambda d: d["record_id"].map(person_of))
    in_sc = set(people.loc[people["source"] == "social_care", "person_id"])
    assert len(lac & in_sc) / len(lac) > 0.9
    placed = tables["placements"]["record_id"].map(person_of)
    assert placed.isin(lac).all()
    moves = placed.value_counts()
    assert moves.max() >= 8 and (moves == 1).any()


# --- planted structures ----------------------------------------------------------------------


def test_truth_files_exist_with_their_columns(world: tuple[Path, dict], tables: dict[str, pd.DataFrame]) -> None:
    folder, _ = world
    for name, cols in TRUTH_COLUMNS.items():
        header = tables[f"truth/{name}"].columns.tolist()
        assert header[: len(cols)] == cols, name
    assert (folder / "truth" / "world.json").is_file()
    assert set(tables["truth/records"]["record_id"]) == set(tables["people"]["record_id"])
    assert set(tables["truth/records"]["person_id"]) == set(tables["truth/persons"]["person_id"])


def test_groups_are_planted_with_victims_perpetrators_businesses_and_operations(tables: dict[str, pd.DataFrame], person_of: pd.Series) -> None:
    groups, members, persons = tables["truth/groups"], tables["truth/group_members"], tables["truth/persons"]
    assert len(groups) >= 5
    assert (groups["cross_bcu"] == "true").sum() >= 3 and (groups["out_of_force"] == "true").sum() >= 1
    assert set(";".join(groups["categories"]).split(";")) == {"CSE", "CCE"} and (groups["categories"] == "CSE;CCE").any()
    roles = persons.set_index("person_id")["roles"]
    assert {"", "victim", "perpetrator"} <= set(roles) <= {"", "victim", "perpetrator", "victim;perpetrator"}
    assert set(persons["kind"]) == {"child", "adult"}
    ep = tables["missing_episodes"].assign(person_id=lambda d: d["record_id"].map(person_of))
    events, evp = tables["events"], tables["event_people"].assign(person_id=lambda d: d["record_id"].map(person_of))
    ops_in_data = set(events["operation"])
    for gid, g in members.groupby("group_id"):
        victims = set(g.loc[g["member_type"] == "victim", "member_id"])
        perps = set(g.loc[g["member_type"] == "perpetrator", "member_id"])
        assert victims and perps
        assert all("victim" in roles[v] for v in victims) and all("perpetrator" in roles[p] for p in perps)
        # each business is where a victim of the group was found when missing
        found = set(ep.loc[ep["person_id"].isin(victims), "found_location_id"])
        assert set(g.loc[g["member_type"] == "business", "member_id"]) <= found, gid
        ops = set(g.loc[g["member_type"] == "operation", "member_id"])
        assert ops and ops <= ops_in_data
        op_events = events.loc[events["operation"].isin(ops), "event_id"]
        named = evp[evp["event_id"].isin(op_events)]
        assert set(named.loc[named["role"] == "victim", "person_id"]) <= victims
        assert set(named.loc[named["role"].isin(["suspect", "offender"]), "person_id"]) <= perps
        assert set(events.loc[events["operation"].isin(ops), "category"]) <= {"CSE", "CCE"}
    lac_victims = persons[persons["roles"].str.contains("victim") & (persons["looked_after"] == "true")]
    assert len(lac_victims) / persons["roles"].str.contains("victim").sum() > 0.6


def test_co_placed_children_really_met_and_went_missing_together(tables: dict[str, pd.DataFrame], person_of: pd.Series) -> None:
    truth = tables["truth/co_placed_missing"]
    assert len(truth) >= 5
    pl = tables["placements"].assign(person_id=lambda d: d["record_id"].map(person_of))
    pl["start"] = pd.to_datetime(pl["start_date"])
    pl["end"] = pd.to_datetime(pl["end_date"].replace("", "2100-01-01"))
    ep = tables["missing_episodes"].set_index("episode_id")
    for row in truth.itertuples():
        start = pd.Timestamp(row.overlap_start)
        at = pl[pl["location_id"] == row.location_id]
        for person in (row.person_id_a, row.person_id_b):
            mine = at[at["person_id"] == person]
            assert ((mine["start"] <= start) & (mine["end"] > start)).any(), row
        a, b = ep.loc[row.episode_id_a], ep.loc[row.episode_id_b]
        assert person_of[a["record_id"]] == row.person_id_a and person_of[b["record_id"]] == row.person_id_b
        sa, sb = pd.Timestamp(a["start"]), pd.Timestamp(b["start"])
        ea = pd.Timestamp(a["end"]) if a["end"] else pd.Timestamp.max
        eb = pd.Timestamp(b["end"]) if b["end"] else pd.Timestamp.max
        assert sa < eb and sb < ea, row
        assert min(sa, sb).normalize() >= start
        named = {person_of[r] for r in a["found_with"].split(";") if r} | {person_of[r] for r in b["found_with"].split(";") if r}
        same_place = a["found_location_id"] != "" and a["found_location_id"] == b["found_location_id"]
        assert same_place or row.person_id_a in named or row.person_id_b in named, row


def test_shared_identifiers_are_held_by_both_and_never_recorded_as_associates(tables: dict[str, pd.DataFrame], person_of: pd.Series) -> None:
    truth = tables["truth/shared_identifiers"]
    assert len(truth) >= 5
    idf = tables["identifiers"]
    held = idf[idf["owner_type"] == "person"].assign(person_id=lambda d: d["owner_id"].map(person_of))
    assoc = tables["associations"]
    linked = {frozenset(x) for x in zip(assoc["record_id_a"].map(person_of), assoc["record_id_b"].map(person_of))}
    for row in truth.itertuples():
        holders = set(held.loc[held["identifier"] == row.identifier, "person_id"])
        assert {row.person_id_a, row.person_id_b} <= holders
        assert frozenset((row.person_id_a, row.person_id_b)) not in linked
        assert row.kind in ("phone", "vehicle")


def test_operation_crossovers_share_what_they_say(tables: dict[str, pd.DataFrame], person_of: pd.Series) -> None:
    truth = tables["truth/operation_crossover"]
    assert len(truth) >= 3 and {"victim", "perpetrator"} <= set(truth["shared_kind"])
    events = tables["events"]
    evp = tables["event_people"].merge(events[["event_id", "operation"]], on="event_id").assign(person_id=lambda d: d["record_id"].map(person_of))
    for row in truth.itertuples():
        for op in (row.operation_a, row.operation_b):
            if row.shared_kind == "location":
                assert (events.loc[events["operation"] == op, "location_id"] == row.shared_id).any()
            else:
                roles = ["victim"] if row.shared_kind == "victim" else ["suspect", "offender"]
                mine = evp[(evp["operation"] == op) & evp["role"].isin(roles)]
                assert (mine["person_id"] == row.shared_id).any(), row


def test_cross_boundary_links_cross_boundaries(tables: dict[str, pd.DataFrame]) -> None:
    persons = tables["truth/persons"].set_index("person_id")
    cross, out = tables["truth/cross_bcu_links"], tables["truth/out_of_force_links"]
    assert len(cross) and len(out)
    for df in (cross, out):
        assert (persons.loc[df["person_id_a"], "bcu"].to_numpy() == df["bcu_a"].to_numpy()).all()
        assert (persons.loc[df["person_id_b"], "force"].to_numpy() == df["force_b"].to_numpy()).all()
        assert set(df["via"]) <= {"contact", "event", "missing_together", "co_placement", "shared_identifier"}
    assert (cross["bcu_a"] != cross["bcu_b"]).all() and (out["force_a"] != out["force_b"]).all()
    # victims' links cross boundaries more often than perpetrators' own links
    roles = persons["roles"]
    both_perp = roles[cross["person_id_a"]].str.contains("perpetrator").to_numpy() & roles[cross["person_id_b"]].str.contains("perpetrator").to_numpy()
    assert both_perp.sum() < (~both_perp).sum()


def test_business_targets_are_group_businesses_linked_to_victims(tables: dict[str, pd.DataFrame]) -> None:
    targets, members = tables["truth/business_targets"], tables["truth/group_members"]
    business = members[members["member_type"] == "business"]
    assert set(zip(targets["location_id"], targets["group_id"])) == set(zip(business["member_id"], business["group_id"]))
    assert (targets["children_linked"].astype(int) >= 1).all()
    assert (targets["perpetrators_linked"].astype(int) >= 1).mean() > 0.8
    cats = tables["locations"].set_index("location_id").loc[targets["location_id"], "category"]
    assert set(cats) <= {"takeaway", "hotel", "taxi_firm", "licensed_premises", "off_licence", "shisha_bar", "car_wash"}


def test_care_moves_match_placements(tables: dict[str, pd.DataFrame], person_of: pd.Series) -> None:
    moves = tables["truth/care_moves"].set_index("person_id")
    counts = tables["placements"]["record_id"].map(person_of).value_counts()
    assert (moves.loc[counts.index, "n_placements"].astype(int).to_numpy() == counts.to_numpy()).all()
    assert (moves["peers_met"].astype(int) > 0).mean() > 0.5


def test_the_geography_drives_the_world(tmp_path: Path) -> None:
    geo = geography_from_dict(
        {
            "force": "Wessex",
            "bcus": {"North": {"Casterbridge": [50.71, -2.44], "Melchester": [51.07, -1.79]}, "South": {"Sandbourne": [50.72, -1.88]}},
            "neighbouring_forces": {"Mercia": {"Christminster": [51.75, -1.26]}},
        }
    )
    generate_world(tmp_path, scale="small", seed=3, geography=geo)
    people, loc = read(tmp_path, "people"), read(tmp_path, "locations")
    names = {"Casterbridge", "Melchester", "Sandbourne", "Christminster"}
    assert set(people["local_authority"]) - {""} <= names
    assert set(loc["local_authority"]) == names
    persons = read(tmp_path / "truth", "persons")
    assert set(persons["bcu"]) <= {"North", "South", ""} and set(persons["force"]) == {"Wessex", "Mercia"}


def test_medium_world_has_about_100k_records(tmp_path: Path) -> None:
    """Medium generates in about 3 s on two cores, so it runs by default."""
    summary = generate_world(tmp_path, scale="medium", seed=0)
    people = read(tmp_path, "people")
    assert 85_000 <= len(people) == summary["rows"]["people"] <= 115_000
    assert people["record_id"].is_unique
    assert summary["truth"]["groups"] >= 200 and np.all(np.array(list(summary["rows"].values())) > 0)
