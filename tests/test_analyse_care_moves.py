"""Care moves: numbering, distances and peers on a hand-built dataset; Empra's finding on a synthetic world."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from linkage.analyse.care_moves import (
    COHORT_COLUMNS,
    COUNTERFACTUAL_COLUMNS,
    MOVE_COLUMNS,
    REQUIRES,
    care_move_cohort,
    care_move_counterfactual,
    care_moves,
)
from linkage.build import build_network
from linkage.read import load_dataset


# Amy and Beth are placed together at Oak House (Preston, South BCU); Amy's second
# placement there is a change of placement type, not a move. Amy then moves to
# Bay House (Blackpool, West BCU, 0.1 degree of latitude north), where Cara
# already lives. Cara is tied to Pete (a suspect) from before Amy arrives;
# Beth's tie to Pete is undated.
TINY = {
    "people": [
        "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags",
        "C1,social_care,Amy,Ash,2008-01-01,F,,Preston,looked_after",
        "C2,social_care,Beth,Birch,2008-02-02,F,,Preston,looked_after",
        "C3,social_care,Cara,Cedar,2007-03-03,F,,Blackpool,looked_after",
        "P1,police,Pete,Pine,1980-04-04,M,,Manchester,",
    ],
    "locations": [
        "location_id,category,name,night_time_economy,postcode,local_authority,latitude,longitude",
        "A,children_home,Oak House,,,Preston,53.80,-2.70",
        "B,children_home,Bay House,,,Blackpool,53.90,-2.70",
    ],
    "placements": [
        "placement_id,record_id,location_id,start_date,end_date,placement_type,placing_authority,reason_for_change",
        "PL1,C1,A,2020-01-01,2020-06-30,children_home,Preston,Change of placement type",
        "PL2,C1,A,2020-06-30,2021-01-01,K2,Preston,Placement breakdown",
        "PL3,C1,B,2021-01-01,,children_home,Preston,",
        "PL4,C2,A,2020-02-01,2021-06-30,children_home,Preston,",
        "PL5,C3,B,2020-09-01,,children_home,Blackpool,",
    ],
    "events": [
        "event_id,event_type,category,operation,date,location_id,local_authority,status",
        "E1,crime,CSE,Op Alder,2021-03-01,B,Blackpool,live",
    ],
    "event_people": [
        "event_id,record_id,role",
        "E1,C1,victim",
        "E1,C3,victim",
        "E1,P1,suspect",
    ],
    "associations": [
        "record_id_a,record_id_b,kind,date",
        "C3,P1,associate,2020-10-01",
        "C2,P1,associate,",
    ],
}
#: 0.1 degree of latitude on the haversine sphere the toolkit uses
A_TO_B_KM = 6371.0088 * math.radians(0.1)


def write_tables(folder, tables: dict[str, list[str]]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in tables.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, lancashire_config):
    folder = write_tables(tmp_path_factory.mktemp("tiny"), TINY)
    dataset = load_dataset(folder, lancashire_config)
    assert dataset.rejects.empty, dataset.rejects
    return build_network(dataset, None, lancashire_config)


@pytest.fixture(scope="module")
def world(synthetic_world):
    built = synthetic_world(13)
    folder, network = built.folder, built.network
    return folder, network


@pytest.fixture(scope="module")
def world_moves(world):
    return care_moves(world[1])


def person_of_entity(folder, network) -> pd.DataFrame:
    """Truth person_id -> entity_id for people whose records resolved to exactly one entity of their own."""
    records = pd.read_csv(folder / "truth" / "records.csv", dtype=str).merge(network.entities, on="record_id")
    whole = records.groupby("person_id")["entity_id"].nunique() == 1
    pure = records.groupby("entity_id")["person_id"].nunique() == 1
    records = records[records["person_id"].map(whole) & records["entity_id"].map(pure)]
    return records.drop_duplicates("person_id").set_index("person_id")["entity_id"]


def test_requires_names_the_placements_table():
    assert REQUIRES == ("placements",)


def test_moves_are_numbered_in_order_and_a_same_setting_placement_is_not_a_move(tiny):
    moves = care_moves(tiny)
    assert list(moves.columns) == list(MOVE_COLUMNS)
    amy = moves[moves["entity_id"] == "C1"].reset_index(drop=True)
    assert amy["move_number"].tolist() == [0, 1]
    assert amy["to_location_id"].tolist() == ["A", "B"]
    assert pd.isna(amy.loc[0, "from_location_id"]) and amy.loc[1, "from_location_id"] == "A"
    assert amy["move_date"].tolist() == [pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-01")]
    assert sorted(moves["entity_id"]) == ["C1", "C1", "C2", "C3"]


def test_distance_comes_from_the_settings_coordinates(tiny):
    amy = care_moves(tiny).set_index(["entity_id", "move_number"])
    assert np.isnan(amy.loc[("C1", 0), "distance_km"])
    assert amy.loc[("C1", 1), "distance_km"] == pytest.approx(A_TO_B_KM, abs=0.1)
    assert round(amy.loc[("C1", 1), "distance_km"], 1) == 11.1
    assert amy.loc[("C1", 1), "distance_source"] == "given"


def test_new_and_cumulative_peers_count_children_first_met_at_each_setting(tiny):
    moves = care_moves(tiny).set_index(["entity_id", "move_number"])
    # Amy meets Beth at Oak House (over two placements: one peer), then Cara at Bay House
    assert moves.loc[("C1", 0), ["new_peers", "cumulative_peers"]].tolist() == [1, 1]
    assert moves.loc[("C1", 1), ["new_peers", "cumulative_peers"]].tolist() == [1, 2]
    assert moves.loc[("C2", 0), ["new_peers", "cumulative_peers"]].tolist() == [1, 1]
    assert moves.loc[("C3", 0), ["new_peers", "cumulative_peers"]].tolist() == [1, 1]


def test_the_move_to_another_bcu_is_flagged(tiny):
    amy = care_moves(tiny).set_index(["entity_id", "move_number"])
    assert pd.isna(amy.loc[("C1", 0), "crossed_bcu"])
    assert bool(amy.loc[("C1", 1), "crossed_bcu"]) is True
    assert amy.loc[("C1", 1), "to_bcu"] == "West"
    assert amy.loc[("C1", 1), "to_local_authority"] == "Blackpool"
    assert amy.loc[("C1", 1), "to_category"] == "children_home"
    assert bool(amy.loc[("C1", 1), "out_of_force"]) is False


def test_perpetrators_within_two_steps_follow_the_window_rule(tiny):
    moves = care_moves(tiny).set_index(["entity_id", "move_number"])["perpetrators_within_two_steps"]
    # Amy at Oak House: Beth (met in the window) has an undated tie to Pete -> reached
    assert moves[("C1", 0)] == 1
    # Amy at Bay House: Cara (met on arrival) was tied to Pete before -> reached
    assert moves[("C1", 1)] == 1
    # Beth's own tie to Pete is undated, so not placed in her window; Amy has no perpetrator tie
    assert moves[("C2", 0)] == 0
    # Cara's tie to Pete starts during her stay: one step
    assert moves[("C3", 0)] == 1
    # Amy reaches Pete at both settings: one perpetrator so far
    cumulative = care_moves(tiny).set_index(["entity_id", "move_number"])["cumulative_perpetrators"]
    assert cumulative[("C1", 0)] == 1 and cumulative[("C1", 1)] == 1


def test_cohort_groups_children_by_moves_and_distance(tiny):
    cohort = care_move_cohort(tiny)
    assert list(cohort.columns) == list(COHORT_COLUMNS)
    by_moves = cohort[cohort["group_by"] == "moves"].set_index("band")
    assert by_moves["children"].tolist() == [2, 1, 0, 0, 0, 0]
    assert by_moves.loc["0", "mean_peers"] == 1.0 and by_moves.loc["1", "mean_peers"] == 2.0
    assert by_moves.loc["1", "mean_perpetrators_within_two_steps"] == 1.0
    by_distance = cohort[cohort["group_by"] == "distance_km"].set_index("band")
    assert by_distance["children"].to_dict() == {"<10": 2, "10-25": 1, "25-50": 0, "50+": 0}
    # moves read back from care_moves.csv (the contract's columns only) give the same cohort
    contract = care_moves(tiny).iloc[:, :8]
    pd.testing.assert_frame_equal(care_move_cohort(tiny, contract), cohort)


def test_counterfactual_removes_the_meeting_after_the_move_and_outside_the_home_bcu(tiny):
    result = care_move_counterfactual(tiny, max_moves=(0, 1)).set_index("scenario")
    assert list(result.reset_index().columns) == list(COUNTERFACTUAL_COLUMNS)
    assert result.loc["max_moves_0", ["peers_actual", "peers_scenario", "reduction"]].tolist() == [4, 2, 2]
    assert result.loc["max_moves_0", "reduction_pct"] == 50.0
    # Amy and Cara, both victims, would never have met
    assert result.loc["max_moves_0", ["ties_removed", "victim_ties_removed", "children_affected"]].tolist() == [1, 1, 2]
    assert result.loc["max_moves_1", "reduction"] == 0
    assert result.loc["within_home_bcu", ["peers_scenario", "ties_removed"]].tolist() == [2, 1]


def test_no_placements_gives_empty_frames_with_the_contract_columns(tmp_path, lancashire_config):
    folder = write_tables(tmp_path / "people_only", {"people": TINY["people"]})
    network = build_network(load_dataset(folder, lancashire_config), None, lancashire_config)
    for frame, columns in ((care_moves(network), MOVE_COLUMNS), (care_move_cohort(network), COHORT_COLUMNS),
                           (care_move_counterfactual(network), COUNTERFACTUAL_COLUMNS)):
        assert frame.empty
        assert list(frame.columns) == list(columns)
        assert [str(t) for t in frame.dtypes] == [str(pd.Series(dtype=d).dtype) for d in columns.values()]


def test_moves_and_peers_agree_with_the_planted_truth(world, world_moves):
    folder, network = world
    truth = pd.read_csv(folder / "truth" / "care_moves.csv", dtype={"person_id": str})
    entity = person_of_entity(folder, network)
    truth = truth[truth["person_id"].isin(entity.index)].copy()
    truth["entity_id"] = truth["person_id"].map(entity)
    assert len(truth) >= 100
    # the truth counts placements - 1; a placement at the same setting as the one before is not a move here
    placements = pd.read_csv(folder / "placements.csv", dtype=str).merge(
        pd.read_csv(folder / "truth" / "records.csv", dtype=str), on="record_id")
    placements = placements.sort_values(["person_id", "start_date"])
    repeat = (placements["person_id"].eq(placements["person_id"].shift())
              & placements["location_id"].eq(placements["location_id"].shift()))
    truth["repeats"] = truth["person_id"].map(repeat.groupby(placements["person_id"]).sum()).fillna(0)
    assert (truth["repeats"] > 0).any()
    ours = world_moves.groupby("entity_id").agg(moves=("move_number", "max"), peers=("cumulative_peers", "max"))
    joined = truth.join(ours, on="entity_id")
    assert (joined["moves"] == joined["n_moves"] - joined["repeats"]).all()
    assert (joined["peers"] == joined["peers_met"]).all()


def test_moves_are_consistent_within_each_child(world_moves):
    moves = world_moves
    grouped = moves.groupby("entity_id")
    assert (grouped["move_number"].transform("min") == 0).all()
    assert (grouped["move_number"].diff().dropna() == 1).all()
    assert (moves["from_location_id"] != moves["to_location_id"]).all()
    assert (grouped["move_date"].diff().dropna() > pd.Timedelta(0)).all()
    assert (grouped["new_peers"].cumsum() == moves["cumulative_peers"]).all()
    assert (grouped["cumulative_perpetrators"].diff().dropna() >= 0).all()
    assert (moves["cumulative_perpetrators"] >= moves["perpetrators_within_two_steps"]).all()
    later = moves[moves["move_number"] > 0]
    assert later["distance_km"].notna().mean() > 0.95
    assert later["distance_source"].isin(["given", "postcode", "authority_centroid", "unknown"]).all()


def test_peers_grow_with_the_number_of_moves(world, world_moves):
    cohort = care_move_cohort(world[1], world_moves)
    by_moves = cohort[cohort["group_by"] == "moves"]
    assert by_moves["band"].tolist() == ["0", "1", "2", "3", "4", "5+"]
    assert by_moves["children"].sum() == world_moves["entity_id"].nunique()
    # Empra: every move widens the network
    assert by_moves["mean_peers"].is_monotonic_increasing
    assert by_moves["mean_peers"].iloc[-1] > 3 * by_moves["mean_peers"].iloc[0]
    assert by_moves["mean_perpetrators_within_two_steps"].iloc[-1] > by_moves["mean_perpetrators_within_two_steps"].iloc[0]
    by_distance = cohort[cohort["group_by"] == "distance_km"].set_index("band")
    assert by_distance.loc["50+", "mean_peers"] > by_distance.loc["<10", "mean_peers"]


def test_counterfactual_shrinks_the_network(world, world_moves):
    result = care_move_counterfactual(world[1]).set_index("scenario")
    assert list(result.index) == ["max_moves_1", "max_moves_2", "max_moves_3", "within_home_bcu"]
    actual = world_moves.groupby("entity_id")["cumulative_peers"].max().sum()
    assert (result["peers_actual"] == actual).all()
    assert (result["peers_scenario"] < result["peers_actual"]).all()
    assert (result["reduction"] == result["peers_actual"] - result["peers_scenario"]).all()
    # a tighter cap removes more
    assert result.loc["max_moves_1", "peers_scenario"] < result.loc["max_moves_2", "peers_scenario"] < result.loc["max_moves_3", "peers_scenario"]
    assert (result["reduction"] == 2 * result["ties_removed"]).all()
    assert (result["victim_ties_removed"] > 0).all() and (result["victim_ties_removed"] <= result["ties_removed"]).all()


def test_settings_without_coordinates_give_unknown_distances(tmp_path, lancashire_config):
    tables = {name: lines for name, lines in TINY.items() if name != "locations"}
    network = build_network(load_dataset(write_tables(tmp_path / "no_places", tables), lancashire_config),
                            None, lancashire_config)
    amy = care_moves(network).set_index(["entity_id", "move_number"])
    assert np.isnan(amy.loc[("C1", 1), "distance_km"]) and amy.loc[("C1", 1), "distance_source"] == "unknown"
    assert pd.isna(amy.loc[("C1", 1), "crossed_bcu"])
    cohort = care_move_cohort(network)
    # Amy moved an unknown distance: she is in the moves bands but in no distance band
    assert cohort.loc[cohort["group_by"] == "moves", "children"].sum() == 3
    assert cohort.loc[cohort["group_by"] == "distance_km", "children"].tolist() == [2, 0, 0, 0]
