"""Key people: brokers found on the synthetic world, the POLE vulnerable-person pattern on a hand-built network,
and betweenness equal to networkx's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from linkage.analyse.clusters import clusters
from linkage.analyse.key_people import KEY_CAPS, KEY_PEOPLE_COLUMNS, KEY_WEIGHTS, key_people
from linkage.build import build_network
from linkage.read import load_dataset

REPO = Path(__file__).resolve().parents[1]
SEED = 17


@pytest.fixture(scope="module")
def world(synthetic_world):
    built = synthetic_world(SEED)
    folder, network = built.folder, built.network
    truth = folder / "truth"
    records = pd.read_csv(truth / "records.csv", dtype=str)[["record_id", "person_id"]]
    entity_of = records.merge(network.entities, on="record_id")[["person_id", "entity_id"]].drop_duplicates()
    return {"network": network, "entity_of": entity_of,
            "persons": pd.read_csv(truth / "persons.csv", dtype=str),
            "members": pd.read_csv(truth / "group_members.csv", dtype=str)}


@pytest.fixture(scope="module")
def found(world):
    table, members = clusters(world["network"], seed=0)
    return table, members, key_people(world["network"], seed=0, clusters_members=members)


def test_perpetrators_in_several_groups_rank_high_as_brokers(world, found):
    _, members, people = found
    persons = world["persons"]
    several = persons[persons["group_ids"].fillna("").str.contains(";")
                      & persons["roles"].fillna("").str.contains("perpetrator")]
    assert len(several) >= 1
    rank = {entity: i + 1 for i, entity in enumerate(people["entity_id"])}
    group_cluster = (world["members"][world["members"]["member_type"].isin(["victim", "perpetrator"])]
                     .merge(world["entity_of"], left_on="member_id", right_on="person_id")
                     .merge(members, left_on="entity_id", right_on="node_id")
                     .groupby("group_id")["cluster_id"].agg(lambda c: c.mode().iloc[0]))
    for person in several.itertuples(index=False):
        entities = world["entity_of"].loc[world["entity_of"]["person_id"] == person.person_id, "entity_id"]
        best = min(rank[e] for e in entities if e in rank)
        assert best <= 25, (person.person_id, best)
        row = people[people["entity_id"].isin(entities)].iloc[0]
        assert row["brokerage"] >= 1
        bridged = set(row["clusters_bridged"].split(";"))
        assert {group_cluster[g] for g in person.group_ids.split(";")} <= bridged
    # brokers lead the list: perpetrators, and the looked-after victims whose ties cross groups
    top = people.head(25)
    assert (top["brokerage"] >= 1).all()
    assert top["roles"].str.contains("perpetrator").mean() >= 0.2
    assert top["roles"].str.contains("victim").mean() >= 0.5


def test_rows_columns_and_order(world, found):
    _, _, people = found
    assert list(people.columns) == list(KEY_PEOPLE_COLUMNS)
    assert list(people.columns[:5]) == ["entity_id", "roles", "degree", "betweenness", "brokerage"]
    assert people["entity_id"].is_unique
    assert people["key_score"].is_monotonic_decreasing
    network_people = world["network"].people.set_index("entity_id")
    # everyone with a role is listed (the small world is far below the row limit)
    with_role = set(network_people.index[network_people["role"] != ""])
    assert with_role <= set(people["entity_id"])
    assert (people.loc[people["brokerage"] >= 1, "clusters_bridged"].str.count(";") == people.loc[
        people["brokerage"] >= 1, "brokerage"]).all()
    assert set(people["bcus_bridged"]) - {""} <= {";".join(sorted(c)) for c in (
        ("East", "South"), ("East", "West"), ("South", "West"), ("East", "South", "West"))}
    assert (people["betweenness"].between(0, 1)).all()
    limited = key_people(world["network"], clusters_members=found[1], limit=10)
    pd.testing.assert_frame_equal(limited, people.head(10))


def test_same_network_and_seed_give_the_same_table(world, found):
    again = key_people(world["network"], seed=0)
    pd.testing.assert_frame_equal(found[2], again)


def _tiny(tmp_path: Path, config) -> object:
    """V knows four offenders, W two; O1 is an offender who knows the others; N knows nobody."""
    tables = {
        "people": ["record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags",
                   "V,police,Val,Ash,2008-01-01,F,,Preston,",
                   "W,police,Wyn,Bell,2008-02-02,F,,Preston,looked_after",
                   "O1,police,Oli,Cole,1990-01-01,M,,Preston,",
                   "O2,police,Ozz,Dale,1991-01-01,M,,Chorley,",
                   "O3,police,Orr,East,1992-01-01,M,,Burnley,",
                   "O4,police,Ola,Ford,1993-01-01,M,,Burnley,",
                   "I,police,Ivy,Gray,1980-01-01,F,,Preston,",
                   "N,police,Ned,Hall,2009-01-01,M,,Preston,"],
        "events": ["event_id,event_type,category,operation,date,location_id,local_authority,status",
                   "C1,crime,CSE,,2021-01-01,,Preston,closed",
                   "C2,crime,CCE,,2021-02-01,,Preston,closed",
                   "C3,crime,drugs,,2021-03-01,,Burnley,closed",
                   "C4,crime,violence,,2021-04-01,,Burnley,closed",
                   "I1,intelligence,CSE,,2021-05-01,,Preston,live"],
        "event_people": ["event_id,record_id,role",
                         "C1,O1,offender", "C2,O2,suspect", "C3,O3,offender", "C4,O4,suspect",
                         "I1,I,suspect"],
        "associations": ["record_id_a,record_id_b,kind,date",
                         "V,O1,associate,", "V,O2,associate,", "V,O3,associate,", "V,O4,associate,",
                         "W,O1,associate,", "W,I,associate,",
                         "O1,O2,co_offender,", "O1,O3,co_offender,", "O1,O4,co_offender,"],
    }
    folder = tmp_path / "tiny"
    folder.mkdir()
    for name, lines in tables.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = load_dataset(folder, config)
    return build_network(dataset, None, config)


def test_vulnerable_pattern_on_a_hand_built_network(tmp_path, lancashire_config):
    network = _tiny(tmp_path, lancashire_config)
    people = key_people(network, vulnerable_min=3).set_index("entity_id")
    # V is party to no crime and knows four offenders; O1 knows three but is an offender himself;
    # W (looked after, so listed) knows one offender and one intelligence suspect (not a crime);
    # N has no role and no ties, so is not listed
    assert set(people.index[people["vulnerable_pattern"]]) == {"V"}
    assert people.loc["V", "n_crime_ties"] == 4
    assert people.loc["O1", "n_crime_ties"] == 3
    assert people.loc["W", "n_crime_ties"] == 1
    assert people.loc["V", "degree"] == 4
    assert people.loc["O1", "roles"] == "perpetrator;CSE"
    assert people.loc["V", "roles"] == ""
    assert people.loc["W", "roles"] == "looked_after"
    assert "N" not in people.index
    # V spans Preston (South) and Burnley (East) through its ties; CSE and CCE offenders on both sides
    assert people.loc["V", "bcus_bridged"] == "East;South"
    assert people.loc["V", "cse_cce_bridge"]
    two = key_people(network, vulnerable_min=5).set_index("entity_id")
    assert not two["vulnerable_pattern"].any()
    # O1 sits between V, W and the other offenders: the highest betweenness
    assert people["betweenness"].idxmax() == "O1"


def test_empty_network_gives_an_empty_table_with_the_contract_columns(write_dataset, lancashire_config):
    folder = write_dataset(only=())
    network = build_network(load_dataset(folder, lancashire_config), None, lancashire_config)
    network.people = network.people.iloc[:0]
    table = key_people(network)
    assert table.empty and list(table.columns) == list(KEY_PEOPLE_COLUMNS)
    people_only = build_network(load_dataset(folder, lancashire_config), None, lancashire_config)
    table = key_people(people_only)
    assert list(table.columns) == list(KEY_PEOPLE_COLUMNS)
    assert (table["degree"] == 0).all() and (table["betweenness"] == 0).all()


def test_key_score_is_led_by_betweenness_and_the_other_parts_cannot_outweigh_it():
    """Issue 13: brokerage and roles add, capped, to less than betweenness's share of the score."""
    others = sum(KEY_WEIGHTS[name] * KEY_CAPS[name] for name in KEY_WEIGHTS if name != "betweenness")
    assert KEY_WEIGHTS["betweenness"] * KEY_CAPS["betweenness"] > others
    assert KEY_WEIGHTS["betweenness"] == max(KEY_WEIGHTS[n] * KEY_CAPS[n] for n in KEY_WEIGHTS)


def test_a_peripheral_broker_ranks_below_the_most_central_person(tmp_path, lancashire_config):
    """H holds the network together (the short paths between its two halves run through H); B, on its edge,
    is a perpetrator tied into both clusters, flagged and tied to suspects: B still ranks below H."""
    left, right = [f"L{i}" for i in range(5)], [f"R{i}" for i in range(5)]
    people = ["record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags"]
    for i, record in enumerate(left + right + ["H", "B"]):
        people.append(f"{record},police,N{i},S{i},,,,Preston,{'cse_risk;cce_risk' if record == 'B' else ''}")
    associations = ["record_id_a,record_id_b,kind,date,weight"]
    for side in (left, right):
        associations += [f"{a},{b},associate,,5" for i, a in enumerate(side) for b in side[i + 1:]]
        associations += [f"H,{member},associate,," for member in side]   # weight 1 when not given
    associations += [f"B,{member},associate,,0.5" for member in left[1:] + right[1:]]
    events = ["event_id,event_type,category,operation,date,location_id,local_authority,status"]
    event_people = ["event_id,record_id,role"]
    for i, record in enumerate(["B", *left[1:3], *right[1:3]]):
        events.append(f"C{i},crime,CSE,,2021-01-0{i + 1},,Preston,closed")
        event_people.append(f"C{i},{record},suspect")
    folder = tmp_path / "broker"
    folder.mkdir()
    for name, lines in (("people", people), ("associations", associations), ("events", events),
                        ("event_people", event_people)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    network = build_network(load_dataset(folder, lancashire_config), None, lancashire_config)
    table = key_people(network, seed=0)
    row = table.set_index("entity_id")
    assert row.loc["B", "brokerage"] >= 1 and row.loc["B", "key_score"] > row.loc["B", "betweenness"]
    assert "perpetrator 1x" in row.loc["B", "key_parts"] and "brokerage" in row.loc["B", "key_parts"]
    assert row["betweenness"].idxmax() == "H"
    assert table["entity_id"].iloc[0] == "H"
    # the weighted ties (association weight 5 inside each half, 1 for H's, 0.5 for B's) decide the paths
    assert row.loc["H", "strength"] == 10.0 and row.loc["B", "strength"] == 4.0


def test_contact_direction_gives_in_and_out_contacts_and_reciprocity(tmp_path, lancashire_config):
    """Contract v1.1 keeps who called whom: a controller C calls four runners, one of whom calls back."""
    people = ["record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags"]
    people += [f"{r},police,N{i},S{i},,,,Preston," for i, r in enumerate(["C", "R1", "R2", "R3", "R4", "Q"])]
    identifiers = ["identifier,kind,owner_id,owner_type"] + [f"07{i},phone,{r},person"
                                                              for i, r in enumerate(["C", "R1", "R2", "R3", "R4", "Q"])]
    contacts = ["from_identifier,to_identifier,count,kind",
                "070,071,9,call", "070,072,4,call", "070,073,2,sms", "070,074,1,call",
                "071,070,3,call",
                "075,072,6,sighting"]   # Q seen with R2: no direction
    folder = tmp_path / "calls"
    folder.mkdir()
    for name, lines in (("people", people), ("identifiers", identifiers), ("contacts", contacts)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    network = build_network(load_dataset(folder, lancashire_config), None, lancashire_config)
    row = key_people(network, seed=0).set_index("entity_id")
    assert (row.loc["C", "contacts_out"], row.loc["C", "contacts_in"]) == (4, 1)
    assert row.loc["C", "reciprocity"] == 0.25            # one of C's four contact ties goes both ways
    assert (row.loc["R1", "contacts_out"], row.loc["R1", "contacts_in"], row.loc["R1", "reciprocity"]) == (1, 1, 1.0)
    assert (row.loc["R3", "contacts_out"], row.loc["R3", "contacts_in"], row.loc["R3", "reciprocity"]) == (0, 1, 0.0)
    # the sighting ties Q to R2 but has no direction: it counts in neither, and Q has no reciprocity
    assert row.loc["Q", "degree"] == 1
    assert (row.loc["Q", "contacts_out"], row.loc["Q", "contacts_in"]) == (0, 0) and pd.isna(row.loc["Q", "reciprocity"])
    assert (row.loc["R2", "contacts_out"], row.loc["R2", "contacts_in"], row.loc["R2", "reciprocity"]) == (0, 1, 0.0)
